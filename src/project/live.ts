/**
 * A live database's state, read only. Kept apart from the shadow-backed states (states.ts) so that
 * reading a live database loads only the catalog reader and the driver: `diff` between two
 * databases connects before the planner's modules have loaded.
 */
import type { Catalog } from '../catalog/model.js';
import { introspect, type IntrospectStage } from '../catalog/introspect.js';
import type { Config } from '../config/config.js';
import { connect } from '../db/connect.js';
import { databaseLabel } from '../db/options.js';
import { ConnectError } from '../db/pg.js';
import { redactUrl } from '../db/redact.js';
import type { Db } from '../db/types.js';
import { statusLine } from '../runner/status-line.js';
import { introspectOptions, type ScopeOptions } from './scope.js';

/**
 * Connects to a live database named by the user; a failure names the (password-redacted) URL, so
 * `diff --from A --to B` says which side is unreachable.
 */
export async function connectLive(url: string): Promise<Db> {
  try {
    return await connect(url);
  } catch (e: any) {
    if (e instanceof ConnectError) throw e; // already names the (redacted) target
    const msg = e?.message ? String(e.message) : String(e);
    throw new Error(`cannot connect to ${redactUrl(url)}: ${msg}`, { cause: e });
  }
}

/** Options of {@link liveCatalog}. */
export interface LiveReadOptions {
  /** Also told each stage of the read, e.g. to start other work while the server prints definitions; must not throw. */
  onStage?: (stage: IntrospectStage) => void;
}

/**
 * The live database's state (read only); on a terminal, a status line while it is read.
 * @throws ConnectError (naming the password-redacted URL) when the database cannot be reached
 */
export async function liveCatalog(config: Config, url: string, scope: ScopeOptions = introspectOptions(config), options: LiveReadOptions = {}): Promise<Catalog> {
  // On a terminal, a status line (what is being read, elapsed time) while the catalog is read.
  const status = statusLine.start(`reading ${databaseLabel(url)}`);
  try {
    status.stage('connecting');
    const db = await connectLive(url);
    try {
      const onStage = (s: IntrospectStage) => (status.stage(s), options.onStage?.(s));
      return await introspect(db, { ...scope, onStage });
    } finally {
      await db.close();
    }
  } finally {
    status.done();
  }
}
