import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PromptTemplate } from '../../src/agents/prompt-template.js';
import { loadWorkflowText } from '../../src/engine/load-workflow.js';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';

describe('prompt templates', () => {
  const template = PromptTemplate.parse(
    'Task: {{task.title}}\n\n{{ task.description }}\nRepository: {{repository}}\n',
    'implement.txt',
  );

  it('finds its variables with their positions', () => {
    expect(template.variables()).toEqual(['task', 'repository']);
    expect(template.placeholders.map((p) => [p.path.join('.'), p.line, p.column])).toEqual([
      ['task.title', 1, 7],
      ['task.description', 3, 1],
      ['repository', 4, 13],
    ]);
  });

  it('names each variable the caller does not provide, where it is used', () => {
    expect(template.missing(['task'])).toEqual([
      'implement.txt:4:13 uses {{repository}}, which is not provided (provided: task)',
    ]);
    expect(template.missing(['task', 'repository'])).toEqual([]);
  });

  it('renders strings as they are and objects as JSON', () => {
    expect(
      template.render({
        task: { title: 'Round totals', description: 'Off by a cent.' },
        repository: { name: 'shop' },
      }),
    ).toBe('Task: Round totals\n\nOff by a cent.\nRepository: {\n  "name": "shop"\n}\n');
    expect(() => template.render({ task: { title: 'x' }, repository: 'r' })).toThrow(
      'implement.txt:3:1: no value for {{task.description}}',
    );
  });

  it('refuses malformed placeholders, saying where', () => {
    expect(() => PromptTemplate.parse('a\n{{task title}}', 'p.txt')).toThrow(
      'p.txt:2:1: expected a variable name such as {{task.title}}, found {{task title}}',
    );
    expect(() => PromptTemplate.parse('ok {{a}} then {{b', 'p.txt')).toThrow(
      'p.txt:1:15: "{{" is never closed with "}}"',
    );
  });

  it('makes a workflow whose step does not provide a template’s variable fail to load', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aidev-prompts-'));
    await mkdir(path.join(dir, 'prompts'));
    await writeFile(
      path.join(dir, 'prompts', 'plan.txt'),
      'Plan {{task.title}} in {{repository}}\n',
    );
    const yaml = [
      'name: plan-only',
      'steps:',
      '  - name: plan',
      '    type: ai_action',
      '    agent: planning',
      '    prompt_template: prompts/plan.txt',
      "    inputs: { task: 'x' }",
      '',
    ].join('\n');
    const loaded = loadWorkflowText(yaml, 'plan-only.yaml', standardWorkflowEnvironment(dir));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      expect.stringContaining(
        'prompts/plan.txt:1:24 uses {{repository}}, which is not provided (provided: task)',
      ),
    ]);
  });
});
