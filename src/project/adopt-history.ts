/**
 * `schemaplan init --from-history`: a project that has a migration history but no desired state
 * (every legacy system: goose, dbmate, `-- UP`/`-- DOWN` and up-only runners) gets `schema/` written
 * from the history: every up section is replayed in a shadow, and the catalog it leaves is written
 * as schema files in the chosen layout (as `init --from-url` writes a database's). Before anything is
 * written, the generated files are loaded in another shadow and must reproduce that catalog, so
 * `plan` then finds nothing to do. No database is touched and no migration is written or recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listSchemaFiles } from '../catalog/load.js';
import type { Config } from '../config/config.js';
import type { Shadow } from '../db/shadow.js';
import { loadHistory } from '../migrations/index.js';
import { layoutFiles, removeEmptyParents, schemaIsEmpty, stageAndCompare, type SchemaLayout } from './adopt.js';
import { creationPlan, historyCatalog, inShadow } from './states.js';
import { introspectOptions } from './scope.js';

/** What {@link schemaFromHistory} wrote; paths relative to the project root, `/`-separated. */
export interface HistorySchemaResult {
  /** The schema file (`single`) or folder written. */
  schemaFile: string;
  /** Every schema file written, in load (name) order. */
  schemaFiles: string[];
  /** Migrations replayed. */
  migrations: number;
  /** Objects of the replayed catalog (in the configured schemas). */
  objects: number;
  /** The schemas the history creates objects in (the scope resolved against the replayed state), sorted. */
  schemas: string[];
  /** Unmodelled objects and other plan warnings, one line each. */
  warnings: string[];
}

/**
 * Writes the project's schema files from its migration history (see the module doc).
 * @param open the shadow provider (PGlite by default: `shadowFor(config)`)
 * @param layout how the schema is written (default `single`)
 * @throws Error when the history is empty, when the schema files already hold SQL (the desired
 *   state exists: `check` compares it with the history), when `--layout` asks for a folder but
 *   `schema:` names a file, when a migration does not replay (file:line:column), or when the
 *   generated files do not reproduce the replayed state (naming the differences); nothing is written then
 */
export async function schemaFromHistory(config: Config, open: () => Promise<Shadow>, layout: SchemaLayout = 'single'): Promise<HistorySchemaResult> {
  const target = config.schema[0]!;
  const targetIsFile = target.endsWith('.sql');
  if (layout !== 'single' && targetIsFile) {
    throw new Error(`--layout ${layout} writes a folder, but \`schema:\` in schemaplan.yaml names the file ${path.relative(config.root, target)}: set it to a folder (e.g. schema)`);
  }
  const history = loadHistory(config.migrationsDir, { root: config.root });
  const relMigrations = path.relative(config.root, config.migrationsDir) || 'migrations';
  if (!history.length) throw new Error(`${relMigrations}/ has no migration files: there is no history to write the schema from`);
  if (!(await schemaIsEmpty(config))) {
    throw new Error('the schema files already hold SQL: the desired state exists (`schemaplan check` compares it with the history); empty them to write them from the history');
  }
  const scope = introspectOptions(config);
  const replayed = await historyCatalog(config, open, history);
  const plan = await inShadow(open, (db) => creationPlan(db, replayed, scope));
  const source = `the history in ${relMigrations}/ (${history.length} migration${history.length === 1 ? '' : 's'})`;
  const files = layoutFiles(plan, replayed, layout, source, targetIsFile ? path.basename(target) : 'schema.sql', 'init --from-history');
  const targetDir = targetIsFile ? path.dirname(target) : target;
  const relTarget = path.relative(config.root, target).split(path.sep).join('/');
  const relDir = path.relative(config.root, targetDir);
  // Staged in a folder that mirrors the project (errors name schema/… as the final files), loaded
  // from there, and moved into place only when they reproduce the replayed state.
  const stage = fs.mkdtempSync(path.join(config.root, '.schemaplan-history-'));
  try {
    const { staged, differences, first } = await stageAndCompare(open, files, stage, relDir, replayed, scope);
    if (differences) {
      throw new Error(`the generated ${relTarget} does not reproduce the history (${differences} difference(s): ${first}); nothing was written`);
    }
    // The comment-only files found (init's placeholder) are replaced.
    const old = config.schema.filter((s) => fs.existsSync(s)).flatMap((s) => listSchemaFiles([s]));
    for (const f of old) fs.rmSync(f);
    for (const f of old) removeEmptyParents(path.dirname(f), targetDir);
    const finals = [...files.keys()].map((f) => path.join(targetDir, ...f.split('/')));
    finals.forEach((f, i) => {
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.renameSync(staged[i]!, f);
    });
    const schemaFiles = finals.map((f) => path.relative(config.root, f).split(path.sep).join('/'));
    return {
      schemaFile: layout === 'single' ? schemaFiles[0]! : relTarget.replace(/\/?$/, '/'),
      schemaFiles, migrations: history.length, objects: Object.keys(replayed.objects).length, schemas: replayed.schemas, warnings: plan.warnings,
    };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
