#!/usr/bin/env node
/** The `schemaplan` command line. One module per command group; shared conventions in conventions.ts. */
import { Command } from 'commander';
import { register as registerPlan } from './plan.js';
import { register as registerDiff } from './diff.js';
import { register as registerRunner } from './runner.js';
import { register as registerCheck } from './check.js';
import { register as registerFiles } from './files.js';
import { register as registerImport } from './import.js';
import { register as registerLint } from './lint.js';
import { register as registerShow } from './show.js';
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
registerFiles(program);
registerPlan(program);
registerDiff(program);
registerRunner(program);
registerCheck(program);
registerImport(program);
registerLint(program);
registerShow(program);
addExitCodeHelp(program);

await program.parseAsync(process.argv);
