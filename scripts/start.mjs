// `npm start`: the main job on the worked example, with no database set up beforehand.
// 1. plan schema/ against the migration history (embedded PGlite shadow) — writes a migration only
//    when schema/ has changed; 2. apply the history to an embedded development database
//    (.schemaplan/dev, PGlite) with the runner; 3. print its status.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/src/cli/main.js');
const devUrl = process.env.DATABASE_URL ?? 'pglite:.schemaplan/dev';
const steps = [
  ['plan', 'schema_change'],
  ['up', '--url', devUrl],
  ['status', '--url', devUrl, '--exit-code'],
];
for (const args of steps) {
  console.log(`\n$ schemaplan ${args.join(' ').replace(/:\/\/[^@]*@/, '://***@')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.exitCode = r.status ?? 1;
    break;
  }
}
