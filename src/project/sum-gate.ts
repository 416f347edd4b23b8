/** The checksum-file gate that every command applying migrations passes first (CLI and API alike). */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { SUM_FILE, verifySum } from '../migrations/index.js';

/**
 * Atlas-style integrity gate before anything reaches a database: when `migrations/schemaplan.sum`
 * exists, it must agree with the files (no edit, removal, unlisted file or hand-merged sum). A history
 * without a sum file is not gated (`check` reports the missing file).
 * @throws Error (one paragraph) listing the disagreements
 */
export function assertSumAgrees(config: Config): void {
  if (!fs.existsSync(path.join(config.migrationsDir, SUM_FILE))) return;
  const problems = verifySum(config.migrationsDir);
  if (problems.length === 0) return;
  const rel = path.relative(config.root, path.join(config.migrationsDir, SUM_FILE)).split(path.sep).join('/');
  throw new Error(
    `${rel} disagrees with the migration files: ${problems.map((p) => p.message).join('; ')}. The history changed after the sum was ` +
      `written (an edit, a merge, a removed file); nothing was run. Review the change, then run "schemaplan hash" to accept it, or pass --no-sum-check.`,
  );
}
