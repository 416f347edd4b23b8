/**
 * The parts of a PRIMARY KEY or UNIQUE constraint's definition (`pg_get_constraintdef`) that a unique
 * index built beforehand must carry for `ADD CONSTRAINT … USING INDEX` to accept it (PostgreSQL docs,
 * "ALTER TABLE", `ADD table_constraint_using_index`: the index must be a unique b-tree index with
 * default sort ordering, no expressions and no predicate). Read with PostgreSQL's parser
 * (libpg-query).
 */
import { tryParse } from '../sql/parser.js';
import { quoteIdent } from '../db/quote.js';

/** What `CREATE UNIQUE INDEX` and `ADD CONSTRAINT … USING INDEX` need of a key constraint. */
export interface KeyDefinition {
  /** `p` primary key, `u` unique. */
  type: 'p' | 'u';
  /** `(a, b)`: the key columns, quoted as needed. */
  columns: string;
  /** ` INCLUDE (c)` or ''. */
  include: string;
  /** ` NULLS NOT DISTINCT` or '' (PostgreSQL 15+). */
  nullsNotDistinct: string;
  /** ` DEFERRABLE`, ` DEFERRABLE INITIALLY DEFERRED` or '' (kept on the constraint, not the index). */
  deferrable: string;
}

/**
 * Reads a key constraint's definition, e.g. `UNIQUE NULLS NOT DISTINCT (email) INCLUDE (n) DEFERRABLE`.
 * Returns null for anything an index built beforehand cannot stand for: another constraint type,
 * storage parameters (`WITH (…)`) or a tablespace (`USING INDEX TABLESPACE`), or text the parser
 * rejects.
 * @throws ParserNotLoadedError before `loadParser()` has resolved
 */
export function keyDefinition(definition: string): KeyDefinition | null {
  const c: any = tryParse(`ALTER TABLE t ADD CONSTRAINT c ${definition}`)?.stmts?.[0]?.stmt?.AlterTableStmt?.cmds?.[0]?.AlterTableCmd?.def?.Constraint;
  if (!c || (c.contype !== 'CONSTR_PRIMARY' && c.contype !== 'CONSTR_UNIQUE')) return null;
  if ((c.options ?? []).length || c.indexspace || c.indexname || c.without_overlaps) return null;
  const names = (list: any[] | undefined) => (list ?? []).map((k: any) => quoteIdent(String(k.String?.sval ?? '')));
  const keys = names(c.keys);
  if (keys.length === 0) return null;
  const including = names(c.including);
  return {
    type: c.contype === 'CONSTR_PRIMARY' ? 'p' : 'u',
    columns: `(${keys.join(', ')})`,
    include: including.length ? ` INCLUDE (${including.join(', ')})` : '',
    nullsNotDistinct: c.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '',
    deferrable: c.deferrable ? (c.initdeferred ? ' DEFERRABLE INITIALLY DEFERRED' : ' DEFERRABLE') : '',
  };
}
