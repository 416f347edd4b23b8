/**
 * Hazards: what a statement does to a running database, as data. Derived from the parsed statement
 * form (PostgreSQL's own grammar via libpg-query) and PostgreSQL's documentation: lock levels from
 * "Explicit Locking" (13.3) and ALTER TABLE's notes on which forms rewrite the table or scan it.
 */
import { parseSync } from 'libpg-query';

/** Hazard kinds (DESIGN.md). */
export type HazardKind =
  | 'deletes_data'
  | 'table_rewrite'
  | 'index_build'
  | 'validation_scan'
  | 'non_transactional'
  | 'untracked_dependencies'
  | 'authz';

export interface Hazard {
  kind: HazardKind;
  message: string;
}

/** What one statement does: the strongest table lock it takes (PostgreSQL's name) and its hazards. */
export interface StatementHazards {
  /** e.g. `ACCESS EXCLUSIVE`, `SHARE ROW EXCLUSIVE`; null when no lock on an existing table is taken. */
  lock: string | null;
  hazards: Hazard[];
}

const LOCK_RANK = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

/** The stronger of two lock modes (by PostgreSQL's conflict table order). */
export function strongerLock(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return LOCK_RANK.indexOf(a) >= LOCK_RANK.indexOf(b) ? a : b;
}

const VOLATILE_DEFAULT = /\b(nextval|random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v[14]|uuidv[47])\s*\(/i;

/**
 * Classifies one statement. `existingTable` is false when the statement targets a table created in
 * the same migration: such a table is empty and unseen, so locks and rewrites on it do not matter.
 * Unparseable text yields no hazards (lint reports the syntax error).
 */
export function statementHazards(sql: string, existingTable = true): StatementHazards {
  let node: Record<string, any> | undefined;
  try {
    node = parseSync(sql).stmts?.[0]?.stmt;
  } catch {
    return { lock: null, hazards: [] };
  }
  if (!node) return { lock: null, hazards: [] };
  const type = Object.keys(node)[0]!;
  const body = node[type] ?? {};
  const hz: Hazard[] = [];
  let lock: string | null = null;
  const take = (l: string) => { lock = strongerLock(lock, l); };
  switch (type) {
    case 'DropStmt': {
      const kind = body.removeType as string;
      if (kind === 'OBJECT_TABLE') { take('ACCESS EXCLUSIVE'); hz.push({ kind: 'deletes_data', message: 'drops the table and every row in it' }); }
      else if (kind === 'OBJECT_INDEX') { take(body.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE'); }
      else if (kind === 'OBJECT_SEQUENCE') hz.push({ kind: 'deletes_data', message: 'drops the sequence and its current value' });
      else if (kind === 'OBJECT_TRIGGER') take('ACCESS EXCLUSIVE');
      else if (kind === 'OBJECT_SCHEMA' || kind === 'OBJECT_TYPE' || kind === 'OBJECT_EXTENSION' || kind === 'OBJECT_FUNCTION' || kind === 'OBJECT_PROCEDURE') { /* no table lock */ }
      break;
    }
    case 'IndexStmt':
      if (body.concurrent) {
        take('SHARE UPDATE EXCLUSIVE');
        hz.push({ kind: 'non_transactional', message: 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block' });
      } else take('SHARE');
      hz.push({ kind: 'index_build', message: body.concurrent ? 'builds an index without blocking writes (two table scans)' : 'builds an index; writes to the table wait until it is done' });
      break;
    case 'CreateTrigStmt':
      take('SHARE ROW EXCLUSIVE');
      break;
    case 'CreateFunctionStmt': {
      const lang = (body.options ?? []).find((o: any) => o.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval;
      if (lang && lang !== 'sql') hz.push({ kind: 'untracked_dependencies', message: `${lang} function bodies are not checked against the schema; objects they use are not tracked` });
      break;
    }
    case 'AlterTableStmt':
      for (const item of body.cmds ?? []) {
        const cmd = item.AlterTableCmd ?? {};
        switch (cmd.subtype) {
          case 'AT_AddColumn': {
            take('ACCESS EXCLUSIVE');
            const cons: any[] = cmd.def?.ColumnDef?.constraints ?? [];
            const generated = cons.some((c) => c.Constraint?.contype === 'CONSTR_GENERATED' || c.Constraint?.contype === 'CONSTR_IDENTITY');
            const volatileDefault = VOLATILE_DEFAULT.test(sql);
            if (generated || volatileDefault) hz.push({ kind: 'table_rewrite', message: 'adds a column whose value is computed per row (volatile default, identity or generated): the table is rewritten' });
            break;
          }
          case 'AT_DropColumn':
            take('ACCESS EXCLUSIVE');
            hz.push({ kind: 'deletes_data', message: 'drops the column and its data' });
            break;
          case 'AT_AlterColumnType':
            take('ACCESS EXCLUSIVE');
            hz.push({ kind: 'table_rewrite', message: 'changes a column type: the table and its indexes are rewritten unless the cast is binary-coercible' });
            break;
          case 'AT_SetNotNull':
            take('ACCESS EXCLUSIVE');
            hz.push({ kind: 'validation_scan', message: 'SET NOT NULL scans the whole table under ACCESS EXCLUSIVE' });
            break;
          case 'AT_AddConstraint': {
            const c = cmd.def?.Constraint ?? {};
            const notValid = !!c.skip_validation;
            if (c.contype === 'CONSTR_FOREIGN') take('SHARE ROW EXCLUSIVE');
            else take('ACCESS EXCLUSIVE');
            if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_EXCLUSION') {
              if (!c.indexname) hz.push({ kind: 'index_build', message: 'builds the constraint\'s index while holding ACCESS EXCLUSIVE' });
            } else if (!notValid) hz.push({ kind: 'validation_scan', message: 'checks every existing row while holding the lock' });
            break;
          }
          case 'AT_ValidateConstraint':
            take('SHARE UPDATE EXCLUSIVE');
            hz.push({ kind: 'validation_scan', message: 'VALIDATE CONSTRAINT scans the table without blocking writes' });
            break;
          case 'AT_EnableTrig': case 'AT_DisableTrig': case 'AT_EnableAlwaysTrig': case 'AT_EnableReplicaTrig':
            take('SHARE ROW EXCLUSIVE');
            break;
          case 'AT_SetLogged': case 'AT_SetUnLogged':
            take('ACCESS EXCLUSIVE');
            hz.push({ kind: 'table_rewrite', message: 'changing persistence rewrites the table' });
            break;
          case 'AT_AddIdentity':
            take('ACCESS EXCLUSIVE');
            break;
          default:
            take('ACCESS EXCLUSIVE');
        }
      }
      break;
    case 'GrantStmt': case 'GrantRoleStmt': case 'AlterOwnerStmt':
      hz.push({ kind: 'authz', message: 'changes privileges or ownership' });
      break;
    default:
      break;
  }
  if (!existingTable) return { lock: null, hazards: hz.filter((h) => h.kind === 'non_transactional' || h.kind === 'untracked_dependencies') };
  return { lock, hazards: hz };
}
