/** `schemaplan check`: the CI gate. */
import type { Command } from 'commander';
import { runCheck } from '../project/check.js';
import { shadowFor } from '../project/states.js';
import { action, config, EXIT, out, err } from './common.js';

export function register(program: Command): void {
  program
    .command('check')
    .description('fail when schema/ and the history disagree, a migration file was edited, a down section does not restore, or (with --url) the database drifted')
    .option('--url <url>', 'also check this live database against the history')
    .option('--strict', 'unmodelled objects fail the check')
    .action(action(async (flags: { url?: string; strict?: boolean }) => {
      const cfg = config({ ...program.opts(), ...flags });
      const problems = await runCheck(cfg, shadowFor(cfg, flags.url), { url: flags.url, strict: !!flags.strict });
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
