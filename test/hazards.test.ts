/**
 * The hazard classifier against a real server: for each statement, the strongest table lock it
 * takes (read from pg_locks inside the statement's transaction) and whether it rewrites the table
 * (relfilenode changes) must be what `statementHazards` says, on PostgreSQL 15 and 18. The context
 * (column types as format_type prints them, existing tables, validated NOT NULL checks) is read
 * from the same database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../src/catalog/model.js';
import { connect } from '../src/db/connect.js';
import type { Db } from '../src/db/types.js';
import { blocksReads, blocksWrites, hazardContext, statementHazards, strongerLock, type HazardContext, type LockMode } from '../src/plan/hazards.js';
import { createDatabase } from './support/db.js';

const SETUP = `
CREATE TABLE u (id bigint PRIMARY KEY);
INSERT INTO u SELECT generate_series(1, 200);
CREATE TABLE t (id bigint PRIMARY KEY, a text, n integer, v varchar(10), num numeric(10,2), u_id bigint);
INSERT INTO t SELECT g, 'a' || g, g, 'x', 1, g FROM generate_series(1, 200) g;
CREATE INDEX t_a_idx ON t (a);
CREATE UNIQUE INDEX t_n_idx ON t (n);
ALTER TABLE t ADD CONSTRAINT t_u_nv FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID;
ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL);
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t_trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION trg();
CREATE ROLE schemaplan_hazard_owner;
`;

/** Statement → whether PostgreSQL rewrites `t` (checked against relfilenode). */
const CASES: [sql: string, rewrite: boolean][] = [
  ['ALTER TABLE public.t ADD COLUMN k text', false],
  ['ALTER TABLE public.t ADD COLUMN k integer DEFAULT 0 NOT NULL', false],
  ['ALTER TABLE public.t ADD COLUMN k timestamptz DEFAULT now()', false],
  ['ALTER TABLE public.t ADD COLUMN k uuid DEFAULT gen_random_uuid()', true],
  ['ALTER TABLE public.t ADD COLUMN k bigint GENERATED ALWAYS AS IDENTITY', true],
  ['ALTER TABLE public.t ADD COLUMN k integer GENERATED ALWAYS AS (n * 2) STORED', true],
  ['ALTER TABLE public.t ADD COLUMN k bigserial', true],
  ['ALTER TABLE public.t ALTER COLUMN v TYPE character varying(20) USING v::character varying(20)', false],
  ['ALTER TABLE public.t ALTER COLUMN v TYPE text USING v::text', false],
  ['ALTER TABLE public.t ALTER COLUMN num TYPE numeric(12,2) USING num::numeric(12,2)', false],
  ['ALTER TABLE public.t ALTER COLUMN n TYPE bigint USING n::bigint', true],
  ['ALTER TABLE public.t ALTER COLUMN v TYPE character varying(5)', true],
  ['ALTER TABLE public.t ALTER COLUMN n TYPE text USING n::text', true],
  ['ALTER TABLE public.t ALTER COLUMN a SET NOT NULL', false],
  ['ALTER TABLE public.t ALTER COLUMN n SET NOT NULL', false],
  ['ALTER TABLE public.t ALTER COLUMN a SET DEFAULT \'y\'', false],
  ['ALTER TABLE public.t ALTER COLUMN n SET STATISTICS 500', false],
  ['ALTER TABLE public.t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES public.u(id)', false],
  ['ALTER TABLE public.t ADD CONSTRAINT t_u_fk FOREIGN KEY (u_id) REFERENCES public.u(id) NOT VALID', false],
  ['ALTER TABLE public.t VALIDATE CONSTRAINT t_u_nv', false],
  ['ALTER TABLE public.t ADD CONSTRAINT t_n_check CHECK (n > 0)', false],
  ['ALTER TABLE public.t ADD CONSTRAINT t_n_check CHECK (n > 0) NOT VALID', false],
  ['ALTER TABLE public.t ADD CONSTRAINT t_a_key UNIQUE (a)', false],
  ['ALTER TABLE public.t ADD CONSTRAINT t_n_key UNIQUE USING INDEX t_n_idx', false],
  ['ALTER TABLE public.t DROP CONSTRAINT t_u_nv', false],
  ['ALTER TABLE public.t DROP COLUMN a', false],
  ['ALTER TABLE public.t DISABLE TRIGGER t_trg', false],
  ['ALTER TABLE public.t SET UNLOGGED', true],
  ['ALTER TABLE public.t RENAME COLUMN a TO b', false],
  ['ALTER TABLE public.t RENAME TO t2', false],
  ['ALTER TABLE public.t OWNER TO schemaplan_hazard_owner', false],
  ['ALTER INDEX public.t_a_idx RENAME TO t_a_idx2', false],
  ['CREATE INDEX t_n_a_idx ON public.t USING btree (n, a)', false],
  ['CREATE TRIGGER t_trg2 BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg()', false],
  ['DROP TRIGGER t_trg ON public.t', false],
  ['DROP INDEX public.t_a_idx', false],
  ["COMMENT ON TABLE public.t IS 'x'", false],
  ["COMMENT ON COLUMN public.t.a IS 'x'", false],
  ['CREATE TABLE public.n (id bigint, u_id bigint REFERENCES public.u(id))', false],
  ['CLUSTER public.t USING t_pkey', true],
  ['TRUNCATE public.t', false],
  ['DELETE FROM public.t WHERE id = 1', false],
  ['DROP TABLE public.t', false],
];

const PG_LOCK: Record<string, LockMode> = {
  AccessShareLock: 'ACCESS SHARE', RowShareLock: 'ROW SHARE', RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE', ShareLock: 'SHARE', ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE', AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};

for (const major of [15, 18] as const) {
  describe(`hazards match PostgreSQL ${major}`, () => {
    let db: Db;
    let ctx: HazardContext;
    let rels: number[];
    beforeAll(async () => {
      db = await connect(await createDatabase('hz', major));
      await db.exec(`DROP ROLE IF EXISTS schemaplan_hazard_owner; ${SETUP}`);
      const cols = await db.query<{ t: string; c: string; type: string }>(`SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0`);
      const checks = await db.query<{ t: string; def: string }>(`SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' AND convalidated`);
      ctx = {
        serverVersion: major * 10000,
        columnType: (_s, t, c) => cols.find((x) => x.t === t && x.c === c)?.type,
        tableExists: (_s, t) => cols.some((x) => x.t === t),
        hasNotNullCheck: (_s, t, c) => checks.some((x) => x.t === t && x.def === `CHECK ((${c} IS NOT NULL))`),
      };
      rels = (await db.query<{ oid: number }>(`SELECT oid::int AS oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i')`)).map((r) => r.oid);
    });
    afterAll(async () => {
      await db?.exec('DROP OWNED BY schemaplan_hazard_owner; DROP ROLE IF EXISTS schemaplan_hazard_owner').catch(() => undefined);
      await db?.close();
    });

    it.each(CASES)('%s', async (sql, rewrite) => {
      const predicted = statementHazards(sql, !sql.startsWith('CREATE TABLE'), ctx);
      const [{ node: before }] = await db.query<{ node: number }>(`SELECT relfilenode::int AS node FROM pg_class WHERE oid = 'public.t'::regclass`);
      await db.exec('BEGIN');
      try {
        await db.exec(sql);
        const locks = await db.query<{ mode: string }>(`SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND granted AND locktype = 'relation' AND relation = ANY($1::oid[])`, [rels]);
        const rows = await db.query<{ node: number }>(`SELECT relfilenode::int AS node FROM pg_class WHERE oid = ANY($1::oid[]) AND relname IN ('t', 't2')`, [rels]);
        let strongest: LockMode | null = null;
        for (const l of locks) strongest = strongerLock(strongest, PG_LOCK[l.mode]!);
        // A table the statement creates holds its own lock; the tables that existed are what matter.
        if (strongest === 'ACCESS SHARE' || strongest === 'ROW SHARE') strongest = predicted.lock === null ? null : strongest;
        expect(predicted.lock, 'lock').toBe(strongest);
        expect(predicted.hazards.some((h) => h.kind === 'table_rewrite'), 'table_rewrite').toBe(rewrite);
        // TRUNCATE swaps in new, empty storage (no copy); DROP TABLE leaves nothing to compare.
        if (!/^(TRUNCATE|DROP TABLE)/.test(sql)) expect(rows[0]!.node !== before, 'relfilenode changed').toBe(rewrite);
        expect(predicted.hazards.some((h) => h.kind === 'blocks_reads')).toBe(blocksReads(strongest));
        expect(predicted.hazards.some((h) => h.kind === 'blocks_writes')).toBe(blocksWrites(strongest));
      } finally {
        await db.exec('ROLLBACK');
      }
    });
  });
}

const kinds = (sql: string, existing = true, ctx: HazardContext = {}) => statementHazards(sql, existing, ctx).hazards.map((h) => h.kind).sort();

describe('hazard kinds from the statement form', () => {
  it('data loss, scans, index builds, transactionality, untracked dependencies, privileges', () => {
    expect(kinds('ALTER TABLE t DROP COLUMN a')).toEqual(['blocks_reads', 'blocks_writes', 'deletes_data']);
    expect(kinds('DROP SEQUENCE s')).toEqual(['deletes_data']);
    expect(kinds('ALTER TABLE t ALTER COLUMN a SET NOT NULL')).toContain('validation_scan');
    expect(kinds('ALTER TABLE t ALTER COLUMN a SET NOT NULL', true, { hasNotNullCheck: () => true })).not.toContain('validation_scan');
    expect(kinds('ALTER TABLE t ALTER COLUMN a SET NOT NULL', true, { hasNotNullCheck: () => true, serverVersion: 110000 })).toContain('validation_scan');
    expect(kinds('CREATE INDEX CONCURRENTLY i ON t (a)')).toEqual(['index_build', 'non_transactional']);
    expect(statementHazards('CREATE INDEX CONCURRENTLY i ON t (a)').lock).toBe('SHARE UPDATE EXCLUSIVE');
    expect(kinds("CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$BEGIN RETURN 1; END$$")).toEqual(['untracked_dependencies']);
    expect(kinds('CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$SELECT 1$$')).toEqual(['untracked_dependencies']);
    expect(kinds('CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END')).toEqual([]);
    expect(kinds('GRANT SELECT ON t TO PUBLIC')).toEqual(['authz']);
    expect(kinds("ALTER TYPE e ADD VALUE 'x'", true, { serverVersion: 110000 })).toEqual(['non_transactional']);
    expect(kinds("ALTER TYPE e ADD VALUE 'x'", true, { serverVersion: 150000 })).toEqual([]);
    // PostgreSQL 10 rewrites for any default; 11+ only for volatile ones.
    expect(kinds('ALTER TABLE t ADD COLUMN k integer DEFAULT 0', true, { serverVersion: 100000 })).toContain('table_rewrite');
    expect(kinds('ALTER TABLE t ADD COLUMN k integer DEFAULT public.f()', true, { functionVolatility: () => 'i' })).not.toContain('table_rewrite');
    expect(kinds('ALTER TABLE t ADD COLUMN k integer DEFAULT public.f()')).toContain('table_rewrite'); // volatility unknown
  });
  it('hazardContext reads column types, tables, validated NOT NULL checks and function volatility from a catalog', () => {
    const cat = {
      serverVersion: 150004, schemas: ['public'], unmodelled: [],
      objects: {
        'table:public.t': { kind: 'table', id: 'table:public.t' },
        'column:public.t.v': { kind: 'column', id: 'column:public.t.v', table: 'table:public.t', type: 'character varying(10)' },
        'constraint:public.t.t_v_nn': { kind: 'constraint', id: 'constraint:public.t.t_v_nn', table: 'table:public.t', type: 'c', validated: true, definition: 'CHECK ((v IS NOT NULL))' },
        'function:public.f()': { kind: 'function', id: 'function:public.f()', schema: 'public', name: 'f', definition: 'CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$select 1$function$\n' },
      },
    } as unknown as Catalog;
    const ctx = hazardContext(cat);
    expect(kinds('ALTER TABLE public.t ALTER COLUMN v TYPE text', true, ctx)).not.toContain('table_rewrite');
    expect(kinds('ALTER TABLE public.t ALTER COLUMN v TYPE integer USING v::integer', true, ctx)).toContain('table_rewrite');
    expect(kinds('ALTER TABLE public.t ALTER COLUMN v SET NOT NULL', true, ctx)).not.toContain('validation_scan');
    expect(kinds('ALTER TABLE public.t ADD COLUMN k integer DEFAULT public.f()', true, ctx)).not.toContain('table_rewrite');
    expect(statementHazards('ALTER TABLE public.x ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES public.t (id)', false, ctx).lock).toBe('SHARE ROW EXCLUSIVE');
    expect(statementHazards('ALTER TABLE public.x ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES public.new (id)', false, ctx).lock).toBeNull();
  });
  it('a table created in the same migration: no lock, no data hazards', () => {
    expect(statementHazards('CREATE INDEX i ON t (a)', false)).toEqual({ lock: null, hazards: [] });
    expect(statementHazards('ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)', false, { tableExists: (_s, n) => n !== 't' }).lock).toBe('SHARE ROW EXCLUSIVE');
    expect(statementHazards('ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)', false, { tableExists: () => false }).lock).toBeNull();
  });
});
