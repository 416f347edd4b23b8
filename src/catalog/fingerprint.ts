import { createHash } from 'node:crypto';
import type { Catalog, CatalogObject } from './model.js';

/** Fields that identify an object's state for fingerprints and equality: all but column position. */
function comparable(o: CatalogObject): unknown {
  if (o.kind === 'column') {
    const { position: _p, ...rest } = o;
    return rest;
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
