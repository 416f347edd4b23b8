/**
 * `schemas` and `exclude` in schemaplan.yaml decide what is diffed: only the listed schemas, minus
 * identity patterns, and never the history table or objects owned by extensions.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { loadConfig } from '../../src/config/config.js';
import { introspectOptions } from '../../src/project/scope.js';
import { loadedDatabase } from '../support/converge.js';

describe('schemas and exclude', () => {
  it('reads the configured schemas, leaves out excluded identities, the history table and extension members', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-schemas-'));
    try {
      fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), [
        'schemas: [public, app]',
        'exclude: ["table:app.tmp_*", "view:public.debug_*", "function:public.scratch*"]',
        'table: app.history',
      ].join('\n'));
      const config = loadConfig(dir, { env: {} });
      expect(config.schemas).toEqual(['public', 'app']);
      const opts = introspectOptions(config);
      expect(opts.exclude).toContain('table:app.history');
      const s = await loadedDatabase(`
        CREATE EXTENSION pg_trgm;
        CREATE SCHEMA app; CREATE SCHEMA other;
        CREATE TABLE app.history (version text PRIMARY KEY);
        CREATE TABLE app.tmp_x (id int); CREATE INDEX tmp_x_id ON app.tmp_x (id);
        CREATE TABLE other.o (id int PRIMARY KEY);
        CREATE TABLE app.keep (id int REFERENCES other.o);
        CREATE VIEW public.debug_v AS SELECT 1 AS x; CREATE VIEW public.v AS SELECT id FROM app.keep;
        CREATE FUNCTION public.scratch1() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;`, 'A.sql');
      try {
        const cat = await introspect(s.db, opts);
        const ids = Object.keys(cat.objects);
        expect(ids).toContain('table:app.keep');
        expect(ids).toContain('view:public.v');
        expect(ids).toContain('extension:pg_trgm');
        expect(ids.filter((id) => /tmp_x|debug_v|scratch1|history|other\.|similarity|gtrgm/.test(id))).toEqual([]);
        expect(cat.unmodelled).toEqual([]);
      } finally {
        await s.dispose();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
