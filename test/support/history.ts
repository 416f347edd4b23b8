/** Throw-away migration histories for the runner's library tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadHistory, type Migration } from '../../src/migrations/index.js';

/** The default tracking table. */
export const table = { schema: 'public', name: 'schema_migrations' };

/** A dbmate-format migration file's text (`opt` e.g. ` transaction:false` on both markers). */
export const mig = (upSql: string, downSql: string, opt = '') => `-- migrate:up${opt}\n${upSql}\n-- migrate:down${opt}\n${downSql}\n`;

/** Writes migration files into a fresh `<tmp>/…/migrations` folder; `history()` loads them (relFile = `migrations/<file>`). */
export function project(files: Record<string, string>, prefix = 'schemaplan-run-'): { dir: string; history: () => Migration[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), t);
  return { dir, history: () => loadHistory(dir, { root }) };
}
