/**
 * Migration file sections: reading the up/down parts of the formats schemaplan accepts (dbmate,
 * goose, `-- UP`/`-- DOWN`, up-only) and writing schemaplan's own dbmate-compatible format.
 * Pure text processing; no database, no SQL parser.
 */
import { leadingTriviaLength } from '../sql/split.js';

/** Which marker family a file uses. */
export type MigrationFormat = 'dbmate' | 'goose' | 'updown' | 'uponly';

/** A migration file split into its parts. Line numbers are 1-based lines of the whole file. */
export interface ParsedMigration {
  format: MigrationFormat;
  /** The up section's text: the lines after the up marker up to the next marker (whole file for `uponly`). */
  up: string;
  /** The down section's text, `null` when the file has no down marker (an empty string when the section is empty). */
  down: string | null;
  /** Line of the file where `up` starts; pass `upLine - 1` as `executeScript`'s `lineOffset`. */
  upLine: number;
  /** Line of the file where `down` starts, `null` without a down section. */
  downLine: number | null;
  /** False for `-- migrate:up transaction:false` and goose `-- +goose NO TRANSACTION`. */
  transactional: boolean;
  /** The down section's mode: `-- migrate:down transaction:false` (dbmate) or goose NO TRANSACTION make it false. */
  downTransactional: boolean;
  /** Text of a `-- DESTRUCTIVE: <what is lost>` header line, when present. */
  destructive?: string;
  /**
   * True when a header line `-- schemaplan:baseline` marks the file as a baseline (the state of a
   * database adopted by `init --from-url`): the runner never reverts it. See {@link isBaseline},
   * which also recognises baselines written before the directive existed.
   */
  baseline?: true;
  /**
   * `-- schemaplan:check <query>` header lines: each query (the text after the directive, unparsed)
   * must find no rows in the database before the up section runs; `line` is the 1-based line of the
   * file. Written by `plan` for changes that can fail on existing rows; `up` parses each with
   * PostgreSQL's parser (a single SELECT) and runs them all before any migration (runner/assumptions.ts).
   */
  checks?: { sql: string; line: number }[];
  /**
   * `-- Key: value` comment lines before the first marker (for up-only files: the leading comment
   * block), keyed as written, e.g. `{ Migration: '20261121093000_x', Plan: 'plans/….yaml' }`.
   * Recognised by the runner: `lock_timeout`, `statement_timeout` (PostgreSQL interval text).
   */
  header: Record<string, string>;
}

/** Thrown for a file whose markers are inconsistent; the message starts with `file:line:`. */
export class MigrationFormatError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'MigrationFormatError';
  }
}

type Marker = { family: Exclude<MigrationFormat, 'uponly'>; kind: 'up' | 'down'; line: number; options: string };

const DBMATE_RE = /^--\s*migrate:(up|down)(?![A-Za-z0-9_])(.*)$/i;
const GOOSE_RE = /^--\s*\+goose\s+(up|down)\b(.*)$/i;
const GOOSE_NO_TX_RE = /^--\s*\+goose\s+no\s+transaction\s*$/i;
const UPDOWN_RE = /^--\s*(up|down)\s*$/i;
const HEADER_RE = /^--\s*([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$/;
const BASELINE_RE = /^--\s*schemaplan:baseline\s*$/i;
const CHECK_RE = /^--\s*schemaplan:check(?:\s+(.*?))?\s*$/i;

/** The header line {@link renderMigration} writes for a baseline (read back as `ParsedMigration.baseline`). */
export const BASELINE_DIRECTIVE = '-- schemaplan:baseline';

function markerOf(line: string, n: number): Marker | undefined {
  const l = line.replace(/\r$/, '').replace(/^\uFEFF/, '');
  let m = DBMATE_RE.exec(l);
  if (m) return { family: 'dbmate', kind: m[1]!.toLowerCase() as 'up' | 'down', line: n, options: m[2]!.trim() };
  m = GOOSE_RE.exec(l);
  if (m) return { family: 'goose', kind: m[1]!.toLowerCase() as 'up' | 'down', line: n, options: m[2]!.trim() };
  m = UPDOWN_RE.exec(l);
  if (m) return { family: 'updown', kind: m[1]!.toLowerCase() as 'up' | 'down', line: n, options: '' };
  return undefined;
}

/** dbmate's rule: a section is transactional unless its options say `transaction:false`. */
function dbmateTransactional(options: string): boolean {
  for (const pair of options.split(/\s+/)) {
    const [k, v] = pair.split(':');
    if (k?.toLowerCase() === 'transaction' && v?.toLowerCase() === 'false') return false;
  }
  return true;
}

/**
 * Reads `-- Key: value` lines (and `-- DESTRUCTIVE:`, `-- schemaplan:baseline`, `-- schemaplan:check`)
 * from comment lines; `lineNumbers[i]` is the file line of `lines[i]` (default: i + 1).
 */
function readHeader(lines: string[], lineNumbers?: number[]): { header: Record<string, string>; destructive?: string; baseline?: true; checks?: { sql: string; line: number }[] } {
  const header: Record<string, string> = {};
  let destructive: string | undefined;
  let baseline = false;
  const checks: { sql: string; line: number }[] = [];
  lines.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    if (markerOf(l, 0) || GOOSE_NO_TX_RE.test(l)) return;
    if (BASELINE_RE.test(l)) {
      baseline = true;
      return;
    }
    const c = CHECK_RE.exec(l);
    if (c) {
      checks.push({ sql: c[1] ?? '', line: lineNumbers?.[i] ?? i + 1 });
      return;
    }
    const m = HEADER_RE.exec(l);
    if (!m) return;
    if (m[1] === 'DESTRUCTIVE') destructive = m[2]!;
    else if (!(m[1]! in header)) header[m[1]!] = m[2]!;
  });
  return {
    header, ...(destructive !== undefined ? { destructive } : {}), ...(baseline ? { baseline: true as const } : {}),
    ...(checks.length ? { checks } : {}),
  };
}

/**
 * Whether a migration is a baseline: marked `-- schemaplan:baseline`, or — written by `init
 * --from-url` before that directive existed — named `baseline` with a `-- Plan:` header.
 */
export function isBaseline(m: { name: string; parsed: ParsedMigration }): boolean {
  return m.parsed.baseline === true || (m.name === 'baseline' && m.parsed.header['Plan'] !== undefined);
}

/**
 * Splits a migration file into its sections.
 * - dbmate: `-- migrate:up [transaction:false]` / `-- migrate:down [transaction:false]`
 * - goose: `-- +goose Up` / `-- +goose Down`, `-- +goose NO TRANSACTION` (whole file);
 *   `StatementBegin`/`StatementEnd` lines stay in the text as comments (the SQL parser splits statements)
 * - `-- UP` / `-- DOWN` on lines of their own
 * - no marker at all: an up-only file, the whole text is the up section
 * Markers may come in either order. Text before the first marker must be comments only.
 * A file without markers but with a line resembling one (`-- migrate: up`, `-- +goose up`) is refused.
 * @param file the name used in error messages
 * @throws MigrationFormatError for markers of two families in one file, a repeated marker, a down
 *   marker without an up marker, statements before the first marker (they would run under no section),
 *   or a misspelt marker in a file without markers.
 */
export function parseMigration(text: string, file: string): ParsedMigration {
  const lines = text.split('\n');
  const markers: Marker[] = [];
  let gooseNoTx = false;
  lines.forEach((line, i) => {
    const mk = markerOf(line, i + 1);
    if (mk) markers.push(mk);
    else if (GOOSE_NO_TX_RE.test(line.replace(/\r$/, ''))) gooseNoTx = true;
  });

  if (markers.length === 0) {
    // A misspelt marker must not turn a two-section file into an up-only one that also runs its down part.
    const near = lines.findIndex((l) => /^\s*--\s*(migrate\s*:|\+goose\b)/i.test(l.replace(/^\uFEFF/, '')));
    if (near >= 0) {
      throw new MigrationFormatError(file, near + 1,
        `"${lines[near]!.trim()}" looks like a section marker but is not one; write "-- migrate:up" / "-- migrate:down" (or "-- +goose Up" / "-- +goose Down")`);
    }
    const lead: string[] = [];
    const leadLines: number[] = [];
    for (const [i, l] of lines.entries()) {
      if (/^\s*--/.test(l)) { lead.push(l); leadLines.push(i + 1); }
      else if (/^\s*$/.test(l)) continue;
      else break;
    }
    return { format: 'uponly', up: text, down: null, upLine: 1, downLine: null, transactional: true, downTransactional: true, ...readHeader(lead, leadLines) };
  }

  const family = markers[0]!.family;
  const other = markers.find((m) => m.family !== family);
  if (other) {
    throw new MigrationFormatError(file, other.line,
      `mixes ${family} markers (line ${markers[0]!.line}) with ${other.family} markers; use one style per file`);
  }
  const ups = markers.filter((m) => m.kind === 'up');
  const downs = markers.filter((m) => m.kind === 'down');
  if (ups.length > 1) throw new MigrationFormatError(file, ups[1]!.line, `second up marker (the first is on line ${ups[0]!.line})`);
  if (downs.length > 1) throw new MigrationFormatError(file, downs[1]!.line, `second down marker (the first is on line ${downs[0]!.line})`);
  if (ups.length === 0) throw new MigrationFormatError(file, downs[0]!.line, 'has a down marker but no up section (add the up marker before the up statements)');

  if (family === 'goose') checkGooseDirectives(lines, file);

  const first = markers[0]!.line;
  const preamble = lines.slice(0, first - 1);
  const preText = preamble.join('\n');
  const triv = leadingTriviaLength(preText);
  if (triv < preText.length) {
    const line = preText.slice(0, triv).split('\n').length;
    throw new MigrationFormatError(file, line, `statements before the first section marker (line ${first}) belong to no section; move them below it`);
  }

  const section = (m: Marker): { text: string; line: number } => {
    const next = markers.filter((x) => x.line > m.line).map((x) => x.line).sort((a, b) => a - b)[0] ?? lines.length + 1;
    return { text: lines.slice(m.line, next - 1).join('\n'), line: m.line + 1 };
  };
  const up = section(ups[0]!);
  const down = downs[0] ? section(downs[0]) : undefined;
  const transactional = family === 'dbmate' ? dbmateTransactional(ups[0]!.options) : !gooseNoTx;
  const downTransactional = family === 'dbmate' ? (downs[0] ? dbmateTransactional(downs[0].options) : true) : !gooseNoTx;
  return {
    format: family,
    up: up.text,
    down: down ? down.text : null,
    upLine: up.line,
    downLine: down ? down.line : null,
    transactional,
    downTransactional,
    ...readHeader(preamble),
  };
}

const GOOSE_DIRECTIVE_RE = /^--\s*\+goose\s+(.*?)\s*$/i;

/**
 * goose annotations other than the section markers: `StatementBegin`/`StatementEnd` must pair up
 * within a section (goose refuses an unclosed block), `NO TRANSACTION` is read by the caller, and
 * `ENVSUB ON` is refused because the file's meaning would then depend on environment variables
 * (schemaplan runs files as written). Statement splitting itself is done by PostgreSQL's parser, so a
 * `StatementBegin … StatementEnd` block holding one plpgsql body stays one statement either way.
 * @throws MigrationFormatError naming the line.
 */
function checkGooseDirectives(lines: string[], file: string): void {
  let open: number | undefined;
  lines.forEach((raw, i) => {
    const m = GOOSE_DIRECTIVE_RE.exec(raw.replace(/\r$/, '').replace(/^\uFEFF/, ''));
    if (!m) return;
    const d = m[1]!.toLowerCase().replace(/\s+/g, ' ');
    const n = i + 1;
    if (d === 'up' || d === 'down' || /^(up|down)\b/.test(d)) {
      if (open !== undefined) throw new MigrationFormatError(file, open, '"-- +goose StatementBegin" is not closed by "-- +goose StatementEnd" before the next section');
    } else if (d === 'statementbegin') {
      if (open !== undefined) throw new MigrationFormatError(file, n, `"-- +goose StatementBegin" inside another block (opened on line ${open})`);
      open = n;
    } else if (d === 'statementend') {
      if (open === undefined) throw new MigrationFormatError(file, n, '"-- +goose StatementEnd" without a "-- +goose StatementBegin"');
      open = undefined;
    } else if (d === 'no transaction' || d === 'envsub off') {
      // read by parseMigration / no effect
    } else if (d === 'envsub on') {
      throw new MigrationFormatError(file, n, '"-- +goose ENVSUB ON" substitutes environment variables into the SQL; schemaplan runs files as written, so replace the variables by their values');
    } else {
      throw new MigrationFormatError(file, n, `unknown goose annotation "${raw.trim()}" (known: Up, Down, StatementBegin, StatementEnd, NO TRANSACTION)`);
    }
  });
  if (open !== undefined) throw new MigrationFormatError(file, open, '"-- +goose StatementBegin" is not closed by "-- +goose StatementEnd"');
}

/** What {@link renderMigration} writes. */
export interface RenderMigrationInput {
  /** 14-digit UTC version, e.g. `20261121093000`. */
  version: string;
  /** lower_snake_case description (lower-case words joined by `-` in a `NNN-description.sql` history). */
  name: string;
  /** The character between version and name in the file name (default `_`), for the `-- Migration:` header. */
  separator?: '_' | '-';
  /** Path of the plan document relative to the project root (forward slashes), e.g. `plans/<v>_<name>.yaml`. */
  planFile?: string;
  /** Up statements in order; a trailing `;` is added when missing. They must not end in a `--` comment. */
  up: string[];
  /** Down statements in order (run newest first is the runner's business; these run top to bottom). */
  down: string[];
  /** False writes `transaction:false` on both markers (unless `downTransactional` says otherwise). */
  transactional: boolean;
  /** Defaults to `transactional`. */
  downTransactional?: boolean;
  /** What is lost when the up section runs; written as the first line `-- DESTRUCTIVE: …`. */
  destructive?: string;
  /** Free text written as `-- ` comment lines after the Migration/Plan header lines. */
  headerComment?: string;
  /**
   * Marks the file a baseline (`-- schemaplan:baseline` after the Migration/Plan lines): its down
   * section holds only a comment saying it is never reverted, so `down` must be empty.
   */
  baseline?: boolean;
  /**
   * Marker family to write (default `dbmate`, schemaplan's own): `goose` (`-- +goose Up`/`Down`,
   * `-- +goose NO TRANSACTION`), `updown` (`-- UP`/`-- DOWN`), `uponly` (no markers, no down section).
   * Used by `new` to keep a history in the format it already has.
   */
  format?: MigrationFormat;
}

/** The down section of a baseline: comment lines only. */
const BASELINE_DOWN_COMMENT = [
  '-- A baseline is never reverted: it stands for the database as it was when schemaplan adopted it,',
  '-- so `schemaplan down` and `redo` refuse it. To rebuild a development database from the history,',
  '-- run `schemaplan fresh --yes` (the only rebuild); to revert the migrations after it, `schemaplan down --to <this version>`.',
];

function renderStatements(stmts: string[]): string {
  return stmts
    .map((s) => s.trim())
    .filter((s) => s !== '' && s !== ';')
    .map((s) => (s.endsWith(';') ? s : s + ';'))
    .join('\n\n');
}

/**
 * Writes a migration file in the documented format (dbmate-compatible):
 * ```
 * -- DESTRUCTIVE: <what is lost>        (only when destructive)
 * -- Migration: <version>_<name>
 * -- Plan: <planFile>                   (only when planFile)
 * -- migrate:up                         (" transaction:false" when not transactional)
 * <statements, each ending with ;, separated by a blank line>
 * -- migrate:down
 * <statements>
 * ```
 * The text ends with a newline. {@link parseMigration} reads it back with the same statements.
 */
export function renderMigration(input: RenderMigrationInput): string {
  const format = input.format ?? 'dbmate';
  const downTx = input.downTransactional ?? input.transactional;
  if (format === 'goose' && input.transactional !== downTx) {
    throw new Error('goose files have one transaction mode for both sections (-- +goose NO TRANSACTION); write two files');
  }
  if ((format === 'updown' || format === 'uponly') && (!input.transactional || !downTx)) {
    throw new Error(`the ${format} format has no way to mark a file non-transactional; use the dbmate format (-- migrate:up transaction:false)`);
  }
  if (format === 'uponly' && renderStatements(input.down) !== '') throw new Error('an up-only file has no down section');
  if (input.baseline && renderStatements(input.down) !== '') throw new Error('a baseline has no down statements (it is never reverted)');
  const out: string[] = [];
  if (input.destructive !== undefined) out.push(`-- DESTRUCTIVE: ${input.destructive.replace(/\s*\n\s*/g, '; ').trim()}`);
  out.push(`-- Migration: ${input.version}${input.separator ?? '_'}${input.name}`);
  if (input.planFile) out.push(`-- Plan: ${input.planFile}`);
  if (input.baseline) out.push(BASELINE_DIRECTIVE);
  if (input.headerComment) {
    for (const l of input.headerComment.replace(/\s+$/, '').split('\n')) out.push(l.trim() === '' ? '--' : `-- ${l.trimEnd()}`);
  }
  const [upMarker, downMarker] =
    format === 'goose' ? ['-- +goose Up', '-- +goose Down']
      : format === 'updown' ? ['-- UP', '-- DOWN']
        : [`-- migrate:up${input.transactional ? '' : ' transaction:false'}`, `-- migrate:down${downTx ? '' : ' transaction:false'}`];
  if (format === 'goose' && !input.transactional) out.push('-- +goose NO TRANSACTION');
  const up = renderStatements(input.up);
  if (format === 'uponly') {
    if (up) out.push(up);
    return out.join('\n') + '\n';
  }
  out.push(upMarker);
  if (up) out.push(up);
  out.push(downMarker);
  if (input.baseline) out.push(...BASELINE_DOWN_COMMENT);
  const down = renderStatements(input.down);
  if (down) out.push(down);
  return out.join('\n') + '\n';
}
