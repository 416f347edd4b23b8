/**
 * `schemaplan import`: converts a migration history written for another runner (goose, dbmate,
 * `-- UP`/`-- DOWN`, up-only `NNN_description.sql`) to schemaplan's own dbmate-compatible format,
 * without changing what runs:
 * - file names, hence versions, stay as they are, so the rows of the old tool's tracking table still
 *   match the files (`001_x.sql` keeps version `001`; later migrations get timestamp versions, which
 *   sort after any sequence number);
 * - only marker lines change (`-- +goose Up` → `-- migrate:up`, `-- +goose NO TRANSACTION` →
 *   `transaction:false` on both markers, goose `StatementBegin`/`StatementEnd` lines dropped, `-- UP`
 *   → `-- migrate:up`; an up-only file gets `-- migrate:up` after its leading comments, and below
 *   its statements, kept byte for byte, a `-- migrate:down` section: the reverse the caller computed
 *   (`ImportOptions.reverse`: the history replayed in a shadow, the state after the file diffed
 *   against the state before it), with a `-- DESTRUCTIVE:` note when running it loses data; without
 *   a reverse, or when the file changes no object, the section is empty and `down` refuses the file);
 * - a first line `-- Imported: <format> <file> sha256:<hex> md5:<hex>` keeps the hashes of the
 *   original bytes, so a tracking table whose checksums were taken over the original file can be
 *   adopted (see the runner's tracking table adoption);
 * - every converted file is parsed again and its statements (PostgreSQL's parser) and transaction
 *   modes are compared with the original's; any difference is refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { loadParser, splitStatements } from '../sql/split.js';
import { sha256Hex } from './checksum.js';
import { compareVersions, parseMigrationFileName } from './names.js';
import type { Migration } from './history.js';
import { MigrationFormatError, parseMigration, type MigrationFormat, type ParsedMigration } from './sections.js';
import { migrationFiles, writeSum } from './sumfile.js';

/** The source formats `import --from` accepts (`sequential` = up-only `NNN_description.sql` or `NNN-description.sql` files). */
export type ImportFormat = 'goose' | 'dbmate' | 'updown' | 'sequential';

/** The import formats, for option validation. */
export const IMPORT_FORMATS: readonly ImportFormat[] = ['goose', 'dbmate', 'updown', 'sequential'];

/** One file of an import. */
export interface ImportedFile {
  /** Base name (unchanged by the import). */
  file: string;
  version: string;
  /** Format the file was read as. */
  from: MigrationFormat;
  /** False when the file already was in schemaplan's format (left untouched). */
  changed: boolean;
  /** The converted text (equal to the original when `changed` is false). */
  text: string;
  /** The file as it was before the import. */
  original: string;
  /** The down section written for an up-only file, when `ImportOptions.reverse` computed one. */
  down?: DownSection;
}

/** What {@link importHistory} did (or, in a dry run, would do). */
export interface ImportResult {
  dir: string;
  files: ImportedFile[];
  /** Base names rewritten. */
  converted: string[];
  /** True when nothing was written. */
  dryRun: boolean;
}

const FORMAT_OF: Record<ImportFormat, MigrationFormat> = { goose: 'goose', dbmate: 'dbmate', updown: 'updown', sequential: 'uponly' };

const GOOSE_LINE_RE = /^--\s*\+goose\s+(.*?)\s*$/i;
const UPDOWN_LINE_RE = /^--\s*(up|down)\s*$/i;

function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * Converts one migration file's text to schemaplan's format (pure; see the module doc for the rules).
 * @param file name for messages and the `-- Imported:` line
 * @returns the text and the format it was read as; the text is unchanged for a dbmate file
 * @throws MigrationFormatError when the file does not parse, or is in another format than `expected`
 *   (files already in schemaplan's format are always accepted)
 */
export function convertMigration(text: string, file: string, expected?: ImportFormat, down?: DownSection): { text: string; from: MigrationFormat; changed: boolean } {
  const parsed = parseMigration(text, file);
  if (parsed.format === 'dbmate') return { text, from: 'dbmate', changed: false };
  if (expected && FORMAT_OF[expected] !== parsed.format) {
    const what = parsed.format === 'uponly' ? 'an up-only file (no section markers)' : `a ${parsed.format} file`;
    throw new MigrationFormatError(file, 1, `is ${what}, not ${expected}; import each history with its own --from, or convert this file by hand`);
  }
  const bytes = Buffer.from(text, 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const stamp = `-- Imported: ${parsed.format === 'uponly' ? 'sequential' : parsed.format} ${path.basename(file)} sha256:${sha256Hex(bytes)} md5:${md5Hex(bytes)}`;
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let out: string[];
  if (parsed.format === 'goose') {
    const tx = parsed.transactional ? '' : ' transaction:false';
    out = [];
    for (const l of lines) {
      const m = GOOSE_LINE_RE.exec(l.replace(/^\uFEFF/, ''));
      if (!m) {
        out.push(l);
        continue;
      }
      const d = m[1]!.toLowerCase().replace(/\s+/g, ' ');
      if (/^up\b/.test(d)) out.push(`-- migrate:up${tx}`);
      else if (/^down\b/.test(d)) out.push(`-- migrate:down${tx}`);
      // NO TRANSACTION, StatementBegin/End, ENVSUB OFF: dropped (the markers carry the mode; the parser splits statements)
    }
  } else if (parsed.format === 'updown') {
    out = lines.map((l) => {
      const m = UPDOWN_LINE_RE.exec(l.replace(/^\uFEFF/, ''));
      return m ? `-- migrate:${m[1]!.toLowerCase()}` : l;
    });
  } else {
    // Up-only: the marker goes after the leading comment block (which keeps any header lines).
    let i = 0;
    while (i < lines.length && /^\s*(--.*)?$/.test(lines[i]!)) i++;
    while (i > 0 && /^\s*$/.test(lines[i - 1]!)) i--;
    out = [...lines.slice(0, i), '-- migrate:up', ...lines.slice(i), '-- migrate:down', ...downLines(down)];
  }
  const first = out[0]?.replace(/^\uFEFF/, '');
  if (out.length > 0 && first !== out[0]) out[0] = first!; // the BOM moves to no line: the stamp is first now
  return { text: [stamp, ...out].join(eol) + eol, from: parsed.format, changed: true };
}

/** A down section written for an up-only file (see `ImportOptions.reverse`). */
export interface DownSection {
  /** Statements in order, without trailing `;`; empty when the file changes no object. */
  statements: string[];
  /** What running them loses (rows, column values), written as `-- DESTRUCTIVE: …` at the top of the section. */
  destructive?: string;
}

/** The lines of an up-only file's down section (comments when there is nothing to run). */
function downLines(down: DownSection | undefined): string[] {
  if (!down) return ['-- (none: imported from an up-only history; the migration cannot be reverted)'];
  const stmts = down.statements.map((s) => s.trim().replace(/;$/, '')).filter((s) => s !== '');
  if (!stmts.length) return ['-- (none: the up section changes no schema object, only data; the migration cannot be reverted)'];
  const out: string[] = [];
  if (down.destructive) out.push(`-- DESTRUCTIVE: ${down.destructive.replace(/\s*\n\s*/g, ' ')}`);
  out.push('-- Written by `schemaplan import`: the reverse of the up section, from the history replayed in a shadow; `schemaplan check` proves it.');
  return [...out, stmts.map((s) => `${s};`).join('\n\n')];
}

/** The statements and transaction modes of a parsed file, to prove a conversion kept the meaning. */
function meaning(p: ParsedMigration): string {
  const stmts = (t: string | null) => (t === null ? [] : splitStatements(t).map((s) => s.sql));
  return JSON.stringify({ up: stmts(p.up), down: stmts(p.down), tx: p.transactional, dtx: p.down === null || stmts(p.down).length === 0 ? null : p.downTransactional });
}

/** Options of {@link importHistory}. */
export interface ImportOptions {
  /** The history's format; a file in another format (other than schemaplan's) is refused. */
  from: ImportFormat;
  /** Convert and check only, write nothing. */
  dryRun?: boolean;
  /** Folder the reported paths are relative to (default: the working directory). */
  root?: string;
  /**
   * Computes the down sections of the up-only files: receives the whole converted history (in
   * version order, as `loadHistory` would read it after the import) and the base names of the
   * up-only files; returns base name → down section. Without it, up-only files get an empty down section.
   */
  reverse?: (history: Migration[], upOnly: Set<string>) => Promise<Map<string, DownSection>>;
}

/**
 * Converts every `.sql` file of `dir` (see the module doc) and rewrites `schemaplan.sum`. All files are
 * converted and checked before any is written; each is written to a temporary name and renamed.
 * @throws MigrationNameError / MigrationFormatError naming the file; Error when a conversion would change
 *   the statements (a bug, reported rather than written); Error for an empty or missing folder; what
 *   `opts.reverse` throws (e.g. a file that does not replay, named with its line); nothing is written then.
 */
export async function importHistory(dir: string, opts: ImportOptions): Promise<ImportResult> {
  const root = opts.root ?? process.cwd();
  const rel = (f: string) => path.relative(root, path.join(dir, f)).split(path.sep).join('/');
  const names = migrationFiles(dir);
  if (names.length === 0) throw new Error(`${path.relative(root, dir) || dir}: no .sql migration files to import`);
  await loadParser();
  const files: ImportedFile[] = [];
  const seen = new Map<string, string>();
  for (const f of names) {
    const { version } = parseMigrationFileName(rel(f));
    const key = version.replace(/^0+(?=\d)/, '');
    if (seen.has(key)) throw new Error(`duplicate migration version ${version}: ${rel(seen.get(key)!)} and ${rel(f)}; give one of them a new version`);
    seen.set(key, f);
    const buf = fs.readFileSync(path.join(dir, f));
    let original: string;
    try {
      original = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    } catch {
      throw new Error(`${rel(f)}: the file is not valid UTF-8 text; re-save it as UTF-8 before importing`);
    }
    const c = convertMigration(original, rel(f), opts.from);
    if (c.changed && meaning(parseMigration(original, rel(f))) !== meaning(parseMigration(c.text, rel(f)))) {
      throw new Error(`${rel(f)}: converting it would change its statements or transaction mode; nothing was written (please report this file)`);
    }
    files.push({ file: f, version, from: c.from, changed: c.changed, text: c.text, original });
  }
  const upOnly = new Set(files.filter((f) => f.from === 'uponly').map((f) => f.file));
  if (opts.reverse && upOnly.size) {
    const history: Migration[] = files.map((f) => {
      const relFile = rel(f.file);
      const { name } = parseMigrationFileName(relFile);
      return { version: f.version, name, file: path.join(dir, f.file), relFile, text: f.text, checksum: sha256Hex(f.text), parsed: parseMigration(f.text, relFile) };
    });
    history.sort((a, b) => compareVersions(a.version, b.version) || (a.relFile < b.relFile ? -1 : 1));
    const downs = await opts.reverse(history, upOnly);
    for (const f of files) {
      const down = downs.get(f.file);
      if (!down || !upOnly.has(f.file)) continue;
      const c = convertMigration(f.original, rel(f.file), opts.from, down);
      const before = parseMigration(f.text, rel(f.file));
      const after = parseMigration(c.text, rel(f.file));
      // The up section is the same text, line for line; only the down section was filled in.
      if (before.up !== after.up || before.upLine !== after.upLine || before.transactional !== after.transactional) {
        throw new Error(`${rel(f.file)}: writing its down section would change its up section; nothing was written (please report this file)`);
      }
      f.text = c.text;
      f.down = down;
    }
  }
  const converted = files.filter((f) => f.changed);
  if (!opts.dryRun) {
    for (const f of converted) {
      const target = path.join(dir, f.file);
      const tmp = path.join(dir, `.${f.file}.import-${process.pid}`);
      fs.writeFileSync(tmp, f.text);
      fs.renameSync(tmp, target);
    }
    writeSum(dir);
  }
  return { dir, files, converted: converted.map((f) => f.file), dryRun: !!opts.dryRun };
}

/**
 * The hashes of the original bytes recorded by an import (`-- Imported: … sha256:<hex> md5:<hex>`),
 * lower-case hex; empty when the file was not imported.
 */
export function importedHashes(parsed: ParsedMigration): string[] {
  const v = parsed.header['Imported'];
  if (!v) return [];
  return [...v.matchAll(/\b(?:sha256|md5):([0-9a-f]+)\b/gi)].map((m) => m[1]!.toLowerCase());
}
