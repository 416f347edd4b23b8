/** `schemaplan plan [name]`: desired state vs current state → one migration and its plan. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildPlan } from '../plan/plan.js';
import { DOCUMENT_FORMATS, parsePlanDocument, planDocument, renderDocument, renderMarkdown, upScript, type DocumentFormat } from '../plan/document.js';
import { loadHistory, slugify } from '../migrations/index.js';
import { replay, status } from '../runner/index.js';
import { currentStateName, desiredCatalog, desiredStateName, describeShadow, historyState, inShadow, liveState, materialize, schemaHints, shadowFor } from '../project/states.js';
import { connectLive } from '../project/live.js';
import { introspectOptions } from '../project/scope.js';
import { renderPlan, writeRendered } from '../project/write.js';
import { ProofError, provePlan } from '../project/proof.js';
import { assertNamedSchemasExist, comparedLine } from '../catalog/scope.js';
import { dataChecks } from '../plan/data-checks.js';
import { checkLiveData } from '../project/data-verdict.js';
import { loadParser } from '../sql/split.js';
import { redactUrl } from '../db/redact.js';
import { action, collect, config, EXIT, out, err, requireProject, scopeFlags, type GlobalOptions, type ScopeFlags } from './common.js';

interface PlanFlags extends GlobalOptions, ScopeFlags {
  allowDestructive?: boolean;
  dryRun?: boolean;
  format?: string;
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('plan schema/ against the current state and write migrations/<version>_<name>.sql and plans/<version>_<name>.yaml')
    .argument('[name]', 'migration description, lower_snake_case', 'schema_change')
    .option('--url <url>', 'plan against this live database instead of the replayed history')
    .option('--allow-destructive', 'emit destructive changes (the file is marked -- DESTRUCTIVE:)')
    .option('--dry-run', 'print the migration and the plan, write nothing')
    .option('--format <format>', 'print the plan as markdown | json | yaml (stdout: the plan only; "wrote …" lines go to stderr)')
    .option('--schema <pattern>', 'plan only schemas matching this * pattern (repeatable; replaces schemas: in schemaplan.yaml)', collect, [])
    .option('--exclude-schema <pattern>', 'leave out schemas matching this * pattern (repeatable)', collect, [])
    .action(action(async (name: string, flags: PlanFlags) => {
      if (flags.format !== undefined && !(DOCUMENT_FORMATS as readonly string[]).includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use markdown, json or yaml`);
      const format = flags.format as DocumentFormat | undefined;
      const cfg = scopeFlags(config({ ...program.opts(), ...flags }), flags);
      requireProject(cfg);
      const history = loadHistory(cfg.migrationsDir, { root: cfg.root });
      const url = cfg.databaseUrl;
      const open = shadowFor(cfg, url, { report: err });
      // A live database is checked first: unreachable, or not at the head of the history, fails
      // before the (slower) shadow work.
      if (url) {
        const db = await connectLive(url);
        try {
          const pending = (await status(db, history, cfg.table)).filter((s) => s.state !== 'applied');
          if (pending.length) {
            throw new Error(`the database is not at the head of the history; first run \`schemaplan up\` (or resolve): ${pending.map((p) => `${p.version}_${p.name} ${p.state}`).join(', ')}`);
          }
        } finally {
          await db.close();
        }
      }
      // Rename hints are read first: a misplaced hint fails before any shadow work.
      const hints = await schemaHints(cfg);
      const desired = await desiredCatalog(cfg, open, undefined, { shadow: describeShadow(cfg, url) });
      const renames = { hints, desired };
      const current = url ? await liveState(cfg, url, open, renames) : await historyState(cfg, open, history, renames);
      assertNamedSchemasExist([current.original, desired]);
      err(comparedLine(currentStateName(cfg, history.length, url), desiredStateName(cfg, url), [current.original, desired]));
      await loadParser(); // the hazards of the plan are read with PostgreSQL's parser
      const plan = buildPlan(current.renamed, desired, { allowDestructive: !!flags.allowDestructive, online: cfg.online?.enabled !== false, renames: current });
      for (const w of plan.warnings) err(`warning: ${w}`);
      for (const b of plan.blocked) err(`blocked: ${b.description}: ${b.reason} (allow with ${b.allowWith})`);
      // A drop and an add of the same shape may be a rename: decided by the developer, never half-planned
      // (writing the add now and the drop later would make a later hint useless).
      const undecided = flags.allowDestructive ? [] : (plan.possibleRenames ?? []);
      if (undecided.length) {
        if (format) out(renderDocument(planDocument(plan, { name: slugify(name) }), format));
        for (const r of undecided) {
          err(`possible rename: ${r.kind} ${r.from} → ${r.to}. If it is a rename, write \`${r.hint}\` in schema.sql on ${r.kind} ${r.to} (the line before it, or the end of its line) and plan again; ` +
            `if it is not, rerun with --allow-destructive to drop ${r.from} and add ${r.to}`);
        }
        err(`nothing written: ${undecided.length} possible rename(s) to decide`);
        return EXIT.onlyBlocked;
      }
      if (plan.up.length === 0) {
        if (format) out(renderDocument(planDocument(plan, { name: slugify(name) }), format));
        if (plan.blocked.length) {
          err(`nothing written: only blocked changes remain (${plan.blocked.length}); rerun with --allow-destructive to emit them`);
          return EXIT.onlyBlocked;
        }
        (format ? err : out)('No changes: schema/ matches the current state.');
        return EXIT.ok;
      }
      // What the changes assume about existing rows: recorded in the files (`up` checks it first) and,
      // against a live database, counted now; anything in the way blocks the plan.
      await loadParser();
      const data = dataChecks(plan);
      plan.dataChecks = data.checks;
      if (url) {
        const verdict = await checkLiveData(url, plan, data);
        for (const n of verdict.notes) err(n);
        if (verdict.blocking.length) {
          for (const b of verdict.blocking) err(`blocked: ${b}`);
          err(`nothing written: ${verdict.blocking.length} change(s) would fail on rows ${redactUrl(url)} holds`);
          return EXIT.onlyBlocked;
        }
      }
      if (flags.dryRun) {
        if (format) {
          out(renderDocument(planDocument(plan, { name: slugify(name) }), format));
          return EXIT.ok;
        }
        out(renderMarkdown(planDocument(plan)));
        out('-- up');
        out(upScript(plan));
        return EXIT.ok;
      }
      // The plan proves itself in a shadow holding the current state before anything is written.
      const rendered = renderPlan(cfg, name, plan);
      const scope = introspectOptions(cfg);
      try {
        await inShadow(open, async (db) => {
          if (url) await materialize(db, current.original, scope);
          else await replay(db, history);
          await provePlan(db, plan, rendered, cfg.root, scope);
        });
      } catch (e) {
        if (e instanceof ProofError) for (const d of e.details) err(`    ${d}`);
        throw e instanceof ProofError ? new Error(`${e.message}; nothing was written`) : e;
      }
      const written = writeRendered(cfg, rendered);
      const say = format ? err : out;
      for (const f of written.migrations) say(`wrote ${f}`);
      say(`wrote ${written.plan}`);
      say(`${plan.up.length} change(s)${plan.blocked.length ? `, ${plan.blocked.length} blocked` : ''}${plan.destructive ? ', DESTRUCTIVE' : ''}`);
      if (format) {
        // The document exactly as written, so this output and `schemaplan show` agree.
        const file = path.join(cfg.root, written.plan);
        out(renderDocument(parsePlanDocument(fs.readFileSync(file, 'utf8'), written.plan), format));
      }
      return EXIT.ok;
    }));
}
