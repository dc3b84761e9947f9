import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

const example = (file: string) =>
  readFileSync(path.join(REPO_ROOT, 'workflows/examples', file), 'utf8');

describeEachBackend('running workflows', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database());
  });
  afterEach(async () => h.stop());

  it('runs the Development Workflow of the architecture notes end to end', async () => {
    h.workflow('development', example('development-workflow.yaml'));
    h.agents.on('generate_code', () => ({
      implementation: { pr_description: 'Adds the fix', files: ['src/a.ts'] },
    }));
    const { run } = await h.engine.startRun({
      workflow: 'development',
      inputs: { task_id: 'PROJ-456', task: { id: 'PROJ-456', repository_url: 'acme/api' } },
      trigger: 'cli',
    });
    const done = await h.waitFor(run.id, ['succeeded', 'failed']);
    expect(done.status).toBe('succeeded');
    expect(h.actions.calls.map((c) => `${c.plugin}.${c.action}`)).toEqual([
      'task_management.get_task',
      'version_control.create_branch',
      'version_control.create_pull_request',
      'task_management.update_task_status',
      'communication.send_message',
    ]);
    const [, branch, pr, status, notify] = h.actions.calls;
    expect(branch?.input).toEqual({
      repository: 'acme/api',
      branch: 'feature/PROJ-456',
      base_branch: 'main',
    });
    expect(pr?.input).toMatchObject({
      title: 'Title of PROJ-456',
      description: 'Adds the fix',
      source_branch: 'feature/PROJ-456',
    });
    expect(status?.input).toEqual({
      task_id: 'PROJ-456',
      status: 'in_review',
      comment: 'Pull request created: https://git.test/pull/7',
    });
    expect(notify?.input).toEqual({
      channel: 'C-team',
      message: '🤖 Task PROJ-456 completed! PR: https://git.test/pull/7',
    });
    expect(branch?.idempotencyKey).toBe(`${run.id}:create_branch`);
    expect(h.agents.calls[0]).toMatchObject({ agent: 'development', step: 'generate_code' });
    expect(h.agents.calls[0]?.promptTemplate).toBe(
      path.join(REPO_ROOT, 'prompts/code_generation.txt'),
    );
  });

  it('runs the AI Development Workflow of the architecture notes end to end', async () => {
    h.workflow('ai-development', example('ai-development-workflow.yaml'));
    h.agents
      .on('analyze_codebase', () => ({ analysis: { languages: ['TypeScript'] } }))
      .on('generate_implementation_plan', (call) => ({
        plan: { steps: ['edit'], based_on: call.input.codebase_analysis },
      }))
      .on('generate_code_implementation', () => ({
        implementation: { pr_description: 'Implements it', documentation: 'How it works' },
      }));
    const task = { task_id: 'PROJ-7', title: 'Add export', repository_url: 'acme/api' };
    const { run } = await h.engine.startRun({
      workflow: 'ai-development',
      inputs: { task_id: 'PROJ-7', repository_path: '/repos/api', task_data: task },
      trigger: 'api',
    });
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(h.agents.calls.map((c) => c.step)).toEqual([
      'analyze_codebase',
      'generate_implementation_plan',
      'generate_code_implementation',
    ]);
    expect(h.agents.calls[1]?.input).toEqual({
      task,
      codebase_analysis: { languages: ['TypeScript'] },
    });
    expect(h.actions.callsOf('documentation.create_page_from_template')[0]?.input).toEqual({
      template_type: 'feature_documentation',
      title: 'Add export - Implementation',
      content: 'How it works',
    });
    const events = await database().store.events.listForRun(run.id);
    expect(events.at(-1)).toMatchObject({
      type: 'run.succeeded',
      data: {
        outputs: {
          pull_request_url: 'https://git.test/pull/7',
          documentation_url: 'https://docs.test/Add%20export%20-%20Implementation',
        },
      },
    });
  });

  it('keeps the type of a whole-value ${…} and interpolates inside text', async () => {
    h.workflow(
      'types',
      `name: types
inputs:
  task: { type: object }
  points: { type: integer }
steps:
  - name: shape
    type: set
    set:
      whole: "\${task}"
      number: "\${points}"
      sum: "\${points + 1}"
      list: "\${task.labels}"
      text: "\${task.title} has \${points} points and labels \${task.labels}"
      literal: "costs $\${points}"
      fallback: "\${task.?assignee.orValue('nobody')}"
`,
    );
    const { run } = await h.engine.startRun({
      workflow: 'types',
      inputs: { task: { title: 'Fix', labels: ['a', 'b'] }, points: 3 },
      trigger: 'api',
    });
    await h.waitFor(run.id, ['succeeded']);
    const [step] = await database().store.steps.listForRun(run.id);
    expect(step?.outputs).toEqual({
      whole: { title: 'Fix', labels: ['a', 'b'] },
      number: 3,
      sum: 4,
      list: ['a', 'b'],
      text: 'Fix has 3 points and labels ["a","b"]',
      literal: 'costs ${points}',
      fallback: 'nobody',
    });
  });

  it('fails a step that reads a missing value, naming the step and the path', async () => {
    h.workflow(
      'missing',
      `name: missing
inputs:
  task: { type: object }
steps:
  - name: announce
    plugin: communication
    action: send_message
    inputs:
      channel: C1
      message: "Assigned to \${task.assignee}"
`,
    );
    const { run } = await h.engine.startRun({
      workflow: 'missing',
      inputs: { task: { title: 'Fix' } },
      trigger: 'api',
    });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({
      step: 'announce',
      code: 'missing_value',
      message:
        'step announce inputs: task.assignee has no value at task.assignee (there: title); give a default with .?field.orValue(…) if it may be missing',
    });
    expect(h.actions.calls).toHaveLength(0);
  });

  it('skips a step whose condition is false, recording why, and runs one whose condition holds', async () => {
    h.workflow(
      'conditions',
      `name: conditions
inputs:
  points: { type: integer }
steps:
  - name: big
    when: points > 5
    type: set
    set: { size: big }
  - name: small
    when: "\${points <= 5}"
    type: set
    set: { size: small }
  - name: report
    type: set
    set:
      result: "\${size} (big was \${steps.big.status})"
`,
    );
    const { run } = await h.engine.startRun({
      workflow: 'conditions',
      inputs: { points: 3 },
      trigger: 'api',
    });
    await h.waitFor(run.id, ['succeeded']);
    const steps = await database().store.steps.listForRun(run.id);
    expect(steps.map((s) => [s.stepName, s.status, s.skipReason])).toEqual([
      ['big', 'skipped', 'when: points > 5 was false'],
      ['small', 'succeeded', null],
      ['report', 'succeeded', null],
    ]);
    expect(steps[2]?.outputs).toEqual({ result: 'small (big was skipped)' });
    expect(h.events.filter((e) => e.runId === run.id).map((e) => e.type)).toEqual(
      expect.arrayContaining(['run.started', 'step.skipped', 'step.succeeded', 'run.succeeded']),
    );
  });

  it('refuses to start a run whose inputs do not fit, saying which', async () => {
    h.workflow(
      'typed',
      'name: typed\ninputs:\n  task_id: { type: string }\n  force: { type: boolean, default: false }\nsteps:\n  - name: a\n    type: set\n    set: { x: 1 }\n',
    );
    await expect(
      h.engine.startRun({ workflow: 'typed', inputs: { task_id: 5, extra: 1 }, trigger: 'api' }),
    ).rejects.toThrow(
      'inputs of typed: task_id: expected string, found number 5; extra: unknown input of workflow typed; its inputs are task_id, force',
    );
    await expect(h.engine.startRun({ workflow: 'typo', trigger: 'api' })).rejects.toThrow(
      'workflow: expected one of typed, found "typo" (did you mean "typed"?)',
    );
  });

  it('starts one run for one idempotency key', async () => {
    h.workflow('once', 'name: once\nsteps:\n  - name: a\n    type: set\n    set: { x: 1 }\n');
    const first = await h.engine.startRun({
      workflow: 'once',
      trigger: 'slack',
      idempotencyKey: 'slack:T1:abc',
    });
    const again = await h.engine.startRun({
      workflow: 'once',
      trigger: 'slack',
      idempotencyKey: 'slack:T1:abc',
    });
    expect(again).toMatchObject({ created: false, run: { id: first.run.id } });
  });
});
