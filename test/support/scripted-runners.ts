import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionCall, ActionRunner, AgentCall, AgentRunner } from '../../src/engine/runners.js';
import { StepError } from '../../src/engine/step-errors.js';

type Script<C> = (call: C, callNumber: number) => unknown;

const text = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** What each standard action returns unless a test scripts it otherwise (shaped like its signature). */
const DEFAULT_RESULTS: Record<string, Script<ActionCall>> = {
  'task_management.get_task': (call) => ({
    task: {
      key: text(call.input.task_id),
      title: `Title of ${text(call.input.task_id)}`,
      description: 'Do the thing',
      status: 'To Do',
      issue_type: 'Story',
      assignee: null,
      priority: 'High',
      labels: ['api'],
      story_points: 3,
      epic: null,
      team: 'core',
      url: `https://tracker.test/${text(call.input.task_id)}`,
      team_channel: 'C-team',
      repository_url: 'acme/api',
    },
  }),
  'task_management.update_task_status': (call) => ({
    task_id: call.input.task_id,
    status: call.input.status,
    previous_status: 'To Do',
  }),
  'task_management.add_comment': () => ({ comment_id: 'c-1' }),
  'version_control.create_branch': (call) => ({
    branch: call.input.branch,
    branch_url: `https://git.test/tree/${text(call.input.branch)}`,
    sha: 'abc123',
  }),
  'version_control.delete_branch': () => ({ deleted: true }),
  'version_control.create_pull_request': (call) => ({
    pr_url: 'https://git.test/pull/7',
    number: 7,
    branch: call.input.source_branch ?? call.input.branch_name,
  }),
  'version_control.close_pull_request': () => ({ closed: true }),
  'version_control.commit_changes': () => ({
    sha: 'def456',
    commit_url: 'https://git.test/commit/def456',
  }),
  'documentation.create_page_from_template': (call) => ({
    page_id: 'p-1',
    doc_url: `https://docs.test/${encodeURIComponent(text(call.input.title))}`,
  }),
  'communication.send_message': (call) => ({ channel: call.input.channel, message_id: 'm-1' }),
};

/** Plugin actions for engine tests: records every call; tests script failures, delays, results. */
export class ScriptedActions implements ActionRunner {
  readonly calls: ActionCall[] = [];
  private readonly scripts = new Map<string, Script<ActionCall>>();

  /** Scripts `plugin.action`: the function's result (or throw) is the action's. */
  on(key: string, script: Script<ActionCall>): this {
    this.scripts.set(key, script);
    return this;
  }

  callsOf(key: string): ActionCall[] {
    return this.calls.filter((c) => `${c.plugin}.${c.action}` === key);
  }

  async run(call: ActionCall): Promise<unknown> {
    this.calls.push(call);
    const key = `${call.plugin}.${call.action}`;
    const script = this.scripts.get(key) ?? DEFAULT_RESULTS[key];
    if (script === undefined)
      throw new StepError(`no scripted result for ${key}`, { code: 'unscripted' });
    return script(call, this.callsOf(key).length);
  }
}

/** Agents for engine tests: return what the test says, by step name. */
export class ScriptedAgents implements AgentRunner {
  readonly calls: AgentCall[] = [];
  private readonly scripts = new Map<string, Script<AgentCall>>();

  on(step: string, script: Script<AgentCall>): this {
    this.scripts.set(step, script);
    return this;
  }

  async run(call: AgentCall): Promise<unknown> {
    this.calls.push(call);
    call.progress(0.5, `working on ${call.step}`);
    const script = this.scripts.get(call.step);
    if (script === undefined) return { result: `done ${call.step}` };
    return script(call, this.calls.filter((c) => c.step === call.step).length);
  }
}

/** An action that never finishes on its own: it waits until its call is aborted. */
export function hangUntilAborted(call: ActionCall | AgentCall): Promise<never> {
  return sleep(10 * 60_000, undefined, { signal: call.signal }) as Promise<never>;
}

export function retryableFailure(message = 'upstream returned 503'): StepError {
  return new StepError(message, { code: 'upstream_unavailable', retryable: true });
}
