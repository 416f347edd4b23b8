/** `schemaplan init`, `new <name>`, `hash`: project files. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { computeSum, historyConvention, migrationFiles, nextSequenceName, parseMigration, renderMigration, slugify, SUM_FILE, writeSum, type MigrationFormat } from '../migrations/index.js';
import { nextVersion } from '../project/write.js';
import { CONFIG_FILE } from '../config/config.js';
import { action, config, EXIT, err, out } from './common.js';
import { adoptDatabase, SCHEMA_LAYOUTS, type SchemaLayout } from '../project/adopt.js';
import { schemaFromHistory } from '../project/adopt-history.js';
import { shadowFor } from '../project/states.js';
import { redactUrl } from '../db/redact.js';

/** schemaplan.yaml as `init` writes it; `scopeNote` says which schemas the scope held when it was written. */
const configTemplate = (scopeNote: string) => `# schemaplan configuration (see README.md)
schema: schema            # file, folder of .sql files, or a list of them
migrations: migrations
plans: plans
# Schemas whose objects are diffed: * patterns. "*" is every schema except system schemas
# (pg_catalog, information_schema, pg_toast, pg_temp_*) and schemas that belong to an extension.
# ${scopeNote}
schemas: ["*"]
exclude: []               # schema patterns (e.g. "audit_*") or object patterns (e.g. "table:public.tmp_*") left out
# database:
#   url: postgres://user@localhost:5432/app   # or DATABASE_URL / --url
shadow: pglite            # pglite (in-process), embedded:<major> (e.g. embedded:15), or a postgres:// URL for temporary shadow databases
table: public.schema_migrations
`;

export function register(program: Command): void {
  program
    .command('init')
    .description('scaffold schemaplan.yaml, schema/schema.sql, migrations/ and plans/; --from-url adopts an existing database, --from-history writes schema/ from the migration history')
    .option('--from-url <url>', 'adopt this database: write its schema to schema/schema.sql and a baseline migration, and record the baseline as applied in it')
    .option('--from-history', 'write schema/ from the migrations already in migrations/ (replayed in the shadow; nothing is run on a database)')
    .option('--no-record', 'with --from-url: write the files but do not record the baseline in the database')
    .option('--layout <layout>', 'with --from-url or --from-history: single (schema/schema.sql), by-schema (schema/<schema>.sql) or by-object (schema/<schema>/<kind>/<name>.sql)', 'single')
    .option('--force', 'with --from-url: re-adopt a database schemaplan already adopted (rewrites schema/, replaces its baseline)')
    .action(action(async (flags: { fromUrl?: string; fromHistory?: boolean; record: boolean; layout: string; force?: boolean }) => {
      if (!(SCHEMA_LAYOUTS as readonly string[]).includes(flags.layout)) throw new Error(`unknown --layout ${flags.layout}: use ${SCHEMA_LAYOUTS.join(', ')}`);
      if (flags.fromUrl && flags.fromHistory) throw new Error('--from-url and --from-history are two ways to write schema/: use one');
      if (!flags.fromUrl && flags.force) throw new Error('--force applies to init --from-url');
      if (!flags.fromUrl && !flags.fromHistory && flags.layout !== 'single') throw new Error('--layout applies to init --from-url and init --from-history');
      const root = program.opts().project ?? process.cwd();
      const made: string[] = [];
      const write = (rel: string, text: string) => {
        const p = path.join(root, rel);
        if (fs.existsSync(p)) return;
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, text);
        made.push(rel);
      };
      write(CONFIG_FILE, configTemplate('Written by `schemaplan init`.'));
      const madeConfig = made.includes(CONFIG_FILE);
      write('schema/schema.sql', '-- The desired state of the database. Edit it, then run `schemaplan plan <name>`.\n');
      for (const d of ['migrations', 'plans']) {
        if (!fs.existsSync(path.join(root, d))) {
          fs.mkdirSync(path.join(root, d), { recursive: true });
          made.push(d + '/');
        }
      }
      out(made.length ? `created ${made.join(', ')}` : 'already initialised');
      if (flags.fromHistory) {
        const cfg = config(program.opts());
        const res = await schemaFromHistory(cfg, shadowFor(cfg, undefined, { report: err }), flags.layout as SchemaLayout);
        for (const w of res.warnings) err(`warning: ${w}`);
        const many = res.schemaFiles.length === 1 && res.schemaFiles[0] === res.schemaFile ? '' : `${res.schemaFiles.length} files, `;
        out(`wrote ${res.schemaFile} (${many}${res.objects} objects in ${res.schemas.length} schema(s): ${res.schemas.join(', ')}; loaded in a shadow, it reproduces the history of ${res.migrations} migration(s))`);
        out('Next: edit schema/ and run `schemaplan plan <name>`; `schemaplan check` compares schema/ with the history.');
      }
      if (flags.fromUrl) {
        const cfg = config({ ...program.opts(), url: flags.fromUrl });
        const res = await adoptDatabase(cfg, flags.fromUrl, shadowFor(cfg, flags.fromUrl, { report: err }), {
          record: flags.record, source: redactUrl(flags.fromUrl), layout: flags.layout as SchemaLayout, force: !!flags.force,
        });
        // The scope used is recorded in the schemaplan.yaml this run created.
        if (madeConfig) fs.writeFileSync(path.join(root, CONFIG_FILE), configTemplate(`Adopted by \`schemaplan init --from-url\` with ${res.schemas.length} schema(s): ${res.schemas.join(', ')}.`));
        out(`scope: ${res.schemas.length} schema(s): ${res.schemas.join(', ')}`);
        for (const w of res.warnings) err(`warning: ${w}`);
        if (res.schemaFiles.length === 1 && res.schemaFiles[0] === res.schemaFile) out(`wrote ${res.schemaFile} (${res.objects} objects; loaded in a shadow, it reproduces the database)`);
        else out(`wrote ${res.schemaFile} (${res.schemaFiles.length} files, ${res.objects} objects; loaded in a shadow in name order, they reproduce the database)`);
        for (const f of res.replaced?.files ?? []) out(`removed ${f} (the previous baseline)`);
        for (const f of res.written.migrations) out(`wrote ${f}`);
        out(`wrote ${res.written.plan}`);
        out(res.recorded
          ? `recorded ${res.written.version}_${res.written.name} as applied in ${redactUrl(flags.fromUrl)} (nothing was run)` +
            (res.replaced ? `, replacing ${res.replaced.versions.join(', ')} in the tracking table` : '')
          : `not recorded: run \`schemaplan baseline --url …\` to record ${res.written.version}_${res.written.name} as applied`);
      }
      return EXIT.ok;
    }));

  program
    .command('new')
    .description('write an empty hand-written migration from the template (header: feature, date, author), in the format and naming convention of the history\'s newest file (listed as unrecorded in schemaplan.sum: fill it in, no `hash` needed)')
    .argument('<name>', 'description, lower_snake_case')
    .option('--dry-run', 'print the file, write nothing')
    .option('--format <format>', 'text | json', 'text')
    .action(action(async (name: string, flags: { dryRun?: boolean; format: string }) => {
      if (!['text', 'json'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use text or json`);
      const cfg = config(program.opts());
      let slug = slugify(name);
      // The history's naming convention: timestamps (schemaplan's), or the next number of a NNN_/NNN- history.
      const existing = migrationFiles(cfg.migrationsDir);
      let version: string;
      let separator: '_' | '-' = '_';
      if (historyConvention(existing).style === 'sequence') {
        const next = nextSequenceName(existing, slug);
        ({ version, separator } = next);
        slug = next.name;
      } else version = nextVersion(cfg.migrationsDir);
      const file = path.join(cfg.migrationsDir, `${version}${separator}${slug}.sql`);
      const rel = path.relative(cfg.root, file).split(path.sep).join('/');
      if (fs.existsSync(file)) throw new Error(`${rel} already exists`);
      const format = historyFormat(cfg.migrationsDir);
      const text = renderMigration({
        version, name: slug, separator, up: [], down: [], transactional: true, format,
        headerComment: `Feature: ${name.replace(/_/g, ' ')}\nDate: ${new Date().toISOString().slice(0, 10)}\nAuthor: ${author()}`,
      });
      if (!flags.dryRun) {
        fs.mkdirSync(cfg.migrationsDir, { recursive: true });
        fs.writeFileSync(file, text);
        // Listed without a checksum: filling in the template needs no `schemaplan hash`.
        writeSum(cfg.migrationsDir, { unrecorded: [path.basename(file)] });
      }
      if (flags.format === 'json') out(JSON.stringify({ ok: true, command: 'new', dryRun: !!flags.dryRun, file: rel, version, name: slug, format, text }, null, 2));
      else if (flags.dryRun) {
        out(`-- would write ${rel}`);
        out(text);
      } else out(`wrote ${rel}`);
      return EXIT.ok;
    }));

  program
    .command('hash')
    .description('rewrite migrations/schemaplan.sum from the files as they are (accepting edits; records the checksums of files `new` listed as unrecorded)')
    .option('--dry-run', 'print the sum file, write nothing')
    .option('--format <format>', 'text | json', 'text')
    .action(action(async (flags: { dryRun?: boolean; format: string }) => {
      if (!['text', 'json'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use text or json`);
      const cfg = config(program.opts());
      const rel = path.relative(cfg.root, path.join(cfg.migrationsDir, SUM_FILE)).split(path.sep).join('/');
      const sum = flags.dryRun ? computeSum(cfg.migrationsDir, { recordAll: true }) : writeSum(cfg.migrationsDir, { recordAll: true });
      if (flags.format === 'json') out(JSON.stringify({ ok: true, command: 'hash', dryRun: !!flags.dryRun, file: rel, total: sum.total, entries: sum.entries }, null, 2));
      else if (flags.dryRun) out(sum.text.trimEnd());
      else out(`wrote ${rel}`);
      return EXIT.ok;
    }));
}

/** The marker format of the newest parseable migration file (`dbmate`, schemaplan's own, when there is none). */
function historyFormat(dir: string): MigrationFormat {
  const files = migrationFiles(dir);
  for (let i = files.length - 1; i >= 0; i--) {
    try {
      return parseMigration(fs.readFileSync(path.join(dir, files[i]!), 'utf8'), files[i]!).format;
    } catch {
      // an unreadable file says nothing about the format
    }
  }
  return 'dbmate';
}

/** The author for a template: git's user.name (and email), else the login name. */
function author(): string {
  const git = (key: string) => {
    try {
      return execFileSync('git', ['config', key], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
    } catch {
      return '';
    }
  };
  const name = git('user.name');
  const email = git('user.email');
  if (name) return email ? `${name} <${email}>` : name;
  return process.env.USER ?? process.env.USERNAME ?? 'unknown';
}
