/**
 * Corpus schemas (../shared/corpus/schemas) that use a feature PostgreSQL added after 14, with the
 * major that added it: their tests are skipped, saying so, on an older default server.
 */
export const CORPUS_MIN_MAJOR: Readonly<Record<string, number>> = {
  musicbrainz: 15, // UNIQUE NULLS NOT DISTINCT
  'sourcegraph-frontend': 15, // CREATE VIEW … WITH (security_invoker)
};
