/** Lint of migration files (`schemaplan lint`, and part of `schemaplan check`). */
export { lintText, lintPaths, formatFindings, describeRules, type Finding, type LintOptions, type LintInput, type LintResult } from './lint.js';
export { RULES, ONLINE_RULES, ruleInfo, type RuleInfo, type Severity, type RuleGroup } from './rules.js';
export { SchemaModel } from './model.js';
