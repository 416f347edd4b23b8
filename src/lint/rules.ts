/**
 * The lint rules: id, default severity, what each catches and how to fix it. The checks themselves
 * live in `lint.ts`; this table is what `schemaplan lint --rules`, the README and the tests read.
 *
 * Sources: PostgreSQL documentation ("Explicit Locking" 13.3; ALTER TABLE notes on rewrites, scans,
 * NOT VALID and USING INDEX; CREATE INDEX "Building Indexes Concurrently"), Squawk's rule
 * documentation (require-concurrent-index-creation, constraint-missing-not-valid,
 * adding-required-field, changing-column-type, renaming-column/-table, require-timeout-settings,
 * prefer-text-field, prefer-timestamptz, prefer-bigint-over-int, prefer-identity,
 * disallowed-unique-constraint, ban-drop-table) and strong_migrations' README (its "checks" and
 * "start_after"). Texts are ours.
 */

/** An error fails `lint` and `check`; a warning is printed and fails neither (unless `lint --strict`). */
export type Severity = 'error' | 'warning';

/** What a rule is about: conventions of this project, or safety of the statements on a live database. */
export type RuleGroup = 'convention' | 'safety' | 'style';

export interface RuleInfo {
  id: string;
  severity: Severity;
  group: RuleGroup;
  /** One line: what the rule catches. */
  summary: string;
  /** The default fix shown with every finding. */
  fix: string;
}

const rule = (id: string, severity: Severity, group: RuleGroup, summary: string, fix: string): RuleInfo => ({ id, severity, group, summary, fix });

/** Every rule, in the order they are documented. */
export const RULES: readonly RuleInfo[] = [
  rule('syntax-error', 'error', 'convention',
    'a section does not parse with PostgreSQL\'s grammar',
    'correct the statement at the position given; the file would fail when it runs'),
  rule('file-name', 'error', 'convention',
    'the file name is not YYYYMMDDHHMMSS_lower_snake_case.sql (UTC timestamp, valid date)',
    'rename the file, e.g. with `schemaplan new <name>` as a template; only before it is applied anywhere'),
  rule('up-down-sections', 'error', 'convention',
    'the file lacks an up or a down section marker, or its markers are inconsistent',
    'write `-- migrate:up` above the up statements and `-- migrate:down` above the statements that undo them'),
  rule('header-comment', 'error', 'convention',
    'no header comment naming the feature, or a `-- Migration:` header naming another file',
    'start the file with `-- Migration: <version>_<name>` (as generated files do) or a `-- Feature: …` line saying what it is for'),
  rule('destructive-header', 'error', 'convention',
    'a statement of the up section loses data (DROP TABLE/COLUMN, TRUNCATE, DELETE, DROP … CASCADE) but the file has no `-- DESTRUCTIVE:` header',
    'if the loss is intended, add a first line `-- DESTRUCTIVE: <what is lost>`; otherwise remove the statement'),
  rule('drop-table', 'error', 'convention',
    'DROP TABLE of an existing table in an incremental migration whose `-- DESTRUCTIVE:` header does not name that table',
    'name the table in the `-- DESTRUCTIVE:` header after checking no deployed code reads it (generated files do), or keep the table'),
  rule('require-concurrent-index', 'error', 'safety',
    'CREATE INDEX without CONCURRENTLY on an existing table: writes wait for the whole build (SHARE lock)',
    'use CREATE INDEX CONCURRENTLY in its own file marked `-- migrate:up transaction:false`; a failed build leaves an INVALID index to drop before retrying'),
  rule('concurrently-in-transaction', 'error', 'safety',
    'CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY or DETACH PARTITION CONCURRENTLY inside a transaction (PostgreSQL refuses it)',
    'move the statement to a file marked `-- migrate:up transaction:false` (goose: `-- +goose NO TRANSACTION`), outside BEGIN … COMMIT'),
  rule('constraint-not-valid', 'error', 'safety',
    'ADD CONSTRAINT … CHECK/FOREIGN KEY on an existing table without NOT VALID scans every row under the lock, or NOT VALID and VALIDATE run in one transaction',
    'ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later transaction (another migration, or a `transaction:false` file)'),
  rule('constraint-using-index', 'error', 'safety',
    'ADD PRIMARY KEY/UNIQUE on an existing table builds the index under ACCESS EXCLUSIVE',
    'CREATE UNIQUE INDEX CONCURRENTLY (in a `transaction:false` file), then ALTER TABLE … ADD CONSTRAINT … PRIMARY KEY/UNIQUE USING INDEX'),
  rule('add-column-not-null', 'error', 'safety',
    'ADD COLUMN … NOT NULL without a default on an existing table fails as soon as the table has rows',
    'add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable, backfill, then enforce NOT NULL'),
  rule('set-not-null', 'error', 'safety',
    'SET NOT NULL on an existing table scans every row under ACCESS EXCLUSIVE',
    'ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (later transaction); SET NOT NULL (no scan since PostgreSQL 12); DROP CONSTRAINT c'),
  rule('changing-column-type', 'error', 'safety',
    'ALTER COLUMN … TYPE on an existing table rewrites it and its indexes under ACCESS EXCLUSIVE unless the change is binary-coercible',
    'add a new column, backfill it in batches and switch over; only varchar(n)→text/varchar(m>n), numeric precision growth and similar changes are free'),
  rule('table-rewrite', 'error', 'safety',
    'a statement rewrites an existing table under ACCESS EXCLUSIVE (volatile or identity/serial default in ADD COLUMN, stored generated column, SET LOGGED/UNLOGGED, SET TABLESPACE, CLUSTER, VACUUM FULL)',
    'add the column without the volatile default and backfill in batches; run rewrites in a maintenance window'),
  rule('renaming', 'error', 'safety',
    'RENAME COLUMN/TABLE of an existing table breaks the running application code that uses the old name',
    'expand and contract: add the new name (column, or a view), deploy code using it, then drop the old one; or disable the rule for this file when code and schema deploy together'),
  rule('require-lock-timeout', 'error', 'safety',
    'the file takes ACCESS EXCLUSIVE on an existing table without a lock_timeout: while it waits for the lock, every query on the table queues behind it',
    'add a header line `-- lock_timeout: 5s` (read by the runner) or `SET lock_timeout = \'5s\';` before the statement (SET LOCAL only inside a transaction)'),
  rule('prefer-text', 'warning', 'style',
    'varchar(n): changing the limit later needs ACCESS EXCLUSIVE; text with a CHECK (length(col) <= n) is as strict and cheaper to change',
    'use text (with a CHECK constraint for the limit)'),
  rule('prefer-timestamptz', 'warning', 'style',
    'timestamp without time zone stores wall-clock time with no zone; comparisons across zones and DST go wrong',
    'use timestamptz (timestamp with time zone)'),
  rule('prefer-bigint', 'warning', 'style',
    'an integer/smallint/serial primary key can run out of values (2^31); widening it later rewrites the table and every referencing column',
    'use bigint (bigint GENERATED ALWAYS AS IDENTITY)'),
  rule('prefer-identity', 'warning', 'style',
    'serial/bigserial: the sequence is a separate object with its own ownership and permissions',
    'use GENERATED ALWAYS AS IDENTITY (or BY DEFAULT)'),
  rule('unknown-rule', 'warning', 'convention',
    'a `-- schemaplan:disable` comment or schemaplan.yaml `lint:` names a rule that does not exist',
    'correct the rule id (`schemaplan lint --rules` lists them)'),
];

/** Rule ids that depend on the online-safe forms of generated SQL. */
export const ONLINE_RULES: readonly string[] = ['require-concurrent-index', 'constraint-not-valid', 'constraint-using-index', 'set-not-null', 'changing-column-type', 'require-lock-timeout'];

const byId = new Map(RULES.map((r) => [r.id, r]));

/** The rule with this id, or undefined. */
export function ruleInfo(id: string): RuleInfo | undefined {
  return byId.get(id);
}
