/**
 * One status line on a terminal, shared by the tasks running at once (the two sides of a `diff`
 * are read concurrently): `reading A: definitions · reading B: structure  3.4s`, redrawn every
 * 200 ms and cleared when the last task ends. Nothing is written when the stream is not a
 * terminal, so piped and CI output is unchanged.
 */

/** A task's handle: its current stage, and its end. */
export interface StatusTask {
  /** Sets the text after the task's label, e.g. `definitions`. */
  stage(text: string): void;
  /** Ends the task; the line is cleared when no task is left. */
  done(): void;
}

/** Where the line is drawn; the defaults are process.stderr's. */
export interface StatusOutput {
  tty: boolean;
  write: (s: string) => void;
  /** Terminal width: a longer line is cut (0: not cut). */
  columns: number;
  /** Clock in ms (tests). */
  now: () => number;
}

const defaultOutput = (): StatusOutput => ({
  tty: !!process.stderr.isTTY,
  write: (s) => process.stderr.write(s),
  columns: process.stderr.columns ?? 0,
  now: Date.now,
});

/**
 * A status line: `start(label)` adds a task to it. Pure but for `output` (the tests pass their own).
 * @param intervalMs redraw period in ms (0: redraw on stage changes only)
 */
export function createStatusLine(output: StatusOutput = defaultOutput(), intervalMs = 200): { start(label: string): StatusTask } {
  const tasks = new Map<number, { label: string; stage: string }>();
  let next = 0;
  let started = 0;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    if (!tasks.size) return;
    let text = [...tasks.values()].map((t) => (t.stage ? `${t.label}: ${t.stage}` : t.label)).join(' · ') +
      `  ${((output.now() - started) / 1000).toFixed(1)}s`;
    if (output.columns > 10 && text.length > output.columns - 1) text = text.slice(0, output.columns - 2) + '…';
    output.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  return {
    start(label: string): StatusTask {
      if (!output.tty) return { stage: () => undefined, done: () => undefined };
      const id = next++;
      if (!tasks.size) started = output.now();
      tasks.set(id, { label, stage: '' });
      if (!timer && intervalMs > 0) {
        timer = setInterval(draw, intervalMs);
        timer.unref();
      }
      draw();
      return {
        stage(text: string) {
          const t = tasks.get(id);
          if (!t) return;
          t.stage = text;
          draw();
        },
        done() {
          if (!tasks.delete(id) || tasks.size) return;
          if (timer) clearInterval(timer);
          timer = undefined;
          if (shown) output.write('\r\x1b[2K');
          shown = false;
        },
      };
    },
  };
}

/** The process's status line on stderr. */
export const statusLine = createStatusLine();
