import path from 'node:path';
import { StepError } from '../../engine/step-errors.js';
import type { ToolOutcome } from '../model-loop.js';

/**
 * StepError codes a tool raises when the model asked for something it can fix: a path that does
 * not exist or leads out of the working copy, an edit that does not match, a file too large to
 * read whole, input that does not fit. Everything else a StepError says (sandbox unavailable,
 * budget, run cancelled, database) is aidev's own failure and ends the step.
 */
export const MODEL_FIXABLE_CODES: ReadonlySet<string> = new Set([
  'path_refused',
  'edit_refused',
  'not_found',
  'invalid_input',
  'not_a_file',
  'file_too_large',
]);

/**
 * What a file-system error means for the path the model named, and what it can do about it.
 * Not here, on purpose: EMFILE/ENFILE (aidev has too many files open), ENOSPC and EDQUOT (the
 * disk is full), EIO and EROFS (the host's disk): none is the model's to fix.
 */
const FS_ERRORS: Readonly<Record<string, (file: string) => string>> = {
  ENOENT: (f) => `no such file or directory: ${f}`,
  EISDIR: (f) => `${f} is a directory, where a file was expected (view it to list what it holds)`,
  ENOTDIR: (f) => `a part of ${f} is a file, where a directory was expected`,
  EACCES: (f) =>
    `permission denied on ${f}: its mode forbids it (check with \`ls -l\`, change it with chmod)`,
  EPERM: (f) =>
    `operation not permitted on ${f}: its mode or kind forbids it (check with \`ls -l\`)`,
  ELOOP: (f) => `${f} is a symbolic link where none is followed, or a loop of links`,
  ENAMETOOLONG: (f) => `the path ${f} is too long`,
  EEXIST: (f) => `${f} already exists`,
  ENOTEMPTY: (f) => `the directory ${f} is not empty`,
  ENXIO: (f) => `${f} is a named pipe or socket with no one at the other end, not a regular file`,
  ETXTBSY: (f) => `${f} is a program running right now and cannot be written`,
};

/**
 * System calls of file operations: an error code from anything else (`spawn` of the sandbox,
 * `connect` to the database's socket, `getaddrinfo`) is aidev's failure even when its code is
 * ENOENT or EACCES.
 */
const FS_SYSCALLS = new Set([
  'access',
  'chmod',
  'copyfile',
  'fstat',
  'ftruncate',
  'lchown',
  'link',
  'lstat',
  'mkdir',
  'open',
  'opendir',
  'read',
  'readlink',
  'realpath',
  'rename',
  'rm',
  'rmdir',
  'scandir',
  'stat',
  'symlink',
  'unlink',
  'utime',
  'write',
]);

/**
 * The error result the model should see for a tool's failure, or undefined when the failure is
 * aidev's own and must end the step (and be thrown on). `root` is the working copy: paths inside
 * it are shown relative to it, as the model names them.
 *
 * @example
 * try { return await tool.run(input); }
 * catch (error) { const outcome = toolFailure(error, root); if (outcome) return outcome; throw error; }
 */
export function toolFailure(error: unknown, root?: string): ToolOutcome | undefined {
  if (error instanceof StepError)
    return MODEL_FIXABLE_CODES.has(error.code)
      ? { content: error.message, isError: true }
      : undefined;
  const fsError = error as NodeJS.ErrnoException | null;
  if (typeof fsError?.code !== 'string' || typeof fsError.syscall !== 'string') return undefined;
  const explain = FS_ERRORS[fsError.code];
  if (explain === undefined || !FS_SYSCALLS.has(fsError.syscall)) return undefined;
  return { content: explain(shownPath(fsError.path, root)), isError: true };
}

/** A path as the model knows it: relative to the working copy when inside it. */
function shownPath(file: string | undefined, root: string | undefined): string {
  if (file === undefined) return 'the path';
  if (root === undefined) return file;
  const inside = path.relative(root, file);
  if (inside === '') return '. (the repository root)';
  const outside = inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside);
  return outside ? file : inside;
}
