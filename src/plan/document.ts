/**
 * The plan document a reviewer reads (`plans/<version>_<name>.yaml`) and its renderings. Plain data:
 * the YAML, JSON and markdown forms all come from `planDocument`.
 */
import { idName } from '../catalog/identity.js';
import { yaml } from '../config/yaml.js';
import type { Plan, PlannedChange } from './plan.js';
import { blocksReads, blocksWrites, HAZARD_KINDS, type HazardKind, type LockMode } from './hazards.js';

/** One change as written in the plan document. */
export interface DocChange {
  kind: string;
  op: string;
  object: string;
  description: string;
  sql: string[];
  reverse: string[];
  lock: string | null;
  hazards: { kind: string; message: string }[];
  transactional: boolean;
  destructive?: string;
  /** With `plan --url`, for a change that rewrites or scans an existing table: its size and estimated rows. */
  table_size?: { table: string; bytes: number; size: string; estimated_rows: number };
}

/** The plan document. */
export interface PlanDocument {
  version?: string;
  name?: string;
  migrations?: { file: string; checksum: string; transactional: boolean }[];
  from_fingerprint: string;
  to_fingerprint: string;
  /** Counts of the up changes by op (`rename` only when the plan has renames). */
  summary: { changes: number; create: number; alter: number; replace: number; drop: number; comment: number; rename?: number; blocked: number; destructive: boolean; hazards: Record<string, number> };
  changes: DocChange[];
  blocked: { object: string; description: string; reason: string; allow_with: string }[];
  /** A drop and an add of the same shape that may be a rename, with the hint that makes it one. Absent when the planner reports none. */
  possible_renames?: PossibleRename[];
  warnings: string[];
  /**
   * Objects outside the scope that the changed objects depend on: the database the migration runs
   * on must have them (`up` checks before it runs anything). Absent when there are none.
   */
  requires?: { kind: string; name: string; by: string[] }[];
  /** Per-object hashes of the catalog the plan started from (`objectHashes`); absent in older plans. Last, being long. */
  from_objects?: Record<string, string>;
}

/**
 * A possible rename as the plan document records it. The planner fills it through an optional
 * `possibleRenames` array of the same shape on its Plan; the markdown shows each with the exact
 * hint to write.
 */
export interface PossibleRename {
  /** Object kind, e.g. `column`. */
  kind: string;
  /** Identity (without kind) of the dropped object, e.g. `public.leads.email`. */
  from: string;
  /** Identity (without kind) of the added object. */
  to: string;
  /** What to write in schema.sql to make it a rename, e.g. `-- schemaplan:renamed-from email`. */
  hint: string;
}

function docChange(c: PlannedChange): DocChange {
  return {
    kind: c.kind,
    op: c.op,
    object: idName(c.id),
    description: c.description,
    sql: c.sql,
    reverse: c.reverse,
    lock: c.lock,
    hazards: c.hazards.map((h) => ({ kind: h.kind, message: h.message })),
    transactional: c.transactional,
    ...(c.destructive ? { destructive: c.destructive } : {}),
    ...(c.tableSize ? { table_size: { table: c.tableSize.table, bytes: c.tableSize.bytes, size: c.tableSize.size, estimated_rows: c.tableSize.rows } } : {}),
  };
}

/** Builds the document of a plan; `files` are the migration files written for it (if any). */
export function planDocument(plan: Plan, meta: { version?: string; name?: string; files?: { file: string; checksum: string; transactional: boolean }[] } = {}): PlanDocument {
  const count = (op: string) => plan.up.filter((c) => c.op === op).length;
  const hazards: Record<string, number> = {};
  for (const c of plan.up) for (const h of c.hazards) hazards[h.kind] = (hazards[h.kind] ?? 0) + 1;
  const renames = (plan as Plan & { possibleRenames?: PossibleRename[] }).possibleRenames;
  return {
    ...(meta.version ? { version: meta.version } : {}),
    ...(meta.name ? { name: meta.name } : {}),
    ...(meta.files ? { migrations: meta.files } : {}),
    from_fingerprint: plan.fromFingerprint,
    to_fingerprint: plan.toFingerprint,
    summary: {
      changes: plan.up.length, create: count('create'), alter: count('alter'), replace: count('replace'), drop: count('drop'), comment: count('comment'),
      ...(count('rename') ? { rename: count('rename') } : {}),
      blocked: plan.blocked.length, destructive: plan.destructive, hazards,
    },
    changes: plan.up.map(docChange),
    blocked: plan.blocked.map((b) => ({ object: idName(b.id), description: b.description, reason: b.reason, allow_with: b.allowWith })),
    ...(renames?.length ? { possible_renames: renames.map((r) => ({ kind: r.kind, from: r.from, to: r.to, hint: r.hint })) } : {}),
    warnings: plan.warnings,
    ...(plan.requires?.length ? { requires: plan.requires.map((r) => ({ kind: r.kind, name: r.name, by: r.by.map(idName) })) } : {}),
    ...(plan.fromObjects ? { from_objects: plan.fromObjects } : {}),
  };
}

/** YAML text of a plan document. */
export function renderYaml(doc: PlanDocument): string {
  return yaml().stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** JSON text of a plan document (the same data as the YAML, for bots). */
export function renderJson(doc: PlanDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/** The output formats of `plan`, `diff` and `show` for a plan document. */
export const DOCUMENT_FORMATS = ['markdown', 'json', 'yaml'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** Renders a plan document in one of {@link DOCUMENT_FORMATS}. */
export function renderDocument(doc: PlanDocument, format: DocumentFormat): string {
  return format === 'json' ? renderJson(doc) : format === 'yaml' ? renderYaml(doc) : renderMarkdown(doc);
}

/**
 * Reads a plan document written by `plan` (`plans/<version>_<name>.yaml`).
 * @throws Error naming the file when it is not YAML or lacks the fields every plan has
 */
export function parsePlanDocument(text: string, file: string): PlanDocument {
  let doc: any;
  try {
    doc = yaml().parse(text);
  } catch (e: any) {
    throw new Error(`${file}: not a plan document (${e.message})`);
  }
  const missing = ['from_fingerprint', 'to_fingerprint', 'summary', 'changes', 'blocked'].filter((k) => !doc || typeof doc !== 'object' || !(k in doc));
  if (missing.length) throw new Error(`${file}: not a plan document (missing ${missing.join(', ')})`);
  doc.warnings ??= [];
  return doc as PlanDocument;
}

/** Escapes text for a markdown table cell or list item (GitHub-flavoured): no markup, no HTML, no cell breaks. */
function md(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>|#]/g, (c) => `\\${c}`);
}

/** Inline code that survives any backticks in `text`. */
function code(text: string): string {
  const t = text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const ticks = t.includes('`') ? '``' : '`';
  return `${ticks}${ticks.length > 1 ? ' ' : ''}${t}${ticks.length > 1 ? ' ' : ''}${ticks}`;
}

/** A lock badge: red when reads wait, orange when writes wait, green otherwise. */
function lockBadge(lock: string | null): string {
  if (!lock) return '–';
  const l = lock as LockMode;
  return `${blocksReads(l) ? '🔴' : blocksWrites(l) ? '🟠' : '🟢'} ${code(lock)}`;
}

/** Hazard kinds in rendering order (worst first), unknown kinds last. */
function sortedHazards<T extends { kind: string }>(hazards: T[]): T[] {
  const rank = (k: string) => { const i = HAZARD_KINDS.indexOf(k as HazardKind); return i < 0 ? HAZARD_KINDS.length : i; };
  return [...hazards].sort((a, b) => rank(a.kind) - rank(b.kind));
}

/** How a blocked change is let through, as a reviewer would type it. */
function allowText(allowWith: string, name?: string): string {
  if (allowWith.startsWith('--')) return `${code(`schemaplan plan ${name ?? '<name>'} ${allowWith}`)}`;
  return code(allowWith);
}

const fence = (lang: string, body: string) => {
  const ticks = body.includes('```') ? '~~~~' : '```';
  return `${ticks}${lang}\n${body.replace(/\s+$/, '')}\n${ticks}`;
};

/**
 * Markdown for a pull request, pasted as it is: a summary line (counts, blocked, lock impact,
 * catalog fingerprints), a table of changes with lock and hazard badges, why each hazard applies,
 * blocked changes with the exact command or hint that would allow them, possible renames (when the
 * plan has any), warnings, the migration files, and the SQL in collapsed sections.
 */
export function renderMarkdown(doc: PlanDocument): string {
  const s = doc.summary;
  const out: string[] = [];
  const title = doc.version ? `${doc.version}_${doc.name ?? ''}` : doc.name;
  out.push(`### schemaplan plan${title ? ` ${code(title)}` : ''}`);
  out.push('');
  const ops = (['rename', 'create', 'alter', 'replace', 'drop', 'comment'] as const).filter((k) => (s[k] ?? 0) > 0).map((k) => `${s[k]} ${k}`);
  const reads = doc.changes.filter((c) => blocksReads(c.lock as LockMode | null)).length;
  const writes = doc.changes.filter((c) => !blocksReads(c.lock as LockMode | null) && blocksWrites(c.lock as LockMode | null)).length;
  const parts = [`**${s.changes} change${s.changes === 1 ? '' : 's'}**${ops.length ? ` (${ops.join(', ')})` : ''}`];
  parts.push(s.blocked ? `**${s.blocked} blocked**` : '0 blocked');
  if (reads) parts.push(`🔴 ${reads} block${reads === 1 ? 's' : ''} reads and writes`);
  if (writes) parts.push(`🟠 ${writes} block${writes === 1 ? 's' : ''} writes`);
  if (!reads && !writes && s.changes) parts.push('🟢 no change blocks reads or writes');
  parts.push(s.destructive ? '**DESTRUCTIVE: loses data**' : 'no data loss');
  out.push(parts.join(' · '));
  out.push('');
  out.push(`Planned from catalog ${code(doc.from_fingerprint)} to ${code(doc.to_fingerprint)}.`);

  if (doc.changes.length) {
    out.push('', '| # | change | lock | hazards |', '|---:|---|---|---|');
    doc.changes.forEach((c, i) => {
      const badges = sortedHazards(c.hazards).map((h) => (h.kind === 'deletes_data' ? `**${code(h.kind)}**` : code(h.kind))).join(' ');
      const size = c.table_size ? ` (${c.table_size.table}: ${c.table_size.size}, ${c.table_size.estimated_rows < 0 ? 'rows unknown' : `about ${c.table_size.estimated_rows} rows`})` : '';
      out.push(`| ${i + 1} | ${md(c.description + size)} | ${lockBadge(c.lock)} | ${badges || '–'} |`);
    });
    out.push('', 'Locks are held until the migration\'s transaction ends. 🔴 reads and writes wait · 🟠 writes wait · 🟢 neither.');
    if (s.rename) out.push('', `Renames (${s.rename}) are declared by \`-- schemaplan:renamed-from\` hints in schema.sql: the data stays; code that uses the old names must deploy together with this migration.`);
    const explained = doc.changes.map((c, i) => ({ c, i })).filter(({ c }) => c.hazards.some((h) => h.kind !== 'blocks_reads' && h.kind !== 'blocks_writes'));
    if (explained.length) {
      out.push('', '<details><summary>Why: hazard details</summary>', '');
      for (const { c, i } of explained) {
        for (const h of sortedHazards(c.hazards)) {
          if (h.kind === 'blocks_reads' || h.kind === 'blocks_writes') continue;
          out.push(`- ${i + 1}. ${code(h.kind)}: ${md(h.message)}`);
        }
      }
      out.push('', '</details>');
    }
  }
  if (doc.blocked.length) {
    out.push('', `#### Blocked: not in this migration (${doc.blocked.length})`, '', '| change | why | to allow it |', '|---|---|---|');
    for (const b of doc.blocked) out.push(`| ${md(b.description)} | ${md(b.reason)} | ${allowText(b.allow_with, doc.name)} |`);
  }
  if (doc.possible_renames?.length) {
    out.push('', `#### Possible renames (${doc.possible_renames.length})`, '', 'A drop and an add of the same shape: if it is a rename, the data is kept only with the hint, written on the added object in schema.sql (on the line before it, or at the end of its line).', '', '| dropped | added | write in schema.sql |', '|---|---|---|');
    for (const r of doc.possible_renames) out.push(`| ${md(`${r.kind} ${r.from}`)} | ${md(`${r.kind} ${r.to}`)} | ${code(r.hint)} |`);
  }
  if (doc.requires?.length) {
    out.push('', `#### Requires, outside the scope (${doc.requires.length})`, '', 'The database this runs on must have these; `up` checks them before it runs anything.', '', '| object | needed by |', '|---|---|');
    for (const r of doc.requires) out.push(`| ${md(`${r.kind} ${r.name}`)} | ${md(r.by.join(', '))} |`);
  }
  if (doc.warnings.length) {
    out.push('', '#### Warnings', '');
    for (const w of doc.warnings) out.push(`- ${md(w)}`);
  }
  if (doc.migrations?.length) {
    out.push('', '#### Files', '');
    for (const m of doc.migrations) out.push(`- ${code(m.file)}${m.transactional ? '' : ' (non-transactional: `transaction:false`)'}`);
  }
  if (doc.changes.length) {
    const up = doc.changes.flatMap((c, i) => [`-- ${i + 1}. ${c.description.replace(/\n/g, ' ')}`, ...c.sql.map((q) => q.trimEnd() + ';')]);
    out.push('', '<details><summary>Up SQL</summary>', '', fence('sql', up.join('\n')), '', '</details>');
    const seen = new Set<string>();
    const down: string[] = [];
    for (const c of [...doc.changes].reverse()) {
      for (const q of c.reverse) if (!seen.has(q)) { seen.add(q); down.push(q.trimEnd() + ';'); }
    }
    if (down.length) out.push('', '<details><summary>Reverse (what the down section undoes)</summary>', '', fence('sql', down.join('\n')), '', '</details>');
  }
  return out.join('\n') + '\n';
}

/**
 * Header statements of generated SQL (a migration file, or `diff`'s script): keep function bodies
 * unchecked (as pg_dump does), since a function may be created before the tables its body uses.
 */
export function preamble(changes: PlannedChange[]): string[] {
  return changes.some((c) => c.kind === 'function') ? ['SET check_function_bodies = false'] : [];
}

/** The up SQL of a plan as one script, preamble included (statements end with `;`); '' when empty. */
export function upScript(plan: Plan): string {
  if (plan.up.length === 0) return '';
  return [...preamble(plan.up), ...plan.up.flatMap((c) => c.sql)].map((s) => s.trimEnd() + ';\n').join('');
}
