import { z } from 'zod';
import type { ActionCall, ActionRunner } from '../engine/runners.js';
import type { Store } from '../store/store.js';

/** What create_pull_request answers (src/plugins/interfaces/version-control.ts). */
const opened = z.object({ pr_url: z.string().min(1), number: z.number().int().positive() });

/**
 * Records each pull request a run opens (`version_control.create_pull_request`, whichever
 * plugin serves it) as owned by that run, before the step's result is: feedback on it — a
 * review, a failing check, a reply in Slack — can then find the work it belongs to. If the
 * record fails, the step fails and its retry finds the pull request already open (the action
 * returns it) and records it then.
 */
export class PullRequestOwnership implements ActionRunner {
  constructor(
    private readonly inner: ActionRunner,
    private readonly store: Store,
  ) {}

  async run(call: ActionCall): Promise<unknown> {
    const result = await this.inner.run(call);
    if (call.plugin !== 'version_control' || call.action !== 'create_pull_request') return result;
    const pull = opened.safeParse(result);
    // A result that does not fit is refused by the step itself (its output schema).
    if (!pull.success) return result;
    const { repository, source_branch: source, branch_name: named } = call.input;
    await this.store.pullRequests.record({
      url: pull.data.pr_url,
      runId: call.run.id,
      stepName: call.step,
      repository: typeof repository === 'string' ? repository : '',
      number: pull.data.number,
      branch: typeof source === 'string' ? source : typeof named === 'string' ? named : '',
    });
    return result;
  }
}
