/**
 * The lexical layer PostgreSQL's parse tree leaves out: where comments and string literals are in
 * a script. libpg-query's parse tree has no comments and no positions for enum labels, so rename
 * hints (`-- schemaplan:renamed-from …`, see hints.ts) are placed with this scan. It follows the
 * lexical rules of PostgreSQL's scanner (scan.l; docs "Lexical Structure" 4.1): `--` and nested
 * `/* … *\/` comments, '…' strings with '' doubling (E'…' also with backslash escapes, and the
 * B/X/U& prefixes), "…" identifiers, and $tag$…$tag$ dollar quoting (not `$1` parameters). It does
 * not validate: the parser has already accepted the text.
 */

/** A comment or string literal: `[start, end)` as JavaScript string indexes into the text. */
export interface LexicalToken {
  type: 'comment' | 'string';
  start: number;
  end: number;
  /** For a string literal, its value (quotes removed, '' undoubled, backslash escapes of E'' resolved simply). */
  value?: string;
}

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const TAG_START = /[A-Za-z_\u0080-\uffff]/;

/**
 * Comments and string literals of `text`, in order. Linear in the text.
 */
export function lexicalTokens(text: string): LexicalToken[] {
  const out: LexicalToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text[i]!;
    if (ch === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? n : nl;
      out.push({ type: 'comment', start: i, end });
      i = end;
    } else if (ch === '/' && text[i + 1] === '*') {
      let depth = 0;
      let j = i;
      while (j < n) {
        if (text[j] === '/' && text[j + 1] === '*') { depth++; j += 2; }
        else if (text[j] === '*' && text[j + 1] === '/') { depth--; j += 2; if (depth === 0) break; }
        else j++;
      }
      out.push({ type: 'comment', start: i, end: j });
      i = j;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '"') { if (text[j + 1] === '"') { j += 2; continue; } j++; break; }
        j++;
      }
      i = j;
    } else if (ch === "'") {
      // A prefix letter (E, B, X, or U&) directly before the quote that is not the tail of an identifier.
      let start = i;
      let escapes = false;
      const p = text[i - 1];
      if (p && /[EeBbXx]/.test(p) && !IDENT_CHAR.test(text[i - 2] ?? ' ')) { start = i - 1; escapes = /[Ee]/.test(p); }
      else if (p === '&' && /[Uu]/.test(text[i - 2] ?? '') && !IDENT_CHAR.test(text[i - 3] ?? ' ')) start = i - 2;
      let j = i + 1;
      let value = '';
      while (j < n) {
        const c = text[j]!;
        if (escapes && c === '\\') { value += text[j + 1] ?? ''; j += 2; continue; }
        if (c === "'") {
          if (text[j + 1] === "'") { value += "'"; j += 2; continue; }
          j++;
          break;
        }
        value += c;
        j++;
      }
      out.push({ type: 'string', start, end: j, value });
      i = j;
    } else if (ch === '$' && !IDENT_CHAR.test(text[i - 1] ?? ' ')) {
      // $tag$ … $tag$ (the tag may be empty); `$1` is a parameter.
      let j = i + 1;
      if (j < n && TAG_START.test(text[j]!)) { j++; while (j < n && /[A-Za-z0-9_\u0080-\uffff]/.test(text[j]!)) j++; }
      if (text[j] !== '$') { i++; continue; }
      const tag = text.slice(i, j + 1);
      const close = text.indexOf(tag, j + 1);
      const end = close < 0 ? n : close + tag.length;
      out.push({ type: 'string', start: i, end, value: text.slice(j + 1, close < 0 ? n : close) });
      i = end;
    } else if (IDENT_CHAR.test(ch)) {
      // Skip a whole word so that a `$` or quote inside an identifier is not taken for a token start.
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(text[j]!)) j++;
      // A prefix letter directly before a quote (E'…') is looked at when the quote is reached.
      i = j;
    } else i++;
  }
  return out;
}
