/** `schemaplan show <version>`: renders an existing plan document for a reviewer. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DOCUMENT_FORMATS, parsePlanDocument, renderDocument, type DocumentFormat } from '../plan/document.js';
import { runCheck } from '../project/check.js';
import { buildReview, renderReviewMarkdown } from '../project/review.js';
import { shadowFor } from '../project/states.js';
import { action, config, EXIT, err, out, requireProject, type GlobalOptions } from './common.js';

/**
 * The plan file for `version`: `plans/<version>_*.yaml`, a full `<version>_<name>`, or a path to a
 * `.yaml` file. A migration written as several files shares the first file's plan.
 * @throws Error when no plan or several plans match
 */
export function findPlanFile(plansDir: string, version: string): string {
  if (/\.ya?ml$/.test(version) && fs.existsSync(version)) return path.resolve(version);
  const files = fs.existsSync(plansDir) ? fs.readdirSync(plansDir).filter((f) => /\.ya?ml$/.test(f)) : [];
  const exact = files.filter((f) => f.replace(/\.ya?ml$/, '') === version);
  const byVersion = exact.length ? exact : files.filter((f) => f.startsWith(`${version}_`));
  if (byVersion.length === 1) return path.join(plansDir, byVersion[0]!);
  if (byVersion.length > 1) throw new Error(`several plans match ${version}: ${byVersion.join(', ')}; give the full <version>_<name>`);
  throw new Error(`no plan for ${version} in ${plansDir} (plans are written by \`schemaplan plan\`; hand-written migrations have none)`);
}

/** Registers `show <version>` and `show --since <ref>` on the program. */
export function register(program: Command): void {
  program
    .command('show')
    .description('render the plan of an existing migration (plans/<version>_<name>.yaml), or with --since <ref> one pull-request body for every migration the branch adds')
    .argument('[version]', 'migration version, <version>_<name>, or a plan file')
    .option('--format <format>', 'markdown | json | yaml (yaml: one plan only)', 'markdown')
    .option('--since <ref>', 'every migration and plan added since this git ref (git diff <ref>...HEAD), with lint findings')
    .option('--check', 'with --since: also run `schemaplan check` and include its problems')
    .action(action(async (version: string | undefined, flags: GlobalOptions & { format: string; since?: string; check?: boolean }) => {
      if (!(DOCUMENT_FORMATS as readonly string[]).includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use markdown, json or yaml`);
      const cfg = config({ ...program.opts(), ...flags });
      if (flags.since !== undefined) {
        if (version) throw new Error('give a version or --since <ref>, not both');
        if (flags.format === 'yaml') throw new Error('--since prints markdown or json: use --format markdown or --format json');
        const review = await buildReview(cfg, flags.since, flags.check ? {
          check: () => { requireProject(cfg); return runCheck(cfg, shadowFor(cfg, undefined, { report: err }), { report: err }); },
        } : {});
        out(flags.format === 'json' ? JSON.stringify(review, null, 2) : renderReviewMarkdown(review));
        return flags.check && review.check && !review.check.ok ? EXIT.error : EXIT.ok;
      }
      if (flags.check) throw new Error('--check goes with --since <ref>');
      if (!version) throw new Error('give a migration version, or --since <ref> for every migration a branch adds');
      const file = findPlanFile(cfg.plansDir, version);
      const doc = parsePlanDocument(fs.readFileSync(file, 'utf8'), path.relative(cfg.root, file));
      out(renderDocument(doc, flags.format as DocumentFormat));
      return EXIT.ok;
    }));
}
