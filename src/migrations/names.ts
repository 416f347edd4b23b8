/**
 * Migration file names: `YYYYMMDDHHMMSS_lower_snake.sql` (the convention schemaplan writes, UTC
 * timestamp) and, for adopted up-only histories, `NNN_description.sql` or `NNN-description.sql`
 * (version = the digits; hyphenated names are those of histories applied by hand with `psql -f`).
 */

/** What a migration file name says. */
export interface MigrationName {
  /** The leading digits exactly as written (e.g. `20261121093000`, `001`): the tracking table's `version`. */
  version: string;
  /** The description after the first underscore, without `.sql` (e.g. `add_ai_summary_columns`). */
  name: string;
  /** `timestamp` for a 14-digit version, `sequence` for any other number of digits. */
  style: 'timestamp' | 'sequence';
  /** The character between the version and the description: `_` (schemaplan's) or `-` (`001-initial-leads-table.sql`). */
  separator: '_' | '-';
}

/** Thrown for a file name that is not a migration name; the message names the file and the expected form. */
export class MigrationNameError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}; expected YYYYMMDDHHMMSS_lower_snake_description.sql (UTC timestamp), NNN_description.sql or NNN-description.sql`);
    this.name = 'MigrationNameError';
  }
}

const NAME_RE = /^(\d+)([_-])([A-Za-z0-9][A-Za-z0-9_-]*)\.sql$/;

/** The base name of a path (`/`- or `\`-separated), so that errors can name what the caller passed. */
function baseName(file: string): string {
  const parts = file.split(/[\\/]/);
  return parts[parts.length - 1] ?? file;
}

/**
 * Like {@link parseMigrationFileName} but returns `{ error }` instead of throwing.
 * @param file a file name or path (only the base name is examined)
 */
export function tryParseMigrationFileName(file: string): MigrationName | { error: string } {
  const r = parseName(file);
  return r instanceof MigrationNameError ? { error: r.message } : r;
}

function parseName(file: string): MigrationName | MigrationNameError {
  const base = baseName(file);
  if (!base.endsWith('.sql')) return new MigrationNameError(file, 'not a .sql file');
  const m = NAME_RE.exec(base);
  if (!m) {
    const reason = !/^\d/.test(base)
      ? 'the name must start with the version digits'
      : !/^\d+[_-]/.test(base)
        ? 'the version digits must be followed by "_" (or "-") and a description'
        : 'the description may only contain letters, digits, "_" and "-"';
    return new MigrationNameError(file, reason);
  }
  const version = m[1]!;
  return { version, name: m[3]!, style: version.length === 14 ? 'timestamp' : 'sequence', separator: m[2] as '_' | '-' };
}

/**
 * Parses a migration file name (or path; only the base name is examined).
 * @returns `{ version, name, style, separator }`
 * @throws MigrationNameError when the name has no leading digits, no `_description`, characters other
 *   than letters/digits/`_`/`-` in the description, or does not end in `.sql`.
 * @example parseMigrationFileName('20261121093000_add_ai_summary_columns.sql')
 *   // → { version: '20261121093000', name: 'add_ai_summary_columns', style: 'timestamp', separator: '_' }
 * @example parseMigrationFileName('001-initial-leads-table.sql')
 *   // → { version: '001', name: 'initial-leads-table', style: 'sequence', separator: '-' }
 */
export function parseMigrationFileName(file: string): MigrationName {
  const r = parseName(file);
  if (r instanceof MigrationNameError) throw r;
  return r;
}

/**
 * Convention breaches of a name that {@link parseMigrationFileName} accepts (for `check`/`lint`):
 * a 14-digit version that is not a valid UTC date-time, or a description that is not lower_snake_case.
 * Sequence-numbered (`NNN_`, `NNN-`) names are accepted as an adopted legacy history and only checked
 * for the description (`NNN-` names: lower-case words joined by `-`, as such histories write them). Returns an empty list for a conventional name; messages do not repeat the file name.
 * @throws MigrationNameError when the name does not parse at all.
 */
export function namingProblems(file: string): string[] {
  const n = parseMigrationFileName(file);
  const out: string[] = [];
  if (n.style === 'timestamp' && !isValidTimestamp(n.version)) {
    out.push(`version ${n.version} is not a valid UTC timestamp (YYYYMMDDHHMMSS)`);
  }
  if (n.separator === '-') {
    if (!/^[a-z0-9]+([-_][a-z0-9]+)*$/.test(n.name)) out.push(`description "${n.name}" is not lower-case words joined by "-" (suggested: ${safeSlug(n.name).replace(/_/g, '-')})`);
  } else if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(n.name)) {
    out.push(`description "${n.name}" is not lower_snake_case (suggested: ${safeSlug(n.name)})`);
  }
  return out;
}

function safeSlug(name: string): string {
  try {
    return slugify(name);
  } catch {
    return 'migration';
  }
}

/** True when a 14-digit string is a real UTC date-time `YYYYMMDDHHMMSS`. */
export function isValidTimestamp(version: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d &&
    t.getUTCHours() === h && t.getUTCMinutes() === mi && t.getUTCSeconds() === s;
}

/**
 * The version for a migration created at `date`: its UTC time as `YYYYMMDDHHMMSS` (14 digits).
 * @example newVersion(new Date('2026-11-21T09:30:00Z')) === '20261121093000'
 */
export function newVersion(date: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

/**
 * Turns a free-text migration name into lower_snake_case: accents removed, camelCase split,
 * every run of other characters becomes one `_`, leading/trailing `_` removed.
 * @example slugify('Add AI summary columns') === 'add_ai_summary_columns'
 * @example slugify('addLeadScore') === 'add_lead_score'
 * @throws Error when nothing usable remains (empty or only punctuation).
 */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (s === '') throw new Error(`migration name ${JSON.stringify(name)} is empty after conversion to lower_snake_case; use letters or digits`);
  return s;
}

/**
 * Orders two version strings numerically (`'9' < '10'`, `'001' == '1'`): negative, zero or positive.
 * Non-digit strings compare as text after all numeric ones.
 */
export function compareVersions(a: string, b: string): number {
  const da = /^\d+$/.test(a);
  const db = /^\d+$/.test(b);
  if (da && db) {
    const x = a.replace(/^0+(?=\d)/, '');
    const y = b.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (da !== db) return da ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The key under which a version is matched between files and tracking rows: digits without leading
 * zeros (`'001'`, `'1'` → `'1'`, so a history named `001_x.sql` matches an integer `version` column
 * or goose's `version_id bigint`), any other string unchanged. `'0'`, `'000'` → `'0'`.
 */
export function versionKey(version: string): string {
  return /^\d+$/.test(version) ? version.replace(/^0+(?=\d)/, '') : version;
}

/** How a history names its files, read from its newest file: schemaplan's timestamps, or a sequence (`NNN_`/`NNN-`). */
export type NameConvention = { style: 'timestamp' } | { style: 'sequence'; width: number; separator: '_' | '-' };

/**
 * The naming convention of a history (base names of its files): that of its newest parseable file
 * (highest version); `timestamp` for an empty history or one whose newest file has a 14-digit version.
 */
export function historyConvention(files: string[]): NameConvention {
  let newest: MigrationName | undefined;
  for (const f of files) {
    const n = tryParseMigrationFileName(f);
    if ('error' in n) continue;
    if (!newest || compareVersions(n.version, newest.version) > 0) newest = n;
  }
  if (!newest || newest.style === 'timestamp') return { style: 'timestamp' };
  return { style: 'sequence', width: newest.version.length, separator: newest.separator };
}

/**
 * The next file name of a sequence-numbered history: the highest version plus one, zero-padded to
 * the width of the newest file's version, the history's separator, and the description in its
 * convention (`_` histories: lower_snake_case; `-` histories: lower-case words joined by `-`).
 * @param slug a lower_snake_case description ({@link slugify})
 * @example nextSequenceName(['001-initial-leads-table.sql', '002-add-summary-columns.sql'], 'add_user_preferences')
 *   // → { version: '003', name: 'add-user-preferences', file: '003-add-user-preferences.sql' }
 * @throws Error when the history is not sequence-numbered
 */
export function nextSequenceName(files: string[], slug: string): { version: string; name: string; file: string; separator: '_' | '-' } {
  const c = historyConvention(files);
  if (c.style !== 'sequence') throw new Error('the history is not sequence-numbered');
  let max = 0n;
  for (const f of files) {
    const n = tryParseMigrationFileName(f);
    if (!('error' in n) && n.style === 'sequence' && BigInt(n.version) > max) max = BigInt(n.version);
  }
  const version = String(max + 1n).padStart(c.width, '0');
  const name = c.separator === '-' ? slug.replace(/_/g, '-') : slug;
  return { version, name, file: `${version}${c.separator}${name}.sql`, separator: c.separator };
}
