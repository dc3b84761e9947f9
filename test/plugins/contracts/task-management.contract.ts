import { beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { callContext } from './call-context.js';

export interface TaskManagementFixture {
  readonly plugin: Plugin<'task_management'>;
  /** Puts a task in the tracker directly (not through the plugin). */
  givenTask(task: {
    key: string;
    title: string;
    status: string;
    description?: string;
    labels?: string[];
  }): Promise<void>;
  /** Comments on a task, as the tracker has them. */
  commentsOf(key: string): Promise<string[]>;
  reset(): Promise<void>;
}

/** What every task-management plugin must do, whatever tracker is behind it. */
export function taskManagementContract(name: string, fixture: () => TaskManagementFixture): void {
  describe(`task management contract: ${name}`, () => {
    beforeEach(async () => {
      await fixture().reset();
      await fixture().givenTask({
        key: 'PROJ-1',
        title: 'Fix the rounding bug',
        status: 'To Do',
        description: 'Totals are off by a cent.',
        labels: ['bug'],
      });
    });
    const actions = () => fixture().plugin.actions;

    it('returns a task in aidev’s shape', async () => {
      const { task } = await actions().get_task({ task_id: 'PROJ-1' }, callContext());
      expect(task).toMatchObject({
        key: 'PROJ-1',
        title: 'Fix the rounding bug',
        status: 'To Do',
        description: 'Totals are off by a cent.',
        labels: ['bug'],
      });
      expect(typeof task.url).toBe('string');
    });

    it('says clearly that a task does not exist', async () => {
      await expect(
        actions().get_task({ task_id: 'PROJ-404' }, callContext()),
      ).rejects.toMatchObject({
        code: 'not_found',
        message: expect.stringContaining('PROJ-404') as unknown as string,
      });
    });

    it('moves a task by the name of its target status, with a comment, reporting where it was', async () => {
      const moved = await actions().update_task_status(
        { task_id: 'PROJ-1', status: 'in review', comment: 'PR opened: #7' },
        callContext(),
      );
      expect(moved).toEqual({ task_id: 'PROJ-1', status: 'In Review', previous_status: 'To Do' });
      expect((await actions().get_task({ task_id: 'PROJ-1' }, callContext())).task.status).toBe(
        'In Review',
      );
      expect(await fixture().commentsOf('PROJ-1')).toEqual(['PR opened: #7']);
    });

    it('leaves a task already in the asked status where it is, and still adds the comment', async () => {
      await fixture().givenTask({ key: 'PROJ-3', title: 'Reviewed already', status: 'In Review' });
      const moved = await actions().update_task_status(
        { task_id: 'PROJ-3', status: 'In Review', comment: 'A new pull request: #8' },
        callContext('run-2:to_review'),
      );
      expect(moved).toEqual({
        task_id: 'PROJ-3',
        status: 'In Review',
        previous_status: 'In Review',
      });
      expect(await fixture().commentsOf('PROJ-3')).toEqual(['A new pull request: #8']);
    });

    it('lists the available transitions when none leads to the asked status', async () => {
      await expect(
        actions().update_task_status(
          { task_id: 'PROJ-1', status: 'Shipped to Mars' },
          callContext(),
        ),
      ).rejects.toMatchObject({
        code: 'no_transition',
        message: expect.stringMatching(/available: .*In Review/) as unknown as string,
      });
    });

    it('does a retried status change once, still reporting the original status', async () => {
      const context = callContext('run-1:to_review');
      await actions().update_task_status(
        { task_id: 'PROJ-1', status: 'In Review', comment: 'once' },
        context,
      );
      const again = await actions().update_task_status(
        { task_id: 'PROJ-1', status: 'In Review', comment: 'once' },
        context,
      );
      expect(again).toEqual({ task_id: 'PROJ-1', status: 'In Review', previous_status: 'To Do' });
      expect(await fixture().commentsOf('PROJ-1')).toEqual(['once']);
    });

    it('adds a comment once per idempotency key', async () => {
      const context = callContext('run-1:comment');
      const first = await actions().add_comment(
        { task_id: 'PROJ-1', comment: 'Looking into it' },
        context,
      );
      const again = await actions().add_comment(
        { task_id: 'PROJ-1', comment: 'Looking into it' },
        context,
      );
      expect(again.comment_id).toBe(first.comment_id);
      expect(await fixture().commentsOf('PROJ-1')).toEqual(['Looking into it']);
    });

    it('creates a task and an epic once per idempotency key', async () => {
      const epic = await actions().create_epic(
        { project: 'PROJ', title: 'Billing page' },
        callContext('run-2:epic'),
      );
      const context = callContext('run-2:task');
      const task = await actions().create_task(
        { project: 'PROJ', title: 'Invoice list', epic: epic.epic_id },
        context,
      );
      const again = await actions().create_task(
        { project: 'PROJ', title: 'Invoice list', epic: epic.epic_id },
        context,
      );
      expect(again.task_id).toBe(task.task_id);
      const created = (await actions().get_task({ task_id: task.task_id }, callContext())).task;
      expect(created).toMatchObject({ title: 'Invoice list', epic: epic.epic_id });
    });

    it('lists a project’s tasks, by status and with a filter', async () => {
      await fixture().givenTask({ key: 'PROJ-2', title: 'Add CSV export', status: 'Done' });
      const all = await actions().get_project_tasks({ project: 'PROJ' }, callContext());
      expect(all.tasks.map((t) => t.key).sort()).toEqual(['PROJ-1', 'PROJ-2']);
      expect(
        (
          await actions().get_project_tasks({ project: 'PROJ', status: 'Done' }, callContext())
        ).tasks.map((t) => t.key),
      ).toEqual(['PROJ-2']);
    });
  });
}
