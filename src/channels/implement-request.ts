import type { WorkflowRegistry } from '../engine/workflow-registry.js';
import type { JsonObject } from '../store/sql.js';
import type { ChannelSettings } from './channel-settings.js';

export type ImplementRequest =
  | {
      readonly ok: true;
      readonly workflow: string;
      readonly repository: string;
      readonly inputs: JsonObject;
    }
  | {
      readonly ok: false;
      readonly problem: 'no_repository' | 'no_workflow';
      readonly workflow: string;
    };

/**
 * What `implement KEY` runs in a channel, whoever asks (`/aidev implement`, a tracker's label):
 * the channel's workflow and repository unless the request names its own, its approvers, and
 * whether a rejected plan is revised. Inputs the workflow does not declare are left out.
 */
export function implementRequest(
  workflows: Pick<WorkflowRegistry, 'names' | 'get'>,
  settings: ChannelSettings,
  request: {
    readonly key: string;
    readonly repo?: string | undefined;
    readonly workflow?: string | undefined;
  },
): ImplementRequest {
  const workflow = request.workflow ?? settings.workflow ?? 'implement-task';
  const repository = request.repo ?? settings.repository;
  if (repository === undefined) return { ok: false, problem: 'no_repository', workflow };
  if (!workflows.names().includes(workflow)) return { ok: false, problem: 'no_workflow', workflow };
  const declared = new Set(workflows.get(workflow).inputs.map((i) => i.name));
  const inputs = Object.fromEntries(
    Object.entries({
      task_key: request.key,
      repository,
      approvers: settings.approvers ?? [],
      max_revisions: settings.replan_on_reject === false ? 0 : 3,
    }).filter(([name]) => declared.has(name)),
  );
  return { ok: true, workflow, repository, inputs };
}
