/** `schemaplan import --from goose|dbmate|updown|sequential`: converts a history to schemaplan's format. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import YAML from 'yaml';
import { CONFIG_FILE } from '../config/config.js';
import { parseTableName, qualified } from '../db/quote.js';
import { IMPORT_FORMATS, importHistory, type ImportFormat } from '../migrations/index.js';
import { action, config, EXIT, out } from './common.js';

/** The tracking table each source tool uses by default (sequential runners vary: pass --table). */
const DEFAULT_TABLE: Partial<Record<ImportFormat, string>> = { goose: 'public.goose_db_version' };

/**
 * Sets `table:` in schemaplan.yaml (created when missing), keeping the file's comments and other keys.
 * @returns true when the file changed
 */
function setTable(root: string, table: string, dryRun: boolean): boolean {
  const file = path.join(root, CONFIG_FILE);
  const doc = fs.existsSync(file) ? YAML.parseDocument(fs.readFileSync(file, 'utf8')) : new YAML.Document({});
  if (doc.errors.length > 0) throw new Error(`${CONFIG_FILE}: ${doc.errors[0]!.message}`);
  if (doc.get('table') === table) return false;
  doc.set('table', table);
  if (!dryRun) fs.writeFileSync(file, doc.toString());
  return true;
}

export function register(program: Command): void {
  program
    .command('import')
    .description('convert a migration history written for goose, dbmate, -- UP/-- DOWN or an up-only NNN_ runner to schemaplan\'s format, in place, keeping file names and versions')
    .requiredOption('--from <format>', `the history's format: ${IMPORT_FORMATS.join(' | ')}`)
    .option('--dir <dir>', 'the folder of migration files (default: migrations: in schemaplan.yaml)')
    .option('--table <schema.name>', 'the tool\'s tracking table, written to schemaplan.yaml as table: (goose default: public.goose_db_version)')
    .option('--dry-run', 'convert and check, write nothing')
    .option('--format <format>', 'text | json', 'text')
    .action(action(async (flags: { from: string; dir?: string; table?: string; dryRun?: boolean; format: string }) => {
      if (!['text', 'json'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use text or json`);
      if (!IMPORT_FORMATS.includes(flags.from as ImportFormat)) throw new Error(`unknown --from ${flags.from}: use ${IMPORT_FORMATS.join(', ')}`);
      const from = flags.from as ImportFormat;
      const cfg = config(program.opts());
      const dir = flags.dir ? path.resolve(cfg.root, flags.dir) : cfg.migrationsDir;
      const tableSpec = flags.table ?? DEFAULT_TABLE[from];
      const table = tableSpec ? parseTableName(tableSpec, '--table') : undefined;
      const res = await importHistory(dir, { from, dryRun: !!flags.dryRun, root: cfg.root });
      const tableText = table ? qualified(table[0], table[1]) : undefined;
      const configChanged = tableText ? setTable(cfg.root, tableText, !!flags.dryRun) : false;
      const rel = (f: string) => path.relative(cfg.root, path.join(dir, f)).split(path.sep).join('/');
      if (flags.format === 'json') {
        out(JSON.stringify({
          ok: true, command: 'import', dryRun: res.dryRun, from,
          files: res.files.map((f) => ({ file: rel(f.file), version: f.version, from: f.from, converted: f.changed })),
          table: tableText ?? null, configChanged,
        }, null, 2));
        return EXIT.ok;
      }
      const would = res.dryRun ? 'would ' : '';
      for (const f of res.files) out(`${f.changed ? `${would}convert` : 'keep   '} ${rel(f.file)}${f.changed ? ` (${f.from} → schemaplan)` : ' (already schemaplan format)'}`);
      out(`${res.dryRun ? 'would convert' : 'converted'} ${res.converted.length} of ${res.files.length} file(s); versions and file names unchanged; ${res.dryRun ? 'would write' : 'wrote'} ${rel('schemaplan.sum')}`);
      if (configChanged) out(`${would}set table: ${tableText} in ${CONFIG_FILE}`);
      out('Next: "schemaplan status" shows the database as the previous tool left it; the first "schemaplan up" adopts its tracking table in place (adds columns, records checksums).');
      return EXIT.ok;
    }));
}
