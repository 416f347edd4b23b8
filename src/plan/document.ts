/**
 * The plan document a reviewer reads (`plans/<version>_<name>.yaml`) and its renderings. Plain data:
 * the YAML, JSON and markdown forms all come from `planDocument`.
 */
import YAML from 'yaml';
import type { Plan, PlannedChange } from './plan.js';

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
}

/** The plan document (DESIGN.md "Files"). */
export interface PlanDocument {
  version?: string;
  name?: string;
  migrations?: { file: string; checksum: string; transactional: boolean }[];
  from_fingerprint: string;
  to_fingerprint: string;
  summary: { changes: number; create: number; alter: number; replace: number; drop: number; comment: number; blocked: number; destructive: boolean; hazards: Record<string, number> };
  changes: DocChange[];
  blocked: { object: string; description: string; reason: string; allow_with: string }[];
  warnings: string[];
}

function docChange(c: PlannedChange): DocChange {
  return {
    kind: c.kind,
    op: c.op,
    object: c.id.slice(c.id.indexOf(':') + 1),
    description: c.description,
    sql: c.sql,
    reverse: c.reverse,
    lock: c.lock,
    hazards: c.hazards.map((h) => ({ kind: h.kind, message: h.message })),
    transactional: c.transactional,
    ...(c.destructive ? { destructive: c.destructive } : {}),
  };
}

/** Builds the document of a plan; `files` are the migration files written for it (if any). */
export function planDocument(plan: Plan, meta: { version?: string; name?: string; files?: { file: string; checksum: string; transactional: boolean }[] } = {}): PlanDocument {
  const count = (op: string) => plan.up.filter((c) => c.op === op).length;
  const hazards: Record<string, number> = {};
  for (const c of plan.up) for (const h of c.hazards) hazards[h.kind] = (hazards[h.kind] ?? 0) + 1;
  return {
    ...(meta.version ? { version: meta.version } : {}),
    ...(meta.name ? { name: meta.name } : {}),
    ...(meta.files ? { migrations: meta.files } : {}),
    from_fingerprint: plan.fromFingerprint,
    to_fingerprint: plan.toFingerprint,
    summary: {
      changes: plan.up.length, create: count('create'), alter: count('alter'), replace: count('replace'), drop: count('drop'), comment: count('comment'),
      blocked: plan.blocked.length, destructive: plan.destructive, hazards,
    },
    changes: plan.up.map(docChange),
    blocked: plan.blocked.map((b) => ({ object: b.id.slice(b.id.indexOf(':') + 1), description: b.description, reason: b.reason, allow_with: b.allowWith })),
    warnings: plan.warnings,
  };
}

/** YAML text of a plan document. */
export function renderYaml(doc: PlanDocument): string {
  return YAML.stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Markdown for a pull request: summary line, table of changes with lock and hazards, blocked changes, warnings. */
export function renderMarkdown(doc: PlanDocument): string {
  const s = doc.summary;
  const out: string[] = [];
  out.push(`### schemaplan${doc.version ? ` ${doc.version}_${doc.name}` : ''}`);
  out.push('');
  out.push(`**${s.changes} change(s)**: ${s.create} create, ${s.alter} alter, ${s.replace} replace, ${s.drop} drop, ${s.comment} comment; ${s.blocked} blocked${s.destructive ? '; **DESTRUCTIVE**' : ''}.`);
  if (doc.changes.length) {
    out.push('', '| # | change | lock | hazards |', '|---|---|---|---|');
    doc.changes.forEach((c, i) => out.push(`| ${i + 1} | ${c.description.replace(/\|/g, '\\|')} | ${c.lock ?? '–'} | ${c.hazards.map((h) => '`' + h.kind + '`').join(' ') || '–'} |`));
  }
  if (doc.blocked.length) {
    out.push('', '**Blocked (not in the migration):**', '');
    for (const b of doc.blocked) out.push(`- ${b.description}: ${b.reason} — allow with \`${b.allow_with}\``);
  }
  if (doc.warnings.length) {
    out.push('', '**Warnings:**', '');
    for (const w of doc.warnings) out.push(`- ${w}`);
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
