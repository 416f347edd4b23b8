/**
 * `schemaplan lint`: conventions and online-safety hazards of migration files, hand-written or
 * generated, found with PostgreSQL's own parser (libpg-query) and the same hazard classifier the
 * planner uses (`plan/hazards.ts`). Findings carry the rule id, file:line:column, a message and a fix.
 *
 * What "existing table" means: a table not created earlier in the same file (a table created in the
 * file is empty and unseen by the application, as in Squawk's rules). Only up sections are checked
 * for hazards; down sections must parse. Rules are switched off per file with
 * `-- schemaplan:disable rule-id[, rule-id]` and per project in schemaplan.yaml (`lint.disable`,
 * or downgraded with `lint.warn`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { namingProblems, parseMigration, tryParseMigrationFileName, compareVersions, type ParsedMigration } from '../migrations/index.js';
import { MigrationFormatError } from '../migrations/index.js';
import { byteToCharIndex, lineColumn, loadParser, splitStatements, SqlSyntaxError, type Statement } from '../sql/split.js';
import { isSerialType, nodeHazards, rangeVarName, type HazardContext, type StatementHazards } from '../plan/hazards.js';
import { SchemaModel, columnTypeOf } from './model.js';
import { RULES, ruleInfo, type Severity } from './rules.js';

/** One finding. Lines and columns are 1-based positions in the file. */
export interface Finding {
  rule: string;
  severity: Severity;
  /** The file as given (relative to the project root when linting a project). */
  file: string;
  line: number;
  column: number;
  message: string;
  fix: string;
}

export interface LintOptions {
  /** Rules switched off (schemaplan.yaml `lint.disable`). */
  disable?: string[];
  /** Rules reported as warnings (schemaplan.yaml `lint.warn`). */
  warn?: string[];
  /** PostgreSQL major version the files run on (default 15). */
  postgres?: number;
}

/** One file to lint, with what the history before it declared. */
export interface LintInput {
  /** Name used in findings. */
  file: string;
  text: string;
  /** True for the first migration of its history (a baseline may drop tables). */
  baseline?: boolean;
  /**
   * True when the files before this one are sequence-numbered (`NNN_`/`NNN-`, as `new` continues
   * such a history): a sequence name is then the history's convention, and only its description is checked.
   */
  sequenceHistory?: boolean;
}

const DISABLE_RE = /^\s*--\s*schemaplan:disable\s+(.+?)\s*$/i;
const FILE_NAME_RE = /^\d{14}_[a-z0-9]+(?:_[a-z0-9]+)*\.sql$/;
/** `-- Key: value` header keys that are directives, not a description of the feature. */
const DIRECTIVE_KEYS = new Set(['plan', 'destructive', 'lock_timeout', 'statement_timeout']);

interface FileState {
  input: LintInput;
  parsed: ParsedMigration;
  created: Set<string>;
  lockTimeout: boolean;
  /** Inside an explicit BEGIN … COMMIT of a non-transactional file. */
  explicitTx: boolean;
  /** Transaction counter: statements with the same number run in one transaction. */
  txId: number;
  /** Constraints added NOT VALID in this file: `schema.table.name` → transaction number. */
  notValid: Map<string, number>;
  model: SchemaModel;
  ctx: HazardContext;
}

type Report = (rule: string, line: number, column: number, message: string, fix?: string) => void;

const qual = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** The table a statement acts on, if any (the first one for multi-table statements). */
function targetOf(type: string, body: any): { schema: string; name: string } | null {
  if (body.relation) return rangeVarName(body.relation);
  if (type === 'DropStmt' && body.removeType === 'OBJECT_TABLE') {
    const parts: string[] = (body.objects?.[0]?.List?.items ?? []).map((x: any) => x.String?.sval);
    return parts.length ? { schema: parts.length > 1 ? parts[parts.length - 2]! : 'public', name: parts[parts.length - 1]! } : null;
  }
  return null;
}

/** The setting a `SET x = …` / `SELECT set_config('x', …)` statement gives `name`: the value, '' for RESET, undefined when untouched. */
function settingOf(type: string, body: any, name: string): { value: string; local: boolean } | undefined {
  if (type === 'VariableSetStmt' && body.name === name) {
    if (body.kind !== 'VAR_SET_VALUE') return { value: '', local: !!body.is_local };
    const a = body.args?.[0]?.A_Const;
    return { value: String(a?.sval?.sval ?? a?.ival?.ival ?? (a?.ival ? 0 : '')), local: !!body.is_local };
  }
  if (type === 'SelectStmt') {
    for (const t of body.targetList ?? []) {
      const f = t.ResTarget?.val?.FuncCall;
      const fname = f?.funcname?.[f.funcname.length - 1]?.String?.sval;
      if (fname === 'set_config' && f.args?.[0]?.A_Const?.sval?.sval === name) {
        return { value: String(f.args?.[1]?.A_Const?.sval?.sval ?? ''), local: !!f.args?.[2]?.A_Const?.boolval?.boolval };
      }
    }
  }
  return undefined;
}

const disabledTimeout = (v: string) => v === '' || /^0+(\s*(ms|s|min|h|d))?$/i.test(v.trim());

/** Rule ids disabled by `-- schemaplan:disable …` comment lines, with the line of each. */
function fileDisables(text: string): { ids: Set<string>; unknown: { id: string; line: number }[] } {
  const ids = new Set<string>();
  const unknown: { id: string; line: number }[] = [];
  text.split('\n').forEach((l, i) => {
    const m = DISABLE_RE.exec(l.replace(/\r$/, ''));
    if (!m) return;
    for (const id of m[1]!.split(/[\s,]+/).filter(Boolean)) {
      ids.add(id);
      if (!ruleInfo(id)) unknown.push({ id, line: i + 1 });
    }
  });
  return { ids, unknown };
}

/** The comment lines before the first section marker (for an up-only file: its leading comment block), with their line numbers. */
function headerLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '').replace(/^\uFEFF/, '');
    if (/^\s*$/.test(l)) continue;
    if (!/^\s*--/.test(l)) break;
    if (/^--\s*(migrate:(up|down)|\+goose\s+(up|down)|(up|down)\s*$)/i.test(l.trim())) break;
    out.push({ text: l.trim(), line: i + 1 });
  }
  return out;
}

/** Whether a migration file carries the `-- Imported:` line `schemaplan import` writes (its name is the old tool's). */
function importedFile(text: string, file: string): boolean {
  try {
    return parseMigration(text, file).header['Imported'] !== undefined;
  } catch {
    return false;
  }
}

/**
 * Lints one migration file's text. `model` is the schema the history declared before this file; it
 * is advanced by this file's up section (so the next file can be linted against it).
 * Requires `loadParser()` to have resolved.
 */
export function lintText(input: LintInput, model: SchemaModel = new SchemaModel(), options: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const { ids: fileDisabled, unknown } = fileDisables(input.text);
  const disabled = new Set([...(options.disable ?? []), ...fileDisabled]);
  const warn = new Set(options.warn ?? []);
  const report: Report = (rule, line, column, message, fix) => {
    const info = ruleInfo(rule)!;
    if (disabled.has(rule)) return;
    findings.push({ rule, severity: warn.has(rule) ? 'warning' : info.severity, file: input.file, line, column, message, fix: fix ?? info.fix });
  };
  for (const u of unknown) report('unknown-rule', u.line, 1, `-- schemaplan:disable names an unknown rule "${u.id}"`);

  // File name.
  const base = path.basename(input.file);
  const seq = tryParseMigrationFileName(base);
  if (!FILE_NAME_RE.test(base) && !('error' in seq) && seq.style === 'sequence' && (input.sequenceHistory || importedFile(input.text, input.file))) {
    // An imported history keeps its NNN_ names (the old tool's rows match them), and `new` continues
    // a sequence-numbered history with the next number; only the description is checked.
    for (const p of namingProblems(base)) report('file-name', 1, 1, `file name ${base}: ${p}`);
  } else if (!FILE_NAME_RE.test(base)) {
    const n = tryParseMigrationFileName(base);
    const why = 'error' in n ? 'not of the form YYYYMMDDHHMMSS_lower_snake_case.sql' : n.style !== 'timestamp' ? `version ${n.version} is not a 14-digit UTC timestamp` : namingProblems(base).join('; ') || 'not of the form YYYYMMDDHHMMSS_lower_snake_case.sql';
    report('file-name', 1, 1, `file name ${base}: ${why}`);
  } else {
    for (const p of namingProblems(base)) report('file-name', 1, 1, `file name ${base}: ${p}`);
  }

  // Sections.
  let parsed: ParsedMigration;
  try {
    parsed = parseMigration(input.text, input.file);
  } catch (e) {
    if (e instanceof MigrationFormatError) {
      report('up-down-sections', e.line, 1, e.message.replace(/^.*?:\d+: /, ''));
      return sortFindings(findings);
    }
    throw e;
  }
  if (parsed.format === 'uponly') report('up-down-sections', 1, 1, 'no section markers: the whole file is an up section and nothing undoes it');
  else if (parsed.down === null) report('up-down-sections', parsed.upLine - 1, 1, 'an up section but no down section', 'add `-- migrate:down` followed by the statements that undo the up section');

  // Header comment naming the feature.
  const header = headerLines(input.text);
  const own = base.replace(/\.sql$/, '');
  const migrationLine = header.find((l) => /^--\s*Migration\s*:/i.test(l.text));
  const migrationHeader = migrationLine ? /^--\s*Migration\s*:\s*(.*?)\s*$/i.exec(migrationLine.text) : null;
  const freeText = header.map((h) => h.text).some((l) => {
    const body = l.replace(/^--\s*/, '');
    if (body === '' || DISABLE_RE.test(l) || /^schemaplan:/i.test(body)) return false;
    const kv = /^([A-Za-z][A-Za-z0-9_-]*)\s*:/.exec(body);
    return !(kv && (DIRECTIVE_KEYS.has(kv[1]!.toLowerCase()) || kv[1]!.toLowerCase() === 'migration'));
  });
  // `-- Migration: <version>_<name>` names a file; any other value describes the change (hand-written
  // templates write `-- Migration: Add AI Summary columns to leads table`) and counts as the description.
  const namesFile = !!migrationHeader && !('error' in tryParseMigrationFileName(`${migrationHeader[1]}.sql`));
  if (migrationHeader && namesFile && migrationHeader[1] !== own) {
    report('header-comment', migrationLine!.line, 1, `the header says "-- Migration: ${migrationHeader[1]}" but the file is ${own} (copied from another file?)`, `write "-- Migration: ${own}"`);
  } else if (!migrationHeader && !freeText) {
    report('header-comment', 1, 1, 'no header comment naming the feature before the first section marker');
  }

  // Down section: must parse.
  if (parsed.down !== null) {
    try {
      splitStatements(parsed.down);
    } catch (e) {
      if (!(e instanceof SqlSyntaxError)) throw e;
      report('syntax-error', (parsed.downLine ?? 1) + e.line - 1, e.column, `down section: ${e.message}`);
    }
  }

  // Up section.
  let stmts: Statement[];
  try {
    stmts = splitStatements(parsed.up);
  } catch (e) {
    if (!(e instanceof SqlSyntaxError)) throw e;
    report('syntax-error', parsed.upLine + e.line - 1, e.column, `up section: ${e.message}`);
    return sortFindings(findings);
  }
  const version = (options.postgres ?? 15) * 10000;
  const created = new Set<string>();
  const state: FileState = {
    input, parsed, created, model,
    lockTimeout: !!parsed.header.lock_timeout && !disabledTimeout(parsed.header.lock_timeout),
    explicitTx: false, txId: 0, notValid: new Map(),
    ctx: model.context(version, (s, t) => !created.has(`${s}.${t}`)),
  };
  const at = (loc: number | undefined, s: Statement): { line: number; column: number } => {
    if (typeof loc !== 'number') return { line: parsed.upLine + s.line - 1, column: s.column };
    const lc = lineColumn(parsed.up, byteToCharIndex(parsed.up, loc));
    return { line: parsed.upLine + lc.line - 1, column: lc.column };
  };
  let lockTimeoutReported = false;
  for (const s of stmts) {
    const type = Object.keys(s.node)[0] ?? '';
    const body = s.node[type] ?? {};
    const target = targetOf(type, body);
    const existing = !!target && !created.has(qual(target));
    const start = at(undefined, s);
    const inTx = parsed.transactional || state.explicitTx;
    if (!inTx) state.txId++;
    const hz = nodeHazards(s.node, existing || !target, state.ctx);
    // Per ALTER TABLE subcommand, so that one command's verdict is not hidden behind another's.
    const cmdHazards: { cmd: any; hz: StatementHazards }[] = type === 'AlterTableStmt'
      ? (body.cmds ?? []).map((c: any) => ({ cmd: c.AlterTableCmd ?? {}, hz: nodeHazards({ AlterTableStmt: { ...body, cmds: [c] } }, existing, state.ctx) }))
      : [];
    const tableText = target ? qual(target) : 'the table';

    // Timeouts and transactions.
    const lt = settingOf(type, body, 'lock_timeout');
    if (lt) state.lockTimeout = !disabledTimeout(lt.value) && (!lt.local || inTx);
    if (type === 'TransactionStmt' && !parsed.transactional) {
      if (body.kind === 'TRANS_STMT_BEGIN' || body.kind === 'TRANS_STMT_START') state.explicitTx = true;
      else if (['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_COMMIT_PREPARED', 'TRANS_STMT_PREPARE'].includes(body.kind)) state.explicitTx = false;
    }

    if (hz.lock === 'ACCESS EXCLUSIVE' && !state.lockTimeout && !lockTimeoutReported) {
      lockTimeoutReported = true;
      report('require-lock-timeout', start.line, start.column, `takes ACCESS EXCLUSIVE on ${tableText} with no lock_timeout set: if the lock is not granted at once, reads and writes of the table queue behind this statement`);
    }
    if (hz.hazards.some((h) => h.kind === 'deletes_data') && !parsed.destructive) {
      report('destructive-header', start.line, start.column, `${hz.hazards.find((h) => h.kind === 'deletes_data')!.message}, but the file has no "-- DESTRUCTIVE:" header`);
    }
    if (type === 'DropStmt' && body.removeType === 'OBJECT_TABLE' && !input.baseline) {
      for (const o of body.objects ?? []) {
        const parts: string[] = (o.List?.items ?? []).map((x: any) => x.String?.sval);
        const name = parts[parts.length - 1]!;
        const q = parts.length > 1 ? parts.slice(-2).join('.') : `public.${name}`;
        if (created.has(q)) continue;
        const named = new RegExp(`(^|[^A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`, 'i').test(parsed.destructive ?? '');
        if (!named) report('drop-table', start.line, start.column, `DROP TABLE ${q} in an incremental migration, and the -- DESTRUCTIVE: header does not name ${name}`);
      }
    }
    if (type === 'IndexStmt' && !body.concurrent && existing) {
      report('require-concurrent-index', start.line, start.column, `CREATE INDEX on existing table ${tableText} without CONCURRENTLY: INSERT/UPDATE/DELETE wait (SHARE lock) until the index is built`);
    }
    const concurrent = (type === 'IndexStmt' && body.concurrent) || (type === 'DropStmt' && body.concurrent)
      || (type === 'ReindexStmt' && (body.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently'))
      || (type === 'AlterTableStmt' && (body.cmds ?? []).some((c: any) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent));
    if (concurrent && inTx) {
      report('concurrently-in-transaction', start.line, start.column, parsed.transactional
        ? 'CONCURRENTLY cannot run inside a transaction block, and this file runs in one (no transaction:false on its up marker)'
        : 'CONCURRENTLY cannot run inside a transaction block (this statement is between BEGIN and COMMIT)');
    }
    if (type === 'RenameStmt' && existing && (body.renameType === 'OBJECT_COLUMN' || body.renameType === 'OBJECT_TABLE') && body.relationType !== 'OBJECT_VIEW') {
      report('renaming', start.line, start.column, body.renameType === 'OBJECT_COLUMN'
        ? `RENAME COLUMN ${body.subname} of existing table ${tableText}: running application code that uses ${body.subname} fails until it is redeployed`
        : `RENAME of existing table ${tableText}: running application code that uses ${target!.name} fails until it is redeployed`);
    }

    // Column types (any table) and ALTER TABLE subcommands.
    const columnDefs: { def: any; pk: boolean }[] = [];
    if (type === 'CreateStmt') {
      const pkCols = new Set<string>();
      for (const e of body.tableElts ?? []) if (e.Constraint?.contype === 'CONSTR_PRIMARY') for (const k of e.Constraint.keys ?? []) pkCols.add(k.String?.sval);
      for (const e of body.tableElts ?? []) {
        if (!e.ColumnDef) continue;
        const pk = pkCols.has(e.ColumnDef.colname) || (e.ColumnDef.constraints ?? []).some((c: any) => c.Constraint?.contype === 'CONSTR_PRIMARY');
        columnDefs.push({ def: e.ColumnDef, pk });
      }
    }
    for (const { cmd, hz: h } of cmdHazards) {
      const def = cmd.def?.ColumnDef;
      const c = cmd.def?.Constraint;
      const pos = at(def?.location, s);
      if (cmd.subtype === 'AT_AddColumn' && def) {
        const cons = (def.constraints ?? []).map((x: any) => x.Constraint ?? {});
        columnDefs.push({ def, pk: cons.some((x: any) => x.contype === 'CONSTR_PRIMARY') });
        const filled = isSerialType(def.typeName) || cons.some((x: any) => ['CONSTR_DEFAULT', 'CONSTR_IDENTITY', 'CONSTR_GENERATED'].includes(x.contype));
        if (existing && !filled && cons.some((x: any) => x.contype === 'CONSTR_NOTNULL' || x.contype === 'CONSTR_PRIMARY')) {
          report('add-column-not-null', pos.line, pos.column, `ADD COLUMN ${def.colname} … NOT NULL without a default on existing table ${tableText}: fails if the table has any row`);
        }
        if (existing && cons.some((x: any) => x.contype === 'CONSTR_PRIMARY' || x.contype === 'CONSTR_UNIQUE')) {
          report('constraint-using-index', pos.line, pos.column, `ADD COLUMN ${def.colname} … UNIQUE/PRIMARY KEY on existing table ${tableText} builds the index under ACCESS EXCLUSIVE`);
        }
      }
      if (cmd.subtype === 'AT_AlterColumnType' && def) columnDefs.push({ def: { ...def, colname: cmd.name }, pk: false });
      if (!existing) continue;
      const rewrite = h.hazards.find((x) => x.kind === 'table_rewrite');
      if (cmd.subtype === 'AT_AlterColumnType' && rewrite) report('changing-column-type', pos.line, pos.column, `${rewrite.message} (ACCESS EXCLUSIVE on ${tableText} for the whole rewrite)`);
      else if (rewrite) report('table-rewrite', pos.line, pos.column, `${rewrite.message} (ACCESS EXCLUSIVE on ${tableText} for the whole rewrite)`);
      if (cmd.subtype === 'AT_SetNotNull' && h.hazards.some((x) => x.kind === 'validation_scan')) {
        report('set-not-null', start.line, start.column, `SET NOT NULL on ${tableText}.${cmd.name} scans every row under ACCESS EXCLUSIVE; no validated CHECK (${cmd.name} IS NOT NULL) is known to make it instant`);
      }
      if (cmd.subtype === 'AT_AddConstraint' && c) {
        if ((c.contype === 'CONSTR_CHECK' || c.contype === 'CONSTR_FOREIGN') && !c.skip_validation) {
          report('constraint-not-valid', start.line, start.column, `ADD CONSTRAINT ${c.conname ?? ''} ${c.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK'} on existing table ${tableText} without NOT VALID: every row is checked while the lock is held`.replace('  ', ' '));
        }
        if ((c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') && !c.indexname) {
          report('constraint-using-index', start.line, start.column, `ADD ${c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} on existing table ${tableText} builds its index under ACCESS EXCLUSIVE (reads and writes wait)`);
        }
        if (c.skip_validation && c.conname && target) state.notValid.set(`${qual(target)}.${c.conname}`, state.txId);
      }
      if (cmd.subtype === 'AT_ValidateConstraint' && target && state.notValid.get(`${qual(target)}.${cmd.name}`) === state.txId && inTx) {
        report('constraint-not-valid', start.line, start.column, `VALIDATE CONSTRAINT ${cmd.name} runs in the same transaction that added it NOT VALID: the ADD's lock is still held during the scan`,
          'move VALIDATE CONSTRAINT to a later migration, or make this file `transaction:false` so each statement commits on its own');
      }
    }
    // Rewrites by other statements (CLUSTER, VACUUM FULL).
    if (type !== 'AlterTableStmt' && hz.lock) {
      const rewrite = hz.hazards.find((x) => x.kind === 'table_rewrite');
      if (rewrite) report('table-rewrite', start.line, start.column, `${rewrite.message} (${tableText})`);
    }

    // Style of column types, on new and existing tables alike.
    for (const { def, pk } of columnDefs) {
      const pos = at(def.location, s);
      const tn = def.typeName;
      const names: string[] = (tn?.names ?? []).map((n: any) => n.String?.sval);
      const last = String(names[names.length - 1] ?? '').toLowerCase();
      const builtin = names.length === 1 || names[0] === 'pg_catalog';
      if (builtin && last === 'varchar' && (tn.typmods ?? []).length) report('prefer-text', pos.line, pos.column, `column ${def.colname} is ${columnTypeOf(tn)}`);
      if (builtin && last === 'timestamp') report('prefer-timestamptz', pos.line, pos.column, `column ${def.colname} is timestamp without time zone`);
      if (isSerialType(tn)) report('prefer-identity', pos.line, pos.column, `column ${def.colname} is ${last}`);
      const intType = builtin && ['int4', 'int2', 'serial', 'serial4', 'smallserial', 'serial2', 'int', 'integer', 'smallint'].includes(last);
      if (pk && intType) report('prefer-bigint', pos.line, pos.column, `primary key column ${def.colname} is ${columnTypeOf(tn)}`);
    }
    if (type === 'AlterTableStmt' && target) {
      for (const { cmd } of cmdHazards) {
        const c = cmd.def?.Constraint;
        if (cmd.subtype !== 'AT_AddConstraint' || c?.contype !== 'CONSTR_PRIMARY') continue;
        for (const k of c.keys ?? []) {
          const col = k.String?.sval;
          const t = model.columnType(qual(target), col);
          if (t === 'integer' || t === 'smallint') report('prefer-bigint', start.line, start.column, `primary key column ${col} is ${t}`);
        }
      }
    }

    // Advance the file state and the model.
    if ((type === 'CreateStmt' || type === 'CreateTableAsStmt') && target) created.add(qual(target));
    if (type === 'CreateTableAsStmt' && body.into?.rel) created.add(qual(rangeVarName(body.into.rel)!));
    if (type === 'RenameStmt' && body.renameType === 'OBJECT_TABLE' && target && created.has(qual(target))) created.add(`${target.schema}.${body.newname}`);
    model.apply(s.node);
  }
  return sortFindings(findings);
}

function sortFindings(f: Finding[]): Finding[] {
  return f.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : 1));
}

/** The result of linting files. */
export interface LintResult {
  findings: Finding[];
  /** Files linted (display names), in order. */
  files: string[];
  errors: number;
  warnings: number;
}

/** Unknown rule ids in the project configuration, as findings on schemaplan.yaml. */
function configFindings(options: LintOptions): Finding[] {
  const info = ruleInfo('unknown-rule')!;
  return [...(options.disable ?? []), ...(options.warn ?? [])].filter((id) => !ruleInfo(id)).map((id) => ({
    rule: info.id, severity: info.severity, file: 'schemaplan.yaml', line: 1, column: 1, message: `lint: names an unknown rule "${id}"`, fix: info.fix,
  }));
}

/** Orders a folder's `.sql` files as the history does (numeric version, then name); unparseable names last. */
function historyOrder(dir: string): string[] {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.sql') && !f.startsWith('.') && fs.statSync(path.join(dir, f)).isFile()) : [];
  const v = (f: string) => { const n = tryParseMigrationFileName(f); return 'error' in n ? null : n.version; };
  return files.sort((a, b) => {
    const va = v(a);
    const vb = v(b);
    if (va !== null && vb !== null) return compareVersions(va, vb) || (a < b ? -1 : 1);
    if (va === null && vb === null) return a < b ? -1 : 1;
    return va === null ? 1 : -1;
  });
}

/**
 * Lints migration files. Each file is linted against the schema its folder's earlier files
 * declare (in version order), and the first file of a folder counts as its baseline.
 * @param targets files or folders (a folder: every `.sql` file in it)
 * @param opts.root findings name files relative to it (default: the working directory)
 * @param opts.startAfter when linting folders, skip files whose version is this one or older
 */
export async function lintPaths(targets: string[], opts: LintOptions & { root?: string; startAfter?: string } = {}): Promise<LintResult> {
  await loadParser();
  const root = opts.root ?? process.cwd();
  const wanted = new Map<string, Set<string>>(); // dir → base names
  const order: string[] = [];
  for (const t of targets) {
    const abs = path.resolve(root, t);
    if (!fs.existsSync(abs)) throw new Error(`${t}: no such file or folder`);
    if (fs.statSync(abs).isDirectory()) {
      const set = wanted.get(abs) ?? new Set<string>();
      for (const f of historyOrder(abs)) {
        const n = tryParseMigrationFileName(f);
        if (opts.startAfter && !('error' in n) && compareVersions(n.version, opts.startAfter) <= 0) continue;
        set.add(f);
      }
      wanted.set(abs, set);
    } else {
      const dir = path.dirname(abs);
      const set = wanted.get(dir) ?? new Set<string>();
      set.add(path.basename(abs));
      wanted.set(dir, set);
    }
  }
  const findings: Finding[] = [...configFindings(opts)];
  for (const [dir, set] of wanted) {
    const all = historyOrder(dir);
    for (const f of set) if (!all.includes(f)) all.push(f);
    const model = new SchemaModel();
    all.forEach((f, i) => {
      const abs = path.join(dir, f);
      const text = fs.readFileSync(abs, 'utf8');
      const display = path.relative(root, abs).split(path.sep).join('/') || f;
      const earlier = all.slice(0, i);
      const sequenceHistory = earlier.length > 0 && earlier.every((e) => { const n = tryParseMigrationFileName(e); return !('error' in n) && n.style === 'sequence'; });
      const found = lintText({ file: display, text, baseline: i === 0, sequenceHistory }, model, opts);
      if (set.has(f)) {
        findings.push(...found);
        order.push(display);
      }
    });
  }
  const sorted = sortFindings(findings);
  return { findings: sorted, files: order, errors: sorted.filter((f) => f.severity === 'error').length, warnings: sorted.filter((f) => f.severity === 'warning').length };
}

/** `file:line:column: severity [rule] message` and an indented `fix:` line per finding. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} [${f.rule}] ${f.message}\n    fix: ${f.fix}`).join('\n') + (findings.length ? '\n' : '');
}

/** Every rule with its severity (after the project's `warn`/`disable`), for `lint --rules`. */
export function describeRules(options: LintOptions = {}): string {
  const width = Math.max(...RULES.map((r) => r.id.length));
  return RULES.map((r) => {
    const sev = options.disable?.includes(r.id) ? 'off' : options.warn?.includes(r.id) ? 'warning' : r.severity;
    return `${r.id.padEnd(width)}  ${sev.padEnd(7)}  ${r.summary}`;
  }).join('\n') + '\n';
}
