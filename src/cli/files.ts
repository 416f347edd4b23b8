/** `schemaplan init`, `new <name>`, `hash`: project files. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderMigration, slugify, writeSum } from '../migrations/index.js';
import { nextVersion } from '../project/write.js';
import { CONFIG_FILE } from '../config/config.js';
import { action, config, EXIT, out } from './common.js';

const CONFIG_TEMPLATE = `# schemaplan configuration (see README.md)
schema: schema            # file, folder of .sql files, or a list of them
migrations: migrations
plans: plans
schemas: [public]         # schemas whose objects are diffed
exclude: []               # identity patterns left out, e.g. "table:public.tmp_*"
# database:
#   url: postgres://user@localhost:5432/app   # or DATABASE_URL / --url
shadow: pglite            # pglite (embedded) or a postgres:// URL for temporary shadow databases
table: public.schema_migrations
`;

export function register(program: Command): void {
  program
    .command('init')
    .description('scaffold schemaplan.yaml, schema/schema.sql, migrations/ and plans/')
    .action(action(async () => {
      const root = program.opts().project ?? process.cwd();
      const made: string[] = [];
      const write = (rel: string, text: string) => {
        const p = path.join(root, rel);
        if (fs.existsSync(p)) return;
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, text);
        made.push(rel);
      };
      write(CONFIG_FILE, CONFIG_TEMPLATE);
      write('schema/schema.sql', '-- The desired state of the database. Edit it, then run `schemaplan plan <name>`.\n');
      for (const d of ['migrations', 'plans']) {
        if (!fs.existsSync(path.join(root, d))) {
          fs.mkdirSync(path.join(root, d), { recursive: true });
          made.push(d + '/');
        }
      }
      out(made.length ? `created ${made.join(', ')}` : 'already initialised');
      return EXIT.ok;
    }));

  program
    .command('new')
    .description('write an empty hand-written migration from the template')
    .argument('<name>', 'description, lower_snake_case')
    .action(action(async (name: string) => {
      const cfg = config(program.opts());
      const version = nextVersion(cfg.migrationsDir);
      const slug = slugify(name);
      const file = path.join(cfg.migrationsDir, `${version}_${slug}.sql`);
      if (fs.existsSync(file)) throw new Error(`${path.relative(cfg.root, file)} already exists`);
      fs.mkdirSync(cfg.migrationsDir, { recursive: true });
      fs.writeFileSync(file, renderMigration({
        version, name: slug, up: [], down: [], transactional: true,
        headerComment: `Feature: ${name.replace(/_/g, ' ')}\nDate: ${new Date().toISOString().slice(0, 10)}\nAuthor: ${process.env.USER ?? 'unknown'}`,
      }));
      writeSum(cfg.migrationsDir);
      out(`wrote ${path.relative(cfg.root, file)}`);
      return EXIT.ok;
    }));

  program
    .command('hash')
    .description('rewrite migrations/schemaplan.sum from the files as they are (deliberately accepting edits)')
    .action(action(async () => {
      const cfg = config(program.opts());
      writeSum(cfg.migrationsDir);
      out(`wrote ${path.relative(cfg.root, path.join(cfg.migrationsDir, 'schemaplan.sum'))}`);
      return EXIT.ok;
    }));
}
