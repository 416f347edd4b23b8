import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startPgServer } from '/work/main/dist/src/db/embedded.js';
import { connect } from '/work/main/dist/src/db/connect.js';
import { withDatabase } from '/work/main/dist/src/db/shadow.js';
import { loadSchema } from '/work/main/dist/src/catalog/load.js';
const srv = await startPgServer({ prefix: 'adopt' });
try {
  for (const name of ['pagila', 'openstreetmap', 'synapse', 'sourcegraph-frontend', 'musicbrainz', 'chado']) {
    const admin = await connect(srv.url);
    const dbname = name.replace('-', '_');
    await admin.exec(`CREATE DATABASE ${dbname}`); await admin.close();
    const url = withDatabase(srv.url, dbname);
    const db = await connect(url);
    await loadSchema(db, [`/work/shared/corpus/schemas/${name}.sql`]);
    const schemas = (await db.query(`SELECT nspname AS n FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'`)).map(r => r.n);
    await db.close();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `adopt-${name}-`));
    fs.writeFileSync(path.join(dir, 'schemaplan.yaml'), `schemas: [${schemas.map(s => JSON.stringify(s)).join(', ')}]\n`);
    const t = Date.now();
    let out;
    try { out = execFileSync('node', ['/work/main/dist/src/cli/main.js', 'init', '--from-url', url], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString(); }
    catch (e) { out = 'FAILED ' + e.stdout + e.stderr; }
    console.log(name, `${Date.now() - t} ms`, out.split('\n').filter(l => /wrote schema|FAILED|error|recorded/.test(l)).join(' | ').slice(0, 600));
    let chk;
    try { chk = execFileSync('node', ['/work/main/dist/src/cli/main.js', 'check', '--url', url], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString(); }
    catch (e) { chk = 'CHECK FAILED ' + (e.stdout + e.stderr).slice(0, 800); }
    console.log('  check:', chk.trim().slice(0, 800));
  }
} finally { await srv.stop(); }
