/**
 * The proof a plan passes before any file is written: in a shadow that holds the current state,
 * each rendered migration's up section runs in its own transaction mode (in a transaction unless
 * `transaction:false`, statement by statement otherwise), and the result must be the catalog the plan
 * targets; then the down sections run newest first, each in its mode, and must give the current
 * state back. A statement PostgreSQL rejects, or a catalog that differs, fails the proof naming the
 * file (as it will be written), the statement's line and column and PostgreSQL's message, or the
 * differing objects.
 */
import path from 'node:path';
import type { Catalog } from '../catalog/model.js';
import { introspect, type IntrospectOptions } from '../catalog/introspect.js';
import type { Db } from '../db/types.js';
import { diff } from '../diff/index.js';
import { parseMigration } from '../migrations/index.js';
import type { Plan } from '../plan/plan.js';
import { executeSection, SqlExecutionError } from '../sql/execute.js';
import { describeChanges } from './check.js';
import type { RenderedFile, RenderedPlan } from './write.js';

/** Thrown when a plan fails its proof; nothing has been written. */
export class ProofError extends Error {
  constructor(message: string, readonly details: string[] = []) {
    super(message);
    this.name = 'ProofError';
  }
}

/** Runs one section of a rendered file on `db` in its transaction mode. */
async function runSection(db: Db, text: string, file: string, lineOffset: number, transactional: boolean): Promise<void> {
  await executeSection(db, text, file, lineOffset, transactional);
}

/** `catalog` must equal `wanted`; otherwise a ProofError naming what differs. */
function requireSame(after: Catalog, wanted: Catalog, what: string): void {
  const d = diff(after, wanted);
  if (d.length) throw new ProofError(`${what} (${d.length} difference(s) remain)`, describeChanges(d));
}

/**
 * Proves `rendered` (the files of `plan`) on `db`, which holds the plan's starting state and is
 * changed (use a shadow).
 * @param root the project root, for the files' names in messages
 * @param scope what to introspect (the project's scope)
 * @throws ProofError naming the file and statement PostgreSQL rejected, or the objects that differ
 *   after the up sections or after the down sections
 */
export async function provePlan(db: Db, plan: Plan, rendered: RenderedPlan, root: string, scope: IntrospectOptions): Promise<void> {
  if (!plan.target || !plan.origin) return;
  const name = (f: RenderedFile) => path.relative(root, f.path).split(path.sep).join('/');
  const files = rendered.migrations.map((f) => ({ file: name(f), parsed: parseMigration(f.text, name(f)) }));
  const fail = (section: string) => (e: unknown): never => {
    if (e instanceof SqlExecutionError) {
      const statement = e.statement.replace(/\s+/g, ' ').trim();
      throw new ProofError(`the plan does not apply as written: ${section} section, ${e.message}, in a shadow holding the current state; statement: ${statement.length > 200 ? `${statement.slice(0, 200)}…` : statement}`);
    }
    throw e;
  };
  for (const { file, parsed } of files) {
    await runSection(db, parsed.up, file, parsed.upLine - 1, parsed.transactional).catch(fail('up'));
  }
  requireSame(await introspect(db, scope), plan.target, 'the up sections do not reach the planned state');
  for (const { file, parsed } of [...files].reverse()) {
    if (parsed.down === null || parsed.baseline) continue;
    await runSection(db, parsed.down, file, (parsed.downLine ?? 1) - 1, parsed.downTransactional).catch(fail('down'));
  }
  requireSame(await introspect(db, scope), plan.origin, 'the down sections do not restore the state before the plan');
}
