/**
 * Every lint rule on a small migration that breaks it (the finding must be there, so the test fails
 * without the rule) and on the form that satisfies it (no finding). Pure: no database; the SQL is
 * parsed with PostgreSQL's own parser.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser } from '../../src/sql/split.js';
import { lintText, type Finding, type LintOptions } from '../../src/lint/lint.js';
import { SchemaModel } from '../../src/lint/model.js';
import { RULES } from '../../src/lint/rules.js';

const V = '20261201000000';
const FILE = `migrations/${V}_feature.sql`;

interface Spec {
  up: string;
  down?: string;
  /** Extra header lines (after `-- Migration:`), e.g. `-- DESTRUCTIVE: …`. */
  header?: string[];
  transactional?: boolean;
  /** Up sections of earlier migrations (the history the model is built from). */
  history?: string[];
  file?: string;
  baseline?: boolean;
  options?: LintOptions;
}

/** A dbmate-format migration file. */
function fileText(up: string, o: { header?: string[]; transactional?: boolean; down?: string; name?: string } = {}): string {
  return [`-- Migration: ${o.name ?? `${V}_feature`}`, ...(o.header ?? []), `-- migrate:up${o.transactional === false ? ' transaction:false' : ''}`, up, '-- migrate:down', o.down ?? '', ''].join('\n');
}

function lint(spec: Spec): Finding[] {
  const model = new SchemaModel();
  spec.history?.forEach((h, i) => lintText({ file: `migrations/2026010100000${i}_history.sql`, text: fileText(h, { name: `2026010100000${i}_history` }), baseline: i === 0 }, model, spec.options));
  const text = fileText(spec.up, spec);
  return lintText({ file: spec.file ?? FILE, text, baseline: spec.baseline ?? false }, model, spec.options);
}

const rules = (f: Finding[]) => f.map((x) => x.rule);
const only = (f: Finding[], rule: string) => f.filter((x) => x.rule === rule);
const T = "SET lock_timeout = '5s';\n"; // satisfies require-lock-timeout where a test is about something else
const EXISTING = ['CREATE TABLE public.t (id bigint PRIMARY KEY, a text, n integer, v character varying(10), c text)', 'CREATE TABLE public.u (id bigint PRIMARY KEY)'].join(';\n') + ';';

beforeAll(async () => {
  await loadParser();
});

describe('convention rules', () => {
  it('syntax-error: names the line and column of the up and the down section', () => {
    const f = lint({ up: 'CREATE TABLE x (id int;', down: 'DROP TABLE;' });
    const errs = only(f, 'syntax-error');
    expect(errs.map((e) => e.line)).toEqual([3, 5]);
    expect(errs[0]!.message).toMatch(/up section: syntax error/);
    expect(errs[0]!.severity).toBe('error');
    expect(only(lint({ up: 'CREATE TABLE x (id bigint);', down: 'DROP TABLE x;' }), 'syntax-error')).toEqual([]);
  });

  it('file-name: YYYYMMDDHHMMSS_lower_snake_case.sql with a real date', () => {
    for (const bad of ['migrations/add_index.sql', 'migrations/20261301000000_x.sql', `migrations/${V}_AddIndex.sql`, 'migrations/001_init.sql', `migrations/${V}-x.sql`]) {
      const f = only(lint({ up: 'SELECT 1;', file: bad }), 'file-name');
      expect(f, bad).toHaveLength(1);
      expect(f[0]!.line).toBe(1);
    }
    expect(only(lint({ up: 'SELECT 1;' }), 'file-name')).toEqual([]);
  });

  it('up-down-sections: no markers, no down section, mixed markers', () => {
    const cases = [
      `-- Feature: x\nCREATE TABLE x (id bigint);\n`,
      `-- Feature: x\n-- migrate:up\nCREATE TABLE x (id bigint);\n`,
      `-- Feature: x\n-- migrate:up\nCREATE TABLE x (id bigint);\n-- +goose Down\nDROP TABLE x;\n`,
    ];
    for (const text of cases) expect(rules(lintText({ file: FILE, text }, new SchemaModel())), text).toContain('up-down-sections');
    expect(rules(lintText({ file: FILE, text: `-- Feature: x\n-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 1;\n` }, new SchemaModel()))).not.toContain('up-down-sections');
    expect(only(lint({ up: 'SELECT 1;' }), 'up-down-sections')).toEqual([]);
  });

  it('header-comment: a -- Migration: header naming this file, or a free-text comment; not another file\'s header', () => {
    const none = lintText({ file: FILE, text: '-- migrate:up\nSELECT 1;\n-- migrate:down\n' }, new SchemaModel());
    expect(only(none, 'header-comment')).toHaveLength(1);
    const onlyDirectives = lintText({ file: FILE, text: '-- lock_timeout: 5s\n-- Plan: plans/x.yaml\n-- migrate:up\nSELECT 1;\n-- migrate:down\n' }, new SchemaModel());
    expect(only(onlyDirectives, 'header-comment')).toHaveLength(1);
    const copied = lintText({ file: FILE, text: '-- Migration: 20250101000000_other\n-- migrate:up\nSELECT 1;\n-- migrate:down\n' }, new SchemaModel());
    expect(only(copied, 'header-comment')[0]!.message).toContain('20250101000000_other');
    expect(only(lintText({ file: FILE, text: '-- Feature: lead scoring\n-- migrate:up\nSELECT 1;\n-- migrate:down\n' }, new SchemaModel()), 'header-comment')).toEqual([]);
    expect(only(lint({ up: 'SELECT 1;' }), 'header-comment')).toEqual([]);
    // The hand-written template of a psql-applied history: `-- Migration:` holds a description, not a file name.
    const described = '-- Migration: Add AI Summary columns to leads table\n-- Feature: AI Summaries\n-- Date: 2025-10-01\n-- migrate:up\nSELECT 1;\n-- migrate:down\n';
    expect(only(lintText({ file: FILE, text: described }, new SchemaModel()), 'header-comment')).toEqual([]);
    expect(only(lintText({ file: FILE, text: '-- Migration: Add AI Summary columns\n-- migrate:up\nSELECT 1;\n-- migrate:down\n' }, new SchemaModel()), 'header-comment')).toEqual([]);
  });

  it('destructive-header: data-losing statements need -- DESTRUCTIVE:', () => {
    for (const up of ['ALTER TABLE t DROP COLUMN a;', 'TRUNCATE t;', 'DELETE FROM t;', 'DROP TYPE e CASCADE;', 'DROP TABLE t;']) {
      const f = only(lint({ up: T + up, history: [EXISTING] }), 'destructive-header');
      expect(f, up).toHaveLength(1);
      expect(f[0]!.line).toBe(4);
    }
    expect(only(lint({ up: T + 'ALTER TABLE t DROP COLUMN a;', header: ['-- DESTRUCTIVE: drops column t.a'], history: [EXISTING] }), 'destructive-header')).toEqual([]);
    // A table created in the same file loses nothing.
    expect(only(lint({ up: 'CREATE TABLE tmp (id bigint);\nDROP TABLE tmp;' }), 'destructive-header')).toEqual([]);
  });

  it('drop-table: an incremental migration must name each dropped table in its -- DESTRUCTIVE: header', () => {
    const f = only(lint({ up: T + 'DROP TABLE public.u;', header: ['-- DESTRUCTIVE: drops column t.a'], history: [EXISTING] }), 'drop-table');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('public.u');
    expect(only(lint({ up: T + 'DROP TABLE public.u;', header: ['-- DESTRUCTIVE: drops table public.u and all its rows'], history: [EXISTING] }), 'drop-table')).toEqual([]);
    expect(only(lint({ up: T + 'DROP TABLE public.u;', header: ['-- DESTRUCTIVE: drops column t.a'], baseline: true }), 'drop-table')).toEqual([]);
  });
});

describe('online-safety rules', () => {
  it('require-concurrent-index: CREATE INDEX on an existing table; fine on a table created in the file and with CONCURRENTLY', () => {
    const f = only(lint({ up: 'CREATE INDEX t_a_idx ON t (a);', history: [EXISTING] }), 'require-concurrent-index');
    expect(f).toHaveLength(1);
    expect([f[0]!.line, f[0]!.column]).toEqual([3, 1]);
    expect(only(lint({ up: 'CREATE TABLE n (a text);\nCREATE INDEX n_a_idx ON n (a);' }), 'require-concurrent-index')).toEqual([]);
    expect(rules(lint({ up: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a);', transactional: false, history: [EXISTING] }))).toEqual([]);
  });

  it('concurrently-in-transaction: in a transactional file, or between BEGIN and COMMIT', () => {
    expect(only(lint({ up: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a);', history: [EXISTING] }), 'concurrently-in-transaction')).toHaveLength(1);
    expect(only(lint({ up: 'DROP INDEX CONCURRENTLY t_a_idx;' }), 'concurrently-in-transaction')).toHaveLength(1);
    expect(only(lint({ up: 'BEGIN;\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);\nCOMMIT;', transactional: false }), 'concurrently-in-transaction')).toHaveLength(1);
    expect(only(lint({ up: 'CREATE INDEX CONCURRENTLY t_a_idx ON t (a);', transactional: false }), 'concurrently-in-transaction')).toEqual([]);
  });

  it('constraint-not-valid: FK/CHECK on an existing table need NOT VALID, and VALIDATE in a later transaction', () => {
    const fk = 'ALTER TABLE t ADD CONSTRAINT t_n_fkey FOREIGN KEY (n) REFERENCES u (id)';
    expect(only(lint({ up: T + fk + ';', history: [EXISTING] }), 'constraint-not-valid')).toHaveLength(1);
    expect(only(lint({ up: T + 'ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0);', history: [EXISTING] }), 'constraint-not-valid')).toHaveLength(1);
    expect(only(lint({ up: T + fk + ' NOT VALID;', history: [EXISTING] }), 'constraint-not-valid')).toEqual([]);
    const sameTx = only(lint({ up: T + fk + ' NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_n_fkey;', history: [EXISTING] }), 'constraint-not-valid');
    expect(sameTx).toHaveLength(1);
    expect(sameTx[0]!.message).toContain('same transaction');
    // transaction:false: each statement commits on its own.
    expect(only(lint({ up: fk + ' NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_n_fkey;', transactional: false, header: ['-- lock_timeout: 5s'], history: [EXISTING] }), 'constraint-not-valid')).toEqual([]);
    // A new table has no rows to check.
    expect(only(lint({ up: 'CREATE TABLE n (id bigint, u_id bigint);\nALTER TABLE n ADD CONSTRAINT n_fk FOREIGN KEY (u_id) REFERENCES u (id);', history: [EXISTING] }), 'constraint-not-valid')).toEqual([]);
  });

  it('constraint-using-index: PRIMARY KEY/UNIQUE on an existing table must use a concurrently built index', () => {
    expect(only(lint({ up: T + 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);', history: [EXISTING] }), 'constraint-using-index')).toHaveLength(1);
    expect(only(lint({ up: T + 'ALTER TABLE t ADD COLUMN k text UNIQUE;', history: [EXISTING] }), 'constraint-using-index')).toHaveLength(1);
    expect(only(lint({ up: T + 'ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;', history: [EXISTING] }), 'constraint-using-index')).toEqual([]);
  });

  it('add-column-not-null: NOT NULL needs a default on an existing table', () => {
    expect(only(lint({ up: T + 'ALTER TABLE t ADD COLUMN score integer NOT NULL;', history: [EXISTING] }), 'add-column-not-null')).toHaveLength(1);
    expect(only(lint({ up: T + 'ALTER TABLE t ADD COLUMN score integer DEFAULT 0 NOT NULL;', history: [EXISTING] }), 'add-column-not-null')).toEqual([]);
  });

  it('set-not-null: scans unless a validated CHECK (col IS NOT NULL) exists (PostgreSQL 12+)', () => {
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;', history: [EXISTING] }), 'set-not-null')).toHaveLength(1);
    const checked = [EXISTING, 'ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;', 'ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;'];
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;', history: checked }), 'set-not-null')).toEqual([]);
    // Not validated yet: still a scan.
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;', history: checked.slice(0, 2) }), 'set-not-null')).toHaveLength(1);
    // PostgreSQL 11 always scans.
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN a SET NOT NULL;', history: checked, options: { postgres: 11 } }), 'set-not-null')).toHaveLength(1);
  });

  it('changing-column-type: rewrites unless binary-coercible from the type the history declared', () => {
    const f = only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN n TYPE text;', history: [EXISTING] }), 'changing-column-type');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('from integer to text');
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN a TYPE bigint USING a::bigint;' }), 'changing-column-type')).toHaveLength(1); // type unknown
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN v TYPE varchar(20);', history: [EXISTING] }), 'changing-column-type')).toEqual([]);
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN v TYPE text USING v::text;', history: [EXISTING] }), 'changing-column-type')).toEqual([]);
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN v TYPE varchar(5);', history: [EXISTING] }), 'changing-column-type')).toHaveLength(1);
  });

  it('table-rewrite: volatile or identity defaults in ADD COLUMN, SET LOGGED, CLUSTER; constant and stable defaults are free since PostgreSQL 11', () => {
    for (const up of ['ALTER TABLE t ADD COLUMN k uuid DEFAULT gen_random_uuid();', 'ALTER TABLE t ADD COLUMN k bigint GENERATED ALWAYS AS IDENTITY;', 'ALTER TABLE t ADD COLUMN k bigserial;', 'ALTER TABLE t SET UNLOGGED;', 'CLUSTER t USING t_pkey;']) {
      expect(only(lint({ up: T + up, history: [EXISTING] }), 'table-rewrite'), up).toHaveLength(1);
    }
    for (const up of ['ALTER TABLE t ADD COLUMN k integer DEFAULT 0;', 'ALTER TABLE t ADD COLUMN k timestamptz DEFAULT now();', "ALTER TABLE t ADD COLUMN k text DEFAULT 'x';"]) {
      expect(only(lint({ up: T + up, history: [EXISTING] }), 'table-rewrite'), up).toEqual([]);
    }
    expect(only(lint({ up: T + 'ALTER TABLE t ADD COLUMN k integer DEFAULT 0;', history: [EXISTING], options: { postgres: 10 } }), 'table-rewrite')).toHaveLength(1);
  });

  it('renaming: RENAME COLUMN/TABLE of an existing table', () => {
    expect(only(lint({ up: T + 'ALTER TABLE t RENAME COLUMN a TO b;', history: [EXISTING] }), 'renaming')).toHaveLength(1);
    expect(only(lint({ up: T + 'ALTER TABLE t RENAME TO t2;', history: [EXISTING] }), 'renaming')).toHaveLength(1);
    expect(only(lint({ up: 'CREATE TABLE n (a text);\nALTER TABLE n RENAME COLUMN a TO b;' }), 'renaming')).toEqual([]);
  });

  it('require-lock-timeout: ACCESS EXCLUSIVE on an existing table needs a lock_timeout set before it', () => {
    const add = 'ALTER TABLE t ADD COLUMN k text;';
    const f = only(lint({ up: add, history: [EXISTING] }), 'require-lock-timeout');
    expect(f).toHaveLength(1);
    expect(f[0]!.line).toBe(3);
    expect(only(lint({ up: add, header: ['-- lock_timeout: 5s'], history: [EXISTING] }), 'require-lock-timeout')).toEqual([]);
    expect(only(lint({ up: "SET LOCAL lock_timeout = '2s';\n" + add, history: [EXISTING] }), 'require-lock-timeout')).toEqual([]);
    expect(only(lint({ up: "SELECT set_config('lock_timeout', '2s', true);\n" + add, history: [EXISTING] }), 'require-lock-timeout')).toEqual([]);
    // Set after the statement, set to 0, or SET LOCAL outside a transaction: no protection.
    expect(only(lint({ up: add + "\nSET lock_timeout = '2s';", history: [EXISTING] }), 'require-lock-timeout')).toHaveLength(1);
    expect(only(lint({ up: 'SET lock_timeout = 0;\n' + add, history: [EXISTING] }), 'require-lock-timeout')).toHaveLength(1);
    expect(only(lint({ up: "SET LOCAL lock_timeout = '2s';\n" + add, transactional: false, history: [EXISTING] }), 'require-lock-timeout')).toHaveLength(1);
    // A new table is nobody's bottleneck; an index build takes SHARE, not ACCESS EXCLUSIVE.
    expect(only(lint({ up: 'CREATE TABLE n (a text);\nALTER TABLE n ADD COLUMN b text;' }), 'require-lock-timeout')).toEqual([]);
  });
});

describe('style rules (warnings)', () => {
  it('prefer-text, prefer-timestamptz, prefer-bigint, prefer-identity point at the column', () => {
    const up = 'CREATE TABLE n (\n  id serial PRIMARY KEY,\n  name varchar(100),\n  at timestamp,\n  ok text,\n  big bigint\n);';
    const f = lint({ up });
    const at = (rule: string) => only(f, rule).map((x) => [x.line, x.severity]);
    expect(at('prefer-identity')).toEqual([[4, 'warning']]);
    expect(at('prefer-bigint')).toEqual([[4, 'warning']]);
    expect(at('prefer-text')).toEqual([[5, 'warning']]);
    expect(at('prefer-timestamptz')).toEqual([[6, 'warning']]);
    const good = lint({ up: 'CREATE TABLE n (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text, at timestamptz);' });
    expect(rules(good)).toEqual([]);
    // Table-level primary key, ALTER TABLE … ADD PRIMARY KEY on a column the history declared integer.
    expect(only(lint({ up: 'CREATE TABLE n (id integer, PRIMARY KEY (id));' }), 'prefer-bigint')).toHaveLength(1);
    expect(only(lint({ up: 'CREATE TABLE n (id integer);\nALTER TABLE n ADD PRIMARY KEY (id);' }), 'prefer-bigint')).toHaveLength(1);
    expect(only(lint({ up: T + 'ALTER TABLE t ALTER COLUMN a TYPE varchar(20);', history: [EXISTING] }), 'prefer-text').map((f) => f.message)).toEqual(['column a is character varying(20)']);
  });
});

describe('switching rules off', () => {
  const bad = 'CREATE INDEX t_a_idx ON t (a);';
  it('per file: -- schemaplan:disable rule-id[, rule-id]; an unknown id is reported', () => {
    expect(rules(lint({ up: bad, history: [EXISTING] }))).toEqual(['require-concurrent-index']);
    expect(rules(lint({ up: bad, header: ['-- schemaplan:disable require-concurrent-index, prefer-text'], history: [EXISTING] }))).toEqual([]);
    const unknown = lint({ up: bad, header: ['-- schemaplan:disable require-concurrent-index nope'], history: [EXISTING] });
    expect(unknown.map((f) => [f.rule, f.severity, f.line])).toEqual([['unknown-rule', 'warning', 2]]);
  });

  it('per project: disable, or downgrade to a warning', () => {
    expect(rules(lint({ up: bad, history: [EXISTING], options: { disable: ['require-concurrent-index'] } }))).toEqual([]);
    const warned = lint({ up: bad, history: [EXISTING], options: { warn: ['require-concurrent-index'] } });
    expect(warned.map((f) => [f.rule, f.severity])).toEqual([['require-concurrent-index', 'warning']]);
  });
});

describe('the online forms pass', () => {
  it('index CONCURRENTLY, FK/CHECK NOT VALID then VALIDATE, NOT NULL through a CHECK, UNIQUE USING INDEX — split by transactionality — have no finding', () => {
    const files = [
      { up: EXISTING, tx: true, header: [] as string[] },
      { up: 'CREATE INDEX CONCURRENTLY t_a_idx ON public.t USING btree (a);\nCREATE UNIQUE INDEX CONCURRENTLY t_c_key ON public.t USING btree (c);', tx: false, header: ["-- lock_timeout: 5s"] },
      { up: 'ALTER TABLE public.t ADD CONSTRAINT t_n_fkey FOREIGN KEY (n) REFERENCES public.u(id) NOT VALID;\nALTER TABLE public.t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL) NOT VALID;', tx: true, header: ["-- lock_timeout: 5s"] },
      { up: 'ALTER TABLE public.t VALIDATE CONSTRAINT t_n_fkey;\nALTER TABLE public.t VALIDATE CONSTRAINT t_a_not_null;', tx: false, header: ["-- lock_timeout: 5s"] },
      { up: "SET LOCAL lock_timeout = '5s';\nALTER TABLE public.t ALTER COLUMN a SET NOT NULL;\nALTER TABLE public.t DROP CONSTRAINT t_a_not_null;\nALTER TABLE public.t ADD CONSTRAINT t_c_key UNIQUE USING INDEX t_c_key;", tx: true, header: [] },
    ];
    const model = new SchemaModel();
    const all = files.flatMap((f, i) => {
      const name = `2026120100000${i}_step`;
      return lintText({ file: `migrations/${name}.sql`, text: fileText(f.up, { name, header: f.header, transactional: f.tx }), baseline: i === 0 }, model);
    });
    // The first file only sets up the tables (its varchar(10) is a prefer-text warning).
    expect(all.filter((f) => !f.file.includes('20261201000000_')).map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual([]);
    expect(all.map((f) => f.rule)).toEqual(['prefer-text']);
  });
});

it('every rule of RULES is one of those tested above', () => {
  // A new rule must get its own test here (and be added to this list).
  const tested = ['syntax-error', 'file-name', 'up-down-sections', 'header-comment', 'destructive-header', 'drop-table', 'require-concurrent-index',
    'concurrently-in-transaction', 'constraint-not-valid', 'constraint-using-index', 'add-column-not-null', 'set-not-null', 'changing-column-type',
    'table-rewrite', 'renaming', 'require-lock-timeout', 'prefer-text', 'prefer-timestamptz', 'prefer-bigint', 'prefer-identity', 'unknown-rule'];
  expect(RULES.map((r) => r.id).sort()).toEqual([...tested].sort());
});
