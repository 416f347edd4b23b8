/**
 * Loud coverage, end to end: an object of a kind schemaplan does not model (here a foreign data
 * wrapper and its server) is named in `plan`'s warnings and in the plan file, and fails
 * `check --strict` (DESIGN.md "Coverage is loud").
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, run } from '../cli/support.js';

describe('unmodelled kinds', () => {
  it('plan warns by kind and name; check --strict fails', async () => {
    const dir = copyExample();
    fs.appendFileSync(path.join(dir, 'schema/schema.sql'), '\nCREATE FOREIGN DATA WRAPPER sp_fdw;\nCREATE SERVER sp_srv FOREIGN DATA WRAPPER sp_fdw;\n');
    const plan = await run(dir, ['plan', 'fdw', '--dry-run']);
    expect(plan.code, plan.all).toBe(0);
    expect(plan.stderr).toMatch(/warning: not modelled: foreign data wrapper sp_fdw/);
    expect(plan.stderr).toMatch(/warning: not modelled: foreign server sp_srv/);
    const strict = await run(dir, ['check', '--strict']);
    expect(strict.code, strict.all).toBe(1);
    expect(strict.all).toMatch(/not modelled: foreign data wrapper sp_fdw/);
  });
});
