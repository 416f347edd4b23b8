/**
 * Down sections for an up-only history (`import --from sequential`): the history is replayed in a
 * shadow, the catalog is read before and after each file, and the plan from the state after a file
 * to the state before it (the planner's diff, everything emitted, plain forms so that the section
 * runs in one transaction) is that file's down section. `check` then proves each one like any other
 * down section (it must restore the state before its up section).
 */
import type { Catalog } from '../catalog/model.js';
import { introspect } from '../catalog/introspect.js';
import type { Config } from '../config/config.js';
import type { Shadow } from '../db/shadow.js';
import type { Migration } from '../migrations/index.js';
import { preamble } from '../plan/document.js';
import { buildPlan } from '../plan/plan.js';
import { shadowTracking, wouldDelete, type WouldDelete } from '../runner/index.js';
import { loadParser, splitStatements } from '../sql/split.js';
import { executeScript } from '../sql/execute.js';
import { inShadow } from './states.js';
import { introspectOptions } from './scope.js';

/** The down section computed for one file. */
export interface ReverseSection {
  /** Statements (without the trailing `;`) that turn the state after the file into the state before it; empty when the file changes no object (data only). */
  statements: string[];
  /**
   * What running the section loses, e.g. `reverting loses the values of column public.leads.ai_summary_text`
   * (one phrase per table or column); absent when nothing is lost.
   */
  destructive?: string;
  /** Objects the planner does not model, or ordering problems: the section may be incomplete (`check` tells). */
  warnings: string[];
}

/**
 * Replays `history` (its up sections, in order, in a fresh shadow; a tracking table is created
 * first when files insert their own row) and computes the down section of every file in `files`.
 * @param files base names (as `Migration.file`'s base name) whose down sections are wanted
 * @returns base name → its down section
 * @throws SqlExecutionError naming file:line:column when an up section does not replay
 */
export async function reverseSections(config: Config, open: () => Promise<Shadow>, history: Migration[], files: Set<string>): Promise<Map<string, ReverseSection>> {
  const scope = introspectOptions(config);
  await loadParser();
  return inShadow(open, async (db) => {
    const out = new Map<string, ReverseSection>();
    await shadowTracking(db, history, config.table);
    let before: Catalog = await introspect(db, scope);
    for (const m of history) {
      await executeScript(db, m.parsed.up, m.relFile, m.parsed.upLine - 1);
      const base = m.file.split(/[\\/]/).pop()!;
      if (!files.has(base)) {
        if (m !== history[history.length - 1]) before = await introspect(db, scope);
        continue;
      }
      const after = await introspect(db, scope);
      out.set(base, reverseOf(after, before));
      before = after;
    }
    return out;
  });
}

/** How each kind of loss is named in the `-- DESTRUCTIVE:` note. */
const LOST: Record<WouldDelete['kind'], string> = {
  table: 'the rows of table', truncate: 'the rows of table', column: 'the values of column', schema: 'the tables of schema', type: 'the columns of type',
};

/**
 * The down section that turns `after` into `before` (pure; requires `loadParser()` to have
 * resolved): the planner's steps with every change emitted (nothing blocked) and no online forms
 * (the section runs in one transaction). `destructive` names what the runner's `down` would count
 * as lost (dropped tables and columns, schemas and types dropped with CASCADE).
 */
export function reverseOf(after: Catalog, before: Catalog): ReverseSection {
  const plan = buildPlan(after, before, { allowDestructive: true, online: false });
  const statements = [...preamble(plan.up), ...plan.up.flatMap((c) => c.sql)];
  // The runner's own judgement (PostgreSQL's parse tree of each statement): what `down` would count and refuse.
  const lost = statements.flatMap((sql) => splitStatements(sql).flatMap((st) => wouldDelete(st.node)))
    .map((d) => `${LOST[d.kind]} ${d.object}`);
  return { statements, ...(lost.length ? { destructive: `reverting loses ${lost.join('; ')}` } : {}), warnings: plan.warnings };
}
