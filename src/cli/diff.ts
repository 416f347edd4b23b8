/** `schemaplan diff --from SRC --to SRC`: the up SQL that turns one source into the other. */
import type { Command } from 'commander';
import { diffSources } from '../project/diff-sources.js';
import { action, collect, config, EXIT, out, err, scopeFlags, type ScopeFlags } from './common.js';

interface DiffFlags extends ScopeFlags {
  from: string;
  to: string;
  allowDestructive?: boolean;
  format: string;
  exitCode?: boolean;
}

export function register(program: Command): void {
  program
    .command('diff')
    .description('print the up SQL that turns --from into --to (each a postgres:// URL, read only, or a .sql file or folder)')
    .requiredOption('--from <src>', 'current state')
    .requiredOption('--to <src>', 'desired state')
    .option('--allow-destructive', 'include destructive changes')
    .option('--format <format>', 'sql | json | yaml | markdown', 'sql')
    .option('--exit-code', 'exit 2 when there are differences')
    .option('--schema <pattern>', 'compare only schemas matching this * pattern (repeatable; default: every schema but system and extension schemas)', collect, [])
    .option('--exclude-schema <pattern>', 'leave out schemas matching this * pattern (repeatable)', collect, [])
    .action(action(async (flags: DiffFlags) => {
      if (!['sql', 'json', 'yaml', 'markdown'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use sql, json, yaml or markdown`);
      const cfg = scopeFlags(config(program.opts()), flags);
      // Between two arbitrary sources every table is compared; plain forms (online forms need file boundaries).
      const { plan, sql } = await diffSources(cfg, flags.from, flags.to, { allowDestructive: !!flags.allowDestructive, report: err, reverse: flags.format !== 'sql' });
      for (const w of plan.warnings) err(`warning: ${w}`);
      for (const b of plan.blocked) err(`blocked: ${b.description}: ${b.reason} (allow with ${b.allowWith})`);
      // The document (with its per-object hashes) is built only for the formats that print it.
      if (flags.format === 'sql') {
        if (sql) process.stdout.write(sql);
      } else {
        const { planDocument, renderDocument } = await import('../plan/document.js');
        out(renderDocument(planDocument(plan), flags.format as 'json' | 'yaml' | 'markdown'));
      }
      return flags.exitCode && (plan.up.length > 0 || plan.blocked.length > 0) ? EXIT.differences : EXIT.ok;
    }));
}
