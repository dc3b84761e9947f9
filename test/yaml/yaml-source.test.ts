import { describe, expect, it } from 'vitest';
import { locate, parseYaml, type YamlSource } from '../../src/yaml/yaml-source.js';

const text = `name: Development Workflow
steps:
  - name: fetch_task
    plugin: task_management
    inputs:
      task_id: "\${task_id}"
  - name: create_branch
    on_error: sometimes
`;

function source(): YamlSource {
  const parsed = parseYaml(text, 'workflows/dev.yaml');
  if (!parsed.ok) throw new Error('parse failed');
  return parsed.source;
}

describe('YAML with positions', () => {
  it('locates values by field path, including inside lists', () => {
    expect(locate(source(), ['name'])).toBe('workflows/dev.yaml:1:7');
    expect(locate(source(), ['steps', 1, 'on_error'])).toBe('workflows/dev.yaml:8:15');
    expect(locate(source(), ['steps', 0, 'inputs', 'task_id'])).toBe('workflows/dev.yaml:6:16');
  });

  it('locates a key itself, for unknown-key errors', () => {
    expect(locate(source(), ['steps', 0], 'plugin')).toBe('workflows/dev.yaml:4:5');
  });

  it('falls back to the deepest existing node for a missing field', () => {
    expect(locate(source(), ['steps', 1, 'action'])).toBe('workflows/dev.yaml:7:5');
    expect(locate(source(), ['steps', 9, 'x'])).toBe('workflows/dev.yaml:3:3');
  });

  it('reports duplicate keys, tabs, unknown tags and dangling aliases with their position', () => {
    const problems = (yaml: string) => {
      const parsed = parseYaml(yaml, 'f.yaml');
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.where} ${p.message}`);
    };
    expect(problems('a: 1\na: 2\n')).toEqual(['f.yaml:2:1 invalid YAML: map keys must be unique']);
    expect(problems('a:\n\tb: 1\n')).toEqual([
      'f.yaml:2:1 invalid YAML: tabs are not allowed as indentation',
    ]);
    expect(problems('x: !!python/object 1\n')).toEqual([
      'f.yaml:1:4 invalid YAML: unresolved tag: tag:yaml.org,2002:python/object',
    ]);
    expect(problems('x: *nowhere\n')[0]).toMatch(/^f\.yaml:1:1 invalid YAML: .*nowhere/);
  });

  it('finds duplicate keys as JavaScript sees them, and refuses __proto__ keys anywhere', () => {
    const problems = (yaml: string) => {
      const parsed = parseYaml(yaml, 'f.yaml');
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.where} ${p.path} ${p.message}`);
    };
    expect(problems('1: a\n"1": b\n')).toEqual([
      'f.yaml:2:1  invalid YAML: map keys must be unique',
    ]);
    expect(problems('a:\n  - { __proto__: { x: 1 } }\n')).toEqual([
      'f.yaml:2:7 a[0].__proto__ expected a key other than "__proto__", which JavaScript objects treat as their prototype',
    ]);
  });

  it('names the field and the limit when a file is too large, too wide, too deep or too long', () => {
    const limits = { maxBytes: 200, maxKeys: 3, maxNodes: 20, maxDepth: 2, maxStringLength: 5 };
    const problems = (yaml: string) => {
      const parsed = parseYaml(yaml, 'f.yaml', limits);
      return parsed.ok ? [] : parsed.problems.map((p) => `${p.where} ${p.path}: ${p.message}`);
    };
    expect(problems(`a: ${'x'.repeat(300)}\n`)).toEqual([
      'f.yaml:1:1 : expected a file of at most 1 KiB, found 1 KiB',
    ]);
    expect(problems('a: { b: 1, c: 2, d: 3, e: 4 }\n')).toEqual([
      'f.yaml:1:4 a: expected a mapping of at most 3 keys, found 4 keys',
    ]);
    expect(problems('a: [[[1]]]\n')).toEqual([
      'f.yaml:1:6 a[0][0]: expected mappings and lists nested at most 2 deep, found deeper',
    ]);
    expect(problems('a: [abcdef]\n')).toEqual([
      'f.yaml:1:5 a[0]: expected text of at most 5 characters, found 6',
    ]);
    expect(problems(`a: [${Array.from({ length: 30 }, (_, i) => i).join(', ')}]\n`)).toEqual([
      expect.stringContaining('expected at most 20 keys, values and list items in the file'),
    ]);
  });

  it('parses an empty file to null', () => {
    const parsed = parseYaml('', 'empty.yaml');
    expect(parsed.ok && parsed.value).toBeNull();
  });
});
