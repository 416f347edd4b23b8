/**
 * Which module registers which command, so that `main.ts` loads only the module of the command a
 * user runs: `schemaplan diff` does not compile the runner, lint or import code (tens of ms of
 * start-up on every invocation). `--help`, an unknown command or no command loads them all, so
 * commander's help and "did you mean" suggestions see every command.
 */
import type { Command } from 'commander';

/** A command module: registers its commands (with their options and actions) on the program. */
interface CommandModule {
  register(program: Command): void;
}

/** The command modules, in the order `--help` lists their commands. */
export const COMMAND_MODULES = {
  files: () => import('./files.js'),
  plan: () => import('./plan.js'),
  diff: () => import('./diff.js'),
  runner: () => import('./runner.js'),
  check: () => import('./check.js'),
  import: () => import('./import.js'),
  lint: () => import('./lint.js'),
  show: () => import('./show.js'),
} satisfies Record<string, () => Promise<CommandModule>>;

type ModuleName = keyof typeof COMMAND_MODULES;

/** Command name → the module that registers it (a test checks this against what the modules register). */
export const COMMAND_MODULE: Readonly<Record<string, ModuleName>> = {
  init: 'files', new: 'files', hash: 'files',
  plan: 'plan',
  diff: 'diff',
  up: 'runner', down: 'runner', redo: 'runner', status: 'runner', baseline: 'runner', resolve: 'runner', fresh: 'runner',
  check: 'check',
  import: 'import',
  lint: 'lint',
  show: 'show',
};

/** Program options that take a value (`-C <dir>`), as `main.ts` declares them. */
const VALUE_OPTIONS = new Set(['-C', '--project']);

/**
 * The command named in `args` (the arguments after `node schemaplan`): the first argument that is
 * neither a program option nor an option's value; undefined when there is none or an option such as
 * `--help` comes first. Pure.
 */
export function invokedCommand(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_OPTIONS.has(a)) { i++; continue; }
    if (a.startsWith('--project=') || (a.startsWith('-C') && a.length > 2)) continue;
    return a.startsWith('-') ? undefined : a;
  }
  return undefined;
}

/**
 * Registers on `program` the module of the command `args` invokes, or every module when the command
 * is not known (help, a typo, none).
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const name = invokedCommand(args);
  const only = name !== undefined ? COMMAND_MODULE[name] : undefined;
  const modules = only ? [COMMAND_MODULES[only]] : Object.values(COMMAND_MODULES);
  for (const m of await Promise.all(modules.map((load) => load()))) m.register(program);
}
