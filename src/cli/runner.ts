/** `schemaplan up`, `down`, `status`: the tracked runner on the configured database. */
import type { Command } from 'commander';
import { connectLive } from '../project/states.js';
import type { Db } from '../db/types.js';
import { loadHistory } from '../migrations/index.js';
import { down, status, up } from '../runner/index.js';
import type { Config } from '../config/config.js';
import { action, config, EXIT, out, err, requireUrl } from './common.js';

/**
 * The runner's progress log and its returned warnings, printed once each: progress on stdout,
 * warnings on stderr (the runner both logs some warnings and returns them), and no runner
 * "nothing to apply/revert" line next to the command's own summary.
 */
function reporter(): { log: (line: string) => void; warnings: (ws: string[]) => void } {
  const seen = new Set<string>();
  return {
    log(line) {
      if (line === 'nothing to apply' || line === 'nothing to revert') return;
      const w = line.startsWith('warning: ') ? line.slice('warning: '.length) : undefined;
      seen.add(w ?? line);
      if (w !== undefined) err(line);
      else out(line);
    },
    warnings(ws) {
      for (const w of ws) if (!seen.has(w)) err(`warning: ${w}`);
    },
  };
}

async function withDb<T>(cfg: Config, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await connectLive(requireUrl(cfg));
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

export function register(program: Command): void {
  program
    .command('up')
    .description('apply pending migrations in version order')
    .option('--url <url>', 'database URL (else DATABASE_URL, else database.url)')
    .option('--to <version>', 'stop after this version')
    .option('--dry-run', 'print what would run, change nothing')
    .option('--allow-modified', 'run although applied files were edited')
    .action(action(async (flags: { url?: string; to?: string; dryRun?: boolean; allowModified?: boolean }) => {
      const cfg = config({ ...program.opts(), ...flags });
      const history = loadHistory(cfg.migrationsDir, { root: cfg.root });
      const report = reporter();
      const res = await withDb(cfg, (db) => up(db, history, {
        table: cfg.table, to: flags.to, dryRun: !!flags.dryRun, allowModified: !!flags.allowModified,
        lockTimeout: cfg.lockTimeout, statementTimeout: cfg.statementTimeout, log: report.log,
      }));
      report.warnings(res.warnings);
      if (res.applied.length === 0) out('Nothing to apply: the database is up to date.');
      else out(`${res.dryRun ? 'would apply' : 'applied'} ${res.applied.length} migration(s)`);
      return EXIT.ok;
    }));

  program
    .command('down')
    .description('run down sections, newest first (default: 1 migration)')
    .argument('[n]', 'how many migrations to revert')
    .option('--url <url>', 'database URL')
    .option('--to <version>', 'revert every migration newer than this version')
    .option('--dry-run', 'print what would run, change nothing')
    .action(action(async (n: string | undefined, flags: { url?: string; to?: string; dryRun?: boolean }) => {
      const cfg = config({ ...program.opts(), ...flags });
      const history = loadHistory(cfg.migrationsDir, { root: cfg.root });
      if (n !== undefined && !/^\d+$/.test(n)) throw new Error(`down takes a number of migrations, got "${n}"`);
      const report = reporter();
      const res = await withDb(cfg, (db) => down(db, history, {
        table: cfg.table, ...(n !== undefined ? { steps: Number(n) } : {}), ...(flags.to !== undefined ? { to: flags.to } : {}), dryRun: !!flags.dryRun,
        lockTimeout: cfg.lockTimeout, statementTimeout: cfg.statementTimeout, log: report.log,
      }));
      report.warnings(res.warnings);
      if (res.reverted.length === 0) out('Nothing to revert.');
      else out(`${res.dryRun ? 'would revert' : 'reverted'} ${res.reverted.length} migration(s)`);
      return EXIT.ok;
    }));

  program
    .command('status')
    .description('applied / pending / missing / modified / failed, per migration')
    .option('--url <url>', 'database URL')
    .option('--exit-code', 'exit 1 unless every migration is applied and unmodified')
    .option('--format <format>', 'text | json', 'text')
    .action(action(async (flags: { url?: string; exitCode?: boolean; format: string }) => {
      if (!['text', 'json'].includes(flags.format)) throw new Error(`unknown --format ${flags.format}: use text or json`);
      const cfg = config({ ...program.opts(), ...flags });
      const history = loadHistory(cfg.migrationsDir, { root: cfg.root });
      const rows = await withDb(cfg, (db) => status(db, history, cfg.table));
      if (flags.format === 'json') out(JSON.stringify(rows, null, 2));
      else {
        if (rows.length === 0) out('No migrations.');
        for (const r of rows) {
          const when = r.appliedAt ? ` applied ${r.appliedAt.toISOString()}${r.executionMs !== undefined ? ` (${r.executionMs} ms)` : ''}` : '';
          out(`${r.state.padEnd(8)} ${r.version}_${r.name}${when}${r.error ? ` — ${r.error}` : ''}`);
        }
        const counts = ['applied', 'pending', 'missing', 'modified', 'failed'].map((s) => [s, rows.filter((r) => r.state === s).length] as const).filter(([, c]) => c > 0);
        if (counts.length) out(counts.map(([s, c]) => `${c} ${s}`).join(', '));
      }
      const clean = rows.every((r) => r.state === 'applied');
      return flags.exitCode && !clean ? EXIT.error : EXIT.ok;
    }));
}
