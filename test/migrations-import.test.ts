/**
 * Pure parts around histories from other tools: converting goose / -- UP -- DOWN / up-only files to
 * schemaplan's format without changing their statements, goose annotations, writing a new file in a
 * history's own format, strict UTF-8, and the helpers for configured table names.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  convertMigration, importHistory, importedHashes, loadHistory, MigrationEncodingError, parseMigration, renderMigration, verifySum,
} from '../src/migrations/index.js';
import { loadParser, splitStatements } from '../src/sql/split.js';
import { parseTableName } from '../src/db/quote.js';

const GOOSE = [
  '-- +goose NO TRANSACTION',
  '-- +goose Up',
  '-- +goose StatementBegin',
  'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$',
  'BEGIN',
  '  PERFORM 1; RETURN 1;',
  'END;',
  '$$;',
  '-- +goose StatementEnd',
  'CREATE INDEX CONCURRENTLY i ON t (a);',
  '',
  '-- +goose Down',
  'DROP INDEX CONCURRENTLY i;',
  'DROP FUNCTION f();',
  '',
].join('\n');

const statements = (t: string | null) => (t === null ? [] : splitStatements(t).map((s) => s.sql));

describe('goose files', () => {
  it('keep a plpgsql body in StatementBegin/End as one statement, and a quoted body with semicolons too', async () => {
    await loadParser();
    const p = parseMigration(GOOSE, 'g.sql');
    expect(statements(p.up)).toEqual([
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1; RETURN 1;\nEND;\n$$',
      'CREATE INDEX CONCURRENTLY i ON t (a)',
    ]);
    const q = parseMigration("-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1; ';\n-- +goose StatementEnd\n", 'q.sql');
    expect(statements(q.up)).toHaveLength(1);
  });

  it('refuse unbalanced blocks, ENVSUB ON and unknown annotations, naming the line', () => {
    expect(() => parseMigration('-- +goose Up\n-- +goose StatementEnd\n', 'a.sql')).toThrow(/^a\.sql:2: "-- \+goose StatementEnd" without a "-- \+goose StatementBegin"$/);
    expect(() => parseMigration('-- +goose Up\n-- +goose StatementBegin\n-- +goose StatementBegin\n', 'b.sql')).toThrow(/^b\.sql:3: .*inside another block \(opened on line 2\)/);
    expect(() => parseMigration('-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n', 'c.sql')).toThrow(/^c\.sql:2: .*is not closed/);
    expect(() => parseMigration('-- +goose Up\n-- +goose Frobnicate\n', 'd.sql')).toThrow(/^d\.sql:2: unknown goose annotation "-- \+goose Frobnicate"/);
    expect(() => parseMigration('-- +goose ENVSUB ON\n-- +goose Up\nSELECT 1;\n', 'e.sql')).toThrow(/^e\.sql:1: "-- \+goose ENVSUB ON"/);
  });
});

describe('conversion to schemaplan\'s format', () => {
  it('goose: markers become dbmate markers with transaction:false, annotations go, statements stay, original hashes are kept', async () => {
    await loadParser();
    const c = convertMigration(GOOSE, '00001_f.sql', 'goose');
    expect(c).toMatchObject({ from: 'goose', changed: true });
    const lines = c.text.split('\n');
    expect(lines[0]).toMatch(/^-- Imported: goose 00001_f\.sql sha256:[0-9a-f]{64} md5:[0-9a-f]{32}$/);
    expect(lines.slice(1, 3)).toEqual(['-- migrate:up transaction:false', 'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$']);
    expect(lines.slice(1).join('\n')).not.toMatch(/\+goose/);
    const a = parseMigration(GOOSE, 'x');
    const b = parseMigration(c.text, 'x');
    expect([statements(b.up), statements(b.down), b.transactional, b.downTransactional]).toEqual([statements(a.up), statements(a.down), false, false]);
    expect(importedHashes(b)).toHaveLength(2);
  });

  it('-- UP / -- DOWN and up-only files; a file already in schemaplan\'s format is left alone; a wrong --from is refused', async () => {
    await loadParser();
    const ud = convertMigration('-- Author: me\n-- UP\nBEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\n-- DOWN\nDROP TABLE t;\n', '1_t.sql', 'updown');
    expect(ud.text.split('\n').slice(1)).toEqual(['-- Author: me', '-- migrate:up', 'BEGIN;', 'CREATE TABLE t (a int);', 'COMMIT;', '-- migrate:down', 'DROP TABLE t;', '']);
    const up = convertMigration('-- lock_timeout: 5s\n\nCREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\n', '001_t.sql', 'sequential');
    const p = parseMigration(up.text, '001_t.sql');
    expect(p).toMatchObject({ format: 'dbmate', transactional: true, header: { lock_timeout: '5s' } });
    expect(statements(p.up)).toEqual(['CREATE TABLE t (a int)', 'INSERT INTO t VALUES (1)']);
    expect(statements(p.down)).toEqual([]);
    // With a computed down section: the up text unchanged, the DESTRUCTIVE note inside the down
    // section (a header one would say the up section loses data).
    const text = '-- Migration: Add t\n-- Feature: T\n\nCREATE TABLE t (a int);\n';
    const withDown = convertMigration(text, '001-add-t.sql', 'sequential', { statements: ['DROP TABLE public.t'], destructive: 'reverting loses the rows of table public.t' });
    const pd = parseMigration(withDown.text, '001-add-t.sql');
    expect(pd.up).toBe(parseMigration(convertMigration(text, '001-add-t.sql', 'sequential').text, 'x').up);
    expect(statements(pd.up)).toEqual(['CREATE TABLE t (a int)']);
    expect(statements(pd.down)).toEqual(['DROP TABLE public.t']);
    expect(pd.down).toMatch(/^-- DESTRUCTIVE: reverting loses the rows of table public\.t$/m);
    expect(pd.destructive).toBeUndefined();
    expect(pd.header).toMatchObject({ Migration: 'Add t', Feature: 'T' });
    // A data-only file: an empty down section, with a comment saying why.
    const dataOnly = parseMigration(convertMigration('INSERT INTO t VALUES (1);\n', '002_seed.sql', 'sequential', { statements: [] }).text, 'x');
    expect(statements(dataOnly.down)).toEqual([]);
    expect(dataOnly.down).toContain('changes no schema object, only data');
    const native = '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n';
    expect(convertMigration(native, 'n.sql', 'goose')).toEqual({ text: native, from: 'dbmate', changed: false });
    expect(() => convertMigration('SELECT 1;\n', '001_x.sql', 'goose')).toThrow(/^001_x\.sql:1: is an up-only file \(no section markers\), not goose/);
  });

  it('importHistory converts a folder in place, keeps names, writes the sum, and changes nothing in a dry run or on error', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-imp-'));
    const dir = path.join(root, 'migrations');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, '00001_f.sql'), GOOSE);
    fs.writeFileSync(path.join(dir, '00002_g.sql'), '-- +goose Up\nCREATE TABLE g (id int);\n-- +goose Down\nDROP TABLE g;\n');
    const dry = await importHistory(dir, { from: 'goose', dryRun: true, root });
    expect(dry.converted).toEqual(['00001_f.sql', '00002_g.sql']);
    expect(fs.readFileSync(path.join(dir, '00001_f.sql'), 'utf8')).toBe(GOOSE);
    expect(fs.existsSync(path.join(dir, 'schemaplan.sum'))).toBe(false);
    fs.writeFileSync(path.join(dir, '00003_h.sql'), '-- UP\nSELECT 1;\n');
    await expect(importHistory(dir, { from: 'goose', root })).rejects.toThrow(/00003_h\.sql:1: is a updown file, not goose/);
    expect(fs.readFileSync(path.join(dir, '00001_f.sql'), 'utf8')).toBe(GOOSE);
    fs.rmSync(path.join(dir, '00003_h.sql'));
    const res = await importHistory(dir, { from: 'goose', root });
    expect(res.converted).toHaveLength(2);
    expect(loadHistory(dir, { root }).map((m) => [m.version, m.parsed.format])).toEqual([['00001', 'dbmate'], ['00002', 'dbmate']]);
    expect(verifySum(dir)).toEqual([]);
    // A second import finds nothing to convert.
    expect((await importHistory(dir, { from: 'goose', root })).converted).toEqual([]);
  });
});

describe('writing and reading', () => {
  it('renders a new file in the history\'s format', () => {
    const base = { version: '20260101000000', name: 'x', up: ['CREATE TABLE x (a int)'], down: ['DROP TABLE x'], transactional: true };
    const g = parseMigration(renderMigration({ ...base, format: 'goose' }), 'x');
    expect([g.format, g.transactional, g.up.trim(), g.down?.trim()]).toEqual(['goose', true, 'CREATE TABLE x (a int);', 'DROP TABLE x;']);
    expect(renderMigration({ ...base, format: 'goose', transactional: false })).toMatch(/^-- Migration: 20260101000000_x\n-- \+goose NO TRANSACTION\n-- \+goose Up\n/);
    const u = parseMigration(renderMigration({ ...base, format: 'updown' }), 'x');
    expect([u.format, u.down?.trim()]).toEqual(['updown', 'DROP TABLE x;']);
    expect(parseMigration(renderMigration({ ...base, down: [], format: 'uponly' }), 'x')).toMatchObject({ format: 'uponly', down: null });
    expect(() => renderMigration({ ...base, format: 'updown', transactional: false })).toThrow(/no way to mark a file non-transactional/);
    expect(() => renderMigration({ ...base, format: 'uponly' })).toThrow(/no down section/);
  });

  it('refuses a migration file that is not UTF-8, naming the line', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-utf-'));
    fs.writeFileSync(path.join(root, '001_a.sql'), Buffer.concat([Buffer.from('SELECT 1;\n-- caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(() => loadHistory(root, { root })).toThrow(MigrationEncodingError);
    expect(() => loadHistory(root, { root })).toThrow(/^001_a\.sql:2: the file is not valid UTF-8 text/);
  });

  it('parses configured table names with quotes', () => {
    expect(parseTableName('schema_migrations')).toEqual(['public', 'schema_migrations']);
    expect(parseTableName('ops.history')).toEqual(['ops', 'history']);
    expect(parseTableName('"Ops Schema"."Migration ""Log"""')).toEqual(['Ops Schema', 'Migration "Log"']);
    expect(parseTableName('"a.b".c')).toEqual(['a.b', 'c']);
    expect(() => parseTableName('"unclosed')).toThrow(/unclosed double quote/);
    expect(() => parseTableName('a.b.c')).toThrow(/more than two parts/);
  });
});
