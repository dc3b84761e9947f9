import { afterEach, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { describeEachBackend, type TestDatabase } from '../support/backends.js';
import { WITH_WORKERS, type JsonLineProcess } from '../support/child-process.js';
import {
  controllingEngine,
  countsOf,
  prepareEngineProcesses,
  startEngineWorker,
  waitForRun,
} from '../support/engine-processes.js';

const WORKFLOW = `name: gated change
steps:
  - name: create_branch
    plugin: version_control
    action: create_branch
    inputs: { repository: acme/api, branch: feature/gated }
  - name: approve
    type: approval
    approvers: [U-lead]
    message: Open the pull request?
  - name: open_pr
    plugin: version_control
    action: create_pull_request
    inputs: { repository: acme/api, source_branch: feature/gated, title: Gated change }
`;

describeEachBackend('an approval across a worker restart', (database) => {
  let t: TestDatabase;
  let engine: Engine;
  let configFile: string;
  const workers: JsonLineProcess[] = [];

  beforeAll(async () => {
    t = database();
    const prepared = await prepareEngineProcesses(t, 'gated', WORKFLOW);
    configFile = prepared.configFile;
    engine = await controllingEngine(t, prepared.dir);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
  });

  it(
    'waits with no worker, survives the restart, resumes on approval; a second decision is refused',
    WITH_WORKERS,
    async () => {
      const first = startEngineWorker(t, configFile);
      workers.push(first);
      await first.next('ready');
      const { run } = await engine.startRun({
        workflow: 'gated',
        trigger: 'slack',
        userId: 'U-dev',
      });
      await waitForRun(t, run.id, ['waiting']);

      // Waiting holds no worker: the run's job finishes and lets go. Then the worker goes away.
      const lockedRunJobs = async () =>
        (
          await t.db.query<{ n: number }>(
            "SELECT count(*) AS n FROM agenda_jobs WHERE name = 'workflow.run' AND locked_at IS NOT NULL",
          )
        ).rows[0]?.n;
      await expect.poll(lockedRunJobs, { timeout: 5_000 }).toBe(0);
      await first.kill('SIGKILL');

      expect(
        await engine.decide(run.id, { approve: true, by: 'U-lead', feedback: 'ship it' }),
      ).toEqual({
        outcome: 'decided',
        approved: true,
        step: 'approve',
      });
      expect(await engine.decide(run.id, { approve: false, by: 'U-lead' })).toMatchObject({
        outcome: 'already_decided',
        approved: true,
        decidedBy: 'U-lead',
      });

      const second = startEngineWorker(t, configFile);
      workers.push(second);
      await second.next('ready');
      const done = await waitForRun(t, run.id, ['succeeded', 'failed']);
      expect(done.status).toBe('succeeded');
      expect((await countsOf(t)).effects).toEqual({
        'version_control.create_branch': 1,
        'version_control.create_pull_request': 1,
      });
      const gate = (await t.store.steps.listForRun(run.id)).find((s) => s.stepName === 'approve');
      expect(gate?.outputs).toMatchObject({
        approved: true,
        decided_by: 'U-lead',
        feedback: 'ship it',
      });
    },
  );
});
