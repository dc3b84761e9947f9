import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatProblem } from '../../src/errors/problem.js';
import { loadWorkflowText } from '../../src/engine/load-workflow.js';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';
import { REPO_ROOT } from '../support/child-process.js';

it('the workflow shown in the README is valid', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Workflows'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  expect(yaml).toBeDefined();
  const result = loadWorkflowText(yaml ?? '', 'README.md', standardWorkflowEnvironment(REPO_ROOT));
  expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
});
