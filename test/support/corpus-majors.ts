/**
 * Corpus schemas (../shared/corpus/schemas) that do not load on every supported PostgreSQL major,
 * and why: their tests are skipped, saying so, on such a default server.
 */
import { serverMajor } from './db.js';

interface Limit {
  /** Lowest major the schema loads on. */
  min?: number;
  /** Highest major the schema loads on. */
  max?: number;
  why: string;
}

const LIMITS: Readonly<Record<string, Limit>> = {
  musicbrainz: { min: 15, why: 'it uses UNIQUE NULLS NOT DISTINCT (PostgreSQL 15)' },
  'sourcegraph-frontend': { min: 15, why: 'it creates views WITH (security_invoker) (PostgreSQL 15)' },
  // PostgreSQL 17 runs CREATE INDEX with search_path = pg_catalog, pg_temp (release notes of 17).
  chado: { max: 16, why: 'from PostgreSQL 17 on, CREATE INDEX runs with a safe search_path, so the unqualified create_point() in its index expression is not found' },
};

/** Why the corpus schema `name` does not load on the default server, or null when it does. */
export function corpusSkip(name: string): string | null {
  const l = LIMITS[name];
  const major = serverMajor();
  if (!l || ((l.min === undefined || major >= l.min) && (l.max === undefined || major <= l.max))) return null;
  return `skipped on PostgreSQL ${major}: ${l.why}`;
}

/** A corpus test's title, with the reason when it is skipped. */
export function corpusTestName(title: string, name: string): string {
  const why = corpusSkip(name);
  return why ? `${title} (${why})` : title;
}
