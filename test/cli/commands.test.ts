import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULE, COMMAND_MODULES, invokedCommand } from '../../src/cli/commands.js';

describe('lazy command modules', () => {
  it('the table names every command each module registers, and only those', async () => {
    const seen: Record<string, string> = {};
    for (const [module, load] of Object.entries(COMMAND_MODULES)) {
      const program = new Command();
      (await load()).register(program);
      for (const c of program.commands) seen[c.name()] = module;
    }
    expect(seen).toEqual(COMMAND_MODULE);
  });

  it('finds the command after program options, and none before --help or --version', () => {
    expect(invokedCommand(['diff', '--from', 'a', '--to', 'b'])).toBe('diff');
    expect(invokedCommand(['-C', 'proj', 'plan', 'x'])).toBe('plan');
    expect(invokedCommand(['--project', 'proj', 'up'])).toBe('up');
    expect(invokedCommand(['--project=proj', 'status'])).toBe('status');
    expect(invokedCommand(['-Cproj', 'check'])).toBe('check');
    expect(invokedCommand(['--help'])).toBeUndefined();
    expect(invokedCommand(['-V'])).toBeUndefined();
    expect(invokedCommand([])).toBeUndefined();
    expect(invokedCommand(['help', 'diff'])).toBe('help');
  });
});
