/**
 * Changes: the typed output of `diff`. Each change is one logical step on one object, with the SQL
 * that performs it and the identities it creates, drops, requires and releases — which is all that
 * `plan/order.ts` needs to put statements in a valid order.
 */
import type { ObjectKind } from '../catalog/model.js';
import { renderSteps, type Step } from './step.js';

export type { Step } from './step.js';

/**
 * What an `alter` change alters, where later stages must tell alterations of one object apart
 * (the cascades of diff/index.ts): its default, its owner, its privileges. Absent for the rest.
 */
export type ChangeDetail = 'default' | 'owner' | 'privileges';

/**
 * What happens to the object. `replace` = dropped and created again under the same identity;
 * `rename` = ALTER … RENAME (or SET SCHEMA) declared by a rename hint (plan/hinted-renames.ts).
 */
export type ChangeOp = 'create' | 'drop' | 'alter' | 'replace' | 'comment' | 'rename';

export interface Change {
  /** Identity of the object changed, e.g. `column:public.leads.ai_summary`. */
  id: string;
  kind: ObjectKind;
  op: ChangeOp;
  /** One line for humans, e.g. `add column public.leads.ai_summary (text)`. */
  description: string;
  /** Statements, without trailing semicolons (rendered from `steps` when the change has them). */
  sql: string[];
  /**
   * The statements as typed steps (diff/step.ts), one per statement of `sql`, when the change is
   * built from them: later stages read these facts, never the SQL text. Absent for changes whose
   * statements are not typed yet.
   */
  steps?: Step[];
  /** What an `alter` change alters, where it matters to later stages (see `ChangeDetail`). */
  detail?: ChangeDetail;
  /** Why this change loses data, or null when it does not. Destructive changes are blocked by default. */
  destructive: string | null;
  /** False when a statement cannot run inside a transaction block (e.g. CREATE INDEX CONCURRENTLY). */
  transactional: boolean;
  /** Identities that exist after this change and did not before (or are re-created). */
  creates: string[];
  /** Identities that no longer exist after this change (including implicitly dropped sub-objects). */
  drops: string[];
  /** Identities that must exist when this change runs (to-catalog dependencies). */
  requires: string[];
  /** Identities this change stops depending on (from-catalog dependencies it lets go of). */
  releases: string[];
  /**
   * Tie-breaker rank for ordering when dependencies do not decide (lower first): detaching
   * partitions, drops of dependents (views, policies, triggers, indexes …) before what they depend
   * on, then creates of schemas, extensions, types, sequences, functions, tables, columns,
   * constraints, indexes, views, triggers, policies, then comments, owners and privileges.
   */
  phase: number;
  /**
   * When this change is blocked by policy: the fields of the object to keep as they are in the
   * from-catalog (undefined = the whole object, and every object in `drops`).
   */
  revertFields?: string[];
}

/** Phase ranks (see `Change.phase`). */
export const PHASE = {
  dropSubscription: 3,
  detach: 4,
  dropEventTrigger: 5,
  dropView: 6,
  dropRule: 7,
  dropPolicy: 8,
  dropPublication: 9,
  dropTrigger: 10,
  dropStatistics: 11,
  dropIndex: 12,
  dropForeignKey: 14,
  dropConstraint: 16,
  dropDefault: 18,
  dropColumn: 20,
  dropTable: 22,
  dropFunction: 24,
  dropSequence: 26,
  dropDomain: 27,
  dropType: 28,
  dropTsConfig: 29,
  dropTsDict: 29.3,
  dropCollation: 29.6,
  dropUserMapping: 29.7,
  dropServer: 29.8,
  dropForeignDataWrapper: 29.9,
  dropExtension: 30,
  dropSchema: 32,
  createSchema: 40,
  createExtension: 42,
  createCollation: 43,
  createTsDict: 43.3,
  createTsConfig: 43.6,
  createType: 44,
  createDomain: 45,
  createSequence: 46,
  createFunction: 48,
  createForeignDataWrapper: 49,
  createServer: 49.3,
  createUserMapping: 49.6,
  createTable: 50,
  alterColumn: 52,
  ownedBy: 54,
  createConstraint: 56,
  createForeignKey: 58,
  createIndex: 60,
  attach: 60.5,
  createView: 61,
  createTrigger: 62,
  createRule: 63,
  createPolicy: 64,
  createStatistics: 65,
  tableSettings: 66,
  createPublication: 67,
  createEventTrigger: 68,
  createSubscription: 69,
  comment: 70,
  owner: 72,
  grant: 74,
  defaultAcl: 76,
} as const;

/**
 * Fills the defaults of a change. Given `steps` and no `sql`, the SQL is rendered from the steps;
 * a CONCURRENTLY step makes the change non-transactional.
 * @throws Error when neither `sql` nor `steps` is given
 */
export function change(c: Partial<Change> & Pick<Change, 'id' | 'kind' | 'op' | 'description' | 'phase'>): Change {
  if (!c.sql && !c.steps) throw new Error(`internal: change ${c.id} has neither sql nor steps`);
  return {
    destructive: null,
    transactional: !(c.steps ?? []).some((s) => s.concurrently),
    creates: [],
    drops: [],
    requires: [],
    releases: [],
    ...c,
    sql: c.sql ?? renderSteps(c.steps!),
  };
}

/** A copy of `c` built from `steps` (its SQL rendered from them; non-transactional when a step is CONCURRENTLY). */
export function withSteps<T extends Change>(c: T, steps: Step[]): T {
  return { ...c, steps, sql: renderSteps(steps), transactional: !steps.some((s) => s.concurrently) };
}
