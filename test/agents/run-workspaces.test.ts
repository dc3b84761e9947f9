import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, inject, it } from 'vitest';
import { removeEndedWorkspaces, workspaceDirectory } from '../../src/agents/run-workspaces.js';
import { silentLogger } from '../../src/log/create-logger.js';
import { describeEachBackend } from '../support/backends.js';

describeEachBackend('working copies of ended runs', (database) => {
  it('are swept; those of runs still going, and directories that are not runs, stay', async () => {
    const { store } = database();
    const dataDir = await mkdtemp(path.join(inject('scratchDir'), 'sweep-'));
    const create = async () =>
      (
        await store.runs.create({
          workflowName: 'implement-task',
          workflowVersion: '1',
          trigger: 'api',
        })
      ).run;
    const failed = await create();
    await store.runs.transition(failed.id, 'failed', { from: ['queued'], error: { code: 'x' } });
    const going = await create();
    const unknown = randomUUID();
    const copies = [failed.id, going.id, unknown].map((id) =>
      workspaceDirectory(dataDir, id, 'implement', 1),
    );
    const other = path.join(dataDir, 'workspaces', 'notes');
    for (const dir of [...copies, other]) {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'file.txt'), 'x');
    }
    expect(await removeEndedWorkspaces(dataDir, store, silentLogger())).toBe(2);
    expect(copies.map((dir) => existsSync(dir))).toEqual([false, true, false]);
    expect(existsSync(other)).toBe(true);
  });

  it('finds nothing to do without a workspaces directory', async () => {
    const dataDir = await mkdtemp(path.join(inject('scratchDir'), 'sweep-'));
    expect(await removeEndedWorkspaces(dataDir, database().store, silentLogger())).toBe(0);
  });
});
