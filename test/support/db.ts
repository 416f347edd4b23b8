/**
 * Per-test databases on the shared test server: each call creates a fresh, uniquely named database
 * and registers it for dropping when the test file ends.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { withDatabase } from '../../src/db/shadow.js';
import type { Db } from '../../src/db/types.js';

const created: { name: string; server: string }[] = [];
const open: Db[] = [];

/**
 * URL of a test server's maintenance database: `15` names the default server (PostgreSQL 15, or the
 * major of `SCHEMAPLAN_TEST_MAJOR`, see {@link serverMajor}), `18` the PostgreSQL 18 server.
 */
export function serverUrl(major: 15 | 18 = 15): string {
  return major === 15 ? inject('pgUrl') : inject('pg18Url');
}

/** The major version the default test server runs (15 unless `SCHEMAPLAN_TEST_MAJOR` or `DATABASE_URL` says otherwise). */
export function serverMajor(): number {
  return inject('pgMajor');
}

/**
 * True when the default server is older than `major`: a test of a feature PostgreSQL added in
 * `major` (NULLS NOT DISTINCT, security_invoker, publication column lists and row filters,
 * TABLES IN SCHEMA, unlogged sequences and two_phase subscriptions are 15's) is then skipped.
 */
export function serverOlderThan(major: number | undefined): boolean {
  return major !== undefined && serverMajor() < major;
}

/** A test's name, saying why it is skipped when the default server is older than `major`. */
export function nameFor(name: string, major: number | undefined): string {
  return serverOlderThan(major) ? `${name} (skipped: needs PostgreSQL ${major}, the server runs ${serverMajor()})` : name;
}

/** Creates an empty database on the default server (15) or the PostgreSQL 18 server and returns its URL. Dropped after the test file. */
export async function createDatabase(prefix = 't', major: 15 | 18 = 15): Promise<string> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const server = serverUrl(major);
  const admin = await connect(server);
  try {
    await admin.exec(`CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8'`);
  } finally {
    await admin.close();
  }
  created.push({ name, server });
  return withDatabase(server, name);
}

/** Opens a connection that is closed after the test file. */
export async function openDb(url: string): Promise<Db> {
  const db = await connect(url);
  open.push(db);
  return db;
}

afterAll(async () => {
  for (const db of open.splice(0)) await db.close();
  const all = created.splice(0);
  for (const server of new Set(all.map((c) => c.server))) {
    const admin = await connect(server);
    try {
      for (const c of all) if (c.server === server) await admin.exec(`DROP DATABASE IF EXISTS "${c.name}" WITH (FORCE)`);
    } finally {
      await admin.close();
    }
  }
});
