import type { Config } from '../../config/config.js';
import { DEMO_CHANNEL, DEMO_WORKFLOW } from '../../demo/demo-flow.js';
import { demoSandbox } from '../../demo/demo-sandbox.js';
import { sandboxHost } from '../../sandbox/sandbox-choice.js';
import {
  createDemoTask,
  DEMO_TASK,
  ensureSampleRepository,
  SAMPLE_REPOSITORY,
} from '../../demo/sample-project.js';
import { cliUser, withApp } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';
import { followToEnd } from '../follow/follow-to-end.js';
import { shownPath } from '../shown-path.js';
import { demoReport, reviewReport } from './demo-report.js';
import { DEMO_REVIEW, startDemoReview } from '../../demo/demo-review.js';

export interface DemoOptions extends GlobalOptions {
  readonly json?: boolean;
  /** Then a review of the pull request, and the round of fixes it starts. */
  readonly review?: boolean;
}

const LOCAL = {
  task_management: 'local',
  version_control: 'local_git',
  documentation: 'local_docs',
  communication: 'console',
} as const;

/** The demo always runs on the embedded backends, whatever services are configured. */
function embedded(config: Config): Config {
  const choices = Object.fromEntries(
    Object.entries(LOCAL).map(([type, use]) => {
      const chosen = config.plugins.choices[type as keyof typeof LOCAL];
      return [type, chosen.use === use ? chosen : { use, settings: {} }];
    }),
  ) as Config['plugins']['choices'];
  return { ...config, plugins: { ...config.plugins, choices } };
}

export function runDemo(io: CliIo, options: DemoOptions): Promise<ExitCode> {
  const json = options.json === true;
  const say = (text: string) => {
    if (!json) io.stdout.write(`${text}\n`);
  };
  const sandbox = demoSandbox(sandboxHost(io.env.PATH));
  const adjust = (config: Config) => sandbox.adjust(embedded(config));
  return withApp(io, { ...options, worker: true, adjust }, 'demo', async (app) => {
    const where = (file: string) => shownPath(io.cwd, file);
    say(
      'aidev demo: a sample task becomes a reviewed pull request, on this machine, with no accounts',
    );
    say(`  data       ${where(app.config.dataDir)} (${app.store.db.describe()})`);
    say(
      `  AI         ${app.ai.provider.name === 'anthropic' ? 'Claude (ANTHROPIC_API_KEY is set): ' : ''}${app.ai.provider.description}`,
    );
    sandbox.announce(say);
    const repo = await ensureSampleRepository(app.config.dataDir, app.logger);
    say(
      `  repository ${where(repo)} (a small TypeScript shop whose order total ignores quantities)`,
    );
    const taskKey = await createDemoTask(app);
    say(`  task       ${taskKey} "${DEMO_TASK.title}" in the local tracker\n`);
    const { run } = await app.engine.startRun({
      workflow: DEMO_WORKFLOW,
      inputs: { task_key: taskKey, repository: SAMPLE_REPOSITORY, channel: DEMO_CHANNEL },
      trigger: 'cli',
      userId: cliUser(),
      taskKey,
    });
    sandbox.exempt(run.id);
    const { code, summary } = await followToEnd(app, io, run, {
      yes: true,
      json,
      title: `aidev demo · ${taskKey}`,
    });
    if (code !== EXIT.ok) return code;
    const report = await demoReport(app, run.id, taskKey, repo, io.cwd);
    if (options.review !== true) {
      if (json) io.stdout.write(`${JSON.stringify({ ...summary.json, demo: report.json })}\n`);
      else
        io.stdout.write(
          `\nWhat the demo made:\n${report.lines.map((l) => `  ${l}`).join('\n')}\n\n${next(repo, taskKey, run.id, io.cwd)}\n`,
        );
      return code;
    }
    if (!json)
      io.stdout.write(`\nWhat the demo made:\n${report.lines.map((l) => `  ${l}`).join('\n')}\n`);
    say(`\nA reviewer asks for two changes on the pull request:`);
    for (const c of DEMO_REVIEW) say(`  ${c.path ?? ''}:${c.line ?? ''}  “${c.body}”`);
    say('');
    const roundId = await startDemoReview(app, run.id);
    // Before the round's first command: its agent checks out and reads the repository first.
    sandbox.exempt(roundId);
    const round = await app.store.runs.get(roundId);
    if (round === null) return EXIT.failed;
    const followed = await followToEnd(app, io, round, {
      yes: true,
      json,
      title: `aidev demo · ${taskKey} · review round`,
    });
    const review = await reviewReport(app, run.id, roundId, repo, taskKey);
    if (json)
      io.stdout.write(
        `${JSON.stringify({ ...followed.summary.json, demo: { ...report.json, review: review.json } })}\n`,
      );
    else
      io.stdout.write(
        `\nWhat the review round did:\n${review.lines.map((l) => `  ${l}`).join('\n')}\n\n${next(repo, taskKey, run.id, io.cwd)}\n`,
      );
    return followed.code;
  });
}

function next(repo: string, taskKey: string, runId: string, cwd: string): string {
  const where = shownPath(cwd, repo);
  return [
    'Look around:',
    `  git -C ${where} log --stat main..aidev/${taskKey}`,
    `  npx aidev run ${runId}      every step, event and cost of this run`,
    '  npx aidev runs               all runs; npx aidev budget for the month’s spend',
  ].join('\n');
}
