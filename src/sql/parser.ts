/**
 * PostgreSQL's parser (libpg-query: the server's grammar compiled to WebAssembly), loaded on first
 * use. Commands that never read SQL text (`diff` between two databases, `status`) do not pay for
 * loading the module and its glue code at start-up; the commands that plan start loading it while
 * they wait for their databases.
 */

type LibPgQuery = typeof import('libpg-query');

let lib: LibPgQuery | undefined;
let loading: Promise<void> | undefined;

/**
 * Thrown by {@link parseSync} and {@link tryParse} when {@link loadParser} has not resolved: a
 * programming error (an entry point that plans must await `loadParser()` first), never to be read
 * as "this SQL does not parse".
 */
export class ParserNotLoadedError extends Error {
  constructor() {
    super('the SQL parser is not loaded: await loadParser() before planning or parsing');
    this.name = 'ParserNotLoadedError';
  }
}

/** Loads the WebAssembly parser once (≈50 ms); later calls return the same promise. */
export function loadParser(): Promise<void> {
  loading ??= import('libpg-query').then(async (m) => {
    await m.loadModule();
    lib = m;
  });
  return loading;
}

/**
 * libpg-query's `parseSync`: the parse tree (JSON) of `sql`.
 * @throws ParserNotLoadedError before {@link loadParser} has resolved; libpg-query's error (with a
 *   cursor position) when `sql` does not parse
 */
export function parseSync(sql: string): any {
  if (!lib) throw new ParserNotLoadedError();
  return lib.parseSync(sql);
}

/**
 * The parse tree of `sql`, or undefined when PostgreSQL's grammar rejects it.
 * @throws ParserNotLoadedError before {@link loadParser} has resolved (so that a missing load is
 *   never mistaken for a syntax error)
 */
export function tryParse(sql: string): any | undefined {
  if (!lib) throw new ParserNotLoadedError();
  try {
    return lib.parseSync(sql);
  } catch {
    return undefined;
  }
}
