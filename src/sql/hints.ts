/**
 * Rename hints in schema files: a comment `-- schemaplan:renamed-from old_name`
 * (or `/* schemaplan:renamed-from old_name *\/`) declares that the object it is placed on was called
 * `old_name` before, so the planner emits ALTER … RENAME instead of a drop and an add.
 *
 * Placement, as comments are read in code review:
 * - a comment on a line of its own applies to what follows it: the next column, constraint or enum
 *   label inside a statement, or the next statement's object when it stands between statements;
 * - a comment after code on the same line applies to what that line belongs to: the column,
 *   constraint or label it follows, or the statement it ends (a one-line statement's object; on
 *   the last line of a longer statement, the column, constraint or label that starts there).
 *
 * Objects: tables, columns, constraints (named), indexes, views, materialized views, functions,
 * procedures, aggregates, types (enum, composite, range), composite type attributes, domains and
 * their constraints, sequences, triggers, policies and enum labels. Names are written as in SQL:
 * `old`, `"Old Name"`, `other_schema.old` (moves the object to the schema it is declared in), and
 * enum labels as a string literal `'old label'`. An unquoted name is folded to lower case, as
 * PostgreSQL does. Pure: parsing only, nothing is resolved against a catalog here (see
 * plan/hinted-renames.ts).
 */
import { lexicalTokens, type LexicalToken } from './lexical.js';
import { byteToCharIndex, lineColumn, splitStatements, type Statement } from './split.js';

/** A possibly schema-qualified name as written in SQL (case already folded for unquoted parts). */
export interface QualifiedName {
  schema?: string;
  name: string;
}

/** Object kinds a rename hint can be placed on. */
export type HintKind =
  | 'table' | 'view' | 'matview' | 'sequence' | 'type' | 'domain' | 'index' | 'function'
  | 'column' | 'constraint' | 'trigger' | 'policy' | 'attribute' | 'domain_constraint' | 'enum_value';

/** The object a hint is placed on, named as the schema file names it. */
export type HintTarget =
  | { kind: 'table' | 'view' | 'matview' | 'sequence' | 'type' | 'domain' | 'index'; object: QualifiedName }
  | {
    kind: 'function';
    object: QualifiedName;
    routine: 'function' | 'procedure' | 'aggregate';
    /** Number of input arguments (to tell overloads apart). */
    argCount: number;
  }
  | {
    /** A sub-object: `parent` is its table (column, constraint, trigger, policy), composite type (attribute), domain (domain_constraint) or enum type (enum_value). */
    kind: 'column' | 'constraint' | 'trigger' | 'policy' | 'attribute' | 'domain_constraint' | 'enum_value';
    parent: QualifiedName;
    name: string;
  };

/** One `renamed-from` hint: what it is on, the old name, and where it is written (1-based line/column). */
export interface RenameHint {
  target: HintTarget;
  from: QualifiedName;
  file: string;
  line: number;
  column: number;
}

/** A hint that cannot be read or placed; `file:line:column` point at the comment. */
export class HintError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, message: string) {
    super(`${file}:${line}:${column}: ${message}`);
    this.name = 'HintError';
  }
}

const DIRECTIVE = 'schemaplan:renamed-from';

/** Cheap pre-check: does the text mention the directive at all? */
export function mentionsRenameHints(text: string): boolean {
  return text.includes('schemaplan:rename');
}

/** A statement-level target and the positioned sub-elements (columns, constraints, labels) of a statement. */
interface Targets {
  statement: HintTarget | null;
  /** Sub-elements with the character index where each starts, in order. */
  elements: { at: number; target: HintTarget }[];
}

const str = (n: any): string => n?.String?.sval ?? '';

function fromRangeVar(rv: any): QualifiedName {
  return rv?.schemaname ? { schema: rv.schemaname, name: rv.relname } : { name: rv?.relname ?? '' };
}

function fromNames(list: any[] | undefined): QualifiedName {
  const parts = (list ?? []).map(str);
  const name = parts[parts.length - 1] ?? '';
  return parts.length > 1 ? { schema: parts[parts.length - 2]!, name } : { name };
}

/** The targets of one statement; `at` converts a parse-tree byte location to a character index. */
function targetsOf(s: Statement, strings: LexicalToken[], at: (byte: number) => number): Targets {
  const [type] = Object.keys(s.node);
  const b = s.node[type!] ?? {};
  const sub = (kind: 'column' | 'constraint' | 'attribute' | 'domain_constraint', parent: QualifiedName, items: any[]) => {
    const out: Targets['elements'] = [];
    for (const it of items) {
      if (it.ColumnDef) out.push({ at: at(it.ColumnDef.location), target: { kind: kind === 'attribute' ? 'attribute' : 'column', parent, name: it.ColumnDef.colname } });
      const c = it.Constraint;
      if (c?.conname) out.push({ at: at(c.location), target: { kind: kind === 'domain_constraint' ? 'domain_constraint' : 'constraint', parent, name: c.conname } });
    }
    return out;
  };
  switch (type) {
    case 'CreateStmt': {
      const t = fromRangeVar(b.relation);
      return { statement: { kind: 'table', object: t }, elements: sub('column', t, b.tableElts ?? []) };
    }
    case 'AlterTableStmt': {
      if (b.objtype !== 'OBJECT_TABLE') return { statement: null, elements: [] };
      const t = fromRangeVar(b.relation);
      const defs = (b.cmds ?? []).map((c: any) => c.AlterTableCmd).filter((c: any) => c?.subtype === 'AT_AddColumn' || c?.subtype === 'AT_AddConstraint').map((c: any) => c.def);
      const elements = sub('column', t, defs);
      return { statement: elements.length === 1 ? elements[0]!.target : null, elements };
    }
    case 'IndexStmt':
      return { statement: b.idxname ? { kind: 'index', object: { ...(b.relation?.schemaname ? { schema: b.relation.schemaname } : {}), name: b.idxname } } : null, elements: [] };
    case 'ViewStmt':
      return { statement: { kind: 'view', object: fromRangeVar(b.view) }, elements: [] };
    case 'CreateTableAsStmt':
      return { statement: { kind: b.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table', object: fromRangeVar(b.into?.rel) }, elements: [] };
    case 'CreateSeqStmt':
      return { statement: { kind: 'sequence', object: fromRangeVar(b.sequence) }, elements: [] };
    case 'CreateFunctionStmt': {
      const inputs = (b.parameters ?? []).filter((p: any) => !['FUNC_PARAM_OUT', 'FUNC_PARAM_TABLE'].includes(p.FunctionParameter?.mode));
      return { statement: { kind: 'function', object: fromNames(b.funcname), routine: b.is_procedure ? 'procedure' : 'function', argCount: inputs.length }, elements: [] };
    }
    case 'DefineStmt':
      if (b.kind !== 'OBJECT_AGGREGATE') return { statement: null, elements: [] };
      return { statement: { kind: 'function', object: fromNames(b.defnames), routine: 'aggregate', argCount: (b.args?.[0]?.List?.items ?? []).length }, elements: [] };
    case 'CompositeTypeStmt': {
      const t = fromRangeVar(b.typevar);
      return { statement: { kind: 'type', object: t }, elements: sub('attribute', t, b.coldeflist ?? []) };
    }
    case 'CreateEnumStmt': {
      const t = fromNames(b.typeName);
      const vals: string[] = (b.vals ?? []).map(str);
      // The labels are the statement's string literals, in order (the type name is an identifier).
      const lits = strings.filter((x) => x.start >= s.start && x.end <= s.start + s.sql.length);
      const elements = lits.length === vals.length ? vals.map((v, i) => ({ at: lits[i]!.start, target: { kind: 'enum_value' as const, parent: t, name: v } })) : [];
      return { statement: { kind: 'type', object: t }, elements };
    }
    case 'CreateRangeStmt':
      return { statement: { kind: 'type', object: fromNames(b.typeName) }, elements: [] };
    case 'CreateDomainStmt': {
      const d = fromNames(b.domainname);
      return { statement: { kind: 'domain', object: d }, elements: sub('domain_constraint', d, b.constraints ?? []) };
    }
    case 'AlterEnumStmt':
      return { statement: b.newVal && !b.oldVal ? { kind: 'enum_value', parent: fromNames(b.typeName), name: b.newVal } : null, elements: [] };
    case 'CreateTrigStmt':
      return { statement: { kind: 'trigger', parent: fromRangeVar(b.relation), name: b.trigname }, elements: [] };
    case 'CreatePolicyStmt':
      return { statement: { kind: 'policy', parent: fromRangeVar(b.table), name: b.policy_name }, elements: [] };
    default:
      return { statement: null, elements: [] };
  }
}

/** One part of a written name: its value and how it was written. */
interface NamePart {
  value: string;
  quoted: 'ident' | 'string' | null;
}

/**
 * Reads the old name after the directive: parts separated by `.`, each `"quoted"`, `'string'` or a
 * bare word (folded to lower case unless `keepCase`).
 * @throws Error (message only) for an empty name, an unclosed quote or text after the name
 */
function readName(rest: string): NamePart[] {
  const parts: NamePart[] = [];
  let i = 0;
  const skipWs = () => { while (i < rest.length && /\s/.test(rest[i]!)) i++; };
  skipWs();
  for (;;) {
    const q = rest[i];
    if (q === '"' || q === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= rest.length) throw new Error(`unclosed ${q} in the name`);
        if (rest[j] === q) {
          if (rest[j + 1] === q) { v += q; j += 2; continue; }
          break;
        }
        v += rest[j];
        j++;
      }
      if (v === '' && q === '"') throw new Error('empty quoted name');
      parts.push({ value: v, quoted: q === '"' ? 'ident' : 'string' });
      i = j + 1;
    } else {
      const m = /^[^\s."']+/.exec(rest.slice(i));
      if (!m) throw new Error(parts.length ? 'a name part is missing after "."' : 'the old name is missing');
      parts.push({ value: m[0], quoted: null });
      i += m[0].length;
    }
    if (rest[i] === '.') { i++; continue; }
    break;
  }
  skipWs();
  if (i < rest.length) throw new Error(`unexpected text after the name: "${rest.slice(i).trim()}" (one name per hint)`);
  return parts;
}

/** The name a hint gives, checked against what the target allows. */
function oldName(parts: NamePart[], target: HintTarget): QualifiedName {
  const value = (p: NamePart) => (p.quoted ? p.value : p.value.toLowerCase());
  if (target.kind === 'enum_value') {
    if (parts.length !== 1) throw new Error(`an enum label is one string, e.g. -- ${DIRECTIVE} 'old label'`);
    return { name: parts[0]!.value };
  }
  if (parts.some((p) => p.quoted === 'string')) throw new Error(`'…' is for enum labels; quote other names with "…"`);
  const schemaLevel = 'object' in target;
  if (parts.length > (schemaLevel ? 2 : 1)) {
    throw new Error(schemaLevel ? 'write old_name or schema.old_name' : `a ${target.kind.replace('_', ' ')} is renamed within its ${target.kind === 'attribute' ? 'type' : target.kind === 'domain_constraint' ? 'domain' : 'table'}: write the old name only`);
  }
  return parts.length === 2 ? { schema: value(parts[0]!), name: value(parts[1]!) } : { name: value(parts[0]!) };
}

/**
 * The rename hints of one schema file.
 * @param text the file's text (already parsed successfully by PostgreSQL's parser elsewhere, or here)
 * @param file name for positions in hints and errors (e.g. `schema/schema.sql`)
 * @throws HintError when a hint is malformed, or is not placed on an object that can be renamed
 * @throws SqlSyntaxError when the text does not parse (requires `loadParser()` to have resolved)
 */
export function renameHints(text: string, file: string): RenameHint[] {
  if (!mentionsRenameHints(text)) return [];
  const tokens = lexicalTokens(text);
  const comments = tokens.filter((t) => {
    if (t.type !== 'comment') return false;
    return /^\s*schemaplan:rename/i.test(commentBody(text, t));
  });
  if (!comments.length) return [];
  const strings = tokens.filter((t) => t.type === 'string');
  const stmts = splitStatements(text);
  const ascii = Buffer.byteLength(text, 'utf8') === text.length;
  const at = (byte: number) => (ascii ? byte : byteToCharIndex(text, byte));
  const out: RenameHint[] = [];
  for (const c of comments) {
    const { line, column } = lineColumn(text, c.start);
    const fail = (why: string): never => { throw new HintError(file, line, column, why); };
    const body = commentBody(text, c);
    const m = /^\s*schemaplan:renamed-from(?:\s+([\s\S]*))?$/.exec(body);
    if (!m) fail(`unknown directive "${body.trim().split(/\s/)[0]}"; write -- ${DIRECTIVE} old_name`);
    let parts: NamePart[] = [];
    try {
      parts = readName(m![1] ?? '');
    } catch (e) {
      fail(`${DIRECTIVE}: ${(e as Error).message}`);
    }
    const trailing = /\S/.test(text.slice(text.lastIndexOf('\n', c.start - 1) + 1, c.start));
    const k = stmts.findIndex((s) => s.start + s.sql.length > c.start);
    let target: HintTarget | null = null;
    if (k >= 0 && c.start >= stmts[k]!.start) {
      const t = targetsOf(stmts[k]!, strings, at);
      if (trailing) target = [...t.elements].reverse().find((e) => e.at < c.start)?.target ?? t.statement;
      else target = t.elements.find((e) => e.at > c.start)?.target ?? null;
    } else {
      const prev = k < 0 ? stmts[stmts.length - 1] : stmts[k - 1];
      if (trailing && prev) {
        // After a statement's end: a one-line statement is the statement's object; on the last line
        // of a longer one, the column/constraint/label that starts on that line, if any.
        const t = targetsOf(prev, strings, at);
        const last = t.elements[t.elements.length - 1];
        target = prev.line !== line && last && lineColumn(text, last.at).line === line ? last.target : t.statement;
      } else if (k >= 0) target = targetsOf(stmts[k]!, strings, at).statement;
    }
    if (!target) {
      fail(`${DIRECTIVE} is not placed on an object it can rename: put it on the line before (or at the end of the line of) a CREATE TABLE/INDEX/VIEW/FUNCTION/TYPE/DOMAIN/SEQUENCE/TRIGGER/POLICY, a column, a named constraint or an enum label`);
    }
    try {
      out.push({ target: target!, from: oldName(parts, target!), file, line, column });
    } catch (e) {
      fail(`${DIRECTIVE}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The text of a comment without its `--` or `/* *\/` delimiters. */
function commentBody(text: string, t: LexicalToken): string {
  const raw = text.slice(t.start, t.end);
  return raw.startsWith('--') ? raw.slice(2) : raw.slice(2, raw.endsWith('*/') ? -2 : undefined);
}
