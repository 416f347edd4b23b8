/**
 * What `up` checks before it runs anything: every object outside the scope that a pending
 * migration's plan records as required (`requires` in plans/<version>_<name>.yaml) exists in the
 * database. A plan records them when an object it creates or changes depends on a relation, type or
 * function in a schema it does not compare.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Db } from '../db/types.js';
import type { Migration } from '../migrations/index.js';
import { parsePlanDocument } from '../plan/document.js';

/** One required object that the database lacks, with the migration whose plan requires it. */
export interface UnmetRequirement {
  file: string;
  kind: string;
  name: string;
  by: string[];
}

const RELATION_KINDS = new Set(['table', 'view', 'materialized view', 'sequence', 'foreign table']);

/** SQL that finds one object of `kind` named `$1`.`$2` (schema, name). */
function existsQuery(kind: string): string {
  if (RELATION_KINDS.has(kind)) return 'SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2';
  if (kind === 'function') return 'SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2';
  return 'SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2';
}

/**
 * The requirements of the `pending` migrations' plan documents that `db` does not meet. Files
 * without a plan document (hand-written ones) require nothing. Reads only.
 * @throws the driver's error when the catalog cannot be read
 */
export async function unmetRequirements(db: Db, config: Config, pending: readonly Migration[]): Promise<UnmetRequirement[]> {
  const out: UnmetRequirement[] = [];
  const seen = new Set<string>();
  for (const m of pending) {
    const planFile = m.parsed.header['Plan'];
    if (!planFile || seen.has(planFile)) continue;
    seen.add(planFile);
    let doc;
    try {
      doc = parsePlanDocument(fs.readFileSync(path.resolve(config.root, planFile), 'utf8'), planFile);
    } catch {
      continue; // no readable plan: nothing recorded to check
    }
    for (const r of doc.requires ?? []) {
      const dot = r.name.indexOf('.');
      const rows = await db.query(existsQuery(r.kind), [r.name.slice(0, dot), r.name.slice(dot + 1)]);
      if (rows.length === 0) out.push({ file: m.relFile, kind: r.kind, name: r.name, by: r.by });
    }
  }
  return out;
}

/** One sentence naming every unmet requirement. */
export function describeUnmet(unmet: readonly UnmetRequirement[]): string {
  return unmet.map((u) => `${u.file} requires ${u.kind} ${u.name} (used by ${u.by.join(', ')}), which is outside the scope and not in the database`).join('; ');
}
