/**
 * The catalog reader is ours: it reads only the schemas in scope (plus the names of what they
 * depend on), and quotes identifiers exactly as PostgreSQL's `quote_ident` does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspect } from '../src/catalog/introspect.js';
import { quoteIdent } from '../src/db/quote.js';
import type { Db } from '../src/db/types.js';
import { createDatabase, openDb, serverUrl } from './support/db.js';

describe.each([15, 18] as const)('PostgreSQL %i', (major) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(serverUrl(major));
  });
  afterAll(async () => db.close());

  it('quotes every keyword, and names that need it, as quote_ident does', async () => {
    const rows = await db.query<{ word: string; quoted: string }>(`select word, quote_ident(word) as quoted from pg_get_keywords()`);
    const odd = ['Mixed', 'with space', 'a"b', '_ok', 'ok1', '1bad', 'café', 'x$y', 'user', 'name', 'key', 'max'];
    const extra = await db.query<{ word: string; quoted: string }>(`select w as word, quote_ident(w) as quoted from unnest($1::text[]) w`, [odd]);
    const all = [...rows, ...extra];
    expect(all.length).toBeGreaterThan(400);
    const wrong = all.filter((r) => quoteIdent(r.word) !== r.quoted).map((r) => `${r.word}: ${quoteIdent(r.word)} ≠ ${r.quoted}`);
    expect(wrong).toEqual([]);
  });
});

describe('reading a database', () => {
  let url: string;
  beforeAll(async () => {
    url = await createDatabase('reader');
    const db = await openDb(url);
    try {
      await db.exec(`
        CREATE SCHEMA app; CREATE SCHEMA audit;
        CREATE EXTENSION citext;
        CREATE TABLE audit.events (id int PRIMARY KEY, at timestamptz);
        CREATE TABLE app.users (id int PRIMARY KEY, email public.citext, "order" int, code text COLLATE "C" DEFAULT 'x');
        CREATE VIEW app.recent AS SELECT e.id FROM audit.events e JOIN app.users u ON u.id = e.id;
        CREATE FUNCTION app.same(a public.citext) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT public.citext_eq(a, a) $$;
      `);
    } finally {
      await db.close();
    }
  });

  it('reads definitions schema-qualified, and gives the session its search_path and jit settings back', async () => {
    const db = await openDb(url);
    try {
      await db.exec(`SET search_path = app, public; SET jit = on`);
      const cat = await introspect(db, { schemas: ['app'] });
      // Definition text is schema-qualified: read with an empty search_path.
      expect((cat.objects['view:app.recent'] as { definition: string }).definition).toContain('audit.events');
      const [after] = await db.query<{ search_path: string; jit: string }>(`select current_setting('search_path') as search_path, current_setting('jit') as jit`);
      expect(after).toEqual({ search_path: 'app, public', jit: 'on' });
    } finally {
      await db.close();
    }
  });

  it('reads only the schemas in scope, and names what they depend on outside it', async () => {
    const db = await openDb(url);
    try {
      const cat = await introspect(db, { schemas: ['app'] });
      expect(cat.schemas).toEqual(['app']);
      const schemasRead = new Set(Object.values(cat.objects).map((o) => o.schema).filter((s) => s !== ''));
      expect([...schemasRead]).toEqual(['app']);
      expect(cat.objects['column:app.users.order']).toMatchObject({ type: 'integer', notNull: false });
      expect(cat.objects['column:app.users.code']).toMatchObject({ type: 'text', collation: 'pg_catalog."C"', default: "'x'::text" });
      expect(cat.outside).toContain('audit.events');
      expect(cat.external?.map((e) => `${e.from} → ${e.name}`)).toContain('view:app.recent → audit.events');
    } finally {
      await db.close();
    }
  });

  it("lists an extension's functions and types as its members", async () => {
    const db = await openDb(url);
    try {
      const cat = await introspect(db);
      expect(cat.schemas).toEqual(['app', 'audit', 'public']);
      expect(cat.extensionMembers?.citext).toEqual(expect.arrayContaining(['public.citext', 'public.citext_eq']));
      expect(Object.keys(cat.objects).filter((id) => id.startsWith('function:public.'))).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
