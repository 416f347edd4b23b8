/**
 * Object identities: built with minimal quoting (ordinary names keep the identity they always had)
 * and read back into the same parts, whatever the names hold.
 */
import { describe, expect, it } from 'vitest';
import { childId, functionId, idKind, idName, IdentityError, objectId, parseId, type ObjectKind } from '../../src/catalog/model.js';

describe('objectId: minimal quoting', () => {
  it('ordinary names, mixed case and spaces included, are written as is (the identities plan documents recorded)', () => {
    expect(objectId('table', 'public', 'leads')).toBe('table:public.leads');
    expect(objectId('column', 'public', 'leads', 'email')).toBe('column:public.leads.email');
    expect(objectId('table', 'Sales', 'Order Items')).toBe('table:Sales.Order Items');
    expect(objectId('schema', 'app')).toBe('schema:app');
    expect(objectId('user_mapping', 'srv', 'CURRENT_USER')).toBe('user_mapping:srv.CURRENT_USER');
  });

  it('empty parts (the default privileges of no role, in no schema) are written as nothing', () => {
    expect(objectId('default_acl', '', '', 'r')).toBe('default_acl:..r');
    expect(objectId('default_acl', 'app', '', 'S')).toBe('default_acl:app..S');
    expect(objectId('default_acl', '', 'public', 'f')).toBe('default_acl:.public.f');
  });

  it('a part holding a dot or a double quote is quoted, inner quotes doubled', () => {
    expect(objectId('table', 'a.b', 'c')).toBe('table:"a.b".c');
    expect(objectId('table', 'a', 'b.c')).toBe('table:a."b.c"');
    expect(objectId('table', 'public', 'say "hi"')).toBe('table:public."say ""hi"""');
    expect(objectId('column', 'a.b', 'c', '"')).toBe('column:"a.b".c.""""');
  });

  it('the once-colliding pairs now differ', () => {
    expect(objectId('table', 'a.b', 'c')).not.toBe(objectId('table', 'a', 'b.c'));
    expect(objectId('index', 'a.b', 'c_idx')).not.toBe(objectId('index', 'a', 'b.c_idx'));
    expect(objectId('column', 'a.b', 'c', 'x')).not.toBe(objectId('column', 'a', 'b.c', 'x'));
    expect(objectId('column', 'a', 'b', 'c.x')).not.toBe(objectId('column', 'a', 'b.c', 'x'));
  });
});

describe('parseId', () => {
  const cases: [ObjectKind, string[]][] = [
    ['table', ['public', 'leads']],
    ['table', ['a.b', 'c']],
    ['table', ['a', 'b.c']],
    ['column', ['a.b', 'c', 'x']],
    ['column', ['a', 'b.c', 'x.y']],
    ['table', ['public', 'say "hi"']],
    ['table', ['"', '""']],
    ['table', ['.', '..']],
    ['table', ['"a.b"', 'c']],
    ['table', ['Mixed Case', 'x(y']],
    ['table', ['a:b', 'c']],
    ['default_acl', ['', '', 'r']],
    ['default_acl', ['app', '', 'S']],
    ['default_acl', ['', 'a.b', 'T']],
    ['schema', ['app']],
    ['schema', ['']],
  ];
  for (const [kind, parts] of cases) {
    it(`${kind} ${JSON.stringify(parts)}: build then parse gives the parts back`, () => {
      const id = objectId(kind, ...parts);
      expect(parseId(id)).toEqual({ kind, parts });
      expect(objectId(kind, ...parseId(id).parts)).toBe(id);
      expect(idKind(id)).toBe(kind);
    });
  }

  it('throws on text that is not an identity', () => {
    expect(() => parseId('public.leads')).toThrow(IdentityError);
    expect(() => parseId('table:"a.b')).toThrow(IdentityError);
  });
});

describe('function identities', () => {
  it('keep the argument list attached to the last part, unquoted, as before', () => {
    expect(functionId('public', 'lead_score', 'integer')).toBe('function:public.lead_score(integer)');
    expect(functionId('public', 'f', '')).toBe('function:public.f()');
    // Argument lists hold dots and quotes (qualified, quoted type names): the identity is unchanged.
    expect(functionId('public', 'f', 'x public.leads, y "My Type"')).toBe('function:public.f(x public.leads, y "My Type")');
    expect(parseId('function:public.f(x public.leads, y "My Type")')).toEqual({
      kind: 'function', parts: ['public', 'f(x public.leads, y "My Type")'], args: 'x public.leads, y "My Type"',
    });
  });

  it('quote a schema or a name holding a dot, a quote or a parenthesis', () => {
    expect(functionId('a.b', 'f', 'integer')).toBe('function:"a.b".f(integer)');
    expect(functionId('a', 'b.f', 'integer')).toBe('function:a."b.f"(integer)');
    expect(functionId('a', 'f(x', 'integer')).toBe('function:a."f(x"(integer)');
    expect(functionId('s(', 'f', '')).toBe('function:"s(".f()');
  });

  const cases: [string, string, string][] = [
    ['public', 'lead_score', 'integer'],
    ['a.b', 'f', 'integer, text'],
    ['a', 'b.f', 'numeric, public.t'],
    ['a', 'say "hi"', 'a.b.c'],
    ['a', 'f(x', '"x(y" integer'],
    ['s(', 'f)', ''],
    ['public', 'sum', 'ORDER BY integer'],
  ];
  for (const [schema, name, args] of cases) {
    it(`${schema} / ${name} (${args}): parse gives the schema, the name with its arguments, and the arguments`, () => {
      const id = functionId(schema, name, args);
      expect(parseId(id)).toEqual({ kind: 'function', parts: [schema, `${name}(${args})`], args });
    });
  }

  it('the two functions a."b.f"(int) and "a.b".f(int) differ', () => {
    expect(functionId('a', 'b.f', 'integer')).not.toBe(functionId('a.b', 'f', 'integer'));
  });
});

describe('childId and idName', () => {
  it('childId appends names to the parent identity parts under another kind', () => {
    expect(childId('column', 'table:public.leads', 'email')).toBe('column:public.leads.email');
    expect(childId('column', 'table:"a.b".c', 'x')).toBe('column:"a.b".c.x');
    expect(childId('constraint', 'table:a."b.c"', 'pk.x')).toBe('constraint:a."b.c"."pk.x"');
    expect(childId('column', objectId('table', 'a', 'say "hi"'), 'x')).toBe(objectId('column', 'a', 'say "hi"', 'x'));
  });

  it('idName is the identity without its kind, quoting kept (one text names one object)', () => {
    expect(idName('table:public.leads')).toBe('public.leads');
    expect(idName(objectId('table', 'a.b', 'c'))).toBe('"a.b".c');
    expect(idName(objectId('table', 'a', 'b.c'))).toBe('a."b.c"');
    expect(idName(functionId('public', 'f', 'x public.t'))).toBe('public.f(x public.t)');
    expect(idName('default_acl:..r')).toBe('..r');
  });
});
