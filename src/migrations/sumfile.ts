/**
 * `migrations/schemaplan.sum`, modelled on Atlas's `atlas.sum`: the first line is `h1:<hash>` over the
 * list that follows, then one line per migration file, `<file> h1:<base64 SHA-256 of the file's bytes>`,
 * sorted by file name. An edited, removed or unlisted file — or an edited sum file — is detected by
 * {@link verifySum} so that `check` fails on it.
 *
 * A file `schemaplan new` wrote is listed as `<file> unrecorded`: listed (so a removal is detected, and
 * two branches that each add one conflict in the sum file), but with no checksum yet, so filling in
 * the template needs no `schemaplan hash`. `hash` records every file's checksum, unrecorded ones included.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Base64 } from './checksum.js';

/** The sum file's name inside the migrations folder. */
export const SUM_FILE = 'schemaplan.sum';

/** The hash column of a file listed without a checksum (written by `schemaplan new`, not yet recorded). */
export const UNRECORDED = 'unrecorded';

/** One listed file. */
export interface SumEntry {
  /** Base name of the migration file, e.g. `20261121093000_add_ai_summary_columns.sql`. */
  file: string;
  /** `h1:` + base64 SHA-256 of the file's bytes, or {@link UNRECORDED}. */
  hash: string;
}

/** Which files {@link computeSum} / {@link writeSum} list as {@link UNRECORDED}. */
export interface SumOptions {
  /** Base names to list as unrecorded (the file `new` just wrote). */
  unrecorded?: string[];
  /** Record every file's checksum, also files the existing sum file lists as unrecorded (`schemaplan hash`). Default false: they stay unrecorded. */
  recordAll?: boolean;
}

/** The computed sum of a migrations folder. */
export interface Sum {
  /** `h1:` + base64 SHA-256 over the entry lines (each `<file> <hash>\n`). */
  total: string;
  entries: SumEntry[];
  /** The full sum file text (ends with a newline). */
  text: string;
}

/** A disagreement between the folder and its sum file. `file` is a base name; `message` is one readable sentence. */
export interface SumProblem {
  kind: 'edited' | 'added' | 'removed' | 'tampered' | 'missing';
  file?: string;
  message: string;
}

/** The `.sql` files of a folder (not recursive, no dot-files), sorted by name; empty when the folder is missing. */
export function migrationFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.sql') && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function totalOf(entries: SumEntry[]): string {
  return 'h1:' + sha256Base64(entries.map((e) => `${e.file} ${e.hash}\n`).join(''));
}

function render(entries: SumEntry[]): string {
  return [totalOf(entries), ...entries.map((e) => `${e.file} ${e.hash}`)].join('\n') + '\n';
}

/** The files the existing sum file of `dir` lists as {@link UNRECORDED} (none when there is no sum file). */
function unrecordedFiles(dir: string): string[] {
  const sumPath = path.join(dir, SUM_FILE);
  if (!fs.existsSync(sumPath)) return [];
  return fs.readFileSync(sumPath, 'utf8').split(/\r?\n/).flatMap((l) => {
    const m = /^(\S+) unrecorded$/.exec(l);
    return m ? [m[1]!] : [];
  });
}

/**
 * Computes the sum of the `.sql` files in `dir` (a missing folder has an empty sum). Files the existing
 * sum lists as unrecorded stay so unless `options.recordAll`. Reads files; writes nothing.
 */
export function computeSum(dir: string, options: SumOptions = {}): Sum {
  const unrecorded = new Set([...(options.recordAll ? [] : unrecordedFiles(dir)), ...(options.unrecorded ?? [])]);
  const entries = migrationFiles(dir).map((file) => ({
    file, hash: unrecorded.has(file) ? UNRECORDED : 'h1:' + sha256Base64(fs.readFileSync(path.join(dir, file))),
  }));
  return { total: totalOf(entries), entries, text: render(entries) };
}

/**
 * Writes `dir/schemaplan.sum` for the current files (creating `dir` if needed) and returns what was written.
 * @throws the file system error when the folder is not writable.
 */
export function writeSum(dir: string, options: SumOptions = {}): Sum {
  const sum = computeSum(dir, options);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, SUM_FILE), sum.text);
  return sum;
}

/**
 * Compares `dir` with its `schemaplan.sum`. Returns the problems, empty when they agree (or when there
 * is neither a sum file nor any migration):
 * - `missing`: migrations exist but there is no sum file
 * - `tampered`: the sum file's first line does not match its list, or a line is malformed
 * - `edited`: a listed file's content changed
 * - `removed`: a listed file no longer exists
 * - `added`: a file that is not listed (also when it sorts before listed files, e.g. after a merge)
 */
export function verifySum(dir: string): SumProblem[] {
  const sumPath = path.join(dir, SUM_FILE);
  const current = computeSum(dir);
  if (!fs.existsSync(sumPath)) {
    return current.entries.length === 0
      ? []
      : [{ kind: 'missing', message: `${SUM_FILE} is missing in ${dir}; write it to record the checksums of the ${current.entries.length} migration file(s)` }];
  }
  const problems: SumProblem[] = [];
  const lines = fs.readFileSync(sumPath, 'utf8').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const head = lines.shift() ?? '';
  const listed: SumEntry[] = [];
  let malformed = false;
  lines.forEach((l, i) => {
    const m = /^(\S+) (h1:\S+|unrecorded)$/.exec(l);
    if (!m) {
      malformed = true;
      problems.push({ kind: 'tampered', message: `${SUM_FILE}:${i + 2}: malformed line ${JSON.stringify(l)} (expected "<file> h1:<hash>")` });
    } else listed.push({ file: m[1]!, hash: m[2]! });
  });
  if (!/^h1:\S+$/.test(head)) {
    problems.push({ kind: 'tampered', message: `${SUM_FILE}:1: expected "h1:<hash>" as the first line` });
  } else if (!malformed && head !== totalOf(listed)) {
    problems.push({ kind: 'tampered', message: `${SUM_FILE} was edited by hand: its first line does not match the list below it; regenerate it` });
  }
  const now = new Map(current.entries.map((e) => [e.file, e.hash]));
  const inSum = new Set(listed.map((e) => e.file));
  for (const e of listed) {
    const h = now.get(e.file);
    if (h === undefined) problems.push({ kind: 'removed', file: e.file, message: `${e.file}: removed (listed in ${SUM_FILE}, no longer in ${dir})` });
    else if (h !== e.hash) problems.push({ kind: 'edited', file: e.file, message: `${e.file}: edited after it was recorded in ${SUM_FILE} (checksum differs)` });
  }
  const lastListed = listed.map((e) => e.file).sort().pop();
  for (const e of current.entries) {
    if (inSum.has(e.file)) continue;
    const early = lastListed !== undefined && e.file < lastListed ? `; it sorts before ${lastListed}, so it would run out of order (merged branch?)` : '';
    problems.push({ kind: 'added', file: e.file, message: `${e.file}: added (not in ${SUM_FILE})${early}` });
  }
  return problems;
}
