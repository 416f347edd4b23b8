/**
 * Security: row-level security policies (CREATE/DROP, ALTER POLICY where PostgreSQL allows it),
 * privileges (GRANT/REVOKE on every kind that has them, column privileges included), ownership
 * (ALTER … OWNER TO) and default privileges (ALTER DEFAULT PRIVILEGES). Roles are never created:
 * `missingRoles` lists the roles a catalog refers to that the server lacks.
 */
import type { Catalog, CatalogObject, DefaultAclObject, PolicyObject } from '../catalog/model.js';
import { allObjects, objectId, objectsOfKind } from '../catalog/model.js';
import { allPrivileges, comparableExpression as cx, defaultAcl, normalizeAcl, parseAclItem, type AclKind, type AclRow } from '../catalog/normalize.js';
import { quoteIdent } from '../db/quote.js';
import { change, PHASE, type Change } from './change.js';
import { grantTarget, ownerSql, roleSql, tableName } from './ddl.js';
import { addsAndDrops, kindName, label, replaceChanges } from './objects.js';

/** Policies: create, drop, ALTER POLICY (roles, USING, WITH CHECK), replace when the command or kind changes. */
export function diffPolicies(from: Catalog, to: Catalog): Change[] {
  const out = addsAndDrops(from, to, 'policy');
  for (const b of objectsOfKind(to, 'policy')) {
    const a = from.objects[b.id] as PolicyObject | undefined;
    if (!a) continue;
    if (a.command !== b.command || a.permissive !== b.permissive || (a.using !== null && b.using === null) || (a.check !== null && b.check === null)) {
      out.push(...replaceChanges(from, to, a, b, 'command, kind or a removed expression cannot be altered'));
      continue;
    }
    const parts: string[] = [];
    if (a.roles.join(',') !== b.roles.join(',')) parts.push(`TO ${b.roles.map(roleSql).join(', ')}`);
    if (cx(a.using) !== cx(b.using)) parts.push(`USING (${b.using})`);
    if (cx(a.check) !== cx(b.check)) parts.push(`WITH CHECK (${b.check})`);
    if (parts.length) {
      out.push(change({
        id: b.id, kind: 'policy', op: 'alter', description: `alter policy ${label(b)}`,
        sql: [`ALTER POLICY ${quoteIdent(b.name)} ON ${tableName(to, b.table)} ${parts.join(' ')}`], phase: PHASE.createPolicy, requires: b.deps, releases: a.deps,
      }));
    }
  }
  return out;
}

/** The ACL kind of an object (`acldefault` letters, `c` for columns), or null when it has no privileges. */
export function aclKind(o: CatalogObject): AclKind | null {
  switch (o.kind) {
    case 'table':
    case 'view':
    case 'matview': return 'r';
    case 'sequence': return 's';
    case 'function': return 'f';
    case 'schema': return 'n';
    case 'type':
    case 'domain': return 'T';
    case 'column': return 'c';
    case 'foreign_data_wrapper': return 'F';
    case 'server': return 'S';
    default: return null;
  }
}

const DEFACL_KIND: Record<DefaultAclObject['objectType'], AclKind> = { r: 'r', S: 's', f: 'f', T: 'T', n: 'n' };
const DEFACL_WORD: Record<DefaultAclObject['objectType'], string> = { r: 'TABLES', S: 'SEQUENCES', f: 'FUNCTIONS', T: 'TYPES', n: 'SCHEMAS' };

/** Privilege → grant option, with `ALL` expanded for the kind on `serverVersion`. */
function expand(items: string[], kind: AclKind, serverVersion: number): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>();
  for (const it of items) {
    const r = parseAclItem(it);
    const m = out.get(r.grantee) ?? new Map<string, boolean>();
    for (const p of r.privilege === 'ALL' ? allPrivileges(kind, serverVersion) : [r.privilege]) m.set(p, (m.get(p) ?? false) || r.grantable);
    out.set(r.grantee, m);
  }
  return out;
}

/**
 * GRANT/REVOKE statements turning ACL `before` into `after`. `verbTarget` builds the statement for a
 * verb, privileges and grantee, e.g. `GRANT SELECT ON TABLE t TO bob`; `owner` is the role `@owner`
 * stands for.
 */
function grantStatements(
  before: string[], after: string[], kind: AclKind, serverVersion: number, owner: string | null,
  stmt: (verb: 'GRANT' | 'REVOKE' | 'REVOKE GRANT OPTION FOR', privs: string[], grantee: string, withGrant: boolean) => string,
): string[] {
  const b = expand(before, kind, serverVersion);
  const a = expand(after, kind, serverVersion);
  const role = (g: string) => (g === '@owner' ? roleSql(owner) : g === 'PUBLIC' ? 'PUBLIC' : quoteIdent(g));
  const out: string[] = [];
  const all = allPrivileges(kind, serverVersion);
  for (const g of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const was = b.get(g) ?? new Map<string, boolean>();
    const now = a.get(g) ?? new Map<string, boolean>();
    const revoke = [...was.keys()].filter((p) => !now.has(p));
    const revokeOption = [...was].filter(([p, go]) => go && now.has(p) && !now.get(p)).map(([p]) => p);
    const grant = [...now].filter(([p, go]) => !was.has(p) || (go && !was.get(p)));
    const order = (ps: string[]) => all.filter((p) => ps.includes(p)).concat(ps.filter((p) => !all.includes(p)));
    if (revoke.length) out.push(stmt('REVOKE', revoke.length === all.length && now.size === 0 ? ['ALL'] : order(revoke), role(g), false));
    if (revokeOption.length) out.push(stmt('REVOKE GRANT OPTION FOR', order(revokeOption), role(g), false));
    const plain = grant.filter(([, go]) => !go).map(([p]) => p);
    const withOption = grant.filter(([, go]) => go).map(([p]) => p);
    if (plain.length) out.push(stmt('GRANT', order(plain), role(g), false));
    if (withOption.length) out.push(stmt('GRANT', order(withOption), role(g), true));
  }
  return out;
}

/**
 * The ACL a new object gets when the migration's role creates it: the kind's default, or the role's
 * default privileges for the database, plus those for the object's schema (ALTER DEFAULT PRIVILEGES).
 */
export function initialAcl(cat: Catalog, o: CatalogObject): string[] {
  const kind = aclKind(o);
  if (!kind) return [];
  if (kind === 'c') return [];
  if (kind === 'F' || kind === 'S') return defaultAcl(kind); // ALTER DEFAULT PRIVILEGES does not cover them
  const type = ({ r: 'r', s: 'S', f: 'f', T: 'T', n: 'n' } as const)[kind];
  // Identities: `default_acl:<role>.<schema>.<type>`, role '' for the role that read the catalog.
  const global = cat.objects[objectId('default_acl', '', '', type)] as DefaultAclObject | undefined;
  const inSchema = o.kind === 'schema' ? undefined : (cat.objects[objectId('default_acl', '', o.schema, type)] as DefaultAclObject | undefined);
  const base = global ? global.acl : defaultAcl(kind);
  if (!inSchema) return base;
  const rows: AclRow[] = [];
  for (const items of [base, inSchema.acl]) {
    for (const [g, m] of expand(items, kind, cat.serverVersion)) for (const [p, go] of m) rows.push({ grantee: g, privilege: p, grantable: go });
  }
  return normalizeAcl(rows, kind, cat.serverVersion);
}

/**
 * Ownership and privileges of every object in `to`, compared with `from` — or, for an object the
 * migration creates or re-creates, with what creating it gives (owned by the migration's role, the
 * initial ACL).
 */
export function diffOwnersAndPrivileges(from: Catalog, to: Catalog, changes: Change[]): Change[] {
  const recreated = new Set(changes.filter((c) => c.op === 'replace' || c.op === 'create').flatMap((c) => c.creates));
  const out: Change[] = [];
  const version = from.serverVersion || to.serverVersion;
  for (const o of allObjects(to)) {
    const old = from.objects[o.id];
    const fresh = !old || old.kind !== o.kind || recreated.has(o.id);
    // Ownership.
    if ('owner' in o && !(o.kind === 'sequence' && o.ownedBy)) {
      const before = fresh ? null : ((old as { owner?: string | null }).owner ?? null);
      if (before !== o.owner) {
        out.push(change({
          id: o.id, kind: o.kind, op: 'alter', description: `set owner of ${kindName(o.kind)} ${label(o)} to ${o.owner ?? 'the migration role'}`,
          sql: [ownerSql(to, o, o.owner)], phase: PHASE.owner, requires: [o.id], detail: 'owner',
        }));
      }
    }
    // Privileges.
    const kind = aclKind(o);
    if (!kind || !('acl' in o)) continue;
    const before = fresh ? initialAcl(from, o) : (old as { acl: string[] }).acl;
    if (sameItems(before, o.acl)) continue;
    const target = grantTarget(to, o)!;
    const owner = o.kind === 'column' ? ((to.objects[o.table] as { owner?: string | null } | undefined)?.owner ?? null) : ((o as { owner?: string | null }).owner ?? null);
    const col = o.kind === 'column' ? ` (${quoteIdent(o.name)})` : '';
    const sql = grantStatements(before, o.acl, kind, version, owner, (verb, privs, grantee, withGrant) => {
      const list = privs.map((p) => p + col).join(', ');
      return verb === 'GRANT' ? `GRANT ${list} ON ${target} TO ${grantee}${withGrant ? ' WITH GRANT OPTION' : ''}` : `${verb} ${list} ON ${target} FROM ${grantee}`;
    });
    if (sql.length) {
      out.push(change({
        id: o.id, kind: o.kind, op: 'alter', description: `change privileges on ${kindName(o.kind)} ${label(o)}`, sql, phase: PHASE.grant, detail: 'privileges',
        requires: [o.id, ...(o.kind === 'column' ? [o.table] : [])],
      }));
    }
  }
  return out;
}

/** True when two ACL lists hold the same items in the same order (no string is built: called for every object). */
function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** ALTER DEFAULT PRIVILEGES: an absent entry is the built-in default (database-wide) or nothing (per schema). */
export function diffDefaultPrivileges(from: Catalog, to: Catalog): Change[] {
  const out: Change[] = [];
  const version = from.serverVersion || to.serverVersion;
  const ids = [...new Set([...objectsOfKind(from, 'default_acl'), ...objectsOfKind(to, 'default_acl')].map((o) => o.id))].sort();
  for (const id of ids) {
    const a = from.objects[id] as DefaultAclObject | undefined;
    const b = to.objects[id] as DefaultAclObject | undefined;
    const o = (b ?? a)!;
    const kind = DEFACL_KIND[o.objectType];
    const base = o.inSchema ? [] : defaultAcl(kind);
    const before = a ? a.acl : base;
    const after = b ? b.acl : base;
    if (before.join(',') === after.join(',')) continue;
    const prefix = `ALTER DEFAULT PRIVILEGES${o.role !== null ? ` FOR ROLE ${roleSql(o.role)}` : ''}${o.inSchema ? ` IN SCHEMA ${quoteIdent(o.inSchema)}` : ''}`;
    const sql = grantStatements(before, after, kind, version, o.role, (verb, privs, grantee, withGrant) =>
      verb === 'GRANT'
        ? `${prefix} GRANT ${privs.join(', ')} ON ${DEFACL_WORD[o.objectType]} TO ${grantee}${withGrant ? ' WITH GRANT OPTION' : ''}`
        : `${prefix} ${verb} ${privs.join(', ')} ON ${DEFACL_WORD[o.objectType]} FROM ${grantee}`);
    out.push(change({
      id, kind: 'default_acl', op: b ? (a ? 'alter' : 'create') : 'drop', description: `change default privileges on ${DEFACL_WORD[o.objectType].toLowerCase()}${o.inSchema ? ` in schema ${o.inSchema}` : ''}${o.role ? ` for role ${o.role}` : ''}`,
      sql, phase: PHASE.defaultAcl, requires: b?.deps ?? [], releases: a?.deps ?? [], creates: b && !a ? [id] : [], drops: a && !b ? [id] : [],
    }));
  }
  return out;
}

/** Where a role is referenced, for the missing-role report. */
export interface RoleUse {
  role: string;
  /** e.g. `owner of table public.t`, `grantee on function public.f()`, `policy public.t.p`. */
  where: string;
}

/** Roles `cat` refers to (owners, grantees, policy roles, default-privilege roles). */
export function referencedRoles(cat: Catalog): RoleUse[] {
  const out: RoleUse[] = [];
  for (const o of allObjects(cat)) {
    // Named only for a role that is used: most objects of a large catalog use none.
    const what = () => `${kindName(o.kind)} ${label(o)}`;
    if ('owner' in o && o.owner) out.push({ role: o.owner, where: `owner of ${what()}` });
    if ('acl' in o) {
      for (const it of o.acl) {
        const g = parseAclItem(it).grantee;
        if (g !== 'PUBLIC' && g !== '@owner') out.push({ role: g, where: `privileges on ${what()}` });
      }
    }
    if (o.kind === 'policy') for (const r of o.roles) if (r !== 'PUBLIC') out.push({ role: r, where: `policy ${label(o)}` });
    if (o.kind === 'default_acl' && o.role) out.push({ role: o.role, where: `default privileges of role ${o.role}` });
  }
  return out;
}

/**
 * Roles referenced by `to` that do not exist on `from`'s server (schemaplan never creates roles), one
 * line each with where they are used. Empty when `from` does not list its server's roles.
 */
export function missingRoles(from: Catalog, to: Catalog): string[] {
  if (!from.roles) return [];
  const have = new Set(from.roles);
  const missing = new Map<string, string[]>();
  for (const u of referencedRoles(to)) {
    if (have.has(u.role) || u.role === 'CURRENT_USER') continue;
    missing.set(u.role, [...(missing.get(u.role) ?? []), u.where]);
  }
  return [...missing].sort().map(([r, where]) => `role "${r}" does not exist on the target server (${where.slice(0, 3).join('; ')}${where.length > 3 ? `; and ${where.length - 3} more` : ''}): schemaplan does not create roles; create it before applying`);
}

