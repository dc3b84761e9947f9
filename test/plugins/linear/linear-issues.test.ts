import { describe, expect, it } from 'vitest';
import { callContext } from '../contracts/call-context.js';
import { ACCESS_TOKEN, API_KEY, linearPlugin, useLinearServer } from './linear-setup.js';

const local = useLinearServer();
const actions = () => local.plugin.actions;

describe('linear: workflow states, pages, epics', () => {
  it('moves an issue to a state named in any case, and lists the team’s states when none matches', async () => {
    local.server.reset();
    local.server.givenIssue({ key: 'ENG-7', title: 'Flaky test', status: 'To Do' });
    const moved = await actions().update_task_status(
      { task_id: 'eng-7', status: 'in progress' },
      callContext(),
    );
    expect(moved).toEqual({ task_id: 'ENG-7', status: 'In Progress', previous_status: 'To Do' });
    await expect(
      actions().update_task_status({ task_id: 'ENG-7', status: 'Deployed' }, callContext()),
    ).rejects.toMatchObject({
      code: 'no_transition',
      message:
        'cannot move ENG-7 from "In Progress" to "Deployed" in Linear: team ENG has no such workflow state; available: Backlog, To Do, In Progress, In Review, Done, Canceled',
    });
  });

  it('reads a team’s issues page by page, by state and with a JSON IssueFilter', async () => {
    local.server.reset();
    for (let n = 1; n <= 230; n++)
      local.server.givenIssue({
        key: `ENG-${n}`,
        title: `Issue ${n}`,
        status: n % 10 === 0 ? 'Done' : 'To Do',
      });
    local.server.givenIssue({ key: 'OPS-1', title: 'Another team', status: 'To Do' });
    const before = local.server.operations.length;
    const { tasks } = await actions().get_project_tasks({ project: 'ENG' }, callContext());
    expect(tasks).toHaveLength(230);
    expect(tasks[0]).toMatchObject({ key: 'ENG-1', status: 'To Do', issue_type: 'Issue' });
    const pages = local.server.operations.slice(before).filter((o) => o.name === 'AidevIssues');
    expect(pages).toHaveLength(3); // 100 + 100 + 30
    const done = await actions().get_project_tasks(
      { project: 'ENG', status: 'done' },
      callContext(),
    );
    expect(done.tasks).toHaveLength(23);
    const few = await actions().get_project_tasks(
      { project: 'ENG', filter: '{"number":{"lte":3}}' },
      callContext(),
    );
    expect(few.tasks.map((t) => t.key)).toEqual(['ENG-1', 'ENG-2', 'ENG-3']);
    await expect(
      actions().get_project_tasks({ project: 'ENG', filter: 'status = Done' }, callContext()),
    ).rejects.toMatchObject({ code: 'invalid_input', message: /JSON IssueFilter/ });
  });

  it('creates an epic as a Linear project in the team, and a task in it by its id or name', async () => {
    local.server.reset();
    local.server.givenIssue({ key: 'ENG-1', title: 'Existing', status: 'To Do' });
    const epic = await actions().create_epic(
      { project: 'ENG', title: 'Billing page', description: 'All of **billing**.' },
      callContext(),
    );
    const project = local.server.model.projects[0]!;
    expect(project).toMatchObject({
      id: epic.epic_id,
      name: 'Billing page',
      content: 'All of **billing**.',
      teamIds: [local.server.model.team('ENG').id],
    });
    const byName = await actions().create_task(
      {
        project: 'ENG',
        title: 'Invoice list',
        description: '- one\n- two',
        epic: 'billing page',
        labels: ['Feature', 'bug'],
      },
      callContext(),
    );
    const { task } = await actions().get_task({ task_id: byName.task_id }, callContext());
    expect(task).toMatchObject({
      key: 'ENG-2',
      title: 'Invoice list',
      description: '- one\n- two',
      status: 'To Do',
      labels: ['Feature', 'bug'],
      epic: epic.epic_id,
      epic_name: 'Billing page',
    });
    await expect(
      actions().create_task({ project: 'ENG', title: 'x', epic: 'No such epic' }, callContext()),
    ).rejects.toMatchObject({ code: 'invalid_input', message: /no project of that name/ });
  });

  it('says which team key does not exist', async () => {
    await expect(
      actions().create_task({ project: 'NOPE', title: 'x' }, callContext()),
    ).rejects.toMatchObject({ code: 'not_found', message: /no team with key "NOPE"/ });
  });
});

describe('linear: failures and credentials', () => {
  it('retries an operation Linear rate-limited (HTTP 400, RATELIMITED)', async () => {
    local.server.reset();
    local.server.givenIssue({ key: 'ENG-1', title: 'Rate limited', status: 'To Do' });
    local.server.rateLimit(2);
    const { task } = await actions().get_task({ task_id: 'ENG-1' }, callContext());
    expect(task.title).toBe('Rate limited');
    expect(local.lines.some((l) => l.includes('rate-limited'))).toBe(true);
  });

  it('fails with a clear, non-retryable error for a bad API key, never showing it', async () => {
    const bad = linearPlugin(
      { api_key: 'lin_api_thisKeyIsNotValid0000000000', api_url: local.server.url },
      local.logger,
      local.newGuards(),
    );
    const failure = bad.actions.get_task({ task_id: 'ENG-1' }, callContext());
    await expect(failure).rejects.toMatchObject({
      code: 'unauthorized',
      retryable: false,
      message: expect.stringMatching(
        /^Linear refused the credentials.*check LINEAR_API_KEY/,
      ) as unknown as string,
    });
    await expect(failure).rejects.not.toHaveProperty(
      'message',
      expect.stringContaining('lin_api_thisKeyIsNotValid'),
    );
    expect((await bad.health()).ok).toBe(false);
  });

  it('sends the API key bare and an OAuth token as Bearer, and says who is signed in', async () => {
    const oauth = linearPlugin(
      { access_token: ACCESS_TOKEN, api_url: local.server.url },
      local.logger,
      local.newGuards(),
    );
    const before = local.server.operations.length;
    expect(await oauth.health()).toEqual({
      ok: true,
      detail: 'Linear at 127.0.0.1:' + new URL(local.server.url).port + ', signed in as aidev bot',
    });
    expect(await local.plugin.health()).toMatchObject({ ok: true });
    const sent = local.server.operations.slice(before).map((o) => o.authorization);
    expect(sent).toEqual([`Bearer ${ACCESS_TOKEN}`, API_KEY]);
  });

  it('refuses a configuration without credentials, naming the variable to set', () => {
    expect(() => linearPlugin({ team: 'ENG' }, local.logger, local.newGuards())).toThrow(
      /linear\.api_key: expected a Linear API key: set LINEAR_API_KEY/,
    );
  });
});
