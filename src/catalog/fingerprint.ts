import { createHash } from 'node:crypto';
import type { Catalog, CatalogObject } from './model.js';
import { comparableObject } from './normalize.js';

/** Fields that identify an object's state for fingerprints and equality: all but column positions (and order). */
function comparable(o: CatalogObject): unknown {
  o = comparableObject(o);
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

/**
 * SHA-256 (hex, first 16 characters) over the catalog's objects, ignoring column positions and
 * extension versions (the same things the diff ignores), so two catalogs with the same fingerprint
 * plan to nothing.
 */
export function fingerprint(cat: Catalog): string {
  const h = createHash('sha256');
  for (const id of Object.keys(cat.objects).sort()) h.update(JSON.stringify(comparable(cat.objects[id]!)) + '\n');
  return h.digest('hex').slice(0, 16);
}
