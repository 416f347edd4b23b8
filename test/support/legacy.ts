/**
 * What the legacy migration systems did, for the tests of moving from them: each ran a file's
 * statements one by one inside one transaction.
 */
import { connect } from '../../src/db/connect.js';
import { loadParser, splitStatements } from '../../src/sql/split.js';

/** Runs the statements of `text` one by one in one transaction (as the old runners did for a file). */
export async function runInTransaction(url: string, text: string): Promise<void> {
  await loadParser();
  const db = await connect(url);
  try {
    await db.exec('BEGIN');
    for (const s of splitStatements(text)) await db.exec(s.sql);
    await db.exec('COMMIT');
  } finally {
    await db.close();
  }
}
