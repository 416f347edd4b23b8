/** `schemaplan check`: the CI gate. */
import type { Command } from 'commander';
import { runCheck } from '../project/check.js';
import { shadowFor } from '../project/states.js';
import { action, collect, config, EXIT, out, err, scopeFlags, type ScopeFlags } from './common.js';

export function register(program: Command): void {
  program
    .command('check')
    .description('fail when schema/ and the history disagree, a migration file was edited, a down section does not restore, or (with --url) the database drifted')
    .option('--url <url>', 'also check this live database against the history')
    .option('--strict', 'unmodelled objects fail the check')
    .option('--schema <pattern>', 'check only schemas matching this * pattern (repeatable; replaces schemas: in schemaplan.yaml)', collect, [])
    .option('--exclude-schema <pattern>', 'leave out schemas matching this * pattern (repeatable)', collect, [])
    .action(action(async (flags: { url?: string; strict?: boolean } & ScopeFlags) => {
      const cfg = scopeFlags(config({ ...program.opts(), ...flags }), flags);
      const problems = await runCheck(cfg, shadowFor(cfg, flags.url, { report: err }), { url: flags.url, strict: !!flags.strict, report: err });
      if (problems.length === 0) {
        out('check: clean (history, schema/ and sum file agree; down sections restore)');
        return EXIT.ok;
      }
      for (const p of problems) {
        err(`check failed [${p.kind}]: ${p.message}`);
        for (const d of p.details ?? []) err(`    ${d}`);
      }
      return EXIT.error;
    }));
}
