/** `schemaplan plan [name]`: desired state vs current state → one migration and its plan. */
import type { Command } from 'commander';
import { buildPlan } from '../plan/plan.js';
import { planDocument, renderMarkdown, upScript } from '../plan/document.js';
import { loadHistory } from '../migrations/index.js';
import { status } from '../runner/index.js';
import { connectLive, desiredCatalog, historyCatalog, liveCatalog, shadowFor } from '../project/states.js';
import { writePlan } from '../project/write.js';
import { action, config, EXIT, out, err, type GlobalOptions } from './common.js';

interface PlanFlags extends GlobalOptions {
  allowDestructive?: boolean;
  dryRun?: boolean;
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('plan schema/ against the current state and write migrations/<version>_<name>.sql and plans/<version>_<name>.yaml')
    .argument('[name]', 'migration description, lower_snake_case', 'schema_change')
    .option('--url <url>', 'plan against this live database instead of the replayed history')
    .option('--allow-destructive', 'emit destructive changes (the file is marked -- DESTRUCTIVE:)')
    .option('--dry-run', 'print the migration and the plan, write nothing')
    .action(action(async (name: string, flags: PlanFlags) => {
      const cfg = config({ ...program.opts(), ...flags });
      const history = loadHistory(cfg.migrationsDir, { root: cfg.root });
      const url = cfg.databaseUrl;
      const open = shadowFor(cfg, url);
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
      const desired = await desiredCatalog(cfg, open);
      const current = url ? await liveCatalog(cfg, url) : await historyCatalog(cfg, open, history);
      const plan = buildPlan(current, desired, { allowDestructive: !!flags.allowDestructive });
      for (const w of plan.warnings) err(`warning: ${w}`);
      for (const b of plan.blocked) err(`blocked: ${b.description}: ${b.reason} (allow with ${b.allowWith})`);
      if (plan.up.length === 0) {
        if (plan.blocked.length) {
          err(`nothing written: only blocked changes remain (${plan.blocked.length}); rerun with --allow-destructive to emit them`);
          return EXIT.onlyBlocked;
        }
        out('No changes: schema/ matches the current state.');
        return EXIT.ok;
      }
      if (flags.dryRun) {
        out(renderMarkdown(planDocument(plan)));
        out('-- up');
        out(upScript(plan));
        return EXIT.ok;
      }
      const written = writePlan(cfg, name, plan);
      for (const f of written.migrations) out(`wrote ${f}`);
      out(`wrote ${written.plan}`);
      out(`${plan.up.length} change(s)${plan.blocked.length ? `, ${plan.blocked.length} blocked` : ''}${plan.destructive ? ', DESTRUCTIVE' : ''}`);
      return EXIT.ok;
    }));
}
