/** The migration history: every migration file of a folder, parsed and in version order. */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './checksum.js';
import { compareVersions, parseMigrationFileName } from './names.js';
import { parseMigration, type ParsedMigration } from './sections.js';
import { migrationFiles } from './sumfile.js';

/** One migration file. */
export interface Migration {
  /** The version digits of the file name (the tracking table's `version`). */
  version: string;
  /** The description part of the file name. */
  name: string;
  /** Absolute path. */
  file: string;
  /** Path relative to `root` (default: the working directory), forward slashes; used in messages. */
  relFile: string;
  /** File content (UTF-8). */
  text: string;
  /** SHA-256 hex of the file's bytes (the tracking table's `checksum`). */
  checksum: string;
  /** Sections and header. */
  parsed: ParsedMigration;
}

/** Thrown for a migration file whose bytes are not valid UTF-8 (PostgreSQL would receive mangled text). */
export class MigrationEncodingError extends Error {
  constructor(readonly file: string, readonly line: number) {
    super(`${file}:${line}: the file is not valid UTF-8 text (first bad byte on line ${line}); re-save it as UTF-8`);
    this.name = 'MigrationEncodingError';
  }
}

/** Decodes UTF-8 strictly (a leading BOM is kept in the text, as before). @throws MigrationEncodingError */
function decodeUtf8(buf: Buffer, relFile: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    // Find the first invalid byte to name its line.
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, mid + 1), { stream: true });
        lo = mid + 1;
      } catch {
        hi = mid;
      }
    }
    let line = 1;
    for (let i = 0; i < lo && i < buf.length; i++) if (buf[i] === 10) line++;
    throw new MigrationEncodingError(relFile, line);
  }
}

/**
 * Loads every `*.sql` file of `dir` (not recursive; `schemaplan.sum`, dot-files and other files are
 * ignored), sorted by version (numerically). A missing folder is an empty history.
 * @param opts.root folder `relFile` is relative to (default `process.cwd()`)
 * @throws MigrationNameError for a malformed file name, MigrationFormatError for inconsistent section
 *   markers, MigrationEncodingError for a file that is not UTF-8, and an Error naming both files when two files share a version.
 */
export function loadHistory(dir: string, opts: { root?: string } = {}): Migration[] {
  const root = opts.root ?? process.cwd();
  const out: Migration[] = [];
  for (const base of migrationFiles(dir)) {
    const file = path.resolve(dir, base);
    const relFile = path.relative(root, file).split(path.sep).join('/');
    const { version, name } = parseMigrationFileName(relFile);
    const buf = fs.readFileSync(file);
    const text = decodeUtf8(buf, relFile);
    out.push({ version, name, file, relFile, text, checksum: sha256Hex(buf), parsed: parseMigration(text, relFile) });
  }
  out.sort((a, b) => compareVersions(a.version, b.version) || (a.relFile < b.relFile ? -1 : 1));
  for (let i = 1; i < out.length; i++) {
    if (compareVersions(out[i - 1]!.version, out[i]!.version) === 0) {
      throw new Error(`duplicate migration version ${out[i]!.version}: ${out[i - 1]!.relFile} and ${out[i]!.relFile}; give one of them a new version`);
    }
  }
  return out;
}
