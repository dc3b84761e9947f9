import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTool, ToolOutcome } from '../../../src/agents/model-loop.js';
import {
  TEXT_EDITOR_NAME,
  textEditorTool,
  type TextEditorToolOptions,
} from '../../../src/agents/tools/text-editor-tool.js';
import { Workspace } from '../../../src/sandbox/workspace.js';

// The editor as a model uses it: every command, and every mistake models make, on a real working
// copy. A mistake is an error result the model can act on, never a throw.

const CART = 'export function total(xs) {\n\treturn xs.reduce((a, b) => a + b, 0);\n}\n';
const GIT_CONFIG = '[core]\n\trepositoryformatversion = 0\n';

let root: string;
let workspace: Workspace;
let outside: string;
let editor: AgentTool;
let changed: string[];
let statuses: string[];

beforeEach(async () => {
  // Its real path: the editor names paths relative to the root as Workspace.open resolves it.
  root = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'aidev-editor-')));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'aidev-editor-outside-'));
  await fs.writeFile(path.join(outside, 'secret.txt'), 'the secret\n');
  await fs.mkdir(path.join(root, 'src', 'lib', 'deep', 'deeper'), { recursive: true });
  await fs.mkdir(path.join(root, 'node_modules', 'left-pad'), { recursive: true });
  await fs.mkdir(path.join(root, '.git', 'hooks'), { recursive: true });
  await fs.writeFile(path.join(root, '.git', 'config'), GIT_CONFIG);
  await fs.writeFile(path.join(root, '.gitignore'), 'node_modules\n');
  await fs.writeFile(path.join(root, 'src', 'cart.ts'), CART);
  await fs.writeFile(path.join(root, 'src', 'twice.ts'), 'a();\nb();\na();\n');
  await fs.writeFile(path.join(root, 'src', 'lib', 'deep', 'deeper', 'far.ts'), 'far\n');
  await fs.writeFile(path.join(root, 'node_modules', 'left-pad', 'index.js'), 'pad\n');
  workspace = await Workspace.open(root);
  changed = [];
  statuses = [];
  editor = tool();
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

function tool(options: Partial<TextEditorToolOptions> = {}): AgentTool {
  return textEditorTool({
    workspace,
    onChange: (file) => changed.push(file),
    status: (message) => statuses.push(message),
    ...options,
  });
}

const at = (...parts: string[]) => path.join(root, ...parts);
const read = (...parts: string[]) => fs.readFile(at(...parts), 'utf8');

/** A call that succeeds: its answer. */
async function answer(input: Record<string, unknown>, on = editor): Promise<string> {
  const outcome: ToolOutcome = await on.run(input);
  expect(outcome.isError, outcome.content).toBeUndefined();
  return outcome.content;
}

/** A call that is the model's mistake: the error result it reads (the tool never throws). */
async function mistake(input: Record<string, unknown>, on = editor): Promise<string> {
  const outcome: ToolOutcome = await on.run(input);
  expect(outcome.isError, outcome.content).toBe(true);
  return outcome.content;
}

describe('the text editor tool', () => {
  it('is Anthropic’s str_replace_based_edit_tool, marked native', () => {
    expect(TEXT_EDITOR_NAME).toBe('str_replace_based_edit_tool');
    expect(editor.definition).toMatchObject({ name: TEXT_EDITOR_NAME, native: 'text_editor' });
    expect(editor.definition.inputSchema).toMatchObject({
      type: 'object',
      required: ['command', 'path'],
    });
  });

  describe('view', () => {
    it('shows a file numbered as cat -n does', async () => {
      expect(await answer({ command: 'view', path: 'src/cart.ts' })).toBe(
        [
          "Here's the result of running `cat -n` on src/cart.ts:",
          '     1\texport function total(xs) {',
          '     2\t\treturn xs.reduce((a, b) => a + b, 0);',
          '     3\t}',
        ].join('\n'),
      );
      expect(statuses).toEqual(['viewing src/cart.ts']);
      expect(changed).toEqual([]);
    });

    it('takes an absolute path under the root, and ./ and trailing slashes', async () => {
      expect(await answer({ command: 'view', path: at('src', 'cart.ts') })).toContain(
        'on src/cart.ts:\n     1\texport function total',
      );
      expect(await answer({ command: 'view', path: './src/../src/cart.ts' })).toContain(
        'on src/cart.ts:',
      );
      expect(await answer({ command: 'view', path: 'src/lib/' })).toContain('in src/lib,');
    });

    it('shows a range, to the end with -1, and says where a range past the end stopped', async () => {
      expect(await answer({ command: 'view', path: 'src/cart.ts', view_range: [2, 2] })).toBe(
        "Here's the result of running `cat -n` on src/cart.ts:\n     2\t\treturn xs.reduce((a, b) => a + b, 0);",
      );
      expect(await answer({ command: 'view', path: 'src/cart.ts', view_range: [3, -1] })).toBe(
        "Here's the result of running `cat -n` on src/cart.ts:\n     3\t}",
      );
      expect(await answer({ command: 'view', path: 'src/cart.ts', view_range: [2, 50] })).toMatch(
        / {5}3\t}\n\(src\/cart\.ts has 3 lines: the view ends there\)$/,
      );
    });

    it('refuses a range that starts outside the file, ends before it starts, or is not [start, end]', async () => {
      expect(await mistake({ command: 'view', path: 'src/cart.ts', view_range: [5, 10] })).toBe(
        'view_range starts at line 5, but src/cart.ts has lines 1 to 3',
      );
      expect(await mistake({ command: 'view', path: 'src/cart.ts', view_range: [0, 2] })).toBe(
        'view_range starts at line 0, but src/cart.ts has lines 1 to 3',
      );
      expect(await mistake({ command: 'view', path: 'src/cart.ts', view_range: [3, 2] })).toBe(
        'view_range [3, 2] ends before it starts; use -1 to view to the end',
      );
      expect(await mistake({ command: 'view', path: 'src/cart.ts', view_range: [1] })).toBe(
        'view_range must be two whole numbers [start, end], e.g. [1, 50]',
      );
      expect(
        await mistake({ command: 'view', path: 'src/cart.ts', view_range: [1, 2, 3] }),
      ).toContain('view_range must be two whole numbers');
      expect(
        await mistake({ command: 'view', path: 'src/cart.ts', view_range: ['1', '2'] }),
      ).toContain('the input does not fit: view_range.0');
    });

    it('says an empty file is empty', async () => {
      await fs.writeFile(at('empty.txt'), '');
      expect(await answer({ command: 'view', path: 'empty.txt' })).toBe('empty.txt is empty.');
    });

    it('stops a long view at a whole line and says how to see on; cuts a very long line', async () => {
      await fs.writeFile(
        at('long.txt'),
        Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n'),
      );
      const shown = await answer(
        { command: 'view', path: 'long.txt' },
        tool({ maxViewChars: 1000 }),
      );
      expect(shown.length).toBeLessThan(1300);
      expect(shown).toMatch(
        /\n {4}\d\d\tline \d\d\n\[… the view stops at line (\d+) of 500 to stay within 1000 characters; view the rest with view_range, e.g. \[\d+, \d+\]\]$/,
      );
      await fs.writeFile(at('minified.js'), `${'x'.repeat(10_000)}\n`);
      expect(await answer({ command: 'view', path: 'minified.js' })).toContain(
        '… [line cut: 6000 more characters]',
      );
    });

    it('lists a directory two levels deep without hidden items or node_modules, links shown not followed', async () => {
      await fs.symlink(outside, at('src', 'out'));
      const listing = await answer({ command: 'view', path: '.' });
      expect(listing).toBe(
        [
          'Here are the files and directories up to 2 levels deep in the repository root, excluding hidden items and node_modules:',
          'src/',
          'src/cart.ts',
          'src/lib/',
          `src/out -> ${outside}`,
          'src/twice.ts',
        ].join('\n'),
      );
      expect(await answer({ command: 'view', path: '' })).toBe(listing);
      expect(await answer({ command: 'view', path: 'src/lib' })).toBe(
        [
          'Here are the files and directories up to 2 levels deep in src/lib, excluding hidden items and node_modules:',
          'src/lib/deep/',
          'src/lib/deep/deeper/',
        ].join('\n'),
      );
      expect(await answer({ command: 'view', path: 'src', view_range: [1, 5] })).toMatch(
        /\n\(view_range applies to files and was ignored\)$/,
      );
    });

    it('lists at most so many entries of a directory, and says how many more there are', async () => {
      await fs.mkdir(at('many'));
      for (let i = 0; i < 30; i++)
        await fs.writeFile(at('many', `f${String(i).padStart(2, '0')}`), '');
      const listing = await answer(
        { command: 'view', path: 'many' },
        tool({ maxDirectoryEntries: 10 }),
      );
      expect(listing).toContain(
        'many/f09\n[… 20 more entries not shown; view a subdirectory to see its part]',
      );
      expect(listing).not.toContain('many/f10');
    });

    it('answers a missing path with the closest name and what its parent holds', async () => {
      expect(await mistake({ command: 'view', path: 'src/cat.ts' })).toBe(
        'no such file or directory: src/cat.ts. Did you mean src/cart.ts? src holds: cart.ts, lib/, twice.ts',
      );
      expect(await mistake({ command: 'view', path: 'scr/cart.ts' })).toBe(
        'no such file or directory: scr/cart.ts. Did you mean src/? The repository root holds: .gitignore, node_modules/, src/',
      );
      expect(await mistake({ command: 'view', path: 'src/lib/deep/nowhere/x.ts' })).toBe(
        'no such file or directory: src/lib/deep/nowhere/x.ts. src/lib/deep holds: deeper/',
      );
    });

    it('refuses a path through a file as a directory', async () => {
      expect(await mistake({ command: 'view', path: 'src/cart.ts/x' })).toBe(
        'a part of src/cart.ts/x is a file, where a directory was expected',
      );
    });
  });

  describe('create', () => {
    it('writes a new file, making its folders, and reports the change', async () => {
      expect(
        await answer({ command: 'create', path: 'src/new/dir/hello.ts', file_text: 'hi\nthere\n' }),
      ).toBe('File created successfully at: src/new/dir/hello.ts (2 lines)');
      expect(await read('src', 'new', 'dir', 'hello.ts')).toBe('hi\nthere\n');
      expect(changed).toEqual(['src/new/dir/hello.ts']);
      expect(statuses).toEqual(['writing src/new/dir/hello.ts']);
    });

    it('says so when it overwrote a file, and keeps its mode', async () => {
      await fs.chmod(at('src', 'twice.ts'), 0o755);
      expect(await answer({ command: 'create', path: 'src/twice.ts', file_text: 'one\n' })).toBe(
        'File src/twice.ts existed and was overwritten (it had 3 lines; it now has 1)',
      );
      expect(await read('src', 'twice.ts')).toBe('one\n');
      expect((await fs.stat(at('src', 'twice.ts'))).mode & 0o777).toBe(0o755);
    });

    it('refuses to write over a directory, under a file, or without file_text', async () => {
      expect(await mistake({ command: 'create', path: 'src/lib', file_text: 'x' })).toBe(
        'src/lib is a directory, not a file; view it to list what it holds',
      );
      expect(await mistake({ command: 'create', path: '.', file_text: 'x' })).toContain(
        'is a directory, not a file',
      );
      expect(await mistake({ command: 'create', path: 'src/cart.ts/x.ts', file_text: 'x' })).toBe(
        'a part of src/cart.ts/x.ts is a file, where a directory was expected',
      );
      expect(await mistake({ command: 'create', path: 'src/x.ts' })).toBe(
        'create needs file_text: the whole content of the file',
      );
      expect(await read('src', 'cart.ts')).toBe(CART);
      expect(changed).toEqual([]);
    });
  });

  describe('str_replace', () => {
    it('replaces the one match and shows the edited part, numbered', async () => {
      expect(
        await answer({
          command: 'str_replace',
          path: 'src/cart.ts',
          old_str: 'a + b, 0)',
          new_str: 'a + b, 0) / 100',
        }),
      ).toBe(
        [
          "The file src/cart.ts has been edited. Here's the result of running `cat -n` on a snippet of src/cart.ts:",
          '     1\texport function total(xs) {',
          '     2\t\treturn xs.reduce((a, b) => a + b, 0) / 100;',
          '     3\t}',
          'Review the changes and make sure they are as expected. Edit the file again if necessary.',
        ].join('\n'),
      );
      expect(await read('src', 'cart.ts')).toContain('0) / 100;');
      expect(changed).toEqual(['src/cart.ts']);
    });

    it('deletes old_str when new_str is left out', async () => {
      await answer({ command: 'str_replace', path: 'src/twice.ts', old_str: 'b();\n' });
      expect(await read('src', 'twice.ts')).toBe('a();\na();\n');
    });

    it('refuses no match, several matches and a whitespace-only difference, leaving the file as it was', async () => {
      expect(
        await mistake({
          command: 'str_replace',
          path: 'src/cart.ts',
          old_str: 'retrun xs.reduce((a, b) => a + b, 0);',
          new_str: 'x',
        }),
      ).toContain('old_str is not in src/cart.ts; view it again');
      expect(
        await mistake({
          command: 'str_replace',
          path: 'src/twice.ts',
          old_str: 'a();',
          new_str: 'c();',
        }),
      ).toBe(
        'old_str occurs 2 times in src/twice.ts, starting at lines 1, 3; include more of the surrounding lines so that it matches exactly once',
      );
      expect(
        await mistake({
          command: 'str_replace',
          path: 'src/cart.ts',
          old_str: '    return xs.reduce((a, b) => a + b, 0);',
          new_str: '    return 0;',
        }),
      ).toContain(
        'lines 2–2 match it when whitespace is ignored: their whitespace differs (the file indents with tabs, old_str with spaces)',
      );
      expect(await mistake({ command: 'str_replace', path: 'src/cart.ts', new_str: 'x' })).toBe(
        'str_replace needs old_str: the exact text to replace',
      );
      expect(await read('src', 'cart.ts')).toBe(CART);
      expect(await read('src', 'twice.ts')).toBe('a();\nb();\na();\n');
      expect(changed).toEqual([]);
    });

    it('refuses a missing file or a directory', async () => {
      expect(
        await mistake({ command: 'str_replace', path: 'src/carts.ts', old_str: 'a', new_str: 'b' }),
      ).toContain('no such file or directory: src/carts.ts. Did you mean src/cart.ts?');
      expect(
        await mistake({ command: 'str_replace', path: 'src', old_str: 'a', new_str: 'b' }),
      ).toBe('src is a directory, not a file; view it to list what it holds');
    });

    it('keeps a byte-order mark and CRLF line ends', async () => {
      await fs.writeFile(at('bom.txt'), '\uFEFFone\r\ntwo\r\n');
      await answer({ command: 'str_replace', path: 'bom.txt', old_str: 'two', new_str: 'three' });
      expect(await fs.readFile(at('bom.txt'))).toEqual(Buffer.from('\uFEFFone\r\nthree\r\n'));
    });
  });

  describe('insert', () => {
    it('inserts after a line and shows the edited part', async () => {
      expect(
        await answer({
          command: 'insert',
          path: 'src/cart.ts',
          insert_line: 1,
          insert_text: '\t// sum\n',
        }),
      ).toContain('     2\t\t// sum\n     3\t\treturn xs.reduce');
      expect(await read('src', 'cart.ts')).toBe(
        'export function total(xs) {\n\t// sum\n\treturn xs.reduce((a, b) => a + b, 0);\n}\n',
      );
      expect(changed).toEqual(['src/cart.ts']);
    });

    it('takes new_str for the text, as earlier versions of the tool named it', async () => {
      await answer({
        command: 'insert',
        path: 'src/twice.ts',
        insert_line: 0,
        new_str: 'start();',
      });
      expect(await read('src', 'twice.ts')).toBe('start();\na();\nb();\na();\n');
    });

    it('refuses a line beyond the end, a negative line, and missing parameters', async () => {
      expect(
        await mistake({ command: 'insert', path: 'src/cart.ts', insert_line: 4, insert_text: 'x' }),
      ).toBe(
        'insert_line 4 is not a line of src/cart.ts: give 0 (insert at the top) to 3 (after the last line)',
      );
      expect(
        await mistake({
          command: 'insert',
          path: 'src/cart.ts',
          insert_line: -1,
          insert_text: 'x',
        }),
      ).toContain('the input does not fit: insert_line');
      expect(await mistake({ command: 'insert', path: 'src/cart.ts', insert_text: 'x' })).toBe(
        'insert needs insert_line: the line after which to insert (0: the top)',
      );
      expect(await mistake({ command: 'insert', path: 'src/cart.ts', insert_line: 1 })).toBe(
        'insert needs insert_text: the text to insert',
      );
      expect(await read('src', 'cart.ts')).toBe(CART);
    });
  });

  it('answers a command it does not have, or input of the wrong shape, with what fits', async () => {
    expect(await mistake({ command: 'undo_edit', path: 'src/cart.ts' })).toBe(
      'str_replace_based_edit_tool: the input does not fit: command: Invalid option: expected one of "view"|"create"|"str_replace"|"insert"',
    );
    expect(await mistake({ command: 'view' })).toContain('path:');
    expect(await mistake({ command: 'view', path: 42 })).toContain('path:');
  });

  describe('paths out of the working copy', () => {
    it('refuses .. that climbs out, and absolute paths elsewhere', async () => {
      const name = path.basename(outside);
      expect(await mistake({ command: 'view', path: `../${name}/secret.txt` })).toBe(
        `path "../${name}/secret.txt" refused: it leads outside the repository`,
      );
      expect(await mistake({ command: 'view', path: 'src/../../etc/passwd' })).toContain(
        'it leads outside the repository',
      );
      expect(await mistake({ command: 'view', path: '..' })).toContain('it leads outside');
      for (const absolute of [path.join(outside, 'secret.txt'), '/etc/passwd', '/'])
        expect(await mistake({ command: 'view', path: absolute })).toBe(
          `path ${JSON.stringify(absolute)} is outside the working copy; give a path relative to the repository root, or an absolute one under ${root}`,
        );
      expect(
        await mistake({ command: 'create', path: `../${name}/planted.txt`, file_text: 'x' }),
      ).toContain('it leads outside the repository');
      expect(
        await mistake({
          command: 'create',
          path: path.join(outside, 'planted.txt'),
          file_text: 'x',
        }),
      ).toContain('is outside the working copy');
      expect(await fs.readdir(outside)).toEqual(['secret.txt']);
    });

    it('refuses symbolic links that lead out: to a file, to a folder, dangling', async () => {
      await fs.symlink(path.join(outside, 'secret.txt'), at('secret-link'));
      await fs.symlink(outside, at('out'));
      await fs.symlink(path.join(outside, 'not-yet'), at('dangling'));
      expect(await mistake({ command: 'view', path: 'secret-link' })).toBe(
        'path "secret-link" refused: it goes through a symbolic link that leads outside the repository',
      );
      expect(
        await mistake({
          command: 'str_replace',
          path: 'secret-link',
          old_str: 'the',
          new_str: 'a',
        }),
      ).toContain('symbolic link that leads outside');
      expect(await mistake({ command: 'view', path: 'out/secret.txt' })).toContain(
        'symbolic link that leads outside',
      );
      expect(await mistake({ command: 'view', path: 'out' })).toContain(
        'symbolic link that leads outside',
      );
      expect(await mistake({ command: 'create', path: 'out/new.txt', file_text: 'x' })).toContain(
        'symbolic link that leads outside',
      );
      expect(await mistake({ command: 'create', path: 'dangling', file_text: 'x' })).toBe(
        'path "dangling" refused: it is a symbolic link that leads outside the repository',
      );
      expect(await fs.readdir(outside)).toEqual(['secret.txt']);
      expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('the secret\n');
    });

    it('follows a link that stays inside, and names the file it leads to', async () => {
      await fs.symlink('src/cart.ts', at('cart-link.ts'));
      await answer({
        command: 'str_replace',
        path: 'cart-link.ts',
        old_str: 'total',
        new_str: 'sum',
      });
      expect(await read('src', 'cart.ts')).toContain('export function sum(xs)');
      expect(changed).toEqual(['src/cart.ts']);
    });

    it('refuses a path with a NUL byte', async () => {
      expect(await mistake({ command: 'view', path: 'src/cart.ts\0.png' })).toContain(
        'refused: expected a file path relative to the repository root',
      );
    });
  });

  describe('the .git directory', () => {
    it('is refused by every command and every way of naming it', async () => {
      await fs.symlink('.git/hooks', at('hooks'));
      await fs.symlink('.git/config', at('config-link'));
      const attempts: Record<string, unknown>[] = [
        { command: 'view', path: '.git' },
        { command: 'view', path: '.git/config' },
        { command: 'view', path: './.git/config' },
        { command: 'view', path: 'src/../.git/config' },
        { command: 'view', path: at('.git', 'config') },
        { command: 'view', path: 'config-link' },
        { command: 'create', path: '.git/hooks/pre-commit', file_text: '#!/bin/sh\nevil\n' },
        { command: 'create', path: 'hooks/pre-commit', file_text: '#!/bin/sh\nevil\n' },
        {
          command: 'str_replace',
          path: '.git/config',
          old_str: '[core]',
          new_str: '[core]\n\thooksPath = /tmp',
        },
        { command: 'str_replace', path: 'config-link', old_str: '[core]', new_str: '[x]' },
        { command: 'insert', path: '.git/config', insert_line: 0, insert_text: '[alias]' },
        { command: 'view', path: 'vendor/lib/.git/config' },
      ];
      for (const attempt of attempts)
        expect(await mistake(attempt)).toMatch(
          /^path ".*" refused: the \.git directory is kept by aidev; change files of the repository, and look at history with bash \(git log, git diff, git show\)$/,
        );
      expect(await read('.git', 'config')).toBe(GIT_CONFIG);
      expect(await fs.readdir(at('.git', 'hooks'))).toEqual([]);
      expect(changed).toEqual([]);
    });

    it('is left out of the names offered for a missing path; .gitignore is an ordinary file', async () => {
      expect(await mistake({ command: 'view', path: '.gti' })).not.toContain('.git/');
      await answer({
        command: 'str_replace',
        path: '.gitignore',
        old_str: 'node_modules',
        new_str: 'dist',
      });
      expect(await read('.gitignore')).toBe('dist\n');
    });
  });

  describe('files the editor does not read', () => {
    it('refuses a binary file, saying how to look at it', async () => {
      await fs.writeFile(
        at('logo.png'),
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0, 0, 1]),
      );
      const refusal =
        'logo.png is a binary file (9 bytes); the editor shows and edits text only (look at it with bash: `file logo.png`, `xxd logo.png | head`)';
      expect(await mistake({ command: 'view', path: 'logo.png' })).toBe(refusal);
      expect(
        await mistake({ command: 'str_replace', path: 'logo.png', old_str: 'PNG', new_str: 'x' }),
      ).toBe(refusal);
      expect(
        await mistake({ command: 'insert', path: 'logo.png', insert_line: 0, insert_text: 'x' }),
      ).toBe(refusal);
    });

    it('shows a file that is not UTF-8 with a note, and refuses to edit it', async () => {
      const latin1 = Buffer.from('café\nnaïve\n', 'latin1');
      await fs.writeFile(at('latin1.txt'), latin1);
      expect(await answer({ command: 'view', path: 'latin1.txt' })).toBe(
        [
          "Here's the result of running `cat -n` on latin1.txt:",
          '     1\tcaf\uFFFD',
          '     2\tna\uFFFDve',
          '(this file is not UTF-8 text: bytes that are not are shown as \uFFFD; it cannot be edited here)',
        ].join('\n'),
      );
      expect(
        await mistake({
          command: 'str_replace',
          path: 'latin1.txt',
          old_str: 'caf',
          new_str: 'tea',
        }),
      ).toBe(
        'latin1.txt is not UTF-8 text; the editor would change bytes it does not show. Edit it with bash (sed, perl) in its own encoding',
      );
      expect(
        await mistake({ command: 'insert', path: 'latin1.txt', insert_line: 0, insert_text: 'x' }),
      ).toContain('is not UTF-8 text');
      expect(await fs.readFile(at('latin1.txt'))).toEqual(latin1);
    });

    it('refuses a file over the size limit, pointing to bash for a part of it', async () => {
      const small = tool({ maxFileBytes: 1000 });
      await fs.writeFile(at('big.log'), 'x'.repeat(1001));
      const refusal =
        "big.log has 1001 bytes, more than the 1000 the editor reads; look at a part of it with bash (e.g. `sed -n '1,200p' big.log`, `grep -n WORD big.log`)";
      expect(await mistake({ command: 'view', path: 'big.log' }, small)).toBe(refusal);
      expect(
        await mistake(
          { command: 'str_replace', path: 'big.log', old_str: 'x', new_str: 'y' },
          small,
        ),
      ).toBe(refusal);
      // A sparse file claiming 4 GB is refused by its size, not read.
      await fs.truncate(at('big.log'), 4 * 1024 ** 3);
      expect(await mistake({ command: 'view', path: 'big.log' })).toContain(
        `big.log has ${4 * 1024 ** 3} bytes, more than the ${10 * 1024 * 1024}`,
      );
    });

    it('refuses a named pipe at once, never waiting for a writer', async () => {
      execFileSync('mkfifo', [at('pipe')]);
      expect(await mistake({ command: 'view', path: 'pipe' })).toBe(
        'pipe is not a regular file (a named pipe, socket or device); the editor reads text files only',
      );
      expect(
        await mistake({ command: 'str_replace', path: 'pipe', old_str: 'a', new_str: 'b' }),
      ).toContain('pipe is not a regular file');
      expect(await mistake({ command: 'create', path: 'pipe', file_text: 'x' })).toBe(
        'pipe is not a regular file',
      );
    });
  });

  it('treats files named __proto__ or constructor as files like any other', async () => {
    await fs.mkdir(at('__proto__'));
    expect(
      await answer({ command: 'create', path: '__proto__/__proto__', file_text: 'proto\n' }),
    ).toBe('File created successfully at: __proto__/__proto__ (1 line)');
    await answer({
      command: 'str_replace',
      path: '__proto__/__proto__',
      old_str: 'proto',
      new_str: 'p',
    });
    expect(await answer({ command: 'view', path: '__proto__/__proto__' })).toContain('     1\tp');
    await answer({ command: 'create', path: 'constructor', file_text: 'c\n' });
    expect(await answer({ command: 'view', path: '__proto__' })).toContain('__proto__/__proto__');
    expect(await mistake({ command: 'view', path: '__proto__/toString' })).toBe(
      'no such file or directory: __proto__/toString. __proto__ holds: __proto__',
    );
    expect(await mistake({ command: 'view', path: 'hasOwnProperty' })).toContain(
      'no such file or directory: hasOwnProperty.',
    );
    expect(changed).toEqual(['__proto__/__proto__', '__proto__/__proto__', 'constructor']);
  });
});
