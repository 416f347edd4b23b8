/**
 * A light schema model built from migration files' parse trees (no database): the column types,
 * CHECK constraints and function volatilities that the history has declared so far. The linter uses
 * it to tell a binary-coercible type change from a rewriting one, a SET NOT NULL backed by a
 * validated `CHECK (col IS NOT NULL)` from one that scans, and a stable default from a volatile one.
 * Unqualified names are taken as `public` (the default search_path); what the model does not know,
 * the rules treat conservatively.
 */
import { formatTypeName, rangeVarName, type HazardContext } from '../plan/hazards.js';

interface TableModel {
  columns: Map<string, string>;
  /** CHECK constraints by name: the column of a `col IS NOT NULL` check (else null), and whether it is validated. */
  checks: Map<string, { column: string | null; validated: boolean }>;
}

const SERIAL: Record<string, string> = { serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint', smallserial: 'smallint', serial2: 'smallint' };

/** The column of a `col IS NOT NULL` expression, else null. */
export function notNullColumn(expr: any): string | null {
  const t = expr?.NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return null;
  const f = t.arg?.ColumnRef?.fields;
  return Array.isArray(f) && f.length === 1 ? f[0].String?.sval ?? null : null;
}

/** format_type spelling of a column definition's type (serial types as the integer type they are). */
export function columnTypeOf(typeName: any): string {
  const names = typeName?.names ?? [];
  if (names.length === 1) {
    const s = String(names[0].String?.sval ?? '').toLowerCase();
    if (SERIAL[s]) return SERIAL[s]!;
  }
  return formatTypeName(typeName);
}

const key = (rv: any) => {
  const t = rangeVarName(rv);
  return t ? `${t.schema}.${t.name}` : null;
};

/** The schema the history has built so far (see the module comment). */
export class SchemaModel {
  private tables = new Map<string, TableModel>();
  private functions = new Map<string, 'i' | 's' | 'v'>();

  /** The hazard context of this model (for `nodeHazards`). */
  context(serverVersion: number, tableExists: (schema: string, table: string) => boolean): HazardContext {
    return {
      serverVersion,
      tableExists,
      columnType: (s, t, c) => this.tables.get(`${s}.${t}`)?.columns.get(c),
      hasNotNullCheck: (s, t, c) => [...(this.tables.get(`${s}.${t}`)?.checks.values() ?? [])].some((k) => k.column === c && k.validated),
      functionVolatility: (s, name) => this.functions.get(`${s ?? 'public'}.${name}`),
    };
  }

  /** The type of a column, when known. */
  columnType(table: string, column: string): string | undefined {
    return this.tables.get(table)?.columns.get(column);
  }

  private table(k: string): TableModel {
    let t = this.tables.get(k);
    if (!t) {
      t = { columns: new Map(), checks: new Map() };
      this.tables.set(k, t);
    }
    return t;
  }

  private addCheck(t: TableModel, tableName: string, c: any, column: string | null): void {
    const col = notNullColumn(c.raw_expr);
    const name = c.conname ?? `${tableName}_${col ?? column ?? ''}_check`;
    t.checks.set(name, { column: col, validated: !c.skip_validation });
  }

  /** Applies one statement of an up section (a libpg-query `stmt` node). Unknown statements change nothing. */
  apply(node: Record<string, any>): void {
    const type = Object.keys(node)[0] ?? '';
    const body = node[type] ?? {};
    switch (type) {
      case 'CreateStmt': {
        const k = key(body.relation);
        if (!k) return;
        this.tables.delete(k);
        const t = this.table(k);
        for (const e of body.tableElts ?? []) {
          if (e.ColumnDef) {
            t.columns.set(e.ColumnDef.colname, columnTypeOf(e.ColumnDef.typeName));
            for (const c of e.ColumnDef.constraints ?? []) if (c.Constraint?.contype === 'CONSTR_CHECK') this.addCheck(t, body.relation.relname, c.Constraint, e.ColumnDef.colname);
          } else if (e.Constraint?.contype === 'CONSTR_CHECK') this.addCheck(t, body.relation.relname, e.Constraint, null);
        }
        return;
      }
      case 'AlterTableStmt': {
        const k = key(body.relation);
        if (!k || body.objtype !== 'OBJECT_TABLE') return;
        const t = this.table(k);
        for (const item of body.cmds ?? []) {
          const cmd = item.AlterTableCmd ?? {};
          if (cmd.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef) t.columns.set(cmd.def.ColumnDef.colname, columnTypeOf(cmd.def.ColumnDef.typeName));
          else if (cmd.subtype === 'AT_DropColumn') t.columns.delete(cmd.name);
          else if (cmd.subtype === 'AT_AlterColumnType' && cmd.def?.ColumnDef) t.columns.set(cmd.name, columnTypeOf(cmd.def.ColumnDef.typeName));
          else if (cmd.subtype === 'AT_AddConstraint' && cmd.def?.Constraint?.contype === 'CONSTR_CHECK') this.addCheck(t, body.relation.relname, cmd.def.Constraint, null);
          else if (cmd.subtype === 'AT_ValidateConstraint') { const c = t.checks.get(cmd.name); if (c) c.validated = true; }
          else if (cmd.subtype === 'AT_DropConstraint') t.checks.delete(cmd.name);
        }
        return;
      }
      case 'RenameStmt': {
        const k = key(body.relation);
        if (!k) return;
        const t = this.tables.get(k);
        if (!t) return;
        if (body.renameType === 'OBJECT_TABLE') {
          this.tables.delete(k);
          this.tables.set(`${k.slice(0, k.indexOf('.'))}.${body.newname}`, t);
        } else if (body.renameType === 'OBJECT_COLUMN' && t.columns.has(body.subname)) {
          t.columns.set(body.newname, t.columns.get(body.subname)!);
          t.columns.delete(body.subname);
          for (const c of t.checks.values()) if (c.column === body.subname) c.column = body.newname;
        } else if (body.renameType === 'OBJECT_TABCONSTRAINT' && t.checks.has(body.subname)) {
          t.checks.set(body.newname, t.checks.get(body.subname)!);
          t.checks.delete(body.subname);
        }
        return;
      }
      case 'DropStmt':
        if (body.removeType !== 'OBJECT_TABLE') return;
        for (const o of body.objects ?? []) {
          const parts: string[] = (o.List?.items ?? []).map((x: any) => x.String?.sval);
          this.tables.delete(parts.length > 1 ? parts.slice(-2).join('.') : `public.${parts[0]}`);
        }
        return;
      case 'CreateFunctionStmt': {
        const parts: string[] = (body.funcname ?? []).map((x: any) => x.String?.sval);
        const name = parts.length > 1 ? parts.slice(-2).join('.') : `public.${parts[0]}`;
        const vol = (body.options ?? []).find((o: any) => o.DefElem?.defname === 'volatility')?.DefElem?.arg?.String?.sval;
        this.functions.set(name, vol === 'immutable' ? 'i' : vol === 'stable' ? 's' : 'v');
        return;
      }
      default:
    }
  }
}
