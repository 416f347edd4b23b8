import { createHash } from 'node:crypto';
import type { Catalog, CatalogObject } from './model.js';
import { comparableObject, comparableViewDefinition } from './normalize.js';

/**
 * Fields that identify an object's state for fingerprints and equality: all but column positions
 * (and order), in the form the diff compares across PostgreSQL majors — a plan made against the
 * history in PGlite (18) is checked by `up` against a PostgreSQL 15 server. So view queries are
 * hashed with table aliases stripped (15 and 16+ print them differently; `sameViewDefinition`), and
 * collations by their comparable options.
 */
function comparable(o: CatalogObject, schemas: readonly string[]): unknown {
  o = comparableObject(o);
  if (o.kind === 'view' || o.kind === 'matview') return { ...o, definition: comparableViewDefinition(o.definition, schemas) };
  if (o.kind === 'collation') {
    const { options: _o, ...rest } = o;
    return rest;
  }
  if (o.kind === 'column') {
    const { position: _p, ...rest } = o;
    return rest;
  }
  if (o.kind === 'table') {
    // Column order is position order, which is not compared either (a restored or re-added column
    // may sit elsewhere).
    return { ...o, columns: [...o.columns].sort() };
  }
  if (o.kind === 'extension') {
    const { version: _v, ...rest } = o;
    return rest;
  }
  return o;
}

/** The comparable JSON text of each object, per schema list (plans hash a catalog several times). */
const comparableText = new WeakMap<CatalogObject, { schemas: string; text: string }>();

/** `comparable(o)` as JSON text, computed once per object and schema list. */
function textOf(o: CatalogObject, schemas: readonly string[]): string {
  const key = schemas.join('\0');
  const hit = comparableText.get(o);
  if (hit && hit.schemas === key) return hit.text;
  const text = JSON.stringify(comparable(o, schemas));
  comparableText.set(o, { schemas: key, text });
  return text;
}

/**
 * SHA-256 (hex, first 16 characters) over the catalog's objects, ignoring column positions and
 * extension versions (the same things the diff ignores), so two catalogs with the same fingerprint
 * plan to nothing.
 */
export function fingerprint(cat: Catalog): string {
  const h = createHash('sha256');
  for (const id of Object.keys(cat.objects).sort()) h.update(textOf(cat.objects[id]!, cat.schemas) + '\n');
  return h.digest('hex').slice(0, 16);
}

/**
 * Per-object hashes (SHA-256 hex, first 12 characters) in the same comparable form as
 * {@link fingerprint}, keyed by object identity: recorded in a plan document (`from_objects`) so
 * `up` can name the objects in which a database differs from the catalog a plan started from.
 */
export function objectHashes(cat: Catalog): Record<string, string> {
  const out: Record<string, string> = {};
  for (const id of Object.keys(cat.objects).sort()) out[id] = createHash('sha256').update(textOf(cat.objects[id]!, cat.schemas)).digest('hex').slice(0, 12);
  return out;
}

/** Identities whose state differs between recorded hashes and a catalog: missing, extra or changed, sorted. */
export function differingObjects(recorded: Record<string, string>, cat: Catalog): { id: string; how: 'missing' | 'extra' | 'changed' }[] {
  const now = objectHashes(cat);
  const out: { id: string; how: 'missing' | 'extra' | 'changed' }[] = [];
  for (const id of new Set([...Object.keys(recorded), ...Object.keys(now)])) {
    if (!(id in now)) out.push({ id, how: 'missing' });
    else if (!(id in recorded)) out.push({ id, how: 'extra' });
    else if (recorded[id] !== now[id]) out.push({ id, how: 'changed' });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
