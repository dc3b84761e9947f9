import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { callContext } from '../contracts/call-context.js';
import { linearSchema } from '../../vendors/linear/linear-schema.js';
import { API_KEY, useLinearServer } from './linear-setup.js';

const local = useLinearServer();

/** The operations the SDK itself ships (each `…Document` of its generated client). */
function sdkDocuments(): { name: string; text: string }[] {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@linear/sdk/package.json'));
  const source = readFileSync(path.join(dir, 'dist/index.mjs'), 'utf8');
  return [...source.matchAll(/const (\w+)Document = new TypedDocumentString\(`([^`]*)`/g)].map(
    (m) => ({ name: m[1]!, text: m[2]! }),
  );
}

describe('linear: operations checked against Linear’s schema', () => {
  it('the schema read from the SDK accepts every operation the SDK ships', () => {
    const documents = sdkDocuments();
    expect(documents.length).toBeGreaterThan(500);
    const invalid = documents.filter((d) => validate(linearSchema(), parse(d.text)).length > 0);
    console.log(
      `Linear schema from @linear/sdk: ${documents.length} SDK operations validated, ${invalid.length} invalid`,
    );
    expect(invalid.map((d) => d.name)).toEqual([]);
  });

  it('the local Linear refuses, and records, an operation the schema does not allow', async () => {
    const response = await fetch(local.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: API_KEY },
      body: JSON.stringify({ query: 'query Wrong { issue(id: "ENG-1") { storyPoints } }' }),
    });
    expect(response.status).toBe(400);
    expect(local.server.violations).toEqual([
      'Wrong: Cannot query field "storyPoints" on type "Issue".',
    ]);
    local.server.violations.length = 0; // expected here; the file's afterEach checks the rest
  });

  it('every operation of every action is valid (the count is printed)', async () => {
    local.server.reset();
    local.server.operations.length = 0;
    local.server.givenIssue({ key: 'ENG-1', title: 'One', status: 'To Do', labels: ['bug'] });
    const actions = local.plugin.actions;
    await local.plugin.health();
    await actions.get_task({ task_id: 'ENG-1' }, callContext());
    await actions.update_task_status(
      { task_id: 'ENG-1', status: 'In Review', comment: 'PR #1' },
      callContext(),
    );
    await actions.add_comment({ task_id: 'ENG-1', comment: 'Hello' }, callContext());
    const epic = await actions.create_epic({ project: 'ENG', title: 'Epic' }, callContext());
    await actions.create_task(
      { project: 'ENG', title: 'Two', epic: epic.epic_id, labels: ['new-label'] },
      callContext(),
    );
    await actions.get_project_tasks({ project: 'ENG', status: 'To Do' }, callContext());
    const counts = local.server.operationCounts();
    const total = local.server.operations.length;
    console.log(
      `the Linear plugin's operations checked against the schema: ${total} operations (${Object.keys(counts).length} distinct: ${Object.entries(
        counts,
      )
        .map(([name, n]) => `${name}×${n}`)
        .join(', ')}), ${local.server.violations.length} violations`,
    );
    expect(Object.keys(counts).sort()).toEqual(
      [
        'AidevComment',
        'AidevIssue',
        'AidevIssueCreate',
        'AidevIssueWithRecord',
        'AidevIssues',
        'AidevProjectCreate',
        'AidevProjects',
        'AidevTeam',
        'createAttachment',
        'createComment',
        'createIssueLabel',
        'updateIssue',
        'viewer',
      ].sort(),
    );
    expect(local.server.violations).toEqual([]);
  });
});
