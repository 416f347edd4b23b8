// `npm start`: the main job on the worked example, with no database set up beforehand.
// 1. plan schema/ against the migration history (embedded PGlite shadow) — writes a migration only
//    when schema/ has changed; 2. apply the history to an embedded development database
//    (.schemaplan/dev, PGlite, or DATABASE_URL when set) with the runner; 3. print its status.
//
// Usage: node scripts/start.mjs [project-dir]   (default: the repository root, the worked example)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'dist/src/cli/main.js');
const project = path.resolve(process.argv[2] ?? repo);
const devUrl = process.env.DATABASE_URL ?? 'pglite:.schemaplan/dev';
// The plan step compares schema/ with the replayed history, never with DATABASE_URL: a fresh
// development database is not at the head of the history yet, and `up` comes after.
const planEnv = { ...process.env };
delete planEnv.DATABASE_URL;
const steps = [
  [['plan', 'schema_change'], planEnv],
  [['up', '--url', devUrl], process.env],
  [['status', '--url', devUrl, '--exit-code'], process.env],
];
for (const [args, env] of steps) {
  console.log(`\n$ schemaplan ${args.join(' ').replace(/(postgres(?:ql)?:\/\/[^:/@?#]*):[^@/?#]*@/gi, '$1:***@')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: project, env, stdio: 'inherit' });
  if (r.status !== 0) {
    process.exitCode = r.status ?? 1;
    break;
  }
}
