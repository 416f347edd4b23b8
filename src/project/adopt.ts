/**
 * `schemaplan init --from-url URL`: adopting an existing database ("init"). The database's
 * catalog is written as `schema/schema.sql` (the plan from an empty database, in plain forms — the
 * same SQL `diff` would print), the same plan as a baseline migration with its plan document (marked
 * `-- schemaplan:baseline`, its down section empty: a baseline is never reverted), and
 * the baseline is recorded as applied in the database's tracking table without running it. Before
 * anything is written, the generated schema is loaded into a shadow and must reproduce the
 * database's catalog: a dump that does not round-trip is an error, not a file. The schema can be
 * written as one file, one file per schema, or one file per object (`SchemaLayout`); a folder loads
 * in name order with retries for missing dependencies (catalog/load.ts), and the verification loads
 * exactly the files that are then written. A database whose tracking table already records
 * schemaplan's own baseline is re-adopted only with `force` (see `adoptDatabase`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { introspect } from '../catalog/introspect.js';
import type { Config } from '../config/config.js';
import { compareVersions, loadHistory, migrationFiles, type Migration } from '../migrations/index.js';
import { preamble } from '../plan/document.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { baseline } from '../runner/index.js';
import type { Catalog, CatalogObject } from '../catalog/model.js';
import type { PlannedChange } from '../plan/plan.js';
import { isBaseline, writeSum } from '../migrations/index.js';
import { listSchemaFiles, loadSchema } from '../catalog/load.js';
import type { Shadow } from '../db/shadow.js';
import { creationPlan, inShadow } from './states.js';
import { connectLive, liveCatalog } from './live.js';
import { introspectOptions } from './scope.js';
import { qualified } from '../db/quote.js';
import { loadParser, splitStatements } from '../sql/split.js';
import { writePlan, type WrittenPlan } from './write.js';

/**
 * How the adopted schema is written: `single` = one file (`schema/schema.sql`); `by-schema` = one
 * file per schema (`schema/<schema>.sql`), what is database-wide in `schema/000_database.sql` and
 * default privileges in `schema/zzz_default_privileges.sql`; `by-object` = one file per object
 * (`schema/<schema>/<kind>/<name>.sql`, a table's columns, constraints, indexes, triggers, policies,
 * comments and grants in the table's file), database-wide objects and default privileges as in
 * `by-schema`.
 */
export type SchemaLayout = 'single' | 'by-schema' | 'by-object';

/** The layouts `init --layout` accepts. */
export const SCHEMA_LAYOUTS: readonly SchemaLayout[] = ['single', 'by-schema', 'by-object'];

/** What `adoptDatabase` did; paths relative to the project root. */
export interface AdoptResult {
  /** The schema file (`single`) or folder written. */
  schemaFile: string;
  /** Every schema file written, relative to the project root, in load (name) order. */
  schemaFiles: string[];
  /** The baseline this run replaced (`force` on an adopted database): its version and what was removed. */
  replaced?: { versions: string[]; files: string[] };
  written: WrittenPlan;
  /** Objects of the database's catalog (in the configured schemas). */
  objects: number;
  /** The schemas adopted (the scope resolved against the database), sorted. */
  schemas: string[];
  /** Unmodelled objects and other plan warnings, one line each. */
  warnings: string[];
  /** True when the baseline was recorded in the database's tracking table. */
  recorded: boolean;
}

/** The text of a schema file that creates what `changes` create (their order kept). */
function schemaText(changes: PlannedChange[], source: string, command: string): string {
  const head = [
    `-- Desired state, adopted from ${source} by \`schemaplan ${command}\`.`,
    '-- Edit this file, then run `schemaplan plan <name>`.',
    '',
  ];
  const body = [...preamble(changes), ...changes.flatMap((c) => c.sql)].map((s) => `${s.trimEnd()};\n`);
  return head.join('\n') + '\n' + body.join('\n');
}

/** Kinds that belong to the database rather than to one schema. */
const DATABASE_WIDE = new Set(['extension', 'event_trigger', 'publication', 'subscription', 'foreign_data_wrapper', 'server', 'user_mapping']);

/** A name usable as one path segment: characters outside `[A-Za-z0-9_.-]` become `_`. */
function segment(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return s === '' || s === '.' || s === '..' ? `_${s}` : s;
}

/**
 * The object whose file holds `o`'s statements: its table (or view, domain …) for sub-objects such as
 * columns, constraints, indexes, triggers, policies and rules; `o` itself otherwise.
 */
function fileOwner(o: CatalogObject, target: Catalog): CatalogObject {
  let cur = o;
  for (let i = 0; i < 4; i++) {
    const parent = (cur as { table?: unknown }).table;
    const next = typeof parent === 'string' ? target.objects[parent] : undefined;
    if (!next || next === cur) break;
    cur = next;
  }
  return cur;
}

/** The object a change creates or alters, from its identity (undefined when the target has none by that identity). */
function changedObject(c: PlannedChange, target: Catalog): CatalogObject | undefined {
  return target.objects[c.id];
}

/** The file (relative to the schema folder, `/`-separated) that holds change `c` in `layout`. */
function fileFor(c: PlannedChange, target: Catalog, layout: Exclude<SchemaLayout, 'single'>): string {
  if (c.kind === 'default_acl') return 'zzz_default_privileges.sql'; // they apply to what is created after them: last
  const o = changedObject(c, target);
  const schema = o ? (o.kind === 'schema' ? o.name : o.schema) : '';
  if (!o || DATABASE_WIDE.has(o.kind) || !schema) return '000_database.sql';
  if (layout === 'by-schema') return `${segment(schema)}.sql`;
  if (o.kind === 'schema') return `${segment(schema)}/schema.sql`;
  const owner = fileOwner(o, target);
  if (DATABASE_WIDE.has(owner.kind) || !owner.schema) return '000_database.sql';
  return `${segment(owner.schema)}/${segment(owner.kind)}/${segment(owner.name)}.sql`;
}

/**
 * The schema files of `plan` in `layout`: path relative to the schema target (for `single`, the
 * file name itself) → text. Statements keep the plan's order within each file.
 * @param source what the state was read from, for the files' header (password-free)
 * @param command the command named in the header (`init --from-url`, `init --from-history`)
 */
export function layoutFiles(plan: Plan, target: Catalog, layout: SchemaLayout, source: string, singleName = 'schema.sql', command = 'init --from-url'): Map<string, string> {
  const groups = new Map<string, PlannedChange[]>();
  for (const c of plan.up) {
    const file = layout === 'single' ? singleName : fileFor(c, target, layout);
    let g = groups.get(file);
    if (!g) groups.set(file, (g = []));
    g.push(c);
  }
  if (!groups.size) groups.set(layout === 'single' ? singleName : '000_database.sql', []);
  const out = new Map<string, string>();
  for (const f of [...groups.keys()].sort()) out.set(f, schemaText(groups.get(f)!, source, command));
  return out;
}

/** A row of the tracking table, as far as adoption needs it. */
interface TrackedRow {
  version: string;
  name: string | null;
  checksum: string | null;
}

/** The rows of the configured tracking table (empty when there is none); read only. */
async function trackedRows(config: Config, url: string): Promise<TrackedRow[]> {
  const name = qualified(config.table.schema, config.table.name);
  const db = await connectLive(url);
  try {
    const [reg] = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
    if (!reg?.t) return [];
    // Any table shape (dbmate's has `version` only, goose's `version_id`): read rows as JSON.
    const rows = await db.query<{ r: Record<string, unknown> }>(`SELECT to_jsonb(t) AS r FROM ${name} t`);
    return rows.map(({ r }) => ({
      version: String(r.version ?? r.version_id ?? r.id ?? ''),
      name: typeof r.name === 'string' ? r.name : null,
      checksum: typeof r.checksum === 'string' ? r.checksum : null,
    }));
  } finally {
    await db.close();
  }
}

/**
 * The rows that record schemaplan's own baseline: the version of a baseline file of the project
 * (`isBaseline`), or — when the project does not have the file — a row schemaplan wrote for a
 * baseline (named `baseline`, with a checksum).
 */
function ownBaselineRows(rows: TrackedRow[], baselineVersions: Set<string>): TrackedRow[] {
  return rows.filter((r) => baselineVersions.has(r.version) || (r.name === 'baseline' && !!r.checksum));
}

/**
 * The baseline goes into the configured tracking table; one that already records migrations (another
 * tool's, e.g. Rails' or dbmate's `schema_migrations`) would mix two histories.
 * @throws Error naming the table, its row count and the two ways forward
 */
function refuseForeignHistory(config: Config, rows: TrackedRow[]): void {
  if (!rows.length) return;
  const name = qualified(config.table.schema, config.table.name);
  throw new Error(`${name} already records ${rows.length} migration(s) (another tool's history?); nothing was written. Either keep that history ` +
    `(\`schemaplan import --from …\`), or set \`table:\` in schemaplan.yaml to a new name (e.g. public.schemaplan_migrations) and run init --from-url again`);
}

/**
 * Writes `files` (relative path → text, under `relDir`) into the staging folder `stage`, loads them
 * in a fresh shadow and returns how many changes still separate what they create from `expected`
 * (none when the files reproduce it), with the first ten described.
 * @returns `staged`: the staged paths, in the order of `files`; `differences` and `first`
 * @throws SqlExecutionError naming a staged file's line when a statement fails to load
 */
export async function stageAndCompare(open: () => Promise<Shadow>, files: Map<string, string>, stage: string, relDir: string, expected: Catalog, scope: ReturnType<typeof introspectOptions>): Promise<{ staged: string[]; differences: number; first: string }> {
  const staged = [...files.keys()].map((f) => path.join(stage, relDir, ...f.split('/')));
  [...files.values()].forEach((text, i) => {
    fs.mkdirSync(path.dirname(staged[i]!), { recursive: true });
    fs.writeFileSync(staged[i]!, text);
  });
  const reloaded = await inShadow(open, async (db) => {
    await loadSchema(db, staged, stage);
    return introspect(db, scope);
  });
  const rest = buildPlan(reloaded, expected, { allowDestructive: true, online: false });
  return { staged, differences: rest.up.length, first: rest.up.slice(0, 10).map((c) => c.description).join('; ') };
}

/** Removes `dir` and its parents while they are empty, stopping at `stop` (never removed). */
export function removeEmptyParents(dir: string, stop: string): void {
  const root = path.resolve(stop);
  for (let d = path.resolve(dir); d.startsWith(root + path.sep) && fs.existsSync(d) && fs.readdirSync(d).length === 0; d = path.dirname(d)) fs.rmdirSync(d);
}

/** True when the schema sources hold nothing but comments and white space (a fresh `init`). */
export async function schemaIsEmpty(config: Config): Promise<boolean> {
  await loadParser();
  const files = config.schema.filter((s) => fs.existsSync(s)).flatMap((s) => listSchemaFiles([s]));
  // PostgreSQL's parser decides (comments of either kind, white space): a file that does not parse is not empty.
  return files.every((f) => {
    try {
      return splitStatements(fs.readFileSync(f, 'utf8')).length === 0;
    } catch {
      return false;
    }
  });
}

/** Options of `adoptDatabase`. */
export interface AdoptOptions {
  /** Record the baseline as applied in the database (default true). */
  record?: boolean;
  /** How the database is named in the schema files' header (password-free). */
  source: string;
  /** The clock of the baseline's version (default now). */
  now?: Date;
  /** How the schema is written (default `single`). */
  layout?: SchemaLayout;
  /** Re-adopt a database whose tracking table already records schemaplan's own baseline. */
  force?: boolean;
}

/**
 * Adopts the database at `url` into the project of `config`.
 *
 * A database whose tracking table records schemaplan's own baseline (`ownBaselineRows`) is already
 * adopted: without `force` that is an error saying so. With `force` it is re-adopted: the schema
 * files are rewritten, a new baseline is written and recorded, the old baseline's row and the rows
 * older than it (history the baseline stood for) are deleted from the tracking table, and the old
 * baseline's files are removed from migrations/ and plans/, so the project's history and the
 * tracking table hold only the new baseline. Re-adoption is refused while the
 * tracking table records migrations after the old baseline, or migrations/ holds files that are not
 * baselines (they are named).
 * @param open the shadow provider (a temporary database on the same server by default)
 * @throws Error when the project already has migrations or schema SQL (first adoption), when the
 *   database is already adopted (without `force`) or has migrations after its baseline, when the
 *   generated schema does not reproduce the database (naming the differences), or a
 *   connection/shadow error; nothing is written then
 */
export async function adoptDatabase(config: Config, url: string, open: () => Promise<Shadow>, options: AdoptOptions): Promise<AdoptResult> {
  const layout = options.layout ?? 'single';
  const target = config.schema[0]!;
  const targetIsFile = target.endsWith('.sql');
  if (layout !== 'single' && targetIsFile) {
    throw new Error(`--layout ${layout} writes a folder, but \`schema:\` in schemaplan.yaml names the file ${path.relative(config.root, target)}: set it to a folder (e.g. schema)`);
  }
  const rows = await trackedRows(config, url);
  let local: Migration[] = [];
  try {
    local = loadHistory(config.migrationsDir, { root: config.root });
  } catch {
    // unreadable files: no baseline of ours among them (a first adoption refuses any file below)
  }
  const localBaselines = local.filter(isBaseline);
  const own = ownBaselineRows(rows, new Set(localBaselines.map((m) => m.version)));
  const tableName = qualified(config.table.schema, config.table.name);
  let replace: { rows: TrackedRow[]; files: string[] } | undefined;
  if (own.length) {
    const newest = own.map((r) => r.version).sort(compareVersions).pop()!;
    if (!options.force) {
      throw new Error(`${options.source} is already adopted: ${tableName} records schemaplan's baseline ${newest} (${rows.length} migration(s) in all); nothing was written. ` +
        'To re-adopt it (rewrite schema/ from the database and replace that baseline with a new one), run init --from-url again with --force');
    }
    const ownVersions = new Set(own.map((r) => r.version));
    const after = rows.filter((r) => !ownVersions.has(r.version) && compareVersions(r.version, newest) > 0);
    if (after.length) {
      throw new Error(`cannot re-adopt: ${tableName} records migration(s) applied after the baseline ${newest}: ${after.map((r) => `${r.version}${r.name ? `_${r.name}` : ''}`).join(', ')}; ` +
        'a new baseline would drop them from the history. Keep the history (`schemaplan plan` writes what changed since), or revert them first; nothing was written');
    }
    const others = local.filter((m) => !isBaseline(m));
    if (others.length) {
      throw new Error(`cannot re-adopt: migrations/ holds migration(s) that are not baselines: ${others.map((m) => m.relFile).join(', ')}; ` +
        'the re-adopted history is the new baseline alone: apply them and keep the history, or remove them first; nothing was written');
    }
    const planFiles = localBaselines.flatMap((m) => fs.existsSync(config.plansDir) ? fs.readdirSync(config.plansDir).filter((f) => f.startsWith(`${m.version}_`)).map((f) => path.join(config.plansDir, f)) : []);
    // Rows before the baseline are history it already stands for (the new baseline is the database as it is now).
    const before = rows.filter((r) => !ownVersions.has(r.version) && compareVersions(r.version, newest) < 0);
    replace = { rows: [...before, ...own], files: [...localBaselines.map((m) => m.file), ...planFiles] };
  } else {
    if (migrationFiles(config.migrationsDir).length) {
      throw new Error(`${path.relative(config.root, config.migrationsDir) || 'migrations'}/ already has migration files: adopt a database into a new project, or record it with \`schemaplan baseline\``);
    }
    if (!(await schemaIsEmpty(config))) throw new Error('the schema files already hold SQL: adopt a database into a new project (schema/schema.sql with comments only)');
    if (options.record !== false) refuseForeignHistory(config, rows);
  }
  const opts = introspectOptions(config);
  const live = await liveCatalog(config, url);
  const plan = await inShadow(open, (db) => creationPlan(db, live, opts));
  const files = layoutFiles(plan, live, layout, options.source, targetIsFile ? path.basename(target) : 'schema.sql');
  const targetDir = targetIsFile ? path.dirname(target) : target;
  const relTarget = path.relative(config.root, target).split(path.sep).join('/');
  const relDir = path.relative(config.root, targetDir);
  // The files are written to a staging folder that mirrors the project, loaded from there (errors
  // name schema/… as the final files will be), and moved into place only when they reproduce the database.
  const stage = fs.mkdtempSync(path.join(config.root, '.schemaplan-adopt-'));
  let written: WrittenPlan;
  let schemaFiles: string[];
  try {
    const { staged, differences, first } = await stageAndCompare(open, files, stage, relDir, live, opts);
    if (differences) {
      const what = layout === 'single' ? `the generated ${relTarget}` : `the generated ${relTarget}/ (--layout ${layout})`;
      throw new Error(`${what} does not reproduce the database (${differences} difference(s): ${first}); nothing was written`);
    }
    // Into place: the schema files found (comments only, or a previous adoption's) are replaced.
    const previous = new Map<string, Buffer>();
    const old = config.schema.filter((s) => fs.existsSync(s)).flatMap((s) => listSchemaFiles([s]));
    for (const f of old) previous.set(f, fs.readFileSync(f));
    const finals = [...files.keys()].map((f) => path.join(targetDir, ...f.split('/')));
    const restore = () => {
      for (const f of finals) fs.rmSync(f, { force: true });
      for (const [f, b] of previous) {
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.writeFileSync(f, b);
      }
    };
    for (const f of old) fs.rmSync(f);
    for (const f of old) removeEmptyParents(path.dirname(f), targetDir);
    try {
      finals.forEach((f, i) => {
        fs.mkdirSync(path.dirname(f), { recursive: true });
        fs.renameSync(staged[i]!, f);
      });
      written = writePlan(config, 'baseline', plan, options.now, { baseline: true });
    } catch (e) {
      restore();
      throw e;
    }
    schemaFiles = finals.map((f) => path.relative(config.root, f).split(path.sep).join('/'));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  // The old baseline's files go: the history is the new baseline alone.
  if (replace) {
    for (const f of replace.files) fs.rmSync(f, { force: true });
    writeSum(config.migrationsDir);
  }
  let recorded = false;
  if (options.record !== false) {
    const db = await connectLive(url);
    try {
      const history = loadHistory(config.migrationsDir, { root: config.root });
      await baseline(db, history, { table: config.table, version: written.version });
      // The new baseline is recorded first, then the old one's row deleted: a failure in between
      // leaves both rows (status names the old one as missing), never none.
      if (replace) await db.query(`DELETE FROM ${tableName} WHERE version::text = ANY($1::text[])`, [replace.rows.map((r) => r.version)]);
      recorded = true;
    } finally {
      await db.close();
    }
  }
  return {
    schemaFile: layout === 'single' ? schemaFiles[0]! : relTarget.replace(/\/?$/, '/'),
    schemaFiles,
    written,
    objects: Object.keys(live.objects).length,
    schemas: live.schemas,
    warnings: plan.warnings,
    recorded,
    ...(replace ? { replaced: { versions: replace.rows.map((r) => r.version), files: replace.files.map((f) => path.relative(config.root, f).split(path.sep).join('/')) } } : {}),
  };
}
