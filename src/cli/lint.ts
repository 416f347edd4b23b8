/** `schemaplan lint [files…]`: conventions and online-safety hazards of migration files. */
import type { Command } from 'commander';
import { describeRules, formatFindings, lintPaths } from '../lint/index.js';
import { lintOptions } from '../project/check.js';
import { CONFIG_FILE } from '../config/config.js';
import { githubAnnotations, gitlabCodeQuality, reportFormat, type Annotation } from './annotations.js';
import { action, config, EXIT, out, type GlobalOptions } from './common.js';

interface LintFlags extends GlobalOptions {
  format: string;
  strict?: boolean;
  rules?: boolean;
}

export function register(program: Command): void {
  program
    .command('lint')
    .description('report convention breaches and online-safety hazards of migration files, with file:line:column and a fix (default: every file in migrations/)')
    .argument('[files...]', 'migration files or folders (default: the migrations folder, from lint.start_after on)')
    .option('--format <format>', 'text | json | github (workflow annotations) | gitlab (Code Quality report on stdout)', 'text')
    .option('--strict', 'warnings fail too (exit 1)')
    .option('--rules', 'list the rules and their severity in this project, lint nothing')
    .action(action(async (files: string[], flags: LintFlags) => {
      const format = reportFormat(flags.format);
      const cfg = config({ ...program.opts(), ...flags });
      const opts = lintOptions(cfg);
      if (flags.rules) {
        out(describeRules(opts));
        return EXIT.ok;
      }
      const explicit = files.length > 0;
      const result = await lintPaths(explicit ? files : [cfg.migrationsDir], {
        ...opts, root: explicit ? process.cwd() : cfg.root, ...(explicit ? {} : { startAfter: cfg.lint?.startAfter }),
      });
      const annotations = result.findings.map((f): Annotation => ({
        severity: f.severity === 'error' ? 'error' : 'warning', rule: f.rule, message: `${f.message}\nfix: ${f.fix}`, file: f.file, line: f.line, column: f.column,
      }));
      if (format === 'json') out(JSON.stringify(result, null, 2));
      else if (format === 'github') {
        if (annotations.length) out(githubAnnotations(annotations));
      } else if (format === 'gitlab') out(gitlabCodeQuality(annotations, CONFIG_FILE));
      else {
        if (result.findings.length) out(formatFindings(result.findings).trimEnd());
        out(`lint: ${result.errors} error(s), ${result.warnings} warning(s) in ${result.files.length} file(s)`);
      }
      return result.errors > 0 || (flags.strict && result.warnings > 0) ? EXIT.error : EXIT.ok;
    }));
}
