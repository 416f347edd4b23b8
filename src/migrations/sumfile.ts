/**
 * `migrations/schemaplan.sum`, modelled on Atlas's `atlas.sum`: the first line is `h1:<hash>` over the
 * list that follows, then one line per migration file, `<file> h1:<base64 SHA-256 of the file's bytes>`,
 * sorted by file name. An edited, removed or unlisted file — or an edited sum file — is detected by
 * {@link verifySum} so that `check` fails on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Base64 } from './checksum.js';

/** The sum file's name inside the migrations folder. */
export const SUM_FILE = 'schemaplan.sum';

/** One listed file. */
export interface SumEntry {
  /** Base name of the migration file, e.g. `20261121093000_add_ai_summary_columns.sql`. */
  file: string;
  /** `h1:` + base64 SHA-256 of the file's bytes. */
  hash: string;
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

/** Computes the sum of the `.sql` files in `dir` (a missing folder has an empty sum). Reads files; writes nothing. */
export function computeSum(dir: string): Sum {
  const entries = migrationFiles(dir).map((file) => ({ file, hash: 'h1:' + sha256Base64(fs.readFileSync(path.join(dir, file))) }));
  return { total: totalOf(entries), entries, text: render(entries) };
}

/**
 * Writes `dir/schemaplan.sum` for the current files (creating `dir` if needed) and returns what was written.
 * @throws the file system error when the folder is not writable.
 */
export function writeSum(dir: string): Sum {
  const sum = computeSum(dir);
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
    const m = /^(\S+) (h1:\S+)$/.exec(l);
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
