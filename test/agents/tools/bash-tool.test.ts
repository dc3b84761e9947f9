import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AgentTool, ToolOutcome } from '../../../src/agents/model-loop.js';
import { bashTool, type BashToolOptions } from '../../../src/agents/tools/bash-tool.js';
import { RunCancelledError, StepTimeoutError } from '../../../src/engine/step-errors.js';
import { findExecutable } from '../../../src/sandbox/find-executable.js';
import { Workspace } from '../../../src/sandbox/workspace.js';
import { capturingLogger } from '../../support/logger.js';

// The agent's shell as a model uses it, in the real sandbox, in a private working copy.

const hasBwrap = findExecutable('bwrap', process.env.PATH) !== undefined;
const { logger } = capturingLogger();

let root: string;
let workspace: Workspace;

beforeAll(async () => {
  if (!hasBwrap && process.env.CI === 'true')
    throw new Error('bubblewrap is required in CI (.ci/run installs it)');
  // SAFETY: the sandbox hands its working copy to its own user; only ever a private directory.
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'aidev-bash-tool-'));
  workspace = await Workspace.open(root);
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

function tool(options: Partial<BashToolOptions> = {}): AgentTool {
  return bashTool({ workspace, sandbox: 'bubblewrap', logger, timeoutMs: 30_000, ...options });
}

async function run(input: Record<string, unknown>, on = tool()): Promise<ToolOutcome> {
  return on.run(input);
}

/** Host processes whose command line holds `marker` (the sandbox's are visible from outside). */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.replaceAll('\0', ' ').includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** A sleep no other process runs, to find it (and its absence) among the host's processes. */
let sleeps = 0;
const uniqueSleep = () => `sleep ${700_000 + process.pid * 10 + ++sleeps}`;

describe('the bash tool', () => {
  it('is Anthropic’s bash tool, marked native, with a description of its limits', () => {
    const { definition } = tool({ timeoutMs: 60_000, maxOutputBytes: 8192 });
    expect(definition).toMatchObject({ name: 'bash', native: 'bash' });
    expect(definition.description).toContain('A command is stopped after 60 s.');
    expect(definition.description).toContain('keeps its first and last 4 KB');
  });

  describe.skipIf(!hasBwrap)('in the sandbox', () => {
    it('runs in the working copy as the sandbox’s user and answers with the output and exit code 0', async () => {
      const statuses: string[] = [];
      const outcome = await run(
        { command: 'pwd; echo hello > note.txt; cat note.txt' },
        tool({ status: (message) => statuses.push(message) }),
      );
      expect(outcome.isError).toBeUndefined();
      expect(outcome.content).toMatch(new RegExp(`^${root}\\nhello\\n\\[exit code 0\\]$`));
      expect(await fs.readFile(path.join(root, 'note.txt'), 'utf8')).toBe('hello\n');
      expect(statuses).toEqual(['running pwd; echo hello > note.txt; cat note.txt']);
    });

    it('answers a failing command with its exit code, not as an error', async () => {
      const outcome = await run({
        command: 'grep -rn nothing-like-this . ; echo "grep said $?"; exit 1',
      });
      expect(outcome.isError).toBeUndefined();
      expect(outcome.content).toMatch(/^grep said 1\n\[exit code 1\]$/);
      expect((await run({ command: 'false' })).content).toMatch(/^\(no output\)\n\[exit code 1\]/);
    });

    it('explains an exit code of a signal: 137 is SIGKILL, perhaps memory', async () => {
      expect((await run({ command: 'echo before; kill -9 $$' })).content).toMatch(
        /^before\n\[exit code 137: killed by SIGKILL \(perhaps out of memory\)\]$/,
      );
      expect((await run({ command: 'kill -XCPU $$' })).content).toContain(
        '[exit code 152: killed by SIGXCPU (the CPU time limit)]',
      );
      expect((await run({ command: 'exit 200' })).content).toContain('[exit code 200');
    });

    it('merges stderr into stdout in the order written', async () => {
      const outcome = await run({
        command: 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; ls no-such-file',
      });
      expect(outcome.content).toMatch(
        /^out1\nerr1\nout2\nerr2\nout3\nerr3\nls: cannot access 'no-such-file': No such file or directory\n\[exit code 2\]/,
      );
    });

    it('keeps the head and tail of long output and says how much was left out', async () => {
      const outcome = await run({ command: 'seq 1 5000' }, tool({ maxOutputBytes: 1000 }));
      const [head, omitted, tail] = outcome.content.split(
        /\n(\[… \d+ lines \(\d+ bytes\) omitted …\])\n/,
      );
      expect(head?.startsWith('1\n2\n3\n')).toBe(true);
      expect(omitted).toMatch(/^\[… 4\d\d\d lines \(2\d\d\d\d bytes\) omitted …\]$/);
      expect(tail).toMatch(/\n4999\n5000\n\[exit code 0\]$/);
      expect(Buffer.byteLength(outcome.content)).toBeLessThan(1200);
    });

    it('gives a command no input: one that reads stdin does not wait', async () => {
      expect((await run({ command: 'cat; read line; echo "read: $?"' })).content).toMatch(
        /^read: 1\n\[exit code 0\]/,
      );
    });

    it('stops a command at its time limit as an error result, with everything it started', async () => {
      const background = uniqueSleep();
      const call = run(
        { command: `${background} >/dev/null 2>&1 & echo started; ${uniqueSleep()}` },
        tool({ timeoutMs: 5000 }),
      );
      await vi.waitFor(async () => expect(await processesWith(background)).not.toEqual([]), {
        timeout: 5000,
        interval: 50,
      });
      const outcome = await call;
      expect(outcome.isError).toBe(true);
      expect(outcome.content).toMatch(
        /^started\n\[stopped after 5 s: the command did not finish in time and was killed with everything it started\. Run something narrower/,
      );
      await vi.waitFor(async () => expect(await processesWith(background)).toEqual([]), {
        timeout: 5000,
        interval: 50,
      });
    });

    it('answers an empty command as an error, and restart with how each command runs', async () => {
      for (const command of [undefined, '', '   \n'])
        expect(await run(command === undefined ? {} : { command })).toEqual({
          content:
            'bash: the command is empty; give a shell command to run, e.g. `ls` or `npm test`',
          isError: true,
        });
      const restarted = await run({ restart: true });
      expect(restarted.isError).toBeUndefined();
      expect(restarted.content).toMatch(
        /^There is no shell session to restart: every command already runs in a fresh shell/,
      );
      expect((await run({ command: 'echo still here', restart: true })).content).toMatch(
        /^still here\n\[exit code 0\]/,
      );
      expect(await run({ command: 42 })).toMatchObject({ isError: true });
    });

    it('carries nothing over from one command to the next', async () => {
      await run({ command: 'export LEFT=over; cd /tmp; echo x > /tmp/left; mkdir -p sub' });
      expect((await run({ command: 'echo "[$LEFT]"; pwd; cat /tmp/left' })).content).toMatch(
        new RegExp(
          `^\\[\\]\\n${root}\\ncat: /tmp/left: No such file or directory\\n\\[exit code 1\\]`,
        ),
      );
    });

    it('throws when the run is cancelled during a command, and leaves nothing running', async () => {
      const controller = new AbortController();
      const sleeper = uniqueSleep();
      const call = run(
        { command: `touch started; ${sleeper}` },
        tool({ signal: controller.signal }),
      );
      await vi.waitFor(() => fs.access(path.join(root, 'started')), {
        timeout: 10_000,
        interval: 50,
      });
      controller.abort(new RunCancelledError());
      await expect(call).rejects.toBeInstanceOf(RunCancelledError);
      await vi.waitFor(async () => expect(await processesWith(sleeper)).toEqual([]), {
        timeout: 5000,
        interval: 50,
      });
    });

    it('runs nothing once the step is stopped, and throws the reason it was stopped for', async () => {
      const controller = new AbortController();
      controller.abort(new StepTimeoutError('implement', 1000));
      await expect(
        run({ command: 'touch ran' }, tool({ signal: controller.signal })),
      ).rejects.toMatchObject({ code: 'step_timeout' });
      await expect(fs.access(path.join(root, 'ran'))).rejects.toMatchObject({ code: 'ENOENT' });
      // A reason that is no error is a cancelled run.
      const bare = new AbortController();
      bare.abort('stop');
      await expect(
        run({ command: 'touch ran' }, tool({ signal: bare.signal })),
      ).rejects.toBeInstanceOf(RunCancelledError);
    });
  });

  describe('without a sandbox (AIDEV_SANDBOX=none)', () => {
    it('still kills the whole process group at the time limit', async () => {
      const background = uniqueSleep();
      const call = run(
        { command: `${background} >/dev/null 2>&1 & ${uniqueSleep()}` },
        tool({ sandbox: 'none', timeoutMs: 3000 }),
      );
      await vi.waitFor(async () => expect(await processesWith(background)).not.toEqual([]), {
        timeout: 3000,
        interval: 50,
      });
      expect(await call).toMatchObject({ isError: true });
      await vi.waitFor(async () => expect(await processesWith(background)).toEqual([]), {
        timeout: 5000,
        interval: 50,
      });
    });
  });
});
