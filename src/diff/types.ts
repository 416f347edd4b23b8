/**
 * A narrowing/widening judgement for column type changes: a change that keeps every value
 * representable (int2→int4→int8, varchar(n)→varchar(m≥n)/text, numeric(p,s)→numeric(q≥p,s) …) is
 * safe; every other type change is treated as narrowing, i.e. it may fail or lose data, and is
 * destructive. `binaryCoercible` says whether PostgreSQL can skip the table rewrite (PostgreSQL docs,
 * ALTER TABLE: "changing the type of an existing column will normally cause the entire table and its
 * indexes to be rewritten", except for binary-coercible changes such as varchar(n)→text or a wider
 * varchar limit).
 */

const INT_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };

interface Parsed {
  base: string;
  args: number[];
  array: boolean;
}

function parseType(t: string): Parsed {
  const array = t.endsWith('[]');
  const s = array ? t.slice(0, -2) : t;
  const m = /^(.*?)\(([\d,\s]+)\)(.*)$/.exec(s);
  if (!m) return { base: s.trim(), args: [], array };
  return { base: (m[1]! + m[3]!).trim(), args: m[2]!.split(',').map((x) => Number(x.trim())), array };
}

/** True when every value of `from` is a valid value of `to` (format_type spellings). */
export function isWidening(from: string, to: string): boolean {
  if (from === to) return true;
  const a = parseType(from);
  const b = parseType(to);
  if (a.array !== b.array) return false;
  if (INT_RANK[a.base] && INT_RANK[b.base]) return INT_RANK[b.base]! >= INT_RANK[a.base]!;
  if (INT_RANK[a.base] && b.base === 'numeric') return b.args.length === 0 || b.args[0]! - (b.args[1] ?? 0) >= [0, 5, 10, 19][INT_RANK[a.base]!]!;
  if (a.base === 'real' && b.base === 'double precision') return true;
  const texty = ['character varying', 'text', 'character'];
  if (texty.includes(a.base) && (b.base === 'text' || (b.base === 'character varying' && b.args.length === 0))) return a.base !== 'character' || b.base === 'text';
  if (a.base === 'character varying' && b.base === 'character varying') return b.args.length === 0 || (a.args.length > 0 && b.args[0]! >= a.args[0]!);
  if (a.base === 'numeric' && b.base === 'numeric') {
    if (b.args.length === 0) return true;
    if (a.args.length === 0) return false;
    const [p1, s1 = 0] = a.args;
    const [p2, s2 = 0] = b.args;
    return s2 >= s1 && p2! - s2 >= p1! - s1;
  }
  if (a.base === 'timestamp without time zone' && b.base === 'timestamp with time zone') return true;
  if (a.base === b.base && ['bit varying', 'time without time zone', 'timestamp without time zone', 'timestamp with time zone', 'interval'].includes(a.base)) {
    return b.args.length === 0 || (a.args.length > 0 && b.args[0]! >= a.args[0]!);
  }
  return false;
}

/** True when the change needs no table rewrite (PostgreSQL skips it for binary-coercible casts). */
export function isBinaryCoercible(from: string, to: string): boolean {
  const a = parseType(from);
  const b = parseType(to);
  if (a.array !== b.array) return false;
  if (a.base === 'character varying' && (b.base === 'text' || (b.base === 'character varying' && (b.args.length === 0 || (a.args.length > 0 && b.args[0]! >= a.args[0]!))))) return true;
  if (a.base === 'text' && b.base === 'character varying' && b.args.length === 0) return true;
  if (a.base === 'numeric' && b.base === 'numeric' && (b.args.length === 0 || (a.args.length > 0 && b.args[1] === a.args[1] && b.args[0]! >= a.args[0]!))) return true;
  return false;
}
