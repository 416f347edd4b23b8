/** `schemaplan check`: the CI gate. */
import type { Command } from 'commander';
import { runCheck, type CheckProblem } from '../project/check.js';
import { describeShadow, shadowFor } from '../project/states.js';
import { CONFIG_FILE } from '../config/config.js';
import { githubAnnotations, gitlabCodeQuality, reportFormat, type Annotation } from './annotations.js';
import { action, collect, config, EXIT, out, err, requireProject, scopeFlags, type ScopeFlags } from './common.js';

/** A check problem as a CI annotation (the details, e.g. the difference lines, follow the message). */
function annotation(p: CheckProblem): Annotation {
  // A located lint problem's message starts with its place and rule, which the annotation carries itself.
  const first = p.file && p.line ? p.message.replace(/^\S+:\d+:\d+: \[[^\]]+\] /, '') : p.message;
  const message = [first, ...(p.details ?? [])].join('\n');
  return {
    severity: 'error', rule: p.rule ?? p.kind, message,
    ...(p.file ? { file: p.file } : {}), ...(p.line ? { line: p.line } : {}), ...(p.column ? { column: p.column } : {}),
  };
}

export function register(program: Command): void {
  program
    .command('check')
    .description('fail when schema/ and the history disagree, a migration file was edited, a down section does not restore, or (with --url) the database drifted')
    .option('--url <url>', 'also check this live database against the history')
    .option('--strict', 'unmodelled objects fail the check')
    .option('--format <format>', 'text | json (one object on stdout) | github (workflow annotations) | gitlab (Code Quality report on stdout)', 'text')
    .option('--schema <pattern>', 'check only schemas matching this * pattern (repeatable; replaces schemas: in schemaplan.yaml)', collect, [])
    .option('--exclude-schema <pattern>', 'leave out schemas matching this * pattern (repeatable)', collect, [])
    .action(action(async (flags: { url?: string; strict?: boolean; format: string } & ScopeFlags) => {
      const format = reportFormat(flags.format);
      const cfg = scopeFlags(config({ ...program.opts(), ...flags }), flags);
      let problems: CheckProblem[];
      try {
        requireProject(cfg);
        problems = await runCheck(cfg, shadowFor(cfg, flags.url, { report: err }), { url: flags.url, strict: !!flags.strict, report: err, shadow: describeShadow(cfg, flags.url) });
      } catch (e: any) {
        // A failure to check at all (schema/ does not load, unreachable database) is still one report.
        const failure: CheckProblem = { kind: 'error', message: String(e?.message ?? e) };
        if (format === 'json') out(JSON.stringify({ ok: false, command: 'check', problems: [], error: { message: failure.message } }, null, 2));
        else if (format === 'github') out(githubAnnotations([annotation(failure)]));
        else if (format === 'gitlab') out(gitlabCodeQuality([annotation(failure)], CONFIG_FILE));
        throw e;
      }
      if (format === 'json') out(JSON.stringify({ ok: problems.length === 0, command: 'check', problems }, null, 2));
      else if (format === 'github') {
        if (problems.length) out(githubAnnotations(problems.map(annotation)));
      } else if (format === 'gitlab') {
        out(gitlabCodeQuality(problems.map(annotation), CONFIG_FILE));
      }
      if (problems.length === 0) {
        (format === 'text' ? out : err)('check: clean (history, schema/ and sum file agree; down sections restore)');
        return EXIT.ok;
      }
      for (const p of problems) {
        err(`check failed [${p.kind}]: ${p.message}`);
        for (const d of p.details ?? []) err(`    ${d}`);
      }
      return EXIT.error;
    }));
}
