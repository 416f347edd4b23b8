/**
 * A fingerprint of the catalog reader's own code, for the keys of cached catalogs. A cached catalog
 * is only as good as the code that read it: identities, normalisation and the catalog queries change
 * between builds without a new package version (during development, or a patched install), and a
 * catalog read by other code must not be served as if this build had read it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let memo: string | undefined;

/** The code files (`.js`, or `.ts` when run from source; not `.d.ts`) below `dir`, sorted. */
function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...codeFiles(p));
    else if (/\.(js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/**
 * SHA-256 (hex) over the code of the catalog reader: this folder (catalog/, with its queries) and
 * db/ (identifier quoting, connections), relative names and contents. Read once per process (about
 * 0.3 MB, a millisecond or two).
 * @throws the file system's error when the installed files cannot be read
 */
export function readerBuild(): string {
  if (memo) return memo;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const roots = [here, path.join(here, '..', 'db')];
  const hash = createHash('sha256');
  for (const root of roots) {
    for (const f of codeFiles(root)) hash.update(`${path.relative(path.dirname(here), f)}\0`).update(fs.readFileSync(f)).update('\0');
  }
  return (memo = hash.digest('hex'));
}
