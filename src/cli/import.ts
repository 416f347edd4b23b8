/**
 * `schemaplan import --from goose|dbmate|updown|sequential`: converts a history to schemaplan's format,
 * writes the down sections of up-only files (replayed in the project's shadow), and records in
 * schemaplan.yaml the tracking table and `lint.start_after` (the newest imported version).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Scalar } from 'yaml';
import { yaml } from '../config/yaml.js';
import { CONFIG_FILE } from '../config/config.js';
import { parseTableName, qualified } from '../db/quote.js';
import { compareVersions, IMPORT_FORMATS, importHistory, type ImportFormat } from '../migrations/index.js';
import { reverseSections } from '../project/reverse.js';
import { shadowFor } from '../project/states.js';
import { action, config, EXIT, err, out } from './common.js';

/** The tracking table each source tool uses by default (sequential runners vary: pass --table). */
const DEFAULT_TABLE: Partial<Record<ImportFormat, string>> = { goose: 'public.goose_db_version' };

/**
 * Sets keys of schemaplan.yaml (created when missing), keeping the file's comments and other keys:
 * `table:` when given, and `lint.start_after:` (the newest imported version, so that the old tool's
 * files, named and written by its conventions, are not linted; files after it are).
 * @returns the keys that changed (`table`, `lint.start_after`)
 */
function setConfig(root: string, values: { table?: string; startAfter?: string }, dryRun: boolean): string[] {
  const file = path.join(root, CONFIG_FILE);
  const doc = fs.existsSync(file) ? yaml().parseDocument(fs.readFileSync(file, 'utf8')) : new (yaml().Document)({});
  if (doc.errors.length > 0) throw new Error(`${CONFIG_FILE}: ${doc.errors[0]!.message}`);
  const changed: string[] = [];
  if (values.table !== undefined && doc.get('table') !== values.table) {
    doc.set('table', values.table);
    changed.push('table');
  }
  const current = doc.getIn(['lint', 'start_after']);
  if (values.startAfter !== undefined && (current === undefined || current === null || compareVersions(String(current), values.startAfter) < 0)) {
    // Quoted: `001` read back as a YAML number would lose its zeros (the comparison is numeric either way).
    doc.setIn(['lint', 'start_after'], doc.createNode(values.startAfter));
    const node = doc.getIn(['lint', 'start_after'], true) as Scalar | undefined;
    if (node) node.type = 'QUOTE_SINGLE';
    changed.push('lint.start_after');
  }
  if (changed.length && !dryRun) fs.writeFileSync(file, doc.toString());
  return changed;
}

export function register(program: Command): void {
  program
    .command('import')
    .description('convert a migration history written for goose, dbmate, -- UP/-- DOWN or an up-only NNN_ runner to schemaplan\'s format, in place, keeping file names and versions')
    .requiredOption('--from <format>', `the history's format: ${IMPORT_FORMATS.join(' | ')} (sequential: up-only NNN_description.sql or NNN-description.sql files)`)
    .option('--dir <dir>', 'the folder of migration files (default: migrations: in schemaplan.yaml)')
    .option('--table <schema.name>', 'the tool\'s tracking table, written to schemaplan.yaml as table: (goose default: public.goose_db_version)')
    .option('--no-down', 'up-only files: do not replay the history to write their down sections (they get an empty one, which `down` refuses)')
    .option('--dry-run', 'convert and check, write nothing')
    .option('--format <format>', 'text | json', 'text')
    .action(action(async (flags: { from: string; dir?: string; table?: string; down: boolean; dryRun?: boolean; format: string }) => {
      if (!['text', 'json'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use text or json`);
      if (!IMPORT_FORMATS.includes(flags.from as ImportFormat)) throw new Error(`unknown --from ${flags.from}: use ${IMPORT_FORMATS.join(', ')}`);
      const from = flags.from as ImportFormat;
      const cfg = config(program.opts());
      const dir = flags.dir ? path.resolve(cfg.root, flags.dir) : cfg.migrationsDir;
      const tableSpec = flags.table ?? DEFAULT_TABLE[from];
      const table = tableSpec ? parseTableName(tableSpec, '--table') : undefined;
      // Up-only files get a down section: the history replayed in the project's shadow (with the
      // tracking table the files may insert into), each file's state diffed against the one before it.
      const shadowConfig = table ? { ...cfg, table: { schema: table[0], name: table[1] } } : cfg;
      const res = await importHistory(dir, {
        from, dryRun: !!flags.dryRun, root: cfg.root,
        ...(flags.down ? { reverse: (history, upOnly) => reverseSections(shadowConfig, shadowFor(shadowConfig, undefined, { report: err }), history, upOnly) } : {}),
      });
      const tableText = table ? qualified(table[0], table[1]) : undefined;
      const newest = res.files.map((f) => f.version).sort(compareVersions).pop();
      const changedKeys = setConfig(cfg.root, { ...(tableText ? { table: tableText } : {}), ...(newest ? { startAfter: newest } : {}) }, !!flags.dryRun);
      const configChanged = changedKeys.length > 0;
      const rel = (f: string) => path.relative(cfg.root, path.join(dir, f)).split(path.sep).join('/');
      if (flags.format === 'json') {
        out(JSON.stringify({
          ok: true, command: 'import', dryRun: res.dryRun, from,
          files: res.files.map((f) => ({ file: rel(f.file), version: f.version, from: f.from, converted: f.changed, ...(f.down ? { down: { statements: f.down.statements.length, destructive: f.down.destructive ?? null } } : {}) })),
          table: tableText ?? null, configChanged, lintStartAfter: changedKeys.includes('lint.start_after') ? newest : null,
        }, null, 2));
        return EXIT.ok;
      }
      const would = res.dryRun ? 'would ' : '';
      for (const f of res.files) {
        const down = !f.down ? '' : f.down.statements.length === 0 ? '; empty down section (changes data only)'
          : `; down section: ${f.down.statements.length} statement(s)${f.down.destructive ? ', marked -- DESTRUCTIVE: (reverting loses data)' : ''}`;
        out(`${f.changed ? `${would}convert` : 'keep   '} ${rel(f.file)}${f.changed ? ` (${f.from} → schemaplan${down})` : ' (already schemaplan format)'}`);
      }
      out(`${res.dryRun ? 'would convert' : 'converted'} ${res.converted.length} of ${res.files.length} file(s); versions and file names unchanged; ${res.dryRun ? 'would write' : 'wrote'} ${rel('schemaplan.sum')}`);
      if (changedKeys.includes('table')) out(`${would}set table: ${tableText} in ${CONFIG_FILE}`);
      if (changedKeys.includes('lint.start_after')) out(`${would}set lint.start_after: '${newest}' in ${CONFIG_FILE} (the imported files are not linted; new files are)`);
      out('Next: "schemaplan status" shows the database as the previous tool left it; the first "schemaplan up" adopts its tracking table in place (adds columns, records checksums).');
      if (from === 'sequential') out('A history applied by hand (psql -f, no tracking table): "schemaplan baseline --version <the newest file applied>" records it without running anything; then "schemaplan up".');
      return EXIT.ok;
    }));
}
