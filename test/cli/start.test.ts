/**
 * `npm start`'s script on a fresh copy of the worked example: no database set up beforehand, the
 * development database is an embedded PGlite under the project's `.schemaplan/dev`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyExample, exampleVersions, filesIn, fingerprint, REPO, runNode, afterComparedLine } from './support.js';

const START = path.join(REPO, 'scripts/start.mjs');

describe('scripts/start.mjs on a fresh copy of the worked example', { timeout: 600_000 }, () => {
  it('plans nothing, applies the history to .schemaplan/dev, and shows a clean status; after a schema edit it plans and applies the change', async () => {
    const dir = copyExample();
    const before = fingerprint(dir);
    // Run from elsewhere: the project folder is the argument, not the working directory.
    const first = await runNode(REPO, [START, dir]);
    expect(afterComparedLine(first.stderr)).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('No changes');
    expect(first.stdout).toContain(`applied ${exampleVersions().length} migration(s)`);
    expect(first.stdout).toContain(`${exampleVersions().length} applied`);
    expect(fs.existsSync(path.join(dir, '.schemaplan/dev'))).toBe(true);
    expect(fingerprint(dir)).toEqual(before);

    const schema = path.join(dir, 'schema/schema.sql');
    fs.writeFileSync(schema, fs.readFileSync(schema, 'utf8') + '\nALTER TABLE users ADD COLUMN phone text;\n');
    const second = await runNode(dir, [START, dir]);
    expect(afterComparedLine(second.stderr)).toBe('');
    expect(second.code).toBe(0);
    const added = filesIn(dir, 'migrations', '.sql').filter((f) => f.endsWith('_schema_change.sql'));
    expect(added).toHaveLength(1);
    expect(second.stdout).toContain(`wrote migrations/${added[0]}`);
    expect(second.stdout).toContain('applied 1 migration(s)');
    expect(second.stdout).toContain(`${exampleVersions().length + 1} applied`);
  });
});
