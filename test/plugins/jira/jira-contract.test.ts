import { describe, expect, it } from 'vitest';
import { callContext } from '../contracts/call-context.js';
import {
  taskManagementContract,
  type TaskManagementFixture,
} from '../contracts/task-management.contract.js';
import { PAT, useJiraServer, type Deployment } from './jira-setup.js';

const jira = useJiraServer();
const { plugin } = jira;

function fixture(kind: Deployment): () => TaskManagementFixture {
  return () => ({
    plugin: plugin(kind),
    async reset() {
      jira.server.reset();
    },
    async givenTask(task) {
      jira.server.givenIssue({
        key: task.key,
        title: task.title,
        status: task.status,
        ...(task.description === undefined ? {} : { description: task.description }),
        ...(task.labels === undefined ? {} : { labels: task.labels }),
      });
    },
    async commentsOf(key) {
      return jira.server.commentsOf(key);
    },
  });
}

taskManagementContract('jira (Cloud, REST v3)', fixture('cloud'));
taskManagementContract(
  'jira (Data Center, REST v2 with a personal access token)',
  fixture('dataCenter'),
);

describe('jira: each deployment speaks its own API', () => {
  it('Cloud sends REST v3 with Basic auth, Data Center REST v2 with the PAT', async () => {
    jira.server.reset();
    jira.server.givenIssue({ key: 'PROJ-1', title: 'One', description: 'a\n\nb' });
    for (const kind of ['cloud', 'dataCenter'] as const) {
      jira.server.http.resetTraffic();
      const actions = plugin(kind).actions;
      expect((await actions.get_task({ task_id: 'PROJ-1' }, callContext())).task.description).toBe(
        'a\n\nb',
      );
      await actions.add_comment({ task_id: 'PROJ-1', comment: `from ${kind}` }, callContext());
      await actions.get_project_tasks({ project: 'PROJ' }, callContext());
      const prefix = kind === 'cloud' ? '/rest/api/3/' : '/rest/api/2/';
      const auth = kind === 'cloud' ? /^Basic / : new RegExp(`^Bearer ${PAT}$`);
      expect(jira.server.http.requests.length).toBeGreaterThan(0);
      for (const request of jira.server.http.requests) {
        expect(request.path.startsWith(prefix)).toBe(true);
        expect(String(request.headers.authorization)).toMatch(auth);
      }
    }
    expect(jira.server.commentsOf('PROJ-1')).toEqual(['from cloud', 'from dataCenter']);
  });
});
