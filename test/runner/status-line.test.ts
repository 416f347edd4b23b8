import { describe, expect, it } from 'vitest';
import { createStatusLine, type StatusOutput } from '../../src/runner/status-line.js';

/** A fake terminal: what was written, and the text the line shows now (after the last clear). */
function terminal(tty: boolean, columns = 0) {
  let clock = 1000;
  const writes: string[] = [];
  const out: StatusOutput = { tty, columns, write: (s) => writes.push(s), now: () => clock };
  return {
    out,
    writes,
    tick: (ms: number) => { clock += ms; },
    shown: () => (writes.at(-1) ?? '').replace('\r\x1b[2K', ''),
  };
}

describe('status line', () => {
  it('shows every running task with its stage and the elapsed time, and clears when the last one ends', () => {
    const t = terminal(true);
    const line = createStatusLine(t.out, 0);
    const a = line.start('reading A');
    const b = line.start('reading B');
    a.stage('structure');
    t.tick(1500);
    b.stage('definitions');
    expect(t.shown()).toBe('reading A: structure · reading B: definitions  1.5s');
    a.done();
    b.stage('building');
    expect(t.shown()).toBe('reading B: building  1.5s');
    b.done();
    expect(t.writes.at(-1)).toBe('\r\x1b[2K');
    b.stage('late'); // a finished task no longer draws
    expect(t.writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('cuts a line longer than the terminal', () => {
    const t = terminal(true, 30);
    createStatusLine(t.out, 0).start('reading postgres://example.invalid/a-very-long-database-name').stage('definitions');
    expect(t.shown().length).toBeLessThanOrEqual(29);
    expect(t.shown().endsWith('…')).toBe(true);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const t = terminal(false);
    const task = createStatusLine(t.out, 0).start('reading A');
    task.stage('structure');
    task.done();
    expect(t.writes).toEqual([]);
  });
});
