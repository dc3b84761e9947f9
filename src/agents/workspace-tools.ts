import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import type { Workspace } from '../sandbox/workspace.js';
import { IGNORED_DIRS } from './codebase-analysis.js';

/**
 * What the development agent may do to its workspace, each refusal worded so that the model
 * can correct itself: which file, what was expected, what was found.
 */
export async function listFiles(
  workspace: Workspace,
  directory = '.',
  limit = 2_000,
): Promise<string[]> {
  const start = await workspace.resolve(directory);
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (found.length >= limit) return;
      if (IGNORED_DIRS.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      // Links are listed, never followed: reading them goes through the workspace's checks.
      if (entry.isDirectory()) await walk(full);
      else found.push(path.relative(workspace.root, full));
    }
  };
  await walk(start);
  return found;
}

/** A file's lines `from`–`to` (1-based, inclusive), numbered, as the agent reads code. */
export async function readLines(
  workspace: Workspace,
  file: string,
  range: { from?: number; to?: number } = {},
): Promise<string> {
  const lines = (await workspace.read(file)).split('\n');
  const from = Math.max(1, range.from ?? 1);
  const to = Math.min(lines.length, range.to ?? lines.length);
  if (from > lines.length)
    throw new StepError(`${file} has ${lines.length} lines; line ${from} does not exist`, {
      code: 'invalid_input',
    });
  return lines
    .slice(from - 1, to)
    .map((line, i) => `${String(from + i).padStart(5)}  ${line}`)
    .join('\n');
}

/** Lines containing `text`, as `path:line: content`, at most `limit` of them. */
export async function searchText(
  workspace: Workspace,
  text: string,
  limit = 100,
): Promise<string[]> {
  if (text === '')
    throw new StepError('search: expected some text to look for, found nothing', {
      code: 'invalid_input',
    });
  const hits: string[] = [];
  for (const file of await listFiles(workspace)) {
    const content = await workspace.read(file).catch(() => '');
    if (content.includes('\0') || !content.includes(text)) continue;
    content.split('\n').forEach((line, i) => {
      if (hits.length < limit && line.includes(text)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
    });
    if (hits.length >= limit) break;
  }
  return hits;
}

export type Edit =
  | { readonly path: string; readonly search: string; readonly replace: string }
  | { readonly path: string; readonly content: string };

/**
 * Applies one edit: an exact search/replace that must match exactly once, or a whole-file
 * write. Returns the new content.
 */
export async function applyEdit(workspace: Workspace, edit: Edit): Promise<string> {
  if ('content' in edit) {
    await workspace.write(edit.path, edit.content);
    return edit.content;
  }
  if (edit.search === '')
    throw new StepError(
      `edit ${edit.path}: the search text is empty; give the exact text to replace`,
      {
        code: 'edit_refused',
      },
    );
  const before = await workspace.read(edit.path);
  const at = occurrences(before, edit.search);
  if (at.length === 0)
    throw new StepError(
      `edit ${edit.path}: the search text was not found; read the file again and copy the exact lines (whitespace included)`,
      { code: 'edit_refused' },
    );
  if (at.length > 1) {
    const lines = at.map((index) => before.slice(0, index).split('\n').length);
    throw new StepError(
      `edit ${edit.path}: the search text is found ${at.length} times (lines ${lines.join(', ')}); include more surrounding lines so it matches once`,
      { code: 'edit_refused' },
    );
  }
  const index = at[0] ?? 0;
  const after = before.slice(0, index) + edit.replace + before.slice(index + edit.search.length);
  await workspace.write(edit.path, after);
  return after;
}

function occurrences(text: string, search: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(search); i >= 0; i = text.indexOf(search, i + 1)) found.push(i);
  return found;
}
