import { z } from 'zod';
import type { ActionRunner, AgentCall } from '../engine/runners.js';
import type { JsonObject } from '../store/sql.js';
import { breakdownSchema } from './plan-schema.js';

export const createInput = z.looseObject({
  mode: z.literal('create'),
  breakdown: breakdownSchema,
  project: z.string().min(1),
});

/**
 * Creates an approved breakdown in the tracker: each epic, then its tasks under it. Every item
 * has its own idempotency key (`…:epic:0`, `…:task:0:2`), so a step re-run after a crash finds
 * what it already created instead of creating it twice.
 */
export async function createInTracker(
  actions: ActionRunner,
  call: AgentCall,
  input: z.output<typeof createInput>,
): Promise<JsonObject> {
  const act = (action: string, key: string, body: Record<string, unknown>) =>
    actions.run({
      run: call.run,
      step: call.step,
      attempt: call.attempt,
      idempotencyKey: `${call.idempotencyKey}:${key}`,
      signal: call.signal,
      log: call.log,
      plugin: 'task_management',
      action,
      input: body as never,
    });
  const epics: { key: string; title: string; url: string }[] = [];
  const tasks: JsonObject[] = [];
  const total = input.breakdown.epics.reduce((n, e) => n + 1 + e.tasks.length, 0);
  let done = 0;
  for (const [i, epic] of input.breakdown.epics.entries()) {
    const created = (await act('create_epic', `epic:${i}`, {
      project: input.project,
      title: epic.title,
      description: epic.description,
    })) as { epic_id: string; url: string };
    epics.push({ key: created.epic_id, title: epic.title, url: created.url });
    call.progress(++done / total, `created epic ${created.epic_id}`);
    for (const [j, task] of epic.tasks.entries()) {
      const description =
        task.story_points === undefined
          ? task.description
          : `${task.description}\n\nEstimate: ${task.story_points} story points`;
      const made = (await act('create_task', `task:${i}:${j}`, {
        project: input.project,
        title: task.title,
        description,
        epic: created.epic_id,
      })) as { task_id: string; url: string };
      tasks.push({ key: made.task_id, title: task.title, epic: created.epic_id, url: made.url });
      call.progress(++done / total, `created task ${made.task_id}`);
    }
  }
  return {
    created: {
      summary: `${epics.length} epic${epics.length === 1 ? '' : 's'} and ${tasks.length} task${tasks.length === 1 ? '' : 's'}: ${epics.map((e) => e.key).join(', ')}`,
      epics,
      tasks,
    },
  };
}
