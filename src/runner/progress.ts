/**
 * Progress display for long runs (applying or replaying a history). On a terminal: one status line,
 * redrawn in place, `[k/N] applying <file>  <elapsed of this file>  (total <elapsed>)`, with the
 * run's ordinary lines printed above it. Not on a terminal: nothing but the ordinary lines (one per
 * event, as the runner logs them), so logs and pipes stay plain.
 */
import type { RunEvent } from './runner.js';

/** A progress display; feed it the runner's events and route the run's lines through {@link Progress.line}. */
export interface Progress {
  /** Handles a runner event (start/done/retry). */
  onEvent(e: RunEvent): void;
  /** Prints an ordinary line (through the `print` function given), keeping the status line below it. */
  line(text: string): void;
  /** Removes the status line and stops its timer. Safe to call twice. */
  finish(): void;
}

/**
 * Creates a progress display.
 * @param opts.tty draw the status line (pass `process.stderr.isTTY`); false = plain lines only
 * @param opts.write writes raw text to the terminal (the status line; e.g. `process.stderr.write`)
 * @param opts.print prints one ordinary line (e.g. the CLI's redacting `out`)
 * @param opts.now clock in ms (tests); default `Date.now`
 * @param opts.intervalMs redraw period in ms (default 200; 0 = redraw on events only)
 * @param opts.columns terminal width: longer status lines are cut
 * @param opts.verb word for `up` events (default `applying`)
 */
export function createProgress(opts: {
  tty: boolean;
  write: (s: string) => void;
  print: (line: string) => void;
  now?: () => number;
  intervalMs?: number;
  columns?: number;
  /** Word for an `up` event (default `applying`; e.g. `replaying`). */
  verb?: string;
}): Progress {
  const now = opts.now ?? Date.now;
  const t0 = now();
  let current: { index: number; total: number; file: string; verb: string; started: number } | undefined;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const clear = () => {
    if (shown) opts.write('\r\x1b[2K');
    shown = false;
  };
  const draw = () => {
    if (!opts.tty || !current) return;
    const t = now();
    let text = `[${current.index}/${current.total}] ${current.verb} ${current.file}  ${secs(t - current.started)}  (total ${secs(t - t0)})`;
    const cols = opts.columns ?? 0;
    if (cols > 10 && text.length > cols - 1) text = text.slice(0, cols - 2) + '…';
    opts.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  return {
    onEvent(e) {
      if (!opts.tty) return;
      if (e.type === 'start') {
        current = { index: e.index, total: e.total, file: e.file, verb: e.direction === 'up' ? opts.verb ?? 'applying' : 'reverting', started: now() };
        draw();
        if (!timer && (opts.intervalMs ?? 200) > 0) {
          timer = setInterval(draw, opts.intervalMs ?? 200);
          timer.unref();
        }
      } else if (e.type === 'done') {
        if (current && e.index === e.total) {
          current = undefined;
          clear();
        }
      } else {
        draw();
      }
    },
    line(text) {
      const had = shown;
      clear();
      opts.print(text);
      if (had || current) draw();
    },
    finish() {
      if (timer) clearInterval(timer);
      timer = undefined;
      current = undefined;
      clear();
    },
  };
}

/**
 * The progress display of a history replayed in a shadow (`plan`, `check`): the status line on
 * stderr when it is a terminal, `replaying` for up events, and no ordinary lines.
 */
export function replayProgress(): Progress {
  return createProgress({ tty: !!process.stderr.isTTY, write: (t) => process.stderr.write(t), print: () => undefined, verb: 'replaying' });
}
