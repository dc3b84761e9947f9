import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowText } from '../../src/engine/load-workflow.js';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';
import { describeEachBackend } from '../support/backends.js';
import { startApi, type ApiHarness } from '../http/support/api-harness.js';

/**
 * `POST /api/v1/workflows/validate` takes a workflow from any viewer token: it must never read
 * outside the project's prompts/, never tell what exists there, never echo a file's text, stay
 * linear in the size of the document, and refuse names that reach JavaScript's object machinery.
 */

interface Validation {
  valid: boolean;
  problems: { where?: string; path: string; message: string }[];
}

/** A workflow with one ai_action step whose prompt_template is `template`. */
function withTemplate(template: string): string {
  return [
    'name: probe',
    'steps:',
    '  - name: think',
    '    type: ai_action',
    '    agent: development',
    `    prompt_template: ${JSON.stringify(template)}`,
    "    inputs: { task: 'x' }",
    '',
  ].join('\n');
}

/** `count` top-level keys after a valid workflow: 60,000 of them make an 818 KB document. */
export function manyKeys(count: number): string {
  const lines = ['name: many', 'steps:', '  - { name: a, set: { x: 1 } }'];
  for (let i = 0; i < count; i++) lines.push(`key${i}: ${i}`);
  return `${lines.join('\n')}\n`;
}

let api: ApiHarness;
let outside: string;

async function validate(yaml: string): Promise<{ status: number; body: Validation; text: string }> {
  const response = await fetch(`${api.base}/api/v1/workflows/validate?file=probe.yaml`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.tokens.viewer}`, 'content-type': 'application/yaml' },
    body: yaml,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Validation, text };
}

/** The answer about a template, with the probed path (which the answer may quote) blanked out. */
async function answerFor(template: string): Promise<string> {
  const { status, body } = await validate(withTemplate(template));
  return JSON.stringify({ status, body }).replaceAll(
    JSON.stringify(JSON.stringify(template)).slice(1, -1),
    '<path>',
  );
}

describeEachBackend('workflow validation through the API', (database) => {
  beforeAll(async () => {
    api = await startApi({ database: database() });
    outside = await mkdtemp(path.join(os.tmpdir(), 'aidev-outside-'));
  });
  afterAll(async () => {
    await api.stop();
  });

  it('refuses /dev/zero as a prompt template at once, without reading it', async () => {
    const { status, body } = await validate(withTemplate('/dev/zero'));
    expect(status).toBe(200);
    expect(body.valid).toBe(false);
    expect(body.problems.map((p) => p.path)).toEqual(['steps[0].prompt_template']);
    expect(body.problems[0]?.message).toContain('inside prompts/');
  });

  it('answers the same for an existing and a missing path outside prompts/', async () => {
    await writeFile(path.join(outside, 'exists.txt'), 'hello\n');
    const pairs = [
      ['/etc/passwd', '/etc/no-such-file-here'],
      ['/etc', '/no-such-directory'],
      [path.join(outside, 'exists.txt'), path.join(outside, 'missing.txt')],
      ['package.json', 'no-such-file.json'],
      ['./prompts/../package.json', './prompts/../no-such-file.json'],
      ['prompts/../../../../etc/passwd', 'prompts/../../../../etc/no-such-file-here'],
      ['/proc/self/environ', '/proc/self/no-such-file'],
    ] as const;
    for (const [existing, missing] of pairs) {
      const [a, b] = [await answerFor(existing), await answerFor(missing)];
      expect(a, `${existing} vs ${missing}`).toBe(b);
      expect(a).toContain('"valid":false');
    }
  });

  it('never echoes the text between {{ }} of a file outside prompts/', async () => {
    const file = path.join(outside, 'secret.txt');
    await writeFile(file, 'password: {{ hunter2 is the password }}\n{{ sk_live_token }}\n');
    for (const probe of [
      file,
      path.relative(process.cwd(), file),
      `prompts/../${path.relative(process.cwd(), file)}`,
    ]) {
      const { text, body } = await validate(withTemplate(probe));
      expect(body.valid).toBe(false);
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('sk_live_token');
    }
  });

  it('answers a 60,000-key document (938 KB, under the body limit) with a problem', async () => {
    const yaml = manyKeys(60_000);
    expect(yaml.length).toBeGreaterThan(800_000);
    expect(yaml.length).toBeLessThan(1024 * 1024);
    const { status, body } = await validate(yaml);
    expect(status).toBe(200);
    expect(body.valid).toBe(false);
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]?.message).toMatch(/at most/);
  });

  it('answers a document with thousands of top-level keys with one problem naming the limit', async () => {
    const { body } = await validate(manyKeys(5_000));
    expect(body.valid).toBe(false);
    expect(body.problems.map((p) => [p.path, p.message])).toEqual([
      ['', 'expected a mapping of at most 1,000 keys, found 5,002 keys'],
    ]);
  });

  it('answers deep nesting and long strings with a problem naming the path', async () => {
    const deep = await validate(
      `name: deep\nsteps:\n  - name: a\n    set:\n      x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
    );
    expect(deep.status).toBe(200);
    expect(deep.body.valid).toBe(false);
    expect(deep.body.problems[0]?.message).toMatch(/nested at most/);
    const long = await validate(
      `name: long\nsteps:\n  - name: a\n    set:\n      x: ${'y'.repeat(100_000)}\n`,
    );
    expect(long.body.problems.map((p) => [p.path, p.message])).toEqual([
      ['steps[0].set.x', 'expected text of at most 65,536 characters, found 100,000'],
    ]);
  });

  it('refuses __proto__, constructor and prototype wherever a workflow defines a name', async () => {
    const step = (body: string) => `name: p\nsteps:\n  - name: s\n${body}\n`;
    const getTask =
      '    plugin: task_management\n    action: get_task\n    inputs: { task_id: X }\n';
    const cases: [string, string, RegExp][] = [
      [`name: p\nsteps:\n  - name: __proto__\n    set: { a: 1 }\n`, 'steps[0].name', /__proto__/],
      [step('    set: { __proto__: 1 }'), 'steps[0].set.__proto__', /__proto__/],
      [step('    set: { constructor: 1 }'), 'steps[0].set.constructor', /constructor/],
      [step(`${getTask}    outputs: { task: prototype }`), 'steps[0].outputs.task', /prototype/],
      [step(`${getTask}    outputs: { __proto__: t }`), 'steps[0].outputs.__proto__', /__proto__/],
      [
        step(`${getTask}    outputs: { task: t.constructor }`),
        'steps[0].outputs.task',
        /constructor/,
      ],
      [
        'name: p\ninputs:\n  __proto__: { type: string }\nsteps:\n  - name: s\n    set: { a: 1 }\n',
        'inputs.__proto__',
        /__proto__/,
      ],
      [
        'name: p\ninputs:\n  prototype: { type: string }\nsteps:\n  - name: s\n    set: { a: 1 }\n',
        'inputs.prototype',
        /prototype/,
      ],
      [
        'name: p\nvariables:\n  __proto__: { polluted: 1 }\nsteps:\n  - name: s\n    set: { a: 1 }\n',
        'variables.__proto__',
        /__proto__/,
      ],
      [
        'name: p\nvariables:\n  constructor: x\nsteps:\n  - name: s\n    set: { a: 1 }\n',
        'variables.constructor',
        /constructor/,
      ],
      [
        step("    type: ai_action\n    agent: development\n    inputs: { constructor: 'y' }"),
        'steps[0].inputs.constructor',
        /constructor/,
      ],
      [
        step('    type: ai_action\n    agent: development\n    inputs: { __proto__: { a: 1 } }'),
        'steps[0].inputs.__proto__',
        /__proto__/,
      ],
      [
        step(
          '    plugin: task_management\n    action: get_task\n    inputs: { task_id: X, __proto__: { a: 1 } }',
        ),
        'steps[0].inputs.__proto__',
        /__proto__/,
      ],
      [step("    set: { a: '${inputs.prototype}' }"), 'steps[0].set.a', /prototype/],
    ];
    for (const [yaml, where, message] of cases) {
      const { body } = await validate(yaml);
      expect(body.valid, yaml).toBe(false);
      expect(
        body.problems.map((p) => p.path),
        yaml,
      ).toContain(where);
      expect(body.problems.find((p) => p.path === where)?.message).toMatch(message);
    }
  });

  it('still validates the shipped workflows and their prompts', async () => {
    const { body } = await validate(
      withTemplate('./prompts/code_generation.txt').replace(
        "inputs: { task: 'x' }",
        "inputs: { task: 'x', plan: 'p', repository: 'r', analysis: 'a', branch: 'b' }",
      ),
    );
    expect(body.problems).toEqual([]);
    expect(body.valid).toBe(true);
  });
});

describe('prompt templates inside prompts/ that lead elsewhere', () => {
  let project: string;
  const load = (template: string) =>
    loadWorkflowText(withTemplate(template), 'probe.yaml', standardWorkflowEnvironment(project));

  beforeAll(async () => {
    project = await mkdtemp(path.join(os.tmpdir(), 'aidev-project-'));
    await mkdir(path.join(project, 'prompts'));
    await writeFile(path.join(project, 'secret.txt'), '{{ hunter2 secret }}\n');
    await symlink(path.join(project, 'secret.txt'), path.join(project, 'prompts', 'link.txt'));
    await symlink('/dev/zero', path.join(project, 'prompts', 'zero.txt'));
    execFileSync('mkfifo', [path.join(project, 'prompts', 'fifo.txt')]);
    await writeFile(path.join(project, 'prompts', 'huge.txt'), 'x'.repeat(300 * 1024));
    await writeFile(path.join(project, 'prompts', 'fine.txt'), 'Do {{task}}\n');
  });

  it('refuses a symlink out of prompts/, a FIFO and a device, answering as for a missing file', () => {
    const answer = (template: string) => {
      const result = load(template);
      return result.ok
        ? 'ok'
        : result.problems.map((p) => p.message.replaceAll(template, '<path>'));
    };
    const missing = answer('prompts/missing.txt');
    expect(missing).not.toBe('ok');
    for (const template of ['prompts/link.txt', 'prompts/zero.txt', 'prompts/fifo.txt'])
      expect(answer(template), template).toEqual(missing);
    expect(JSON.stringify(load('prompts/link.txt'))).not.toContain('hunter2');
  });

  it('refuses a template larger than the size cap, and loads one inside prompts/', () => {
    const huge = load('prompts/huge.txt');
    expect(huge.ok ? [] : huge.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/at most 256 KiB/),
    ]);
    expect(load('prompts/fine.txt').ok).toBe(true);
    expect(load('./prompts/fine.txt').ok).toBe(true);
  });
});
