/**
 * node-postgres, loaded for this process without the fetch implementation it does not use.
 *
 * When it loads, node-postgres asks whether it runs in a Cloudflare Worker: it reads
 * `navigator.userAgent`, and where there is no `navigator` (Node before 21) it constructs a fetch
 * `Response` instead, which makes Node load its whole fetch implementation: 30–50 ms of every
 * command on this project's 2-core machines, for a class none of our code uses. While the module
 * loads (synchronously, so no other code runs meanwhile), a `navigator` like the one Node 21+
 * provides answers the question; it is removed right after. Where Node has its own `navigator`,
 * nothing is changed.
 */
import { createRequire } from 'node:module';
import type pgModule from 'pg';

const require = createRequire(import.meta.url);

function loadDriver(): typeof pgModule {
  const g = globalThis as { navigator?: unknown };
  if (g.navigator !== undefined) return require('pg') as typeof pgModule;
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true, writable: true });
  try {
    return require('pg') as typeof pgModule;
  } finally {
    delete g.navigator;
  }
}

/** The `pg` module (its default export, as `import pg from 'pg'` gives it). */
const pg: typeof pgModule = loadDriver();
export default pg;
