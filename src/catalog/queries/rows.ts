/**
 * Positional catalog rows. The most numerous catalog lists (attributes, relations, types) are
 * returned as JSON arrays rather than objects: the same rows in about a third of the bytes, so
 * PostgreSQL builds and Node parses them in about half the time (measured on the chado corpus
 * schema: 44,000 `pg_depend` rows, 0.29 s as objects against 0.13 s; those rows are now read as
 * columns, queries/definitions.ts). One
 * column map describes both ends: the SQL lists its expressions in order, and {@link rowsOf}
 * names the array elements with its keys.
 */

/** Field name → SQL expression, in the order the array holds them. */
export type Columns = Readonly<Record<string, string>>;

/**
 * An SQL expression (type `json`) aggregating the rows of `fromWhere` as positional arrays of
 * `columns`' expressions, `[]` when there are none.
 * @param fromWhere the `FROM … WHERE …` part of the query, with the aliases the expressions use
 */
export function positional(columns: Columns, fromWhere: string): string {
  return `(select coalesce(json_agg(json_build_array(${Object.values(columns).join(', ')})), '[]') ${fromWhere})`;
}

/**
 * Turns positional arrays read with {@link positional} into objects keyed by `columns`' field
 * names. `T` is the row type the caller declares for those fields.
 */
export function rowsOf<T>(columns: Columns, tuples: readonly unknown[][]): T[] {
  const names = Object.keys(columns);
  return tuples.map((tuple) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = tuple[i];
    return row as T;
  });
}
