/**
 * The desired state: schema files executed statement by statement in a shadow database
 * ("desired state is elaborated by PostgreSQL, not by us", DESIGN.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/types.js';
import { executeScript } from '../sql/execute.js';

/**
 * Expands schema sources (files or folders) into `.sql` files: a folder contributes its `.sql` files
 * recursively in name order. Returns absolute paths.
 * @throws Error naming a source that does not exist.
 */
export function listSchemaFiles(sources: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) walk(path.join(p, e));
    } else if (p.endsWith('.sql')) out.push(p);
  };
  for (const s of sources) {
    if (!fs.existsSync(s)) throw new Error(`schema source not found: ${s}`);
    walk(s);
  }
  return out;
}

/**
 * Executes each file on `db` in order.
 * @param displayRoot paths in error messages are relative to it (e.g. `schema/schema.sql:12:5`)
 * @throws SqlExecutionError naming file:line:column; Error when a file is not valid UTF-8
 */
export async function loadSchema(db: Db, files: string[], displayRoot = process.cwd()): Promise<void> {
  for (const f of files) {
    const buf = fs.readFileSync(f);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      throw new Error(`${path.relative(displayRoot, f)}: not valid UTF-8; save the file as UTF-8`);
    }
    await executeScript(db, text, path.relative(displayRoot, f) || f);
  }
}
