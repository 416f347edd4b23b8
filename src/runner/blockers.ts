/**
 * Who holds the lock a migration statement waited for: after a statement fails on `lock_timeout`
 * (SQLSTATE 55P03, lock_not_available) its wait is over, so `pg_blocking_pids()` of the runner has
 * nothing to say any more. Instead, the relations the statement names (read from PostgreSQL's parse
 * tree) are looked up in `pg_locks`, and every other session holding a granted lock on one of them
 * is described from `pg_stat_activity`: pid, application_name, state, transaction age and the start
 * of its query (PostgreSQL docs, "pg_locks", "pg_stat_activity"). The runner adds this to the retry
 * lines and to the error, so the person on call knows whom to ask (or which pid to end).
 */
import { qualified, quoteIdent } from '../db/quote.js';
import type { Db } from '../db/types.js';
import { secretValuesOf } from '../catalog/secrets.js';
import { loadParser, splitStatements } from '../sql/split.js';

/** A session holding a lock on a relation a statement needs. */
export interface Blocker {
  pid: number;
  /** `pg_stat_activity.application_name` ('' when unset). */
  application: string;
  /** `pg_stat_activity.state`, e.g. `idle in transaction`, `active`. */
  state: string;
  /** Seconds since its transaction began (`now() - xact_start`), or null outside a transaction. */
  transactionAgeSeconds: number | null;
  /** The start of its current (or last) query, at most {@link QUERY_EXCERPT} characters, on one line; hidden when it carries a secret. */
  query: string;
  /** The relation and the strongest lock mode it holds on it, e.g. `public.orders AccessShareLock`. */
  holds: string;
}

/** Characters of a blocker's query shown. */
export const QUERY_EXCERPT = 80;

/**
 * Walks a parse tree for range variables: `schema.name` or `name`, quoted. libpg-query writes a
 * RangeVar as `{ RangeVar: {...} }` where the grammar allows any node, and bare (e.g.
 * `AlterTableStmt.relation`) where it is typed, so any object with a `relname` is one.
 */
function relationsOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => relationsOf(n, out));
  else if (node && typeof node === 'object') {
    const v = node as Record<string, any>;
    if (typeof v.relname === 'string') {
      const r = v.schemaname ? qualified(v.schemaname, v.relname) : quoteIdent(v.relname);
      if (!out.includes(r)) out.push(r);
    }
    for (const child of Object.values(v)) relationsOf(child, out);
  }
  return out;
}

/** The relations a statement names (quoted for `to_regclass`), [] when it does not parse. */
export async function statementRelations(statement: string): Promise<string[]> {
  await loadParser();
  try {
    return splitStatements(statement).flatMap((s) => relationsOf(s.node));
  } catch {
    return [];
  }
}

/** One line of a blocker's query, without secrets: a statement that sets one (or names a password) is not shown. */
function excerpt(query: string): string {
  const one = query.replace(/\s+/g, ' ').trim();
  if (/password|secret/i.test(one)) return '<not shown: it may carry a secret>';
  try {
    if (splitStatements(query).some((s) => secretValuesOf(s.node).length > 0)) return '<not shown: it carries a secret>';
  } catch {
    // a truncated or unparsable query text: shown as it is
  }
  return one.length > QUERY_EXCERPT ? `${one.slice(0, QUERY_EXCERPT - 1)}…` : one;
}

/**
 * The other sessions holding a granted lock on any relation `statement` names, oldest transaction
 * first. Run on the runner's connection outside a failed transaction (after its ROLLBACK).
 * @returns [] when the statement names no relation, or nobody holds a lock on them any more
 */
export async function lockBlockers(db: Db, statement: string): Promise<Blocker[]> {
  return holdersOf(db, await statementRelations(statement));
}

/** Other sessions holding a granted lock on any of `relations` (quoted names), oldest transaction first. */
async function holdersOf(db: Db, relations: string[]): Promise<Blocker[]> {
  if (!relations.length) return [];
  const rows = await db.query<{ pid: number; application: string; state: string | null; age: string | null; query: string | null; holds: string }>(
    `SELECT a.pid, coalesce(a.application_name, '') AS application, a.state,
            extract(epoch FROM now() - a.xact_start)::float8 AS age, a.query,
            string_agg(DISTINCT format('%I.%I', n.nspname, c.relname) || ' ' || l.mode, ', ') AS holds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid()
        AND l.relation = ANY (SELECT to_regclass(r) FROM unnest($1::text[]) AS r)
      GROUP BY a.pid, a.application_name, a.state, a.xact_start, a.query
      ORDER BY a.xact_start NULLS LAST, a.pid`, [relations]);
  return rows.map((r) => ({
    pid: Number(r.pid), application: r.application, state: r.state ?? 'unknown',
    transactionAgeSeconds: r.age === null ? null : Math.round(Number(r.age)), query: excerpt(r.query ?? ''), holds: r.holds,
  }));
}

/** `pid 4242 (application "report-job", idle in transaction, transaction open for 12 s, holds public.orders AccessShareLock): SELECT …`. */
export function describeBlocker(b: Blocker): string {
  const app = b.application ? `application "${b.application}"` : 'no application_name';
  const age = b.transactionAgeSeconds === null ? 'no open transaction' : `transaction open for ${b.transactionAgeSeconds} s`;
  return `pid ${b.pid} (${app}, ${b.state}, ${age}, holds ${b.holds})${b.query ? `: ${b.query}` : ''}`;
}

/**
 * The sentence the runner appends to a lock-timeout message: who holds locks on the statement's
 * relations and how to end one; never throws (a failed look-up says so). For a statement_timeout
 * (SQLSTATE 57014), which also ends a lock wait when it is the shorter bound, the holders are listed
 * as possible causes only ('' when there are none).
 */
export async function blockersSentence(db: Db, statement: string, cause: 'lock_timeout' | 'statement_timeout' = 'lock_timeout'): Promise<string> {
  try {
    const found = await lockBlockers(db, statement);
    if (cause === 'statement_timeout') {
      // A statement_timeout does not say whether the statement was waiting for a lock or working.
      if (!found.length) return '';
      return ` If it was waiting for a lock rather than working, these session(s) hold locks on its relations: ${found.map(describeBlocker).join('; ')}.`;
    }
    if (!found.length) return ' No other session holds a lock on the relations of the statement now (the holder may have finished).';
    return ` Waiting behind ${found.length} session(s): ${found.map(describeBlocker).join('; ')}. ` +
      `End the one that should not be there (SELECT pg_terminate_backend(<pid>)) or run again when it is done.`;
  } catch (e) {
    return ` (Could not read who holds the lock: ${(e as Error)?.message ?? e}.)`;
  }
}

/** Statement types that only read or write rows, or set the session: they take no lock DDL would wait for long. */
const ROW_LEVEL = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'VariableSetStmt', 'TransactionStmt', 'CopyStmt', 'CallStmt', 'DoStmt']);

/**
 * The look-ahead of the lock-queue guard: before a section runs, the sessions whose transaction has
 * been open longer than `lock_timeout` and that hold a lock on a relation a DDL statement of the
 * section names. Such a session will not let go in time: the statement will queue behind it (and
 * every query on the table behind the statement) until lock_timeout ends the wait.
 * @param nodes the parse trees of the section's statements
 * @param lockTimeout the lock_timeout the section runs with (PostgreSQL interval text; '0' = none: no warning)
 * @returns [] when there is none, or on any error (a warning must not fail a run)
 */
export async function staleHolders(db: Db, nodes: Array<Record<string, any>>, lockTimeout: string): Promise<Blocker[]> {
  try {
    const relations: string[] = [];
    for (const n of nodes) if (!ROW_LEVEL.has(Object.keys(n)[0] ?? '')) for (const r of relationsOf(n)) if (!relations.includes(r)) relations.push(r);
    if (!relations.length) return [];
    const [t] = await db.query<{ s: string | null }>(`SELECT extract(epoch FROM $1::interval)::float8 AS s`, [/^\d+$/.test(lockTimeout) ? `${lockTimeout}ms` : lockTimeout]);
    const seconds = Number(t?.s ?? 0);
    if (!(seconds > 0)) return [];
    return (await holdersOf(db, relations)).filter((b) => b.transactionAgeSeconds !== null && b.transactionAgeSeconds > seconds);
  } catch {
    return [];
  }
}
