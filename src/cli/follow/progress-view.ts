import cliTruncate from 'cli-truncate';
import { createLogUpdate } from 'log-update';
import pc from 'picocolors';
import { roundUsd, parseUsd } from '../../costs/money.js';
import type { RunSnapshot, StepLine } from './run-snapshot.js';

/** How a followed run is shown: redrawn in place on a terminal, or as plain or JSON lines. */
export interface ProgressView {
  /** The latest state, and what each running agent says it is doing. */
  show(snapshot: RunSnapshot, activity: ReadonlyMap<string, string>): void;
  /** Leaves the screen as it is so that a question can be asked below it. */
  hold(): void;
  /** A line of text below the steps (a plan, a notice). */
  say(text: string): void;
}

type Write = { write(text: string): unknown };

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

const seconds = (ms: number | undefined) =>
  ms === undefined
    ? ''
    : ms < 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 1000)} s`;

const cost = (usd: string) => roundUsd(parseUsd(usd));

function mark(step: StepLine, frame: number): string {
  switch (step.status) {
    case 'succeeded':
      return pc.green('✓');
    case 'failed':
      return pc.red('✗');
    case 'skipped':
      return pc.dim('↷');
    case 'running':
      return pc.cyan(SPINNER[frame % SPINNER.length] ?? '…');
    case 'waiting':
      return pc.yellow('?');
    case 'cancelled':
    case 'rolled_back':
      return pc.yellow('↺');
    case 'pending':
    case 'not_started':
      return pc.dim('○');
  }
}

/** The live view: a step list with spinners, ticks, durations and the running cost. */
export function terminalView(stream: NodeJS.WriteStream, title: string): ProgressView {
  const draw = createLogUpdate(stream, { showCursor: true });
  let frame = 0;
  let last: { snapshot: RunSnapshot; activity: ReadonlyMap<string, string> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Each line fits the terminal: a wrapped line would leave copies behind on redraw.
  const fit = (line: string) => cliTruncate(line, Math.max(20, (stream.columns || 80) - 1));
  const render = () => {
    if (last === undefined) return;
    const { snapshot, activity } = last;
    const width = Math.max(...snapshot.steps.map((s) => s.name.length), 4);
    const lines = snapshot.steps.map((step) => {
      const note =
        step.status === 'running'
          ? (activity.get(step.name) ?? step.description)
          : (step.detail ?? '');
      const tries = step.attempt > 1 ? pc.yellow(` (attempt ${step.attempt})`) : '';
      return ` ${mark(step, frame)} ${step.name.padEnd(width)}  ${pc.dim(seconds(step.durationMs).padStart(6))}  ${pc.dim(note)}${tries}`;
    });
    const header = `${pc.bold(title)}  ${pc.dim(snapshot.run.status)}  ${pc.cyan(cost(snapshot.costUsd))}`;
    draw([header, ...lines].map(fit).join('\n'));
  };
  const spin = () => {
    timer ??= setInterval(() => {
      frame += 1;
      render();
    }, 100);
    timer.unref();
  };
  return {
    show(snapshot, activity) {
      last = { snapshot, activity };
      spin();
      render();
    },
    hold() {
      // Leaves the view where it is: what is written next goes below it.
      clearInterval(timer);
      timer = undefined;
      render();
      draw.done();
    },
    say(text) {
      draw.clear();
      stream.write(`${text}\n`);
      render();
    },
  };
}

/** Plain lines, for logs and pipes: one when a step starts, one when it ends. */
export function plainView(stream: Write): ProgressView {
  const seen = new Map<string, string>();
  return {
    show(snapshot) {
      for (const step of snapshot.steps) {
        const key = `${step.status}:${step.attempt}`;
        if (
          seen.get(step.name) === key ||
          step.status === 'not_started' ||
          step.status === 'pending'
        )
          continue;
        seen.set(step.name, key);
        const detail = step.detail === undefined ? '' : `: ${step.detail}`;
        const took =
          step.durationMs === undefined || step.status === 'running'
            ? ''
            : ` (${seconds(step.durationMs)})`;
        stream.write(`${plainMark[step.status]} ${step.name} ${step.status}${took}${detail}\n`);
      }
    },
    hold: () => undefined,
    say: (text) => stream.write(`${text}\n`),
  };
}

const plainMark: Record<StepLine['status'], string> = {
  succeeded: '✓',
  failed: '✗',
  skipped: '↷',
  running: '…',
  waiting: '?',
  cancelled: '↺',
  rolled_back: '↺',
  pending: '·',
  not_started: '·',
};

/** JSON lines: every run event as it is recorded (for scripts; the summary comes last). */
export function jsonView(stream: Write): ProgressView {
  return {
    show(snapshot) {
      for (const event of snapshot.newEvents)
        stream.write(
          `${JSON.stringify({ event: event.type, step: event.stepName, level: event.level, message: event.message, at: event.createdAt })}\n`,
        );
    },
    hold: () => undefined,
    say: () => undefined,
  };
}
