import { realpathSync } from 'node:fs';
import path from 'node:path';
import { readRegularFile } from '../sandbox/regular-file.js';

/** The project directory a workflow's `prompt_template` must name a file in. */
export const PROMPTS_DIR = 'prompts';

/** The largest prompt template read: a template is text for a model, never a data file. */
export const MAX_PROMPT_BYTES = 256 * 1024;

export type PromptFile =
  { readonly ok: true; readonly file: string } | { readonly ok: false; readonly message: string };

/**
 * Why a `prompt_template` is refused, whatever the reason: missing, outside prompts/, a
 * symlink out of it, a directory, FIFO or device. One answer for all, so that the field cannot
 * be used to learn which files exist on the host.
 */
export function promptRefusal(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}…` : name;
  return `expected the path of a prompt template file inside ${PROMPTS_DIR}/ (such as ${PROMPTS_DIR}/implement_task.txt), found ${JSON.stringify(shown)}`;
}

/**
 * Where the template `name` (a path relative to the project, such as `prompts/plan.txt`) really
 * is, if it is a regular file inside `<baseDir>/prompts/`: no absolute path, no `..`, no
 * symlink that leads out of the directory.
 */
export function resolvePromptFile(baseDir: string, name: string): PromptFile {
  const refused = { ok: false, message: promptRefusal(name) } as const;
  if (path.isAbsolute(name) || name.includes('\0') || name.split(/[\\/]/).includes('..'))
    return refused;
  const root = path.resolve(baseDir, PROMPTS_DIR);
  if (!isInside(root, path.resolve(baseDir, name))) return refused;
  try {
    const real = realpathSync(path.resolve(baseDir, name));
    return isInside(realpathSync(root), real) ? { ok: true, file: real } : refused;
  } catch {
    return refused;
  }
}

function isInside(directory: string, file: string): boolean {
  return file.startsWith(directory + path.sep);
}

/** A template file could not be read; the message names only the file the workflow gave. */
export class PromptFileError extends Error {
  constructor(
    message: string,
    /** The system's reason (ENOENT…), for callers that trust the directory, never for display. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PromptFileError';
  }
}

/**
 * Reads a template without ever blocking or reading without end: the open does not wait on a
 * FIFO's writer and follows no symlink, and only a regular file of at most MAX_PROMPT_BYTES
 * is read (a device such as /dev/zero is refused before any byte of it is read).
 */
export function readPromptFile(file: string, shown = file): string {
  const read = readRegularFile(file, MAX_PROMPT_BYTES);
  if (read.ok) return read.text;
  if (read.reason === 'too_large') throw tooLarge(shown);
  throw new PromptFileError(
    promptRefusal(shown),
    read.reason === 'open_failed' ? read.code : undefined,
  );
}

function tooLarge(shown: string): PromptFileError {
  return new PromptFileError(
    `expected a prompt template of at most ${MAX_PROMPT_BYTES / 1024} KiB, found a larger file ${JSON.stringify(shown)}`,
  );
}
