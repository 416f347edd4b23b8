/**
 * Conventions every command shares: the exit codes
 * each command's `--help` lists, colour for `error:`/`warning:` prefixes, and commander's error output
 * (one line with the nearest match, no help dump).
 */
import type { Command } from 'commander';

const GENERAL = ['0  success', '1  error (the message says what and what to do)'];

/** The exit codes of each command, as `--help` lists them (the README's command table says the same). */
export const EXIT_CODES: Record<string, string[]> = {
  plan: ['0  a migration was written, or there is nothing to do', '1  error', '3  only blocked (destructive) changes remain: nothing written'],
  diff: ['0  no differences (or differences without --exit-code)', '1  error', '2  differences, with --exit-code'],
  status: ['0  success (also when not clean, without --exit-code)', '1  error, or with --exit-code: a migration is pending, missing, modified or failed'],
  check: ['0  clean', '1  drift, an edited or unlisted file, a lint error, a down section that does not restore, or another error'],
  lint: ['0  no errors (with --strict: no warnings either)', '1  errors (with --strict: or warnings), or a failure to lint'],
};

/** Appends "Exit codes:" to the `--help` of the program and of every command registered on it. */
export function addExitCodeHelp(program: Command): void {
  program.addHelpText('after', '\nExit codes: 0 success, 1 error; plan 3 = only blocked changes; diff --exit-code 2 = differences.\nEach command\'s --help lists its own.');
  for (const cmd of program.commands) {
    const codes = EXIT_CODES[cmd.name()] ?? GENERAL;
    cmd.addHelpText('after', `\nExit codes:\n${codes.map((c) => `  ${c}`).join('\n')}`);
  }
}

/** True when `stream` should get colour: a terminal, `NO_COLOR` unset or empty (no-color.org), and `TERM` not `dumb`. */
export function colourFor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR || process.env.TERM === 'dumb') return false;
  return !!stream.isTTY;
}

const PREFIX_COLOURS: Array<[RegExp, string]> = [
  [/^(error|check failed(?: \[[^\]]*\])?|blocked):/, '\x1b[1;31m'],
  [/^warning:/, '\x1b[1;33m'],
];

/** `line` with a leading `error:`/`warning:`-style prefix coloured when `colour` is true. */
export function paintPrefix(line: string, colour: boolean): string {
  if (!colour) return line;
  for (const [re, code] of PREFIX_COLOURS) {
    const m = re.exec(line);
    if (m) return `${code}${m[0]}\x1b[0m${line.slice(m[0].length)}`;
  }
  return line;
}

/**
 * Commander's parse errors as one line (`error: unknown option '--formt' (did you mean --format?)`),
 * coloured like other errors, without the help dump. Call before registering commands: subcommands
 * copy these settings when they are created.
 */
export function configureErrors(program: Command): void {
  program
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .configureOutput({
      outputError: (text, write) => {
        const line = text.trimEnd().replace(/\n\(Did you mean (.*)\)$/, ' (did you mean $1)').replace(/\n+/g, ' ');
        write(paintPrefix(line, colourFor(process.stderr)) + '\n');
      },
    });
}
