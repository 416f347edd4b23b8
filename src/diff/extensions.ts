/**
 * Extensions that move to another schema (`ALTER EXTENSION … SET SCHEMA`, PostgreSQL docs "ALTER
 * EXTENSION": the extension's member objects move with it). Objects that use a member — a column
 * of type `public.citext`, a view calling one of its functions — then name it in the new schema
 * without changing themselves. So the move is one change, and before the rest of the diff, every
 * reference to a moved member in the from-catalog is rewritten to its new name: what only follows
 * the extension is no difference.
 */
import type { Catalog, CatalogObject, ExtensionObject } from '../catalog/model.js';
import { objectId, objectsOfKind } from '../catalog/model.js';
import { quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';

/** An extension present on both sides in different schemas. */
interface Move {
  a: ExtensionObject;
  b: ExtensionObject;
}

/** Escapes text for use inside a RegExp. */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The SET SCHEMA changes of the extensions that moved, and `from` with every reference to a moved
 * member renamed as the move renames it (the extension objects themselves are left as they are).
 * Returns `from` itself when nothing moved. Pure.
 */
export function followExtensionMoves(from: Catalog, to: Catalog): { from: Catalog; changes: Change[] } {
  const moves: Move[] = [];
  for (const b of objectsOfKind(to, 'extension')) {
    const a = from.objects[b.id];
    if (a?.kind === 'extension' && a.schema !== b.schema) moves.push({ a, b });
  }
  if (!moves.length) return { from, changes: [] };
  const renames: [RegExp, string][] = [];
  for (const { a, b } of moves) {
    const oldPrefix = `${quoteIdent(a.schema)}.`;
    for (const member of from.extensionMembers?.[a.name] ?? []) {
      if (!member.startsWith(oldPrefix)) continue;
      const moved = `${quoteIdent(b.schema)}.${member.slice(oldPrefix.length)}`;
      // Matched inside JSON text: names are JSON-escaped, and a match must not be part of a longer name.
      const json = (s: string) => JSON.stringify(s).slice(1, -1);
      renames.push([new RegExp(`(?<![A-Za-z0-9_$.])(?<!\\\\")${escape(json(member))}(?![A-Za-z0-9_$])`, 'g'), json(moved)]);
    }
  }
  const objects: Record<string, CatalogObject> = {};
  for (const [id, o] of Object.entries(from.objects)) {
    if (o.kind === 'extension') { objects[id] = o; continue; }
    let text = JSON.stringify(o);
    for (const [re, to] of renames) text = text.replace(re, to);
    objects[id] = JSON.parse(text) as CatalogObject;
  }
  const changes = moves.map(({ a, b }) => change({
    id: b.id, kind: 'extension', op: 'alter', description: `move extension ${b.name} from schema ${a.schema} to ${b.schema}`,
    sql: [`ALTER EXTENSION ${quoteIdent(b.name)} SET SCHEMA ${quoteIdent(b.schema)}`],
    phase: PHASE.createExtension, requires: [objectId('schema', b.schema)], releases: [objectId('schema', a.schema)],
  }));
  return { from: { ...from, objects }, changes };
}
