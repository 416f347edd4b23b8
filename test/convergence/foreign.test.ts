/**
 * Convergence of publications, subscriptions, foreign-data wrappers, foreign servers, user mappings
 * and foreign tables: each case checks A→B and B→A (apply up, catalogs match, re-plan is empty,
 * down restores the start). Cases with a secret option compare catalogs only: the migrated
 * database holds the placeholder where B holds the secret, which pg_dump prints.
 */
import { describe, expect, it } from 'vitest';
import { converge, convergenceCases } from '../support/converge.js';
import { createDatabase, nameFor, serverMajor, serverOlderThan } from '../support/db.js';
import { SECRET_PLACEHOLDER } from '../../src/catalog/secrets.js';
import { introspect } from '../../src/catalog/introspect.js';
import { fingerprint } from '../../src/catalog/fingerprint.js';
import type { Catalog } from '../../src/catalog/model.js';
import { connect } from '../../src/db/connect.js';
import { diff } from '../../src/diff/index.js';
import { executeScript } from '../../src/sql/execute.js';

const cases = convergenceCases;

const T = 'CREATE TABLE orders (id int PRIMARY KEY, region text, amount numeric, note text);';
const PARTS = 'CREATE TABLE events (id int, at date) PARTITION BY RANGE (at); CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM (\'2026-01-01\') TO (\'2027-01-01\');';
const SECRET = { dumpDiffers: `a secret option is generated as ${SECRET_PLACEHOLDER}; pg_dump prints it` };

cases('publications', [
  { name: 'create / drop', a: T, b: `${T} CREATE PUBLICATION pub FOR TABLE orders;` },
  { name: 'empty publication', a: '', b: 'CREATE PUBLICATION pub;' },
  {
    name: 'table list changed',
    a: `${T} CREATE TABLE items (id int); CREATE TABLE other (id int); CREATE PUBLICATION pub FOR TABLE orders, items;`,
    b: `${T} CREATE TABLE items (id int); CREATE TABLE other (id int); CREATE PUBLICATION pub FOR TABLE items, other;`,
  },
  {
    name: 'column list and row filter changed',
    a: `${T} CREATE PUBLICATION pub FOR TABLE orders (id, region, amount) WHERE (region = 'eu');`,
    b: `${T} CREATE PUBLICATION pub FOR TABLE orders (id, amount) WHERE (amount > 100::numeric);`,
    minMajor: 15,
  },
  {
    name: 'a new table added to a publication (the table is created first)',
    a: `${T} CREATE PUBLICATION pub FOR TABLE orders;`,
    b: `${T} CREATE TABLE refunds (id int, order_id int); CREATE PUBLICATION pub FOR TABLE orders, refunds (id) WHERE (order_id > 0);`,
    minMajor: 15,
  },
  { name: 'FOR ALL TABLES', a: `${T} CREATE PUBLICATION pub FOR TABLE orders;`, b: `${T} CREATE PUBLICATION pub FOR ALL TABLES;` },
  {
    name: 'FOR TABLES IN SCHEMA',
    a: `CREATE SCHEMA app; CREATE SCHEMA audit; CREATE TABLE app.t (id int); CREATE PUBLICATION pub FOR TABLES IN SCHEMA app;`,
    b: `CREATE SCHEMA app; CREATE SCHEMA audit; CREATE TABLE app.t (id int); CREATE PUBLICATION pub FOR TABLES IN SCHEMA audit, app;`,
    opts: { schemas: ['public', 'app', 'audit'] },
    minMajor: 15,
  },
  {
    name: 'a schema created with the publication listing it',
    a: '',
    b: `CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE PUBLICATION pub FOR TABLES IN SCHEMA app;`,
    opts: { schemas: ['public', 'app'] },
    minMajor: 15,
  },
  {
    name: 'publish options and publish_via_partition_root',
    a: `${PARTS} CREATE PUBLICATION pub FOR TABLE events;`,
    b: `${PARTS} CREATE PUBLICATION pub FOR TABLE events WITH (publish = 'insert, update', publish_via_partition_root = true);`,
  },
  {
    name: 'row filter on a partitioned table with publish_via_partition_root',
    a: `${PARTS} CREATE PUBLICATION pub FOR TABLE events_2026;`,
    b: `${PARTS} CREATE PUBLICATION pub FOR TABLE events WHERE (id > 0) WITH (publish_via_partition_root = true);`,
    minMajor: 15,
  },
  {
    name: 'owner and comment',
    a: `${T} CREATE PUBLICATION pub FOR TABLE orders;`,
    b: `${T} CREATE PUBLICATION pub FOR TABLE orders; COMMENT ON PUBLICATION pub IS 'to the warehouse';`,
  },
  {
    name: 'a column type change under a row filter re-creates the publication around it',
    a: `${T} CREATE PUBLICATION pub FOR TABLE orders (id, amount) WHERE (amount > 0::numeric);`,
    b: `CREATE TABLE orders (id int PRIMARY KEY, region text, amount bigint, note text); CREATE PUBLICATION pub FOR TABLE orders (id, amount) WHERE (amount > 0);`,
    minMajor: 15,
  },
]);

describe('publications: dropping what a publication lists', () => {
  // Publication column lists and row filters are PostgreSQL 15's.
  it.skipIf(serverOlderThan(15))(nameFor('drops a column from the column list before the column, keeping the rows', 15), async () => {
    const r = await converge(
      `${T} CREATE PUBLICATION pub FOR TABLE orders (id, region, note) WHERE (note IS NOT NULL);`,
      `CREATE TABLE orders (id int PRIMARY KEY, region text, amount numeric); CREATE PUBLICATION pub FOR TABLE orders (id, region);`,
      {
        seed: { a: `INSERT INTO orders SELECT g, 'eu', g * 10, 'n' || g FROM generate_series(1, 50) g;` },
        after: async ({ dbA }) => {
          // dbA holds A again after the down section: the rows are there, the column is back (empty).
          const [row] = await dbA.query<{ n: string; amount: string }>('SELECT count(*)::text AS n, sum(amount)::text AS amount FROM orders');
          expect(row).toEqual({ n: '50', amount: '12750' });
        },
      },
    );
    const up = r.plan.up.flatMap((c) => c.sql);
    const alter = up.findIndex((s) => s.startsWith('ALTER PUBLICATION pub DROP TABLE public.orders'));
    const drop = up.findIndex((s) => s.includes('DROP COLUMN note'));
    expect(alter).toBeGreaterThanOrEqual(0);
    expect(drop).toBeGreaterThan(alter);
    // B→A adds the column back before the publication lists it.
    const down = r.plan.down.flatMap((c) => c.sql);
    expect(down.findIndex((s) => s.includes('ADD COLUMN note'))).toBeLessThan(down.findIndex((s) => s.includes('ADD TABLE public.orders (id, region, note)')));
  });

  it('drops a listed table after taking it out of the publication', async () => {
    await converge(`${T} CREATE TABLE items (id int); CREATE PUBLICATION pub FOR TABLE orders, items;`, `CREATE TABLE items (id int); CREATE PUBLICATION pub FOR TABLE items;`);
  });

  it.skipIf(serverOlderThan(15))(nameFor('reads the rows back after up', 15), async () => {
    await converge(
      `${T} CREATE PUBLICATION pub FOR TABLE orders (id, note);`,
      `CREATE TABLE orders (id int PRIMARY KEY, region text, amount numeric); CREATE PUBLICATION pub FOR TABLE orders (id);`,
      {
        bothWays: false,
        seed: { a: `INSERT INTO orders SELECT g, 'eu', g, 'x' FROM generate_series(1, 10) g;` },
        after: async ({ dbA, plan }) => {
          // Apply up once more (converge left A restored) and read the rows that stayed.
          const { applySection } = await import('../support/converge.js');
          await applySection(dbA, plan.up, 'up again');
          const [row] = await dbA.query<{ n: string }>(`SELECT count(*)::text AS n FROM orders WHERE region = 'eu'`);
          expect(row!.n).toBe('10');
          await applySection(dbA, plan.down, 'down again');
        },
      },
    );
  });
});

const SUB = `CREATE SUBSCRIPTION sub CONNECTION 'host=publisher.invalid port=5432 dbname=app user=replicator password=plantedSecret-9f3a' PUBLICATION pub WITH (connect = false)`;

cases('subscriptions', [
  { name: 'create / drop', a: '', b: `${SUB};`, opts: SECRET },
  { name: 'create / drop without a slot', a: '', b: `${SUB.replace('connect = false', 'connect = false, slot_name = NONE')};`, opts: SECRET },
  {
    name: 'publications, parameters and slot changed',
    a: `${SUB};`,
    b: `${SUB.replace('PUBLICATION pub', 'PUBLICATION pub, pub2').replace('connect = false', "connect = false, binary = true, streaming = on, synchronous_commit = 'remote_apply', slot_name = 'other_slot'")};`,
    opts: SECRET,
  },
  {
    name: 'connection changed (the secret stays a placeholder)',
    a: `${SUB};`,
    b: `${SUB.replace('dbname=app', 'dbname=app2')};`,
    opts: SECRET,
  },
  { name: 'two_phase re-creates', a: `${SUB};`, b: `${SUB.replace('connect = false', 'connect = false, two_phase = true')};`, opts: SECRET, minMajor: 15 },
  { name: 'comment', a: `${SUB};`, b: `${SUB}; COMMENT ON SUBSCRIPTION sub IS 'from the app';`, opts: SECRET },
]);

const FDW_EXT = 'CREATE EXTENSION postgres_fdw;';
const SERVER = `${FDW_EXT} CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'remote.invalid', dbname 'app', port '5432');`;
const FT = `CREATE FOREIGN TABLE remote_orders (id int OPTIONS (column_name 'order_id') NOT NULL, region text COLLATE "C", amount numeric DEFAULT 0) SERVER remote OPTIONS (schema_name 'public', table_name 'orders');`;

cases('foreign data', [
  { name: 'postgres_fdw: server created with the extension', a: '', b: SERVER },
  { name: 'server options changed', a: SERVER, b: SERVER.replace("port '5432'", "port '6432', fetch_size '500'").replace("dbname 'app', ", '') },
  { name: 'server version and type', a: SERVER, b: SERVER.replace('FOREIGN DATA WRAPPER', "TYPE 'pg' VERSION '15' FOREIGN DATA WRAPPER") },
  { name: 'user mapping without secrets', a: SERVER, b: `${SERVER} CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (user 'reader');` },
  {
    name: 'user mapping with a password (set as a placeholder)',
    a: SERVER,
    b: `${SERVER} CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'app', password 'plantedSecret-9f3a');`,
    opts: SECRET,
  },
  {
    name: 'user mapping options changed',
    a: `${SERVER} CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'app');`,
    b: `${SERVER} CREATE USER MAPPING FOR CURRENT_USER SERVER remote OPTIONS (user 'app2', password 'plantedSecret-9f3a');`,
    opts: SECRET,
  },
  { name: 'foreign table create / drop', a: SERVER, b: `${SERVER} ${FT}` },
  {
    name: 'foreign table and column options changed, column added',
    a: `${SERVER} ${FT}`,
    b: `${SERVER} ${FT.replace("table_name 'orders'", "table_name 'orders_v2', use_remote_estimate 'true'").replace("OPTIONS (column_name 'order_id')", "OPTIONS (column_name 'id')").replace('DEFAULT 0)', "DEFAULT 0, note text OPTIONS (column_name 'remark'))")}`,
  },
  {
    name: 'foreign table comment, privileges and check constraint',
    a: `${SERVER} ${FT}`,
    b: `${SERVER} ${FT} COMMENT ON FOREIGN TABLE remote_orders IS 'orders elsewhere'; COMMENT ON COLUMN remote_orders.id IS 'the id'; GRANT SELECT ON remote_orders TO PUBLIC; ALTER FOREIGN TABLE remote_orders ADD CONSTRAINT positive CHECK (amount >= 0::numeric);`,
  },
  {
    name: 'foreign table moves to another server (re-created)',
    a: `${SERVER} CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw; ${FT}`,
    b: `${SERVER} CREATE SERVER other FOREIGN DATA WRAPPER postgres_fdw; ${FT.replace('SERVER remote', 'SERVER other')}`,
  },
  {
    name: 'a table becomes a foreign table',
    a: `${SERVER} CREATE TABLE remote_orders (id int NOT NULL, region text COLLATE "C", amount numeric DEFAULT 0);`,
    b: `${SERVER} ${FT}`,
  },
  {
    name: 'file_fdw: server and foreign table',
    a: '',
    b: `CREATE EXTENSION file_fdw; CREATE SERVER files FOREIGN DATA WRAPPER file_fdw; CREATE FOREIGN TABLE words (word text) SERVER files OPTIONS (filename '/dev/null', format 'csv');`,
  },
  {
    name: 'a wrapper without handler, with a validator and options, its server, mapping and grants',
    a: '',
    b: `CREATE FOREIGN DATA WRAPPER dummy OPTIONS (debug 'true');
        CREATE SERVER s FOREIGN DATA WRAPPER dummy OPTIONS (host 'h');
        CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'u');
        GRANT USAGE ON FOREIGN SERVER s TO PUBLIC;
        COMMENT ON FOREIGN DATA WRAPPER dummy IS 'no handler'; COMMENT ON SERVER s IS 'a server';`,
  },
  {
    name: 'wrapper options and validator changed',
    a: `CREATE FOREIGN DATA WRAPPER dummy OPTIONS (debug 'true'); CREATE SERVER s FOREIGN DATA WRAPPER dummy;`,
    b: `CREATE FOREIGN DATA WRAPPER dummy OPTIONS (debug 'false', extra 'x'); CREATE SERVER s FOREIGN DATA WRAPPER dummy;`,
  },
  {
    name: 'wrapper validator added',
    a: `CREATE FOREIGN DATA WRAPPER dummy; CREATE SERVER s FOREIGN DATA WRAPPER dummy OPTIONS (host 'h');`,
    b: `CREATE FOREIGN DATA WRAPPER dummy VALIDATOR postgresql_fdw_validator; CREATE SERVER s FOREIGN DATA WRAPPER dummy OPTIONS (host 'h');`,
  },
  {
    name: 'server moves to another wrapper (re-created with its mapping)',
    a: `CREATE FOREIGN DATA WRAPPER w1; CREATE FOREIGN DATA WRAPPER w2; CREATE SERVER s FOREIGN DATA WRAPPER w1; CREATE USER MAPPING FOR PUBLIC SERVER s;`,
    b: `CREATE FOREIGN DATA WRAPPER w1; CREATE FOREIGN DATA WRAPPER w2; CREATE SERVER s FOREIGN DATA WRAPPER w2; CREATE USER MAPPING FOR PUBLIC SERVER s;`,
  },
]);

describe(`PostgreSQL ${serverMajor()} and 18 read these kinds alike`, () => {
  it.skipIf(serverOlderThan(15))(nameFor('publications, subscriptions, wrappers, servers, user mappings and foreign tables compare equal across majors', 15), async () => {
    const schema = `${T} ${PARTS} ${SERVER} ${FT}
      CREATE FOREIGN DATA WRAPPER dummy OPTIONS (debug 'true');
      CREATE SERVER s FOREIGN DATA WRAPPER dummy OPTIONS (host 'h');
      CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (user 'u', password 'plantedSecret-9f3a');
      GRANT USAGE ON FOREIGN SERVER s TO PUBLIC;
      CREATE PUBLICATION pub FOR TABLE orders (id, amount) WHERE (amount > 0::numeric), TABLE events WITH (publish = 'insert', publish_via_partition_root = true);
      CREATE PUBLICATION pub_all FOR ALL TABLES;
      ${SUB.replace('connect = false', "connect = false, binary = true, synchronous_commit = 'remote_apply'")};
      CREATE SUBSCRIPTION sub2 CONNECTION 'host=h dbname=d' PUBLICATION p WITH (connect = false, slot_name = NONE, streaming = on);`;
    const read = async (major: 15 | 18) => {
      const url = await createDatabase(`fv${major}`, major);
      const db = await connect(url);
      try {
        await executeScript(db, schema, 'all.sql');
        const cat = await introspect(db);
        await db.exec(`ALTER SUBSCRIPTION sub SET (slot_name = NONE); DROP SUBSCRIPTION sub; DROP SUBSCRIPTION sub2;`);
        return cat;
      } finally {
        await db.close();
      }
    };
    const [c15, c18] = await Promise.all([read(15), read(18)]);
    expect(Math.floor(c15.serverVersion / 10000)).toBe(serverMajor());
    expect(c18.serverVersion).toBeGreaterThanOrEqual(180000);
    expect(c15.unmodelled).toEqual([]);
    expect(c18.unmodelled).toEqual([]);
    const kinds = new Set(Object.values(c15.objects).map((o) => o.kind));
    for (const k of ['publication', 'subscription', 'foreign_data_wrapper', 'server', 'user_mapping']) expect(kinds, k).toContain(k);
    const describe = (a: Catalog, b: Catalog) => diff(a, b).map((c) => `${c.description}: ${c.sql.join('; ')}`);
    expect(describe(c15, c18)).toEqual([]);
    expect(describe(c18, c15)).toEqual([]);
    expect(fingerprint(c15)).toBe(fingerprint(c18));
    expect(JSON.stringify(c15)).not.toContain('plantedSecret');
  });
});

describe('a role that may not read everything', () => {
  it('introspects without subconninfo and user mapping options: reported as not readable, not compared, never failing', async () => {
    const url = await createDatabase('fpriv');
    const db = await connect(url);
    try {
      await db.exec(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sp_limited') THEN CREATE ROLE sp_limited; END IF; END $$`);
      await executeScript(db, `${SERVER} CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (user 'u', password 'plantedSecret-9f3a'); ${SUB};`, 'x.sql');
      const full = await introspect(db);
      await db.exec('SET ROLE sp_limited');
      const limited = await introspect(db);
      await db.exec('RESET ROLE');
      const sub = limited.objects['subscription:sub'];
      expect(sub?.kind === 'subscription' && sub.connection).toBe(null);
      const mapping = limited.objects['user_mapping:remote.PUBLIC'];
      expect(mapping?.kind === 'user_mapping' && mapping.options).toBe(null);
      expect(limited.unmodelled.map((u) => u.kind)).toEqual(expect.arrayContaining([
        expect.stringMatching(/^subscription connection/), expect.stringMatching(/^user mapping options/),
      ]));
      // What could not be read is not a difference (owners are relative to the reading role).
      const differences = diff(limited, full).filter((c) => (c.id === 'subscription:sub' || c.id === 'user_mapping:remote.PUBLIC') && !c.description.startsWith('set owner'));
      expect(differences).toEqual([]);
    } finally {
      await db.exec('RESET ROLE; ALTER SUBSCRIPTION sub SET (slot_name = NONE); DROP SUBSCRIPTION sub').catch(() => undefined);
      await db.close();
    }
  });
});

describe('PostgreSQL 18: publish_generated_columns', () => {
  it('is read, created and altered', async () => {
    const schema = (opt: string) => `CREATE TABLE t (id int, twice int GENERATED ALWAYS AS (id * 2) STORED); CREATE PUBLICATION pub FOR TABLE t${opt};`;
    const [a, b] = await Promise.all([createDatabase('fg18a', 18), createDatabase('fg18b', 18)]);
    const [da, dbb] = await Promise.all([connect(a), connect(b)]);
    try {
      await da.exec(schema(''));
      await dbb.exec(schema(' WITH (publish_generated_columns = stored)'));
      const [ca, cb] = await Promise.all([introspect(da), introspect(dbb)]);
      expect(cb.objects['publication:pub']).toMatchObject({ generatedColumns: true });
      const up = diff(ca, cb).flatMap((c) => c.sql);
      expect(up).toEqual(['ALTER PUBLICATION pub SET (publish_generated_columns = stored)']);
      await da.exec(up.join(';\n'));
      expect(diff(await introspect(da), cb)).toEqual([]);
      const down = diff(cb, ca).flatMap((c) => c.sql);
      await dbb.exec(down.join(';\n'));
      expect(diff(await introspect(dbb), ca)).toEqual([]);
    } finally {
      await Promise.all([da.close(), dbb.close()]);
    }
  });
});
