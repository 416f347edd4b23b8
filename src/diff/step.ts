/**
 * Typed steps: the statements of a generated change as data. A step holds what later stages need to
 * know about a statement (the verb, the object and table it touches, the lock it takes, whether it
 * rewrites the table or can fail on existing rows, whether it runs CONCURRENTLY) and the parts its
 * SQL is rendered from, so that the online strategies, the timeouts and the cascades read facts,
 * never the SQL text or the description. The models are Atlas's typed `schema.Change` values and
 * pg-schema-diff's `Statement{DDL, Timeout, LockTimeout, Hazards}`.
 *
 * Lock levels follow PostgreSQL's documentation ("Explicit Locking", Table 13.2, and the notes of
 * CREATE INDEX, DROP INDEX, ALTER INDEX and ALTER TABLE); statements that are not typed yet are
 * `statement` steps whose text is opaque (nothing reads meaning out of it).
 * Pure: no I/O.
 */
import { quoteIdent } from '../db/quote.js';
import type { IndexObject } from '../catalog/model.js';

/** PostgreSQL's table-level lock modes a generated step takes ("Explicit Locking", Table 13.2). */
export type StepLock = 'ACCESS SHARE' | 'ROW SHARE' | 'ROW EXCLUSIVE' | 'SHARE UPDATE EXCLUSIVE' | 'SHARE' | 'SHARE ROW EXCLUSIVE' | 'EXCLUSIVE' | 'ACCESS EXCLUSIVE';

/** The facts every step carries. */
interface StepFacts {
  /** Identity of the table (or materialized view) whose lock the step takes, or null. */
  table: string | null;
  /** The strongest lock the step takes on `table`, or null when unknown (a `statement` step) or none. */
  lock: StepLock | null;
  /** True when the step rewrites the table (every row written anew). */
  rewrites: boolean;
  /** True when the step can fail because of rows already in the table (a duplicate, a NULL, a violating row). */
  canFail: boolean;
  /** True for a CONCURRENTLY form, which cannot run inside a transaction block. */
  concurrently: boolean;
}

/**
 * `CREATE [UNIQUE] INDEX [CONCURRENTLY] <name> ON <table> <rest>`. `name` and `on` are spelled as
 * SQL (quoted where needed); `rest` is the part of `pg_get_indexdef` after the table, from `USING`.
 */
export interface CreateIndexStep extends StepFacts {
  verb: 'create_index';
  /** Identity of the index. */
  index: string;
  unique: boolean;
  /** The index name as SQL (unqualified: an index lives in its table's schema). */
  name: string;
  /** The table as SQL, `schema.table`. */
  on: string;
  /** `USING <method> (<keys>) [INCLUDE …] [WITH …] [WHERE …]` as `pg_get_indexdef` prints it. */
  rest: string;
}

/** `DROP INDEX [CONCURRENTLY] <schema.name>`. */
export interface DropIndexStep extends StepFacts {
  verb: 'drop_index';
  index: string;
  /** The index as SQL, `schema.name`. */
  name: string;
}

/** `ALTER INDEX <schema.name> RENAME TO <to>`. */
export interface RenameIndexStep extends StepFacts {
  verb: 'rename_index';
  index: string;
  /** The index as SQL, `schema.name` (its current name). */
  name: string;
  /** The new name as SQL (unqualified). */
  to: string;
}

/** `ALTER TABLE <on> ADD CONSTRAINT <name> <definition>[ NOT VALID]` or `… <kind> USING INDEX <index>`. */
export interface AddConstraintStep extends StepFacts {
  verb: 'add_constraint';
  constraint: string;
  on: string;
  /** The constraint name as SQL. */
  name: string;
  /** `p` primary key, `u` unique, `c` check, `f` foreign key, `x` exclusion (pg_constraint.contype). */
  type: 'p' | 'u' | 'c' | 'f' | 'x';
  /** `pg_get_constraintdef` (ends with NOT VALID for a constraint that is not validated). */
  definition: string;
  /** Appends NOT VALID (the definition is of a validated constraint). */
  notValid: boolean;
  /** False when the definition itself ends with NOT VALID (the catalog's constraint is not validated). */
  validated: boolean;
  /** For a foreign key, the referenced table's identity (it is locked too), else null. */
  references: string | null;
  /**
   * Attach an existing unique index instead of building one: the index name (SQL) and the
   * DEFERRABLE clause to keep (or ''), e.g. `{ index: 't_email_key', deferrable: ' DEFERRABLE' }`.
   */
  usingIndex?: { index: string; deferrable: string };
}

/** `ALTER TABLE <on> VALIDATE CONSTRAINT <name>`. */
export interface ValidateConstraintStep extends StepFacts {
  verb: 'validate_constraint';
  constraint: string;
  on: string;
  name: string;
}

/** `ALTER TABLE <on> DROP CONSTRAINT <name>`. */
export interface DropConstraintStep extends StepFacts {
  verb: 'drop_constraint';
  constraint: string;
  on: string;
  name: string;
}

/** `ALTER TABLE <on> ALTER COLUMN <name> SET NOT NULL` / `DROP NOT NULL`. */
export interface NotNullStep extends StepFacts {
  verb: 'set_not_null' | 'drop_not_null';
  column: string;
  on: string;
  /** The column name as SQL. */
  name: string;
}

/** `ALTER TABLE <on> ALTER COLUMN <name> SET DEFAULT <expression>` / `DROP DEFAULT`. */
export interface DefaultStep extends StepFacts {
  verb: 'set_default' | 'drop_default';
  column: string;
  on: string;
  name: string;
  /** The default expression (set_default only), as `pg_get_expr` prints it. */
  expression?: string;
}

/** A statement that is not typed (yet): its text, which no later stage reads for meaning. */
export interface StatementStep extends StepFacts {
  verb: 'statement';
  sql: string;
}

/** One typed step of a change. */
export type Step = CreateIndexStep | DropIndexStep | RenameIndexStep | AddConstraintStep | ValidateConstraintStep | DropConstraintStep | NotNullStep | DefaultStep | StatementStep;

/** The verbs of the typed steps. */
export type StepVerb = Step['verb'];

/** The SQL of a step (no trailing semicolon). */
export function renderStep(s: Step): string {
  switch (s.verb) {
    case 'create_index': return `CREATE ${s.unique ? 'UNIQUE ' : ''}INDEX ${s.concurrently ? 'CONCURRENTLY ' : ''}${s.name} ON ${s.on} ${s.rest}`;
    case 'drop_index': return `DROP INDEX ${s.concurrently ? 'CONCURRENTLY ' : ''}${s.name}`;
    case 'rename_index': return `ALTER INDEX ${s.name} RENAME TO ${s.to}`;
    case 'add_constraint':
      if (s.usingIndex) return `ALTER TABLE ${s.on} ADD CONSTRAINT ${s.name} ${s.type === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${s.usingIndex.index}${s.usingIndex.deferrable}`;
      return `ALTER TABLE ${s.on} ADD CONSTRAINT ${s.name} ${s.definition}${s.notValid ? ' NOT VALID' : ''}`;
    case 'validate_constraint': return `ALTER TABLE ${s.on} VALIDATE CONSTRAINT ${s.name}`;
    case 'drop_constraint': return `ALTER TABLE ${s.on} DROP CONSTRAINT ${s.name}`;
    case 'set_not_null': return `ALTER TABLE ${s.on} ALTER COLUMN ${s.name} SET NOT NULL`;
    case 'drop_not_null': return `ALTER TABLE ${s.on} ALTER COLUMN ${s.name} DROP NOT NULL`;
    case 'set_default': return `ALTER TABLE ${s.on} ALTER COLUMN ${s.name} SET DEFAULT ${s.expression}`;
    case 'drop_default': return `ALTER TABLE ${s.on} ALTER COLUMN ${s.name} DROP DEFAULT`;
    case 'statement': return s.sql;
  }
}

/** The SQL of each step. */
export function renderSteps(steps: readonly Step[]): string[] {
  return steps.map(renderStep);
}

/** A step for text that is not typed: no facts known (no lock, no rewrite, no failure claimed). */
export function statementStep(sql: string, table: string | null = null): StatementStep {
  return { verb: 'statement', sql, table, lock: null, rewrites: false, canFail: false, concurrently: false };
}

/**
 * Lock of CREATE INDEX: SHARE (writes wait), CONCURRENTLY: SHARE UPDATE EXCLUSIVE (PostgreSQL docs,
 * "CREATE INDEX", "Building Indexes Concurrently").
 */
export function createIndexStep(p: Omit<CreateIndexStep, 'verb' | 'lock' | 'rewrites' | 'canFail'>): CreateIndexStep {
  return { verb: 'create_index', ...p, lock: p.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', rewrites: false, canFail: p.unique };
}

/** Lock of DROP INDEX: ACCESS EXCLUSIVE, CONCURRENTLY: SHARE UPDATE EXCLUSIVE (PostgreSQL docs, "DROP INDEX"). */
export function dropIndexStep(p: Omit<DropIndexStep, 'verb' | 'lock' | 'rewrites' | 'canFail'>): DropIndexStep {
  return { verb: 'drop_index', ...p, lock: p.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', rewrites: false, canFail: false };
}

/** Lock of ALTER INDEX … RENAME: SHARE UPDATE EXCLUSIVE since PostgreSQL 12 (PostgreSQL docs, "ALTER INDEX"). */
export function renameIndexStep(p: Omit<RenameIndexStep, 'verb' | 'lock' | 'rewrites' | 'canFail' | 'concurrently'>): RenameIndexStep {
  return { verb: 'rename_index', ...p, lock: 'SHARE UPDATE EXCLUSIVE', rewrites: false, canFail: false, concurrently: false };
}

/**
 * ADD CONSTRAINT: SHARE ROW EXCLUSIVE for a foreign key, else ACCESS EXCLUSIVE (PostgreSQL docs,
 * "ALTER TABLE"). It can fail on existing rows unless it is NOT VALID (a CHECK or foreign key) or
 * attaches an index that already enforces uniqueness (a primary key still needs its columns NOT NULL).
 */
export function addConstraintStep(p: Omit<AddConstraintStep, 'verb' | 'lock' | 'rewrites' | 'canFail' | 'concurrently'>): AddConstraintStep {
  const canFail = p.usingIndex ? p.type === 'p' : !p.notValid && p.validated;
  return { verb: 'add_constraint', ...p, lock: p.type === 'f' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE', rewrites: false, canFail, concurrently: false };
}

/** VALIDATE CONSTRAINT: SHARE UPDATE EXCLUSIVE, scans the table and fails on a violating row (PostgreSQL docs, "ALTER TABLE"). */
export function validateConstraintStep(p: Omit<ValidateConstraintStep, 'verb' | 'lock' | 'rewrites' | 'canFail' | 'concurrently'>): ValidateConstraintStep {
  return { verb: 'validate_constraint', ...p, lock: 'SHARE UPDATE EXCLUSIVE', rewrites: false, canFail: true, concurrently: false };
}

/** DROP CONSTRAINT: ACCESS EXCLUSIVE. */
export function dropConstraintStep(p: Omit<DropConstraintStep, 'verb' | 'lock' | 'rewrites' | 'canFail' | 'concurrently'>): DropConstraintStep {
  return { verb: 'drop_constraint', ...p, lock: 'ACCESS EXCLUSIVE', rewrites: false, canFail: false, concurrently: false };
}

/** SET NOT NULL (fails on a NULL) / DROP NOT NULL: ACCESS EXCLUSIVE (PostgreSQL docs, "ALTER TABLE"). */
export function notNullStep(verb: 'set_not_null' | 'drop_not_null', p: Omit<NotNullStep, 'verb' | 'lock' | 'rewrites' | 'canFail' | 'concurrently'>): NotNullStep {
  return { verb, ...p, lock: 'ACCESS EXCLUSIVE', rewrites: false, canFail: verb === 'set_not_null', concurrently: false };
}

/**
 * SET DEFAULT / DROP DEFAULT: ACCESS EXCLUSIVE, catalog only (existing rows keep their values;
 * PostgreSQL docs, "ALTER TABLE").
 */
export function defaultStep(verb: 'set_default' | 'drop_default', p: Omit<DefaultStep, 'verb' | 'lock' | 'rewrites' | 'canFail' | 'concurrently'>): DefaultStep {
  return { verb, ...p, lock: 'ACCESS EXCLUSIVE', rewrites: false, canFail: false, concurrently: false };
}

/** Spellings of an identifier that quote_ident and {@link quoteIdent} may produce. */
function spellings(name: string): string[] {
  const quoted = `"${name.replace(/"/g, '""')}"`;
  return [...new Set([quoteIdent(name), /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoted, quoted])];
}

/**
 * The parts of an index's `pg_get_indexdef` text: `CREATE [UNIQUE] INDEX <name> ON [ONLY]
 * <schema>.<table> <rest>`. The prefix is rebuilt from the index's known name and table and compared
 * literally, so nothing is guessed; null when it does not match (the caller keeps the text whole).
 * @param tableSchema the schema of the indexed table (the index's own)
 * @param tableName the name of the indexed table
 */
export function indexDefinitionParts(ix: Pick<IndexObject, 'schema' | 'name' | 'definition'>, tableName: string): { unique: boolean; name: string; only: boolean; on: string; rest: string } | null {
  const def = ix.definition;
  for (const unique of [false, true]) {
    for (const name of spellings(ix.name)) {
      for (const only of [false, true]) {
        for (const s of spellings(ix.schema)) {
          for (const t of spellings(tableName)) {
            const prefix = `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${only ? 'ONLY ' : ''}${s}.${t} `;
            if (def.startsWith(prefix)) return { unique, name, only, on: `${s}.${t}`, rest: def.slice(prefix.length) };
          }
        }
      }
    }
  }
  return null;
}
