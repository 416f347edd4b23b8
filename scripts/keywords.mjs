// Prints src/db/keywords.ts's word list from the embedded PostgreSQL (PGlite): the keywords that
// quote_ident quotes. Run after upgrading PGlite to a new PostgreSQL major, and paste the list.
import { PGlite } from '@electric-sql/pglite';

const db = await PGlite.create();
const { rows } = await db.query(`select word from pg_get_keywords() where catcode <> 'U' order by word`);
const { rows: [version] } = await db.query(`select current_setting('server_version') as v`);
console.log(`// PostgreSQL ${version.v}`);
console.log(JSON.stringify(rows.map((r) => r.word)));
await db.close();
