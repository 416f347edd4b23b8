#!/usr/bin/env node
/** The `schemaplan` command line. One module per command group (commands.ts); shared conventions in conventions.ts. */
import { Command } from 'commander';
import { registerCommands } from './commands.js';
import { addExitCodeHelp, configureErrors } from './conventions.js';
import { packageVersion } from '../version.js';

const program = new Command();
program
  .name('schemaplan')
  .description('Declarative PostgreSQL schema-diff planner: plan reviewable migrations from schema.sql, apply them with a tracked runner.')
  .version(packageVersion(), '-V, --version', 'print schemaplan\'s version')
  // Program options (-C, --version) go before the command, as git's -C does: `baseline --version V`
  // is the command's own option, not a request for schemaplan's version.
  .enablePositionalOptions()
  .option('-C, --project <dir>', 'project folder holding schemaplan.yaml (default: the working directory)');
configureErrors(program);
// Only the invoked command's module is loaded (commands.ts); help and unknown commands load all.
await registerCommands(program, process.argv.slice(2));
addExitCodeHelp(program);

await program.parseAsync(process.argv);
