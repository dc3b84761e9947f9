import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { jira as jiraDefinition } from '../../../src/adapters/jira/jira.js';
import type { ActionCall } from '../../../src/engine/runners.js';
import { StepError } from '../../../src/engine/step-errors.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { RegistryActionRunner } from '../../../src/plugins/registry-action-runner.js';
import type { Store } from '../../../src/store/store.js';
import { cloudConfig, useJiraServer } from './jira-setup.js';

// Issue 16: a plugin that could not connect at start-up stayed "unavailable" until a restart,
// and the engine's retries of its steps sent no request at all.
const jira = useJiraServer();
const registries: PluginRegistry[] = [];
afterEach(async () => {
  await Promise.all(registries.splice(0).map((r) => r.disconnectAll()));
  jira.server.http.resetTraffic();
});

/** The Jira plugin as aidev builds it, its first connection made while Jira answers 503. */
async function connectedWhileDown(reconnect?: { initialDelayMs: number }) {
  jira.server.givenIssue({ key: 'PROJ-7', title: 'Speed up the login page' });
  jira.server.http.inject({ status: 503, times: 1_000_000 });
  const registry = new PluginRegistry(
    // No retries inside a call: each connection attempt is one request.
    {
      logger: jira.logger,
      store: {} as Store,
      guards: jira.newGuards({ retries: 0 }),
      dataDir: '/nonexistent',
    },
    reconnect === undefined ? {} : { reconnect },
  );
  registries.push(registry);
  registry.register(jiraDefinition);
  registry.configure('task_management', 'jira', cloudConfig(jira.server.url));
  await registry.connectAll();
  return registry;
}

function getTask(key: string): ActionCall {
  return {
    plugin: 'task_management',
    action: 'get_task',
    input: { task_id: key },
    run: { id: randomUUID(), workflow: 'reconnect-test', channelId: null, userId: null },
    step: 'fetch_task',
    attempt: 1,
    idempotencyKey: `${randomUUID()}:fetch_task`,
    signal: new AbortController().signal,
    log: jira.logger,
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('jira: a plugin that could not connect at start-up', () => {
  it('reconnects in the background once Jira answers again, and its steps then run', async () => {
    const registry = await connectedWhileDown();
    const [down] = await registry.health();
    expect(down).toMatchObject({ name: 'jira', ok: false });
    expect(down?.detail).toMatch(/could not connect: .*503/);
    // The log names the service and the reason.
    expect(jira.lines.some((l) => /jira plugin could not connect/.test(l) && /503/.test(l))).toBe(
      true,
    );

    jira.server.http.resetTraffic();
    await until('a healthy Jira plugin', async () => {
      const [status] = await registry.health();
      return status?.ok === true ? status : undefined;
    });
    const result = (await new RegistryActionRunner(registry).run(getTask('PROJ-7'))) as {
      task: { key: string };
    };
    expect(result.task.key).toBe('PROJ-7');
  });

  it('tries to connect on a step call: fails retryably while Jira is down, works once it is back', async () => {
    // The background retry is far off: only the step's own call can connect.
    const registry = await connectedWhileDown({ initialDelayMs: 600_000 });
    const runner = new RegistryActionRunner(registry);

    const before = jira.server.http.count();
    const failure = await runner.run(getTask('PROJ-7')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StepError);
    expect(failure).toMatchObject({ code: 'plugin_unavailable', retryable: true });
    expect((failure as Error).message).toMatch(/jira.*503/);
    // The attempt went to Jira: the engine's next retry is a real try, not the cached failure.
    expect(jira.server.http.count()).toBeGreaterThan(before);

    jira.server.http.resetTraffic();
    const result = (await runner.run(getTask('PROJ-7'))) as { task: { key: string } };
    expect(result.task.key).toBe('PROJ-7');
    const [status] = await registry.health();
    expect(status).toMatchObject({ ok: true });
  });
});
