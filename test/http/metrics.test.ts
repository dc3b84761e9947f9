import { afterAll, beforeAll, expect, it } from 'vitest';
import { StepError } from '../../src/engine/step-errors.js';
import { describeEachBackend } from '../support/backends.js';
import { startApi, stepsWorkflow, type ApiHarness } from './support/api-harness.js';

let api: ApiHarness;

const BREAKS = `name: breaks
steps:
  - name: send
    plugin: communication
    action: send_message
    inputs: { channel: C-M, message: hello }
`;

/** Samples of a Prometheus text exposition: `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(`${api.base}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describeEachBackend('metrics after runs', (database) => {
  let samples: Map<string, number>;
  let runId: string;

  beforeAll(async () => {
    api = await startApi({ database: database() });
    api.workflow('steps', stepsWorkflow(3));
    api.workflow('breaks', BREAKS);
    api.actions.on('communication.send_message', (call) => {
      if (call.input.message === 'hello')
        throw new StepError('channel is archived', { code: 'archived' });
      return { channel: 'C-M', message_id: 'm-1' };
    });
    await scrape();
    const ok = await api.call<{ id: string }>('POST', '/runs', {
      body: { workflow: 'steps', inputs: { task_key: 'M-1' } },
    });
    const broken = await api.call<{ id: string }>('POST', '/runs', {
      body: { workflow: 'breaks' },
    });
    runId = ok.body.id;
    await api.waitFor(ok.body.id, ['succeeded']);
    await api.waitFor(broken.body.id, ['failed']);
    for (const [model, input, output, usd] of [
      ['claude-sonnet-5-5', 1200, 300, '0.0081000000'],
      ['claude-sonnet-5-5', 800, 100, '0.0039000000'],
      ['claude-haiku-5', 500, 50, '0.0007500000'],
    ] as const)
      await api.app.store.costs.record({
        runId,
        provider: 'anthropic',
        model,
        inputTokens: input,
        outputTokens: output,
        cacheWriteTokens: 10,
        cacheReadTokens: 20,
        usd,
      });
    const github = api.app.guards.for('github', 'https://api.github.com');
    for (let i = 0; i < 2; i++) await github.call('probe', () => Promise.resolve('ok'));
    // Another GitHub (a channel's Enterprise server) is counted apart, under its host name.
    await api.app.guards
      .for('github', 'https://ghe.example.com/api/v3')
      .call('probe', () => Promise.resolve('ok'));
    await api.database.db.query(
      "INSERT INTO agenda_jobs (name, next_run_at, data) VALUES ('test.nobody', now() - interval '5 seconds', '{}')",
    );
    api.server.aidevMetrics.slackAck.observe({ kind: 'command' }, 0.12);
    // The pull-request loop: a pull request the run opened, feedback on it, two deliveries.
    const { store } = api.app;
    await store.pullRequests.record({
      url: 'https://github.com/acme/shop/pull/3',
      runId,
      stepName: 'open',
      repository: 'acme/shop',
      number: 3,
      branch: 'aidev/M-1',
    });
    for (const [sourceId, kind] of [
      ['review:1', 'review'],
      ['comment:2', 'comment'],
      ['comment:3', 'comment'],
    ] as const)
      await store.prRounds.queue({
        pullUrl: 'https://github.com/acme/shop/pull/3',
        sourceId,
        kind,
        author: 'alice',
        item: {},
        origin: 'test',
      });
    for (const id of ['d-1', 'd-2'])
      await store.webhookDeliveries.record({
        source: 'github',
        deliveryId: id,
        event: 'issue_comment',
        action: 'created',
        payload: {},
      });
    await store.webhookDeliveries.markHandled('github', 'd-1', 'ignored: written by aidev itself');
    samples = await scrape();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('counts runs started, finished and failed by workflow, from the database', () => {
    expect(samples.get('aidev_runs_started_total{workflow="steps"}')).toBe(1);
    expect(samples.get('aidev_runs_finished_total{workflow="steps",status="succeeded"}')).toBe(1);
    expect(samples.get('aidev_runs_finished_total{workflow="breaks",status="failed"}')).toBe(1);
    expect(samples.get('aidev_runs_failed_total{workflow="breaks"}')).toBe(1);
    expect(samples.has('aidev_runs_failed_total{workflow="steps"}')).toBe(false);
  });

  it('counts the pull-request loop: feedback by kind, pull requests by state, deliveries by result', () => {
    expect(samples.get('aidev_pr_feedback_total{kind="comment"}')).toBe(2);
    expect(samples.get('aidev_pr_feedback_total{kind="review"}')).toBe(1);
    expect(samples.get('aidev_pull_requests{state="open"}')).toBe(1);
    expect(samples.get('aidev_pr_handovers_total')).toBe(0);
    expect(
      samples.get('aidev_github_deliveries_total{event="issue_comment",result="ignored"}'),
    ).toBe(1);
    expect(
      samples.get('aidev_github_deliveries_total{event="issue_comment",result="pending"}'),
    ).toBe(1);
  });

  it('observes each finished step’s duration once, however often it is scraped', async () => {
    const steps = await api.app.store.steps.listForRun(runId);
    for (const step of steps) {
      const labels = `workflow="steps",step="${step.stepName}",status="succeeded"`;
      expect(samples.get(`aidev_step_duration_seconds_count{${labels}}`)).toBe(1);
      const seconds = ((step.finishedAt?.getTime() ?? 0) - (step.startedAt?.getTime() ?? 0)) / 1000;
      expect(samples.get(`aidev_step_duration_seconds_sum{${labels}}`)).toBeCloseTo(seconds, 2);
    }
    expect(
      samples.get(
        'aidev_step_duration_seconds_count{workflow="breaks",step="send",status="failed"}',
      ),
    ).toBe(1);
    const again = await scrape();
    expect(
      again.get(
        'aidev_step_duration_seconds_count{workflow="steps",step="step_1",status="succeeded"}',
      ),
    ).toBe(1);
  });

  it('shows the job queue’s depth and how long its oldest due job has waited', () => {
    expect(samples.get('aidev_job_queue_depth{job="test.nobody",state="queued"}')).toBe(1);
    expect(samples.get('aidev_job_queue_lag_seconds{job="test.nobody"}')).toBeGreaterThanOrEqual(5);
    expect(samples.get('aidev_job_queue_lag_seconds{job="workflow.run"}') ?? 0).toBeLessThan(5);
  });

  it('sums AI tokens and dollars by model, as recorded', () => {
    const sonnet = (kind: string) =>
      samples.get(`aidev_ai_tokens_total{model="claude-sonnet-5-5",kind="${kind}"}`);
    expect([
      sonnet('input'),
      sonnet('output'),
      sonnet('cache_write'),
      sonnet('cache_read'),
    ]).toEqual([2000, 400, 20, 40]);
    expect(samples.get('aidev_ai_cost_usd_total{model="claude-sonnet-5-5"}')).toBeCloseTo(0.012, 9);
    expect(samples.get('aidev_ai_cost_usd_total{model="claude-haiku-5"}')).toBeCloseTo(0.00075, 9);
    expect(samples.get('aidev_ai_calls_total{model="claude-sonnet-5-5"}')).toBe(2);
  });

  it('reports vendor calls, retries and breaker state per service and site', () => {
    const github = 'service="github",site="api.github.com"';
    expect(samples.get(`aidev_vendor_calls_total{${github}}`)).toBe(2);
    expect(samples.get('aidev_vendor_calls_total{service="github",site="ghe.example.com"}')).toBe(
      1,
    );
    expect(samples.get(`aidev_vendor_retries_total{${github}}`)).toBe(0);
    expect(samples.get(`aidev_vendor_breaker_state{${github},state="closed"}`)).toBe(1);
    expect(samples.get(`aidev_vendor_breaker_state{${github},state="open"}`)).toBe(0);
  });

  it('has the Slack ack latency a front end observed, and the process metrics', () => {
    expect(samples.get('aidev_slack_ack_seconds_count{kind="command"}')).toBe(1);
    expect(samples.get('aidev_slack_ack_seconds_bucket{le="0.25",kind="command"}')).toBe(1);
    expect(samples.get('aidev_slack_ack_seconds_bucket{le="0.1",kind="command"}')).toBe(0);
    expect(
      [...samples.keys()].some((k) => k.startsWith('aidev_process_process_cpu_user_seconds_total')),
    ).toBe(true);
  });
});
