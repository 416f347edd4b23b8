/**
 * The benchmark's tables (pure functions): one row per case with the median of each tool, the
 * floor it is compared against, the peer, their ratios and peak RSS; and the scaling table.
 */
import { formatKb, formatRatio, formatTiming, ratio, summarize } from './stats.js';

/** Repeated measurements of one tool on one case; `error` stops further runs of that tool. */
export interface Cell {
  /** Wall times, ms. */
  ms: number[];
  /** Peak RSS per run, KiB (Node programs only). */
  rssKb: number[];
  error?: string;
  /** The time budget ran out before this cell's first run. */
  notReached?: boolean;
}

/** One case of a section. */
export interface Row {
  name: string;
  schemaplan: Cell;
  /** null: the section has no floor (or it is missing, said in the section's header). */
  floor: Cell | null;
  /** null: pg-delta does not apply to this case (or is missing). */
  peer: Cell | null;
  /** Facts checked on the outputs (what was planned, what went wrong). */
  notes: string[];
}

/** A group of rows measured against the same floor. */
export interface Section {
  title: string;
  /** What the floor column measures. */
  floorLabel: string;
  /** What the schemaplan column runs. */
  schemaplanLabel: string;
  /** What the pg-delta column runs, or why it is empty. */
  peerLabel: string;
  rows: Row[];
}

/** An empty cell. */
export function cell(): Cell {
  return { ms: [], rssKb: [] };
}

function timing(c: Cell | null): string {
  if (!c) return 'n/a';
  if (c.notReached) return 'not reached';
  if (c.error && c.ms.length === 0) return 'failed';
  return formatTiming(summarize(c.ms)) + (c.error ? ' (then failed)' : '');
}

/** Markdown of one section: header lines, the table, then notes and errors. */
export function renderSection(s: Section): string {
  const out: string[] = [`## ${s.title}`, '', `- schemaplan: ${s.schemaplanLabel}`, `- floor: ${s.floorLabel}`, `- pg-delta: ${s.peerLabel}`, ''];
  out.push('| case | schemaplan | floor | schemaplan ÷ floor | pg-delta | schemaplan ÷ pg-delta | peak RSS schemaplan | peak RSS pg-delta |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of s.rows) {
    const sp = summarize(r.schemaplan.ms);
    const fl = r.floor ? summarize(r.floor.ms) : null;
    const pd = r.peer ? summarize(r.peer.ms) : null;
    out.push(`| ${[
      r.name,
      timing(r.schemaplan),
      timing(r.floor),
      formatRatio(ratio(sp, fl)),
      timing(r.peer),
      formatRatio(ratio(sp, pd)),
      formatKb(summarize(r.schemaplan.rssKb)),
      r.peer ? formatKb(summarize(r.peer.rssKb)) : 'n/a',
    ].join(' | ')} |`);
  }
  const notes: string[] = [];
  for (const r of s.rows) {
    for (const [tool, c] of [['schemaplan', r.schemaplan], ['floor', r.floor], ['pg-delta', r.peer]] as const) {
      if (c?.error) notes.push(`- ${r.name}, ${tool}: ${c.error}`);
    }
    for (const n of r.notes) notes.push(`- ${r.name}: ${n}`);
  }
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}

/** One tool's figures at each size of the scaling section. */
export interface ScalePoint {
  tool: string;
  direction: string;
  /** size (tables) → cell */
  bySize: Map<number, Cell>;
}

/**
 * The scaling table: per tool and direction, the median at the smallest and largest size, their
 * ratio (10× the tables and a ratio of 10 is linear), and peak RSS at both sizes.
 */
export function renderScaling(sizes: number[], points: ScalePoint[]): string {
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  const out: string[] = [
    `## Scaling: ${lo} → ${hi} tables (${(hi / lo).toFixed(0)}× the objects)`,
    '',
    `| tool | direction | ${lo} tables | ${hi} tables | time ratio | peak RSS ${lo} | peak RSS ${hi} | RSS ratio |`,
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of points) {
    const a = p.bySize.get(lo);
    const b = p.bySize.get(hi);
    const ra = a ? summarize(a.rssKb) : null;
    const rb = b ? summarize(b.rssKb) : null;
    out.push(`| ${[
      p.tool,
      p.direction,
      timing(a ?? null),
      timing(b ?? null),
      formatRatio(ratio(summarize(b?.ms ?? []), summarize(a?.ms ?? []))),
      ra ? formatKb(ra) : '–',
      rb ? formatKb(rb) : '–',
      formatRatio(ratio(rb, ra)),
    ].join(' | ')} |`);
  }
  return out.join('\n');
}
