/** `diff --from SRC --to SRC` as a function: the plan that turns one source into another (CLI and API alike). */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { assertNamedSchemasExist, comparedLine } from '../catalog/scope.js';
import { redactUrl } from '../db/redact.js';
import { buildPlan, type Plan } from '../plan/plan.js';
import { loadParser } from '../sql/parser.js';
import { upScript } from '../plan/document.js';
import { describeShadow, introspectOptions, renamedCopy, schemaHints, shadowFor, sourceCatalog } from './states.js';

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
  // The parser (for the hazards of the plan) loads while the databases are read.
  const parser = loadParser();
  const live = [from, to].find((s) => isSourceUrl(s) && !s.startsWith('pglite:'));
  const open = shadowFor(config, live, opts.report ? { report: opts.report } : {});
  const resolve = (s: string) => (isSourceUrl(s) ? s : path.resolve(s));
  const scope = introspectOptions(config, { tracking: false });
  // Both sides are read at once when one is a live database: its server works while this process
  // reads the other. Two shadows loading files would only compete for this process's thread.
  const read = (s: string) => sourceCatalog(config, resolve(s), open, scope);
  const [toCat, fromCat] = live ? await Promise.all([read(to), read(from)]) : [await read(to), await read(from)];
  const hints = isSourceUrl(to) ? [] : await schemaHints({ ...config, schema: [resolve(to)] });
  const fromState = await renamedCopy(config, fromCat, open, { hints, desired: toCat }, scope);
  const name = (s: string) => (isSourceUrl(s) ? redactUrl(s) : `${s} loaded in ${describeShadow(config, live)}`);
  assertNamedSchemasExist([fromState.original, toCat]);
  const compared = comparedLine(name(from), name(to), [fromState.original, toCat]);
  opts.report?.(compared);
  await parser;
  const plan = buildPlan(fromState.renamed, toCat, { allowDestructive: !!opts.allowDestructive, online: false, renames: fromState, reverse: opts.reverse !== false });
  return { plan, sql: upScript(plan), compared };
}
