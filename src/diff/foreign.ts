/**
 * Foreign-data wrappers, foreign servers, user mappings and the foreign parts of foreign tables
 * (PostgreSQL docs "ALTER FOREIGN DATA WRAPPER", "ALTER SERVER", "ALTER USER MAPPING", "ALTER
 * FOREIGN TABLE"). Options change in place with `OPTIONS (ADD/SET/DROP …)`; a server whose wrapper
 * or type changes is re-created. A foreign table is a table (diff/tables.ts creates, drops and
 * re-creates it); here only its table and column options change in place. Secret option values
 * are the placeholder on both sides (catalog/secrets.ts), so they differ only when one is added or
 * removed; `secretNotes` tells the user to set them out of band.
 */
import type { Catalog, ColumnObject, ForeignServerObject, UserMappingObject } from '../catalog/model.js';
import { allObjects, objectsOfKind } from '../catalog/model.js';
import { isSecretItem, SECRET_PLACEHOLDER } from '../catalog/secrets.js';
import { qualified, quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { alterOptionsClause, mappingRole } from './foreign-sql.js';
import { addsAndDrops, kindName, label, replaceChanges } from './objects.js';

/** Wrappers, servers, user mappings, and foreign table/column options. */
export function diffForeign(from: Catalog, to: Catalog): Change[] {
  const out = [...addsAndDrops(from, to, 'foreign_data_wrapper'), ...addsAndDrops(from, to, 'server'), ...addsAndDrops(from, to, 'user_mapping')];
  for (const b of objectsOfKind(to, 'foreign_data_wrapper')) {
    const a = from.objects[b.id];
    if (!a || a.kind !== b.kind) continue;
    const parts: string[] = [];
    if (a.handler !== b.handler) parts.push(b.handler ? `HANDLER ${b.handler}` : 'NO HANDLER');
    if (a.validator !== b.validator) parts.push(b.validator ? `VALIDATOR ${b.validator}` : 'NO VALIDATOR');
    const opts = alterOptionsClause(a.options, b.options);
    if (parts.length || opts) {
      out.push(change({
        id: b.id, kind: b.kind, op: 'alter', description: `alter foreign-data wrapper ${b.name}`,
        sql: [`ALTER FOREIGN DATA WRAPPER ${quoteIdent(b.name)}${parts.length ? ' ' + parts.join(' ') : ''}${opts}`],
        phase: PHASE.createForeignDataWrapper + 0.1, requires: b.deps, releases: a.deps,
      }));
    }
  }
  for (const b of objectsOfKind(to, 'server')) {
    const a = from.objects[b.id] as ForeignServerObject | undefined;
    if (!a) continue;
    if (a.wrapper !== b.wrapper || a.type !== b.type) {
      out.push(...replaceChanges(from, to, a, b, a.wrapper !== b.wrapper ? 'foreign-data wrapper changed' : 'type changed'));
      continue;
    }
    const version = a.version !== b.version ? ` VERSION ${b.version === null ? 'NULL' : `'${b.version.replace(/'/g, "''")}'`}` : '';
    const opts = alterOptionsClause(a.options, b.options);
    if (version || opts) {
      out.push(change({ id: b.id, kind: 'server', op: 'alter', description: `alter foreign server ${b.name}`, sql: [`ALTER SERVER ${quoteIdent(b.name)}${version}${opts}`], phase: PHASE.createServer + 0.1, requires: [b.id] }));
    }
  }
  for (const b of objectsOfKind(to, 'user_mapping')) {
    const a = from.objects[b.id] as UserMappingObject | undefined;
    if (!a || a.options === null || b.options === null) continue;
    const opts = alterOptionsClause(a.options, b.options);
    if (opts) out.push(change({ id: b.id, kind: 'user_mapping', op: 'alter', description: `alter user mapping ${b.name}`, sql: [`ALTER USER MAPPING FOR ${mappingRole(b)} SERVER ${quoteIdent(b.server)}${opts}`], phase: PHASE.createUserMapping + 0.1, requires: [b.id] }));
  }
  for (const b of objectsOfKind(to, 'table')) {
    const a = from.objects[b.id];
    if (!a || a.kind !== 'table' || !a.foreign || !b.foreign || a.foreign.server !== b.foreign.server) continue;
    const name = qualified(b.schema, b.name);
    const opts = alterOptionsClause(a.foreign.options, b.foreign.options);
    if (opts) out.push(change({ id: b.id, kind: 'table', op: 'alter', description: `set options of foreign table ${label(b)}`, sql: [`ALTER FOREIGN TABLE ${name}${opts}`], phase: PHASE.alterColumn }));
    for (const cid of b.columns) {
      const c = to.objects[cid] as ColumnObject | undefined;
      const oc = from.objects[cid] as ColumnObject | undefined;
      if (!c || !oc) continue;
      const copts = alterOptionsClause(oc.fdwOptions ?? [], c.fdwOptions ?? []);
      if (copts) out.push(change({ id: c.id, kind: 'column', op: 'alter', description: `set options of column ${label(c)}`, sql: [`ALTER FOREIGN TABLE ${name} ALTER COLUMN ${quoteIdent(c.name)}${copts}`], phase: PHASE.alterColumn + 1, requires: [c.id] }));
    }
  }
  return out;
}

/**
 * One line per secret a migration from `from` to `to` sets to the placeholder (a new user mapping,
 * server, wrapper or foreign table with a secret option, a secret option added, a subscription
 * created or given a new connection string holding one): what to run, out of band, with the real
 * value. Never contains a secret (the catalogs hold none).
 */
export function secretNotes(from: Catalog, to: Catalog): string[] {
  const out: string[] = [];
  const keysOf = (items: readonly string[] | null | undefined) => (items ?? []).filter(isSecretItem).map((it) => it.slice(0, it.indexOf('=')));
  for (const b of allObjects(to)) {
    const a = from.objects[b.id];
    let target: string | null = null;
    let added: string[] = [];
    switch (b.kind) {
      case 'user_mapping': {
        const was = a?.kind === 'user_mapping' ? keysOf(a.options) : [];
        added = keysOf(b.options).filter((k) => !was.includes(k));
        target = `ALTER USER MAPPING FOR ${mappingRole(b)} SERVER ${quoteIdent(b.server)}`;
        break;
      }
      case 'server':
      case 'foreign_data_wrapper': {
        const was = a && a.kind === b.kind ? keysOf(a.options) : [];
        added = keysOf(b.options).filter((k) => !was.includes(k));
        target = `ALTER ${b.kind === 'server' ? 'SERVER' : 'FOREIGN DATA WRAPPER'} ${quoteIdent(b.name)}`;
        break;
      }
      case 'table': {
        if (!b.foreign) continue;
        const was = a?.kind === 'table' && a.foreign ? keysOf(a.foreign.options) : [];
        added = keysOf(b.foreign.options).filter((k) => !was.includes(k));
        target = `ALTER FOREIGN TABLE ${qualified(b.schema, b.name)}`;
        break;
      }
      case 'subscription': {
        const was = a?.kind === 'subscription' ? a.connection : undefined;
        if (b.connection === null || was === b.connection || ![SECRET_PLACEHOLDER, encodeURIComponent(SECRET_PLACEHOLDER)].some((p) => b.connection!.includes(p))) continue;
        out.push(`subscription ${b.name}: its connection string is generated with its secrets as placeholders; set the real one out of band: ALTER SUBSCRIPTION ${quoteIdent(b.name)} CONNECTION '…'`);
        continue;
      }
      default:
        continue;
    }
    for (const k of added) out.push(`${kindName(b.kind)} ${b.kind === 'table' ? label(b) : b.name}: option ${k} is a secret and is generated as a placeholder; set the real value out of band: ${target} OPTIONS (SET ${quoteIdent(k)} '…')`);
  }
  return out.sort();
}
