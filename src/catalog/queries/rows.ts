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
 * @throws Error when a field name is not a JavaScript identifier (the column maps are constants)
 */
export function rowsOf<T>(columns: Columns, tuples: readonly unknown[][]): T[] {
  return tuples.map(rowMaker(columns)) as T[];
}

const makers = new WeakMap<Columns, (tuple: unknown[]) => unknown>();

/**
 * One function per column map that returns an object literal of the tuple's elements: every row
 * gets the same hidden class in one allocation, where a loop of computed-key stores takes V8's
 * generic path per field (3 against 7 ms for musicbrainz's 3,000 attributes). The function is
 * generated from the map's own constant field names, never from catalog data.
 */
function rowMaker(columns: Columns): (tuple: unknown[]) => unknown {
  let make = makers.get(columns);
  if (!make) {
    const names = Object.keys(columns);
    for (const n of names) if (!/^[A-Za-z_$][\w$]*$/.test(n)) throw new Error(`column field ${JSON.stringify(n)} is not an identifier`);
    try {
      make = new Function('t', `return { ${names.map((n, i) => `${n}: t[${i}]`).join(', ')} };`) as (tuple: unknown[]) => unknown;
    } catch {
      // Code generation disallowed (node --disallow-code-generation-from-strings): the plain loop.
      make = (tuple) => {
        const row: Record<string, unknown> = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = tuple[i];
        return row;
      };
    }
    makers.set(columns, make);
  }
  return make;
}
