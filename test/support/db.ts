/**
 * Per-test databases on the shared test server: each call creates a fresh, uniquely named database
 * and registers it for dropping when the test file ends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { withDatabase } from '../../src/db/shadow.js';
import type { Db } from '../../src/db/types.js';

const created: string[] = [];
const open: Db[] = [];

/** URL of the test server's maintenance database. */
export function serverUrl(): string {
  return inject('pgUrl');
}

/** Creates an empty database and returns its URL. Dropped after the test file. */
export async function createDatabase(prefix = 't'): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = await connect(serverUrl());
  try {
    await admin.exec(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.close();
  }
  created.push(name);
  return withDatabase(serverUrl(), name);
}

/** Opens a connection that is closed after the test file. */
export async function openDb(url: string): Promise<Db> {
  const db = await connect(url);
  open.push(db);
  return db;
}

afterAll(async () => {
  for (const db of open.splice(0)) await db.close();
  if (created.length === 0) return;
  const admin = await connect(serverUrl());
  try {
    for (const name of created.splice(0)) await admin.exec(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.close();
  }
});
