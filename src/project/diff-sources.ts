/** `diff --from SRC --to SRC` as a function: the plan that turns one source into another (CLI and API alike). */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { assertNamedSchemasExist, comparedLine } from '../catalog/scope.js';
import type { Catalog } from '../catalog/model.js';
import { redactUrl } from '../db/redact.js';
import type { IntrospectStage } from '../catalog/introspect.js';
import type { Plan } from '../plan/plan.js';
import { loadParser } from '../sql/parser.js';
import { liveCatalog } from './live.js';
import { introspectOptions } from './scope.js';
import type { CurrentState } from './states.js';

/** Options of {@link diffSources}. */
export interface DiffSourcesOptions {
  /** Include destructive changes (default: they are listed in `plan.blocked`). */
  allowDestructive?: boolean;
  /** Receives progress lines (which shadow is used, what was compared). */
  report?: (line: string) => void;
  /** Plan the down side too (default true); `false` when only the up SQL is wanted (see `PlanOptions.reverse`). */
  reverse?: boolean;
}

/** What {@link diffSources} returns. */
export interface DiffSourcesResult {
  /** The plan from `from` to `to` (plain forms: one script, no online file boundaries). */
  plan: Plan;
  /** The up SQL as `schemaplan diff` prints it ('' when there is nothing to do). */
  sql: string;
  /** The line naming both sides and the compared scope. */
  compared: string;
}

/** A postgres://, postgresql:// or pglite: URL (anything else is a `.sql` file or folder). */
export const isSourceUrl = (s: string): boolean => /^(postgres(ql)?|pglite):/i.test(s);

/**
 * Compares two sources, each a database URL (read only) or a `.sql` file or folder (loaded in a
 * shadow), and plans `from` → `to`. Every table of both is compared, even one named like the
 * history table; rename hints in `to` files rename the `from` state in a shadow copy.
 * @param config the project configuration (scope, shadow); `loadConfig(dir)` of any folder works
 */
export async function diffSources(config: Config, from: string, to: string, opts: DiffSourcesOptions = {}): Promise<DiffSourcesResult> {
  // A live database is read by live.ts, which loads only the catalog reader and the driver, so the
  // connections open before the planner's modules have loaded; the shadow code (states.ts) loads
  // only when a side is a file or PGlite. The planner loads while a server reads the structure
  // rows, the SQL parser (for the plan's hazards) while it prints definitions: then this process
  // has nothing else to do. Not at start: loading either keeps this process's thread for 30 to
  // 50 ms, which would delay the connections and the first queries. For a file, both load once it
  // is read.
  let planner: Promise<[typeof import('../plan/plan.js'), typeof import('../plan/document.js')]> | undefined;
  const startPlanner = () => void (planner ??= Promise.all([import('../plan/plan.js'), import('../plan/document.js')]));
  let parser: Promise<void> | undefined;
  const startParser = () => void (parser ??= loadParser());
  const onStage = (stage: IntrospectStage) => (stage === 'structure' ? startPlanner() : stage === 'definitions' ? startParser() : undefined);
  const isLive = (s: string) => isSourceUrl(s) && !s.startsWith('pglite:');
  const states = isLive(from) && isLive(to) ? undefined : import('./states.js');
  const live = [from, to].find(isLive);
  const open = states?.then((m) => m.shadowFor(config, live, opts.report ? { report: opts.report } : {}));
  const resolve = (s: string) => (isSourceUrl(s) ? s : path.resolve(s));
  const scope = introspectOptions(config, { tracking: false });
  // Both sides are read at once when one is a live database: its server works while this process
  // reads the other. Two shadows loading files would only compete for this process's thread.
  const read = async (s: string): Promise<Catalog> => {
    if (isLive(s)) return liveCatalog(config, s, scope, { onStage });
    const cat = await (await states!).sourceCatalog(config, resolve(s), (await open)!, scope);
    startPlanner();
    startParser();
    return cat;
  };
  const [toCat, fromCat] = live ? await Promise.all([read(to), read(from)]) : [await read(to), await read(from)];
  let fromState: CurrentState = { original: fromCat, renamed: fromCat, renames: [], warnings: [] };
  if (states) {
    // Rename hints in `to` files rename the `from` state in a shadow copy.
    const m = await states;
    const hints = isSourceUrl(to) ? [] : await m.schemaHints({ ...config, schema: [resolve(to)] });
    fromState = await m.renamedCopy(config, fromCat, (await open)!, { hints, desired: toCat }, scope);
  }
  const shadowName = states ? (await states).describeShadow(config, live) : '';
  const name = (s: string) => (isSourceUrl(s) ? redactUrl(s) : `${s} loaded in ${shadowName}`);
  assertNamedSchemasExist([fromState.original, toCat]);
  const compared = comparedLine(name(from), name(to), [fromState.original, toCat]);
  opts.report?.(compared);
  startPlanner();
  startParser();
  const [[{ buildPlan }, { upScript }]] = await Promise.all([planner!, parser!]);
  const plan = buildPlan(fromState.renamed, toCat, { allowDestructive: !!opts.allowDestructive, online: false, renames: fromState, reverse: opts.reverse !== false });
  return { plan, sql: upScript(plan), compared };
}
