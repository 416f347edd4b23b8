/** schemaplan's own version, for `--version` and for keys of what it caches. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version in schemaplan's own package.json, found by walking up from this module (dist/src
 * in a build or an installed package, src in a checkout).
 * @throws Error when no package.json named `schemaplan` is above this module
 */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'schemaplan' && pkg.version) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('schemaplan\'s package.json was not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
