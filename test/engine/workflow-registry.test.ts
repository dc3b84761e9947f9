import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';
import { WorkflowRegistry } from '../../src/engine/workflow-registry.js';

it('says there are no workflows, rather than "expected one of , found", when the directory has none', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'aidev-no-workflows-'));
  const registry = await WorkflowRegistry.load(empty, standardWorkflowEnvironment(empty));
  expect(() => registry.get('implement-task')).toThrow(
    'workflow: there are no workflows here, so none named "implement-task" (is workflows.directory set to a directory of workflow files?)',
  );
});
