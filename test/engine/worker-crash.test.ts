import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { describeEachBackend, resetTables, type TestDatabase } from '../support/backends.js';
import { JsonLineProcess, WITH_WORKERS } from '../support/child-process.js';
import {
  controllingEngine,
  countsOf,
  prepareEngineProcesses,
  startEngineWorker,
  waitForRun,
} from '../support/engine-processes.js';

const WORKFLOW = `name: three side effects
steps:
  - name: create_branch
    plugin: version_control
    action: create_branch
    inputs: { repository: acme/api, branch: feature/x }
  - name: open_pr
    plugin: version_control
    action: create_pull_request
    inputs: { repository: acme/api, source_branch: feature/x, title: Fix }
  - name: to_review
    plugin: task_management
    action: update_task_status
    inputs: { task_id: PROJ-1, status: In Review }
`;

describeEachBackend('a run whose worker is killed -9', (database) => {
  let t: TestDatabase;
  let engine: Engine;
  let configFile: string;
  const workers: JsonLineProcess[] = [];

  beforeAll(async () => {
    t = database();
    const prepared = await prepareEngineProcesses(t, 'crash', WORKFLOW);
    configFile = prepared.configFile;
    engine = await controllingEngine(t, prepared.dir);
  });
  beforeEach(async () => {
    await resetTables(t.db);
    await t.db.query('TRUNCATE test_action_calls, test_effects');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill()));
  });

  async function crashDuringOpenPr(pause: 'before' | 'after') {
    const pair = [0, 1].map(() =>
      startEngineWorker(t, configFile, {
        SLOW_ACTION: 'version_control.create_pull_request',
        SLOW_PAUSE: pause,
      }),
    );
    workers.push(...pair);
    await Promise.all(pair.map((w) => w.next('ready')));
    const { run } = await engine.startRun({ workflow: 'crash', trigger: 'api' });
    const trigger = pause === 'before' ? 'invoked' : 'applied';
    let victim: JsonLineProcess | undefined;
    while (victim === undefined) {
      const { process, message } = await JsonLineProcess.first<{
        invoked?: string;
        applied?: string;
      }>(pair, trigger);
      if (message[trigger] === 'version_control.create_pull_request') victim = process;
    }
    await victim.kill('SIGKILL');
    const done = await waitForRun(t, run.id, ['succeeded', 'failed'], 25_000);
    return { run: done, victim, survivor: pair.find((w) => w !== victim) };
  }

  it(
    'killed between two side effects: another worker finishes it, each effect applied once',
    WITH_WORKERS,
    async () => {
      const { run, survivor } = await crashDuringOpenPr('before');
      expect(run.status).toBe('succeeded');
      const { calls, effects } = await countsOf(t);
      // create_branch ran once (finished before the crash); open_pr twice (cut short, then again).
      expect(calls).toEqual({
        'version_control.create_branch': 1,
        'version_control.create_pull_request': 2,
        'task_management.update_task_status': 1,
      });
      expect(effects).toEqual({
        'version_control.create_branch': 1,
        'version_control.create_pull_request': 1,
        'task_management.update_task_status': 1,
      });
      const steps = await t.store.steps.listForRun(run.id);
      expect(steps.map((s) => [s.stepName, s.status, s.attempt, s.failures])).toEqual([
        ['create_branch', 'succeeded', 1, 0],
        ['open_pr', 'succeeded', 2, 0],
        ['to_review', 'succeeded', 1, 0],
      ]);
      expect(steps[1]?.worker).toBe(
        `${process.env.HOSTNAME ?? (await import('node:os')).hostname()}:${survivor?.pid ?? 0}`,
      );
      const events = (await t.store.events.listForRun(run.id)).map((e) => e.type);
      expect(events).toContain('run.resumed');
    },
  );

  it(
    'killed after a side effect but before its step was recorded: the effect is found, not repeated',
    WITH_WORKERS,
    async () => {
      const { run } = await crashDuringOpenPr('after');
      expect(run.status).toBe('succeeded');
      const { calls, effects } = await countsOf(t);
      expect(calls['version_control.create_pull_request']).toBe(2);
      expect(effects).toEqual({
        'version_control.create_branch': 1,
        'version_control.create_pull_request': 1,
        'task_management.update_task_status': 1,
      });
    },
  );
});
