/** The scope of a project's catalog reads: which schemas, and which objects left out. */
import { objectId } from '../catalog/model.js';
import type { Config } from '../config/config.js';

/**
 * Introspection options of a project: its schema scope, its exclude patterns and — for the commands
 * that work on a project (`plan`, `check`, `up`) — the history table, with what it owns (the reader
 * leaves out the sequences OWNED BY an excluded table's columns: goose's `goose_db_version` has
 * `id serial`, so `goose_db_version_id_seq` belongs to the history, not to the schema). `diff` between
 * two arbitrary sources passes `{ tracking: false }`: there a table that shares the history table's name is data.
 */
export function introspectOptions(config: Config, options: { tracking?: boolean } = {}): ScopeOptions {
  const { schema, name } = config.table;
  const exclude = options.tracking === false ? [...config.exclude] : [...config.exclude, objectId('table', schema, name)];
  return { schemas: config.schemas, excludeSchemas: config.excludeSchemas, exclude };
}

/** What a catalog read includes: schema patterns, excluded schema patterns, excluded identities. */
export interface ScopeOptions {
  schemas: string[];
  excludeSchemas: string[];
  exclude: string[];
}
