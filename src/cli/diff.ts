/** `schemaplan diff --from SRC --to SRC`: the up SQL that turns one source into the other. */
import path from 'node:path';
import type { Command } from 'commander';
import { buildPlan } from '../plan/plan.js';
import { planDocument, renderDocument, upScript } from '../plan/document.js';
import { describeShadow, introspectOptions, schemaHints, shadowFor, sourceCatalog, sourceState } from '../project/states.js';
import { assertNamedSchemasExist, comparedLine } from '../catalog/scope.js';
import { redactUrl } from '../db/redact.js';
import { action, collect, config, EXIT, out, err, scopeFlags, type ScopeFlags } from './common.js';

interface DiffFlags extends ScopeFlags {
  from: string;
  to: string;
  allowDestructive?: boolean;
  format: string;
  exitCode?: boolean;
}

const isUrl = (s: string) => /^(postgres(ql)?|pglite):/i.test(s);

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
      const live = [flags.from, flags.to].find((s) => isUrl(s) && !s.startsWith('pglite:'));
      const open = shadowFor(cfg, live, { report: err });
      const resolve = (s: string) => (isUrl(s) ? s : path.resolve(s));
      // Between two arbitrary sources every table is compared, even one named like the history table.
      const scope = introspectOptions(cfg, { tracking: false });
      const to = await sourceCatalog(cfg, resolve(flags.to), open, scope);
      // Rename hints of --to files rename the --from state (in a shadow copy of it).
      const hints = isUrl(flags.to) ? [] : await schemaHints({ ...cfg, schema: [resolve(flags.to)] });
      const from = await sourceState(cfg, resolve(flags.from), open, { hints, desired: to }, scope);
      const name = (s: string) => (isUrl(s) ? redactUrl(s) : `${s} loaded in ${describeShadow(cfg, live)}`);
      assertNamedSchemasExist([from.original, to]);
      err(comparedLine(name(flags.from), name(flags.to), [from.original, to]));
      // One script: plain forms (online forms need file boundaries).
      const plan = buildPlan(from.renamed, to, { allowDestructive: !!flags.allowDestructive, online: false, renames: from });
      for (const w of plan.warnings) err(`warning: ${w}`);
      for (const b of plan.blocked) err(`blocked: ${b.description}: ${b.reason} (allow with ${b.allowWith})`);
      const doc = planDocument(plan);
      if (flags.format === 'sql') {
        const sql = upScript(plan);
        if (sql) process.stdout.write(sql);
      } else out(renderDocument(doc, flags.format as 'json' | 'yaml' | 'markdown'));
      return flags.exitCode && (plan.up.length > 0 || plan.blocked.length > 0) ? EXIT.differences : EXIT.ok;
    }));
}
