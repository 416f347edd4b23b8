/** `schemaplan show <version>`: renders an existing plan document for a reviewer. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DOCUMENT_FORMATS, parsePlanDocument, renderDocument, type DocumentFormat } from '../plan/document.js';
import { action, config, EXIT, out, type GlobalOptions } from './common.js';

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

export function register(program: Command): void {
  program
    .command('show')
    .description('render the plan of an existing migration (plans/<version>_<name>.yaml) for a pull request')
    .argument('<version>', 'migration version, <version>_<name>, or a plan file')
    .option('--format <format>', 'markdown | json | yaml', 'markdown')
    .action(action(async (version: string, flags: GlobalOptions & { format: string }) => {
      if (!(DOCUMENT_FORMATS as readonly string[]).includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use markdown, json or yaml`);
      const cfg = config({ ...program.opts(), ...flags });
      const file = findPlanFile(cfg.plansDir, version);
      const doc = parsePlanDocument(fs.readFileSync(file, 'utf8'), path.relative(cfg.root, file));
      out(renderDocument(doc, flags.format as DocumentFormat));
      return EXIT.ok;
    }));
}
