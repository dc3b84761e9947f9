import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/parse-command.js';

describe('the /aidev command line', () => {
  it('reads each subcommand with its options', () => {
    expect(parseCommand('implement proj-456 repo=acme/api workflow=hotfix')).toEqual({
      ok: true,
      command: { name: 'implement', key: 'PROJ-456', repo: 'acme/api', workflow: 'hotfix' },
    });
    expect(parseCommand('plan project=SHOP a checkout with saved cards')).toEqual({
      ok: true,
      command: { name: 'plan', project: 'SHOP', requirements: 'a checkout with saved cards' },
    });
    expect(parseCommand('config set budget_per_run=5 approvers=U1,U2')).toEqual({
      ok: true,
      command: {
        name: 'config',
        action: 'set',
        assignments: ['budget_per_run=5', 'approvers=U1,U2'],
      },
    });
    expect(parseCommand('config set setup_command="npm ci --ignore-scripts" model=x')).toEqual({
      ok: true,
      command: {
        name: 'config',
        action: 'set',
        assignments: ['setup_command=npm ci --ignore-scripts', 'model=x'],
      },
    });
    expect(parseCommand('config set setup_command=“pip install -r requirements.txt”')).toEqual({
      ok: true,
      command: {
        name: 'config',
        action: 'set',
        assignments: ['setup_command=pip install -r requirements.txt'],
      },
    });
    expect(parseCommand('')).toEqual({ ok: true, command: { name: 'help' } });
    expect(parseCommand('budget 2026-11')).toEqual({
      ok: true,
      command: { name: 'budget', month: '2026-11' },
    });
  });

  it('says what was expected and what was found, with the right form', () => {
    expect(parseCommand('implement')).toEqual({
      ok: false,
      error: 'expected one task key, found none',
      usage: '/aidev implement KEY [repo=owner/name] [workflow=NAME]',
    });
    expect(parseCommand('implement 456')).toMatchObject({
      ok: false,
      error: 'task key: expected a task key such as PROJ-456, found "456"',
    });
    expect(parseCommand('implement PROJ-1 branch=x')).toMatchObject({
      ok: false,
      error: 'unknown option branch=…; the options are repo= and workflow=',
    });
    expect(parseCommand('cancel nope')).toMatchObject({
      ok: false,
      error: 'run: expected a run id (as /aidev status shows it), found "nope"',
      usage: '/aidev cancel RUN',
    });
    expect(parseCommand('budget 2026-13')).toMatchObject({
      ok: false,
      error: 'month: expected a month such as 2026-11, found "2026-13"',
    });
    expect(parseCommand('deploy')).toMatchObject({
      ok: false,
      error: expect.stringContaining('unknown command "deploy"') as string,
    });
  });
});
