/** The migration history: every migration file of a folder, parsed and in version order. */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from './checksum.js';
import { compareVersions, parseMigrationFileName } from './names.js';
import { parseMigration, type ParsedMigration } from './sections.js';
import { migrationFiles } from './sumfile.js';

/** One migration file. */
export interface Migration {
  /** The version digits of the file name (the tracking table's `version`). */
  version: string;
  /** The description part of the file name. */
  name: string;
  /** Absolute path. */
  file: string;
  /** Path relative to `root` (default: the working directory), forward slashes; used in messages. */
  relFile: string;
  /** File content (UTF-8). */
  text: string;
  /** SHA-256 hex of the file's bytes (the tracking table's `checksum`). */
  checksum: string;
  /** Sections and header. */
  parsed: ParsedMigration;
}

/**
 * Loads every `*.sql` file of `dir` (not recursive; `schemaplan.sum`, dot-files and other files are
 * ignored), sorted by version (numerically). A missing folder is an empty history.
 * @param opts.root folder `relFile` is relative to (default `process.cwd()`)
 * @throws MigrationNameError for a malformed file name, MigrationFormatError for inconsistent section
 *   markers, and an Error naming both files when two files share a version.
 */
export function loadHistory(dir: string, opts: { root?: string } = {}): Migration[] {
  const root = opts.root ?? process.cwd();
  const out: Migration[] = [];
  for (const base of migrationFiles(dir)) {
    const file = path.resolve(dir, base);
    const relFile = path.relative(root, file).split(path.sep).join('/');
    const { version, name } = parseMigrationFileName(relFile);
    const buf = fs.readFileSync(file);
    const text = buf.toString('utf8');
    out.push({ version, name, file, relFile, text, checksum: sha256Hex(buf), parsed: parseMigration(text, relFile) });
  }
  out.sort((a, b) => compareVersions(a.version, b.version) || (a.relFile < b.relFile ? -1 : 1));
  for (let i = 1; i < out.length; i++) {
    if (compareVersions(out[i - 1]!.version, out[i]!.version) === 0) {
      throw new Error(`duplicate migration version ${out[i]!.version}: ${out[i - 1]!.relFile} and ${out[i]!.relFile}; give one of them a new version`);
    }
  }
  return out;
}
