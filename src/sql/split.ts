/**
 * Splits SQL text into statements with their positions, using PostgreSQL's own parser
 * (libpg-query, the real grammar compiled to WebAssembly) — never regular expressions, so dollar
 * quoting, nested comments, `BEGIN ATOMIC` bodies and string escapes are handled as PostgreSQL does.
 */
import { loadParser, parseSync, ParserNotLoadedError } from './parser.js';

export { loadParser };

/** One statement of a script. Offsets are JavaScript string indexes (UTF-16), lines/columns 1-based. */
export interface Statement {
  /** The statement text, without the trailing semicolon and without leading comments/white space. */
  sql: string;
  /** Comments and white space between the previous statement and this one (used for directives such as rename hints). */
  leading: string;
  /** Index of the first character of `sql` in the whole text. */
  start: number;
  line: number;
  column: number;
  /** The parse tree node of the statement (libpg-query JSON), e.g. `{ CreateStmt: {...} }`. */
  node: Record<string, any>;
}

/** A syntax error found while splitting: `line`/`column` are 1-based positions in the text. */
export class SqlSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

/** Converts a UTF-16 index in `text` to a 1-based line and column (column counted in characters). */
export function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: index - lineStart + 1 };
}

/** Length of the run of white space and SQL comments (`--…` and nested `/* … *\/`) at the start of `s`. */
export function leadingTriviaLength(s: string): number {
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (s.startsWith('--', i)) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
      continue;
    }
    if (s.startsWith('/*', i)) {
      let depth = 0;
      let j = i;
      while (j < s.length) {
        if (s.startsWith('/*', j)) { depth++; j += 2; }
        else if (s.startsWith('*/', j)) { depth--; j += 2; if (depth === 0) break; }
        else j++;
      }
      i = j;
      continue;
    }
    return i;
  }
}

/**
 * Splits `text` into statements. Requires `loadParser()` to have resolved.
 * @throws SqlSyntaxError with the 1-based line and column PostgreSQL's parser reports;
 *   ParserNotLoadedError before `loadParser()` has resolved
 */
export function splitStatements(text: string): Statement[] {
  // libpg-query rejects white-space-only input ("Query cannot be empty"); for a script it simply
  // has no statements (e.g. the empty sections of a `schemaplan new` template).
  if (text.trim() === '') return [];
  let tree: { stmts?: Array<{ stmt: Record<string, any>; stmt_location?: number; stmt_len?: number }> };
  try {
    tree = parseSync(text);
  } catch (e: any) {
    if (e instanceof ParserNotLoadedError) throw e; // a missing loadParser() is never a syntax error
    const pos: number | undefined = e?.sqlDetails?.cursorPosition;
    const index = pos === undefined ? 0 : byteToCharIndex(text, pos);
    const { line, column } = lineColumn(text, index);
    throw new SqlSyntaxError(String(e?.message ?? e), line, column);
  }
  const buf = Buffer.from(text, 'utf8');
  const out: Statement[] = [];
  let prevEnd = 0; // byte offset
  // Positions advance monotonically: convert byte offsets and count lines incrementally (linear in
  // the text, not per statement — a 2 MB file has thousands of statements).
  let byteAt = 0;
  let charAt = 0;
  const charIndex = (byteOffset: number) => {
    if (byteOffset < byteAt) return byteToCharIndex(text, byteOffset);
    charAt += buf.subarray(byteAt, byteOffset).toString('utf8').length;
    byteAt = byteOffset;
    return charAt;
  };
  let lcAt = 0;
  let lcLine = 1;
  let lcLineStart = 0;
  const position = (index: number) => {
    if (index < lcAt) return lineColumn(text, index);
    for (let i = lcAt; i < index && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        lcLine++;
        lcLineStart = i + 1;
      }
    }
    lcAt = index;
    return { line: lcLine, column: index - lcLineStart + 1 };
  };
  for (const s of tree.stmts ?? []) {
    const loc = s.stmt_location ?? 0;
    const len = s.stmt_len && s.stmt_len > 0 ? s.stmt_len : buf.length - loc;
    const raw = buf.subarray(loc, loc + len).toString('utf8');
    const skip = leadingTriviaLength(raw);
    const before = buf.subarray(prevEnd, loc).toString('utf8') + raw.slice(0, skip);
    const startChar = charIndex(loc) + skip;
    const sql = raw.slice(skip).replace(/\s+$/, '');
    const { line, column } = position(startChar);
    out.push({ sql, leading: before.replace(/^\s*;/, ''), start: startChar, line, column, node: s.stmt });
    prevEnd = loc + len;
  }
  return out;
}

/** Converts a UTF-8 byte offset in `text` to a UTF-16 string index. */
export function byteToCharIndex(text: string, byteOffset: number): number {
  if (byteOffset <= 0) return 0;
  return Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8').length;
}

/** The node type of a parsed statement, e.g. `CreateStmt`, `IndexStmt`, `TransactionStmt`. */
export function statementType(s: Statement): string {
  return Object.keys(s.node)[0] ?? 'Unknown';
}
