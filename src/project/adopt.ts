/**
 * `schemaplan init --from-url URL`: adopting an existing database (DESIGN.md, "init"). The database's
 * catalog is written as `schema/schema.sql` (the plan from an empty database, in plain forms — the
 * same SQL `diff` would print), the same plan as a baseline migration with its plan document (marked
 * `-- schemaplan:baseline`, its down section empty: a baseline is never reverted), and
 * the baseline is recorded as applied in the database's tracking table without running it. Before
 * anything is written, the generated schema is loaded into a shadow and must reproduce the
 * database's catalog: a dump that does not round-trip is an error, not a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { introspect } from '../catalog/introspect.js';
import type { Config } from '../config/config.js';
import { loadHistory, migrationFiles } from '../migrations/index.js';
import { preamble } from '../plan/document.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { baseline } from '../runner/index.js';
import { listSchemaFiles, loadSchema } from '../catalog/load.js';
import type { Shadow } from '../db/shadow.js';
import { connectLive, creationPlan, inShadow, introspectOptions, liveCatalog } from './states.js';
import { qualified } from '../db/quote.js';
import { loadParser, splitStatements } from '../sql/split.js';
import { writePlan, type WrittenPlan } from './write.js';

/** What `adoptDatabase` did; paths relative to the project root. */
export interface AdoptResult {
  schemaFile: string;
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

/** The text of a schema file that creates what `plan.up` creates. */
function schemaText(plan: Plan, source: string): string {
  const head = [
    `-- Desired state, adopted from ${source} by \`schemaplan init --from-url\`.`,
    '-- Edit this file, then run `schemaplan plan <name>`.',
    '',
  ];
  const body = [...preamble(plan.up), ...plan.up.flatMap((c) => c.sql)].map((s) => `${s.trimEnd()};\n`);
  return head.join('\n') + '\n' + body.join('\n');
}

/**
 * The baseline goes into the configured tracking table; one that already records migrations (another
 * tool's, e.g. Rails' or dbmate's `schema_migrations`) would mix two histories.
 * @throws Error naming the table, its row count and the two ways forward
 */
async function refuseForeignHistory(config: Config, url: string): Promise<void> {
  const name = qualified(config.table.schema, config.table.name);
  const db = await connectLive(url);
  try {
    const [reg] = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
    if (!reg?.t) return;
    const [row] = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    if (row && row.n !== '0') {
      throw new Error(`${name} already records ${row.n} migration(s) (another tool's history?); nothing was written. Either keep that history ` +
        `(\`schemaplan import --from …\`), or set \`table:\` in schemaplan.yaml to a new name (e.g. public.schemaplan_migrations) and run init --from-url again`);
    }
  } finally {
    await db.close();
  }
}

/** True when the schema sources hold nothing but comments and white space (a fresh `init`). */
async function schemaIsEmpty(config: Config): Promise<boolean> {
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

/**
 * Adopts the database at `url` into the project of `config`.
 * @param open the shadow provider (a temporary database on the same server by default)
 * @param options.record record the baseline as applied in the database (default true)
 * @param options.source how the database is named in the schema file's header (password-free)
 * @throws Error when the project already has migrations or schema SQL, when the generated schema
 *   does not reproduce the database (naming the differences), or a connection/shadow error; nothing
 *   is written then
 */
export async function adoptDatabase(config: Config, url: string, open: () => Promise<Shadow>, options: { record?: boolean; source: string; now?: Date }): Promise<AdoptResult> {
  if (migrationFiles(config.migrationsDir).length) {
    throw new Error(`${path.relative(config.root, config.migrationsDir) || 'migrations'}/ already has migration files: adopt a database into a new project, or record it with \`schemaplan baseline\``);
  }
  if (!(await schemaIsEmpty(config))) throw new Error('the schema files already hold SQL: adopt a database into a new project (schema/schema.sql with comments only)');
  if (options.record !== false) await refuseForeignHistory(config, url);
  const opts = introspectOptions(config);
  const live = await liveCatalog(config, url);
  const schemaPath = config.schema[0]!.endsWith('.sql') ? config.schema[0]! : path.join(config.schema[0]!, 'schema.sql');
  const rel = path.relative(config.root, schemaPath).split(path.sep).join('/');
  const plan = await inShadow(open, (db) => creationPlan(db, live, opts));
  const text = schemaText(plan, options.source);
  // The generated file must reproduce the database before anything is written.
  const previous = fs.existsSync(schemaPath) ? fs.readFileSync(schemaPath) : null; // put back if a later step fails
  const tmp = `${schemaPath}.tmp-${process.pid}`;
  fs.mkdirSync(path.dirname(schemaPath), { recursive: true });
  fs.writeFileSync(tmp, text);
  try {
    const reloaded = await inShadow(open, async (db) => {
      await loadSchema(db, [tmp], config.root);
      return introspect(db, opts);
    });
    const rest = buildPlan(reloaded, live, { allowDestructive: true, online: false });
    if (rest.up.length) {
      throw new Error(`the generated ${rel} does not reproduce the database (${rest.up.length} difference(s): ${rest.up.slice(0, 10).map((c) => c.description).join('; ')}); nothing was written`);
    }
    fs.renameSync(tmp, schemaPath);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  let written: WrittenPlan;
  try {
    written = writePlan(config, 'baseline', plan, options.now, { baseline: true });
  } catch (e) {
    if (previous) fs.writeFileSync(schemaPath, previous);
    else fs.rmSync(schemaPath, { force: true });
    throw e;
  }
  let recorded = false;
  if (options.record !== false) {
    const db = await connectLive(url);
    try {
      const history = loadHistory(config.migrationsDir, { root: config.root });
      await baseline(db, history, { table: config.table, version: history[history.length - 1]!.version });
      recorded = true;
    } finally {
      await db.close();
    }
  }
  return { schemaFile: rel, written, objects: Object.keys(live.objects).length, schemas: live.schemas, warnings: plan.warnings, recorded };
}
