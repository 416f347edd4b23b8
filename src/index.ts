/**
 * schemaplan's programmatic API: the pipeline stages as plain functions over plain data.
 *
 * ```ts
 * import { connect, introspect, loadParser, buildPlan, upScript } from 'schemaplan';
 * const from = await introspect(await connect(urlA));
 * const to = await introspect(await connect(urlB));
 * await loadParser(); // PostgreSQL's parser, which the planner reads hazards with
 * const plan = buildPlan(from, to, { allowDestructive: false });
 * ```
 *
 * Project-level entry points (what the CLI commands do) are `diffSources`, `upProject`,
 * `downProject`, `statusProject`, `checkProject` and `lintProject`; docs/api.md shows each.
 */
export * from './catalog/index.js';
export { listSchemaFiles, loadSchema } from './catalog/load.js';
export { loadConfig, type Config, ConfigError } from './config/config.js';
export { connect } from './db/connect.js';
export { openShadow, pgliteShadow, serverShadow, type Shadow } from './db/shadow.js';
export type { Db } from './db/types.js';
export { redactUrl } from './db/redact.js';
export { quoteIdent, qualified, quoteLiteral } from './db/quote.js';
export { diff } from './diff/index.js';
export type { Change, ChangeOp } from './diff/change.js';
export { orderChanges } from './plan/order.js';
export { applyPolicy, type BlockedChange } from './plan/policy.js';
export { buildPlan, type Plan, type PlannedChange, type PlanOptions } from './plan/plan.js';
export { statementHazards, type Hazard, type HazardKind } from './plan/hazards.js';
export { planDocument, renderMarkdown, renderYaml, upScript, type PlanDocument } from './plan/document.js';
export * from './migrations/index.js';
export * from './runner/index.js';
export { executeScript, SqlExecutionError } from './sql/execute.js';
export { loadParser, ParserNotLoadedError } from './sql/parser.js';
export { renameHints, HintError, type RenameHint, type HintTarget } from './sql/hints.js';
export { resolveRenames, impliedRenames, type Rename } from './plan/hinted-renames.js';
export {
  shadowFor, desiredCatalog, historyCatalog, historyState, liveState, applyRenames, materialize, schemaHints, type CurrentState,
} from './project/states.js';
export { liveCatalog } from './project/live.js';
export { adoptDatabase, type AdoptResult } from './project/adopt.js';
export { writePlan } from './project/write.js';
export { runCheck, type CheckProblem } from './project/check.js';
export {
  diffSources, upProject, downProject, statusProject, checkProject, lintProject, assertSumAgrees,
  type DiffSourcesOptions, type DiffSourcesResult, type ProjectRunOptions,
} from './api.js';
export { lintPaths, lintText, formatFindings, type Finding, type LintResult, type LintOptions } from './lint/index.js';
export { buildReview, renderReviewMarkdown, REVIEW_MARKER, type Review } from './project/review.js';
