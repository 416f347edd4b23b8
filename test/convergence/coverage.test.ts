/**
 * Loud coverage, end to end: an object of a kind schemaplan does not model (here an operator) is named in `plan`'s warnings and in the plan file, and fails
 * `check --strict`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, run } from '../cli/support.js';

/** An operator: a kind schemaplan does not model. */
const UNMODELLED = `CREATE FUNCTION sp_eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR === (LEFTARG = integer, RIGHTARG = integer, FUNCTION = sp_eq);`;

describe('unmodelled kinds', () => {
  it('plan warns by kind and name; check --strict fails', async () => {
    const dir = copyExample();
    fs.appendFileSync(path.join(dir, 'schema/schema.sql'), `\n${UNMODELLED}\n`);
    const plan = await run(dir, ['plan', 'operator', '--dry-run']);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stderr).toContain('warning: not modelled: operator public.===(integer, integer)');
    const strict = await run(dir, ['check', '--strict']);
    expect(strict.code, strict.all).toBe(1);
    expect(strict.all).toContain('not modelled: operator public.===(integer, integer)');
  });
});
