/** The tests' and the benchmark's PostgreSQL launcher: src/db/embedded.ts (also the `embedded:<major>` shadow). */
export { startPgServer, type PgServer } from '../src/db/embedded.js';
