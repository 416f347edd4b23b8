/**
 * `plan --url`'s verdict on the data: counts what the live database holds in the way of each data
 * check (data-counts.ts), turns counts above zero into blocking lines that name the table, the
 * columns, the count and a way forward, and notes what was not checked. It also records, on every
 * change that rewrites or scans an existing table (or has a data check), that table's size and
 * estimated row count, which the plan document shows next to the change.
 */
import { idName } from '../catalog/identity.js';
import { connectLive } from './live.js';
import { describeCount, type DataCheckSet } from '../plan/data-checks.js';
import type { Plan, PlannedChange } from '../plan/plan.js';
import { countDataChecks, DATA_COUNT_TIMEOUT, prettySize, tableSizes, type CountedCheck } from './data-counts.js';

/** What `checkLiveData` found. */
export interface DataVerdict {
  /** One line per check with rows in its way (empty: the plan may be written). */
  blocking: string[];
  /** `note: …` lines: checks whose count is unknown, changes not checked against the rows. */
  notes: string[];
  counted: CountedCheck[];
}

/** Hazards that read every row of the table (or write it again). */
const SCANS = new Set(['table_rewrite', 'validation_scan', 'index_build']);

/** The table a planned change acts on, from the plan's catalogs. */
function tableOfChange(plan: Plan, c: PlannedChange): string | undefined {
  if (c.kind === 'table') return c.id;
  for (const cat of [plan.target, plan.origin]) {
    const o = cat?.objects[c.id];
    if (o && 'table' in o && typeof o.table === 'string') return o.table;
  }
  return undefined;
}

/** `public.orders (region): 3 row(s) in the way: …; way forward`, for one counted check. */
export function describeBlocking(c: CountedCheck): string {
  const k = c.check;
  const n = c.estimated ? `about ${c.count} (planner estimate: counting took over ${DATA_COUNT_TIMEOUT})` : String(c.count);
  return `${k.table} (${k.columns.join(', ')}): ${describeCount(k.kind, n)} in the way: ${k.needs}. ` +
    `Way forward: ${k.remedy}. Query: ${k.sql}`;
}

/**
 * Counts the data checks of `plan` on the database at `url` and annotates the plan's changes with
 * table sizes (`PlannedChange.tableSize`).
 * @throws connection errors, and PostgreSQL errors other than a timeout, lock wait or missing privilege
 */
export async function checkLiveData(url: string, plan: Plan, data: DataCheckSet): Promise<DataVerdict> {
  const db = await connectLive(url);
  try {
    const counted = await countDataChecks(db, data.checks);
    const checked = new Set(data.checks.map((c) => c.change));
    const touched = new Map<PlannedChange, string>();
    for (const c of plan.up) {
      const t = tableOfChange(plan, c);
      if (t && plan.origin?.objects[t]?.kind === 'table' && (checked.has(c.id) || c.hazards.some((h) => SCANS.has(h.kind)))) touched.set(c, t);
    }
    const ids = [...new Set(touched.values())];
    const sizes = await tableSizes(db, ids.map((id) => {
      const t = plan.origin!.objects[id]!;
      return { id, schema: t.schema, name: t.name };
    }));
    for (const [c, t] of touched) {
      const s = sizes[t];
      if (s) c.tableSize = { table: idName(t), bytes: s.bytes, size: prettySize(s.bytes), rows: s.rows };
    }
    const blocking = counted.filter((c) => c.count > 0).map(describeBlocking);
    const notes = [
      ...counted.filter((c) => c.count < 0).map((c) => `note: ${c.check.table} (${c.check.columns.join(', ')}): ${c.unknownBecause
        ? `not counted, the query reads what this plan creates (${c.unknownBecause}); PostgreSQL checks the rows when the migration runs`
        : `could not count within ${DATA_COUNT_TIMEOUT} and the statistics do not say; \`up\` checks it before it runs`} (${c.check.sql})`),
      ...data.uncovered.map((u) => `note: not checked against the rows: ${u}`),
    ];
    return { blocking, notes, counted };
  } finally {
    await db.close();
  }
}
