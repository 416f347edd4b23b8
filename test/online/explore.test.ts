import { it } from 'vitest';
import { introspect } from '../../src/catalog/introspect.js';
import { connect } from '../../src/db/connect.js';
import { buildPlan } from '../../src/plan/plan.js';
import { createDatabase } from '../support/db.js';
const A = `CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE t (id bigint, p_id bigint, email text, n int, x int);`;
const B = A + `ALTER TABLE t ADD PRIMARY KEY (id); ALTER TABLE t ADD CONSTRAINT t_email_key UNIQUE (email); ALTER TABLE t ADD FOREIGN KEY (p_id) REFERENCES p(id); ALTER TABLE t ALTER n SET NOT NULL; ALTER TABLE t ADD CHECK (x > 0); CREATE INDEX t_n_idx ON t (n); ALTER TABLE t ADD COLUMN y int NOT NULL DEFAULT 0;
CREATE TABLE q (id bigint PRIMARY KEY, t_id bigint REFERENCES t(id)); CREATE INDEX q_idx ON q(t_id);`;
it('explore', async () => {
  const cat = async (s: string) => { const db = await connect(await createDatabase('x')); await db.exec(s); const c = await introspect(db, { schemas: ['public'] }); await db.close(); return c; };
  const [a, b] = [await cat(A), await cat(B)];
  const plan = buildPlan(a, b);
  for (const c of plan.up) console.log('UP', c.id, c.op, c.phase, JSON.stringify({ sql: c.sql, creates: c.creates, requires: c.requires, tx: c.transactional, lock: c.lock }));
  for (const c of plan.down) console.log('DOWN', c.id, c.op, JSON.stringify(c.sql));
});
