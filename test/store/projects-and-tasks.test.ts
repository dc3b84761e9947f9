import { beforeEach, expect, it } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';

describeEachBackend('projects and tasks', (database) => {
  beforeEach(async () => resetTables(database().db));

  it('creates, finds, updates only the given fields, and removes projects', async () => {
    const { store } = database();
    const project = await store.projects.create({
      key: 'payments',
      name: 'Payments',
      repository: 'acme/payments',
      trackerProject: 'PAY',
    });
    expect(await store.projects.getByKey('payments')).toEqual(project);
    const updated = await store.projects.update(project.id, { docsSpace: 'ENG', repository: null });
    expect(updated).toMatchObject({
      name: 'Payments',
      trackerProject: 'PAY',
      docsSpace: 'ENG',
      repository: null,
    });
    await store.projects.update(project.id, { status: 'archived' });
    expect(await store.projects.list('active')).toEqual([]);
    expect(await store.projects.list()).toHaveLength(1);
    expect(await store.projects.remove(project.id)).toBe(true);
    expect(await store.projects.get(project.id)).toBeNull();
  });

  it('says why a project key is refused or taken', async () => {
    const { store } = database();
    await expect(store.projects.create({ key: 'Bad Key', name: 'x' })).rejects.toThrow(
      'key: expected lowercase letters, digits and dashes (at most 63, starting with a letter or digit), found "Bad Key"',
    );
    await store.projects.create({ key: 'web', name: 'Web' });
    await expect(store.projects.create({ key: 'web', name: 'Web again' })).rejects.toThrow(
      'a project with key "web" already exists',
    );
  });

  it('upserts tasks by source and key, and filters and transitions them', async () => {
    const { store } = database();
    const project = await store.projects.create({ key: 'demo', name: 'Demo' });
    await store.tasks.upsert({
      source: 'local',
      key: 'DEMO-1',
      title: 'Fix the bug',
      status: 'To Do',
      projectId: project.id,
      labels: ['bug', 'api'],
      storyPoints: '3',
    });
    await store.tasks.upsert({
      source: 'local',
      key: 'DEMO-2',
      title: 'Epic',
      status: 'To Do',
      issueType: 'epic',
      projectId: project.id,
    });
    await store.tasks.upsert({
      source: 'jira',
      key: 'DEMO-1',
      title: 'Same key, other tracker',
      status: 'Open',
    });
    const replaced = await store.tasks.upsert({
      source: 'local',
      key: 'DEMO-1',
      title: 'Fix the parser bug',
      status: 'To Do',
      projectId: project.id,
      labels: ['bug'],
    });
    expect(replaced).toMatchObject({
      title: 'Fix the parser bug',
      labels: ['bug'],
      storyPoints: null,
      issueType: 'task',
    });

    expect((await store.tasks.list({ source: 'local' })).map((t) => t.key)).toEqual([
      'DEMO-1',
      'DEMO-2',
    ]);
    expect(
      (await store.tasks.list({ source: 'local', issueType: 'epic' })).map((t) => t.key),
    ).toEqual(['DEMO-2']);
    expect(
      await store.tasks.list({ source: 'local', projectId: project.id, status: 'In Review' }),
    ).toEqual([]);
    expect((await store.tasks.setStatus('local', 'DEMO-1', 'In Review'))?.status).toBe('In Review');
    expect((await store.tasks.get('jira', 'DEMO-1'))?.status).toBe('Open');
    expect(await store.tasks.setStatus('local', 'NOPE-1', 'Done')).toBeNull();
  });
});
