import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareVersions, computeSum, historyConvention, loadHistory, nextSequenceName, namingProblems, newVersion, parseMigration, parseMigrationFileName,
  renderMigration, sha256Hex, slugify, tryParseMigrationFileName, verifySum, writeSum, SUM_FILE,
} from '../src/migrations/index.js';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-mig-'));
}

describe('names', () => {
  it('parses timestamp and sequence names', () => {
    expect(parseMigrationFileName('20261121093000_add_ai_summary_columns.sql')).toEqual({
      version: '20261121093000', name: 'add_ai_summary_columns', style: 'timestamp', separator: '_',
    });
    expect(parseMigrationFileName('migrations/001_init.sql')).toEqual({ version: '001', name: 'init', style: 'sequence', separator: '_' });
    // A history applied by hand with psql: hyphenated up-only names.
    expect(parseMigrationFileName('scripts/migrations/001-initial-leads-table.sql')).toEqual({ version: '001', name: 'initial-leads-table', style: 'sequence', separator: '-' });
  });

  it('rejects malformed names with the file named', () => {
    expect(() => parseMigrationFileName('init.sql')).toThrow(/init\.sql: the name must start with the version digits/);
    expect(() => parseMigrationFileName('20261121093000.sql')).toThrow(/followed by "_"/);
    expect(() => parseMigrationFileName('001_x.txt')).toThrow(/not a \.sql file/);
    expect(() => parseMigrationFileName('001_a b.sql')).toThrow(/description/);
    expect(tryParseMigrationFileName('x.sql')).toHaveProperty('error');
  });

  it('reports convention breaches', () => {
    expect(namingProblems('20261121093000_add_x.sql')).toEqual([]);
    expect(namingProblems('20261341093000_add_x.sql')[0]).toMatch(/not a valid UTC timestamp/);
    expect(namingProblems('20261121093000_AddX.sql')[0]).toMatch(/lower_snake_case \(suggested: add_x\)/);
    expect(namingProblems('002-add-summary-columns.sql')).toEqual([]);
    expect(namingProblems('002-Add-Summary.sql')[0]).toMatch(/joined by "-" \(suggested: add-summary\)/);
  });

  it('reads a history\'s naming convention and continues a sequence', () => {
    expect(historyConvention([])).toEqual({ style: 'timestamp' });
    expect(historyConvention(['001_a.sql', '20261121093000_b.sql'])).toEqual({ style: 'timestamp' });
    expect(historyConvention(['001-initial-leads-table.sql', '002-add-summary-columns.sql'])).toEqual({ style: 'sequence', width: 3, separator: '-' });
    expect(nextSequenceName(['001-initial-leads-table.sql', '002-add-summary-columns.sql'], 'add_user_preferences'))
      .toEqual({ version: '003', name: 'add-user-preferences', file: '003-add-user-preferences.sql', separator: '-' });
    expect(nextSequenceName(['0001_init.sql', '0009_x.sql', 'notes.txt'], 'add_tags').file).toBe('0010_add_tags.sql');
    expect(nextSequenceName(['99_a.sql'], 'b').file).toBe('100_b.sql');
    expect(() => nextSequenceName(['20261121093000_b.sql'], 'c')).toThrow(/not sequence-numbered/);
  });

  it('makes versions and slugs', () => {
    expect(newVersion(new Date('2026-11-21T09:30:05Z'))).toBe('20261121093005');
    expect(slugify('Add AI summary columns')).toBe('add_ai_summary_columns');
    expect(slugify('addLeadScore')).toBe('add_lead_score');
    expect(slugify('  Crème brûlée -- v2!  ')).toBe('creme_brulee_v2');
    expect(() => slugify(' -- ')).toThrow(/empty/);
    expect(compareVersions('9', '10')).toBeLessThan(0);
    expect(compareVersions('001', '1')).toBe(0);
  });
});

describe('sections', () => {
  it('round-trips schemaplan/dbmate files', () => {
    const text = renderMigration({
      version: '20261121093000',
      name: 'add_ai_summary_columns',
      planFile: 'plans/20261121093000_add_ai_summary_columns.yaml',
      up: ['ALTER TABLE public.leads ADD COLUMN ai_summary_text text', 'CREATE INDEX leads_x ON public.leads (id);'],
      down: ['ALTER TABLE public.leads DROP COLUMN ai_summary_text;'],
      transactional: true,
    });
    expect(text).toBe(
      '-- Migration: 20261121093000_add_ai_summary_columns\n' +
        '-- Plan: plans/20261121093000_add_ai_summary_columns.yaml\n' +
        '-- migrate:up\n' +
        'ALTER TABLE public.leads ADD COLUMN ai_summary_text text;\n\n' +
        'CREATE INDEX leads_x ON public.leads (id);\n' +
        '-- migrate:down\n' +
        'ALTER TABLE public.leads DROP COLUMN ai_summary_text;\n',
    );
    const p = parseMigration(text, 'm.sql');
    expect(p).toMatchObject({
      format: 'dbmate', upLine: 4, downLine: 8, transactional: true, downTransactional: true,
      header: { Migration: '20261121093000_add_ai_summary_columns', Plan: 'plans/20261121093000_add_ai_summary_columns.yaml' },
    });
    expect(p.destructive).toBeUndefined();
    expect(p.up).toBe('ALTER TABLE public.leads ADD COLUMN ai_summary_text text;\n\nCREATE INDEX leads_x ON public.leads (id);');
    expect(p.down).toBe('ALTER TABLE public.leads DROP COLUMN ai_summary_text;\n');
  });

  it('round-trips destructive and non-transactional files', () => {
    const text = renderMigration({
      version: '20261121093001', name: 'drop_x', up: ['DROP INDEX CONCURRENTLY i'], down: ['CREATE INDEX CONCURRENTLY i ON t (a)'],
      transactional: false, destructive: 'column public.t.x (its data)', headerComment: 'hand written\n\nsecond line',
    });
    expect(text.split('\n').slice(0, 6)).toEqual([
      '-- DESTRUCTIVE: column public.t.x (its data)', '-- Migration: 20261121093001_drop_x', '-- hand written', '--', '-- second line',
      '-- migrate:up transaction:false',
    ]);
    const p = parseMigration(text, 'm.sql');
    expect(p).toMatchObject({ transactional: false, downTransactional: false, destructive: 'column public.t.x (its data)', upLine: 7 });
    expect(p.up.trim()).toBe('DROP INDEX CONCURRENTLY i;');
  });

  it('reads goose files', () => {
    const text = '-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n';
    const p = parseMigration(text, 'g.sql');
    expect(p).toMatchObject({ format: 'goose', transactional: false, downTransactional: false, upLine: 3, downLine: 8 });
    expect(p.up).toContain('CREATE FUNCTION f()');
    expect(p.down).toBe('DROP FUNCTION f();\n');
    expect(parseMigration('-- +goose Up\nSELECT 1;\n', 'g.sql')).toMatchObject({ transactional: true, down: null, downLine: null });
  });

  it('reads -- UP / -- DOWN and up-only files', () => {
    const p = parseMigration('-- Author: me\n-- UP\nCREATE TABLE t (a int);\n-- DOWN\nDROP TABLE t;\n', 'u.sql');
    expect(p).toMatchObject({ format: 'updown', upLine: 3, downLine: 5, header: { Author: 'me' }, up: 'CREATE TABLE t (a int);', down: 'DROP TABLE t;\n' });
    const o = parseMigration('-- DESTRUCTIVE: everything\n-- lock_timeout: 5s\nCREATE TABLE t (a int);\n', '001_x.sql');
    expect(o).toMatchObject({ format: 'uponly', upLine: 1, down: null, destructive: 'everything', header: { lock_timeout: '5s' } });
    expect(o.up).toContain('CREATE TABLE t');
  });

  it('names the file and line of broken markers', () => {
    expect(() => parseMigration('-- migrate:up\nSELECT 1;\n-- migrate:up\n', 'a.sql')).toThrow(/^a\.sql:3: second up marker/);
    expect(() => parseMigration('-- migrate:down\nSELECT 1;\n', 'b.sql')).toThrow(/^b\.sql:1: has a down marker but no up section/);
    expect(() => parseMigration('-- migrate:up\nSELECT 1;\n-- +goose Down\n', 'c.sql')).toThrow(/^c\.sql:3: mixes dbmate markers/);
    expect(() => parseMigration('-- note\nSELECT 1;\n-- migrate:up\nSELECT 2;\n', 'd.sql')).toThrow(/^d\.sql:2: statements before the first section marker/);
    expect(() => parseMigration('-- migrate: up\nSELECT 1;\n-- migrate: down\nSELECT 2;\n', 'e.sql')).toThrow(/^e\.sql:1: "-- migrate: up" looks like a section marker/);
    expect(parseMigration('\uFEFF-- migrate:up\nSELECT 1;\n', 'f.sql')).toMatchObject({ format: 'dbmate', up: 'SELECT 1;\n' });
  });
});

describe('sum file and history', () => {
  it('detects edited, added, removed files and a tampered sum', () => {
    const dir = tmpDir();
    const a = '20260101000000_a.sql';
    const b = '20260102000000_b.sql';
    fs.writeFileSync(path.join(dir, a), '-- migrate:up\nCREATE TABLE a (x int);\n-- migrate:down\nDROP TABLE a;\n');
    fs.writeFileSync(path.join(dir, b), '-- migrate:up\nCREATE TABLE b (x int);\n-- migrate:down\nDROP TABLE b;\n');
    expect(verifySum(dir).map((p) => p.kind)).toEqual(['missing']);
    const sum = writeSum(dir);
    expect(sum.text.split('\n')[0]).toMatch(/^h1:[A-Za-z0-9+/=]{44}$/);
    expect(sum.text.split('\n')[1]).toMatch(/^20260101000000_a\.sql h1:[A-Za-z0-9+/=]{44}$/);
    expect(verifySum(dir)).toEqual([]);
    expect(computeSum(dir).text).toBe(fs.readFileSync(path.join(dir, SUM_FILE), 'utf8'));

    fs.appendFileSync(path.join(dir, a), '-- edited\n');
    fs.writeFileSync(path.join(dir, '20251231000000_early.sql'), 'SELECT 1;\n');
    fs.rmSync(path.join(dir, b));
    const problems = verifySum(dir);
    expect(problems.map((p) => [p.kind, p.file])).toEqual([
      ['edited', a], ['removed', b], ['added', '20251231000000_early.sql'],
    ]);
    expect(problems[2]!.message).toMatch(/out of order/);

    writeSum(dir);
    const sumPath = path.join(dir, SUM_FILE);
    fs.writeFileSync(sumPath, fs.readFileSync(sumPath, 'utf8').replace(/(early\.sql h1:)./, '$1Z'));
    expect(verifySum(dir).map((p) => p.kind)).toContain('tampered');
  });

  it('loads a history in version order and rejects duplicates', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, '10_b.sql'), 'SELECT 2;\n');
    fs.writeFileSync(path.join(dir, '9_a.sql'), 'SELECT 1;\n');
    fs.writeFileSync(path.join(dir, SUM_FILE), 'h1:x\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'hi\n');
    const h = loadHistory(dir, { root: path.dirname(dir) });
    expect(h.map((m) => m.version)).toEqual(['9', '10']);
    expect(h[0]).toMatchObject({ name: 'a', relFile: `${path.basename(dir)}/9_a.sql`, checksum: sha256Hex('SELECT 1;\n'), text: 'SELECT 1;\n' });
    expect(h[0]!.parsed.format).toBe('uponly');
    fs.writeFileSync(path.join(dir, '009_c.sql'), 'SELECT 3;\n');
    expect(() => loadHistory(dir)).toThrow(/duplicate migration version/);
    fs.rmSync(path.join(dir, '009_c.sql'));
    fs.writeFileSync(path.join(dir, 'bad.sql'), 'SELECT 3;\n');
    expect(() => loadHistory(dir)).toThrow(/bad\.sql/);
    expect(loadHistory(path.join(dir, 'nope'))).toEqual([]);
  });
});
