import { constants as fsConstants, promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import { readRegularFile } from './regular-file.js';

/**
 * A run's working copy of a repository. Every path an agent names is relative to it and must
 * stay inside it: absolute paths, `..` that climbs out, and symbolic links that point outside
 * (at any level, including the file itself) are refused before anything is read or written.
 */
export class Workspace {
  private constructor(readonly root: string) {}

  /** Opens an existing directory as a workspace (its real path, symlinks resolved). */
  static async open(directory: string): Promise<Workspace> {
    const root = await fs.realpath(directory);
    if (!(await fs.stat(root)).isDirectory())
      throw new StepError(`workspace ${directory} is not a directory`, { code: 'invalid_input' });
    return new Workspace(root);
  }

  /** The absolute path of `relative`, proven to be inside the workspace. */
  async resolve(relative: string): Promise<string> {
    if (relative === '' || relative.includes('\0'))
      throw refused(relative, 'expected a file path relative to the repository root');
    if (path.isAbsolute(relative))
      throw refused(
        relative,
        'absolute paths are not allowed; give a path relative to the repository root',
      );
    const target = path.resolve(this.root, relative);
    if (!this.contains(target)) throw refused(relative, 'it leads outside the repository');
    // Resolve the deepest part that exists: a symlink anywhere on the way must stay inside.
    let existing = target;
    const rest: string[] = [];
    for (;;) {
      try {
        const real = await fs.realpath(existing);
        if (!this.contains(real))
          throw refused(
            relative,
            'it goes through a symbolic link that leads outside the repository',
          );
        return path.join(real, ...rest);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // A dangling link is as dangerous as a live one: refuse it rather than write through it.
        const link = await fs.readlink(existing).catch(() => undefined);
        if (link !== undefined && !this.contains(path.resolve(path.dirname(existing), link)))
          throw refused(relative, 'it is a symbolic link that leads outside the repository');
        rest.unshift(path.basename(existing));
        existing = path.dirname(existing);
      }
    }
  }

  /**
   * A text file of the working copy. Never a FIFO, device or socket (a test may leave one that
   * would block or never end), and never more than `maxBytes` (a sparse file can claim gigabytes).
   */
  async read(relative: string, maxBytes = MAX_READ_BYTES): Promise<string> {
    const read = readRegularFile(await this.resolve(relative), maxBytes);
    if (read.ok) return read.text;
    if (read.reason === 'not_a_file') throw notAFile(relative, read.stat);
    if (read.reason === 'too_large')
      throw new StepError(
        `${relative} has ${read.size} bytes, more than the ${maxBytes} a file may have to be read whole`,
        { code: 'file_too_large' },
      );
    throw fileError(
      relative,
      read.code,
      new Error(`cannot open ${relative}: ${read.code ?? 'unknown error'}`),
    );
  }

  async write(relative: string, content: string): Promise<void> {
    const file = await this.resolve(relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // O_NOFOLLOW: a link put in place after the check is not followed. O_NONBLOCK: a FIFO with
    // no reader fails at once instead of blocking. Truncated only once it is known to be a file.
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, WRITE_FLAGS, 0o644);
    } catch (error) {
      throw fileError(relative, (error as NodeJS.ErrnoException).code, error);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw notAFile(relative, stat);
      await handle.truncate(0);
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  }

  async remove(relative: string): Promise<void> {
    await fs.rm(await this.resolve(relative), { force: true });
  }

  private contains(absolute: string): boolean {
    const inside = path.relative(this.root, absolute);
    return (
      inside === '' ||
      (inside !== '..' && !inside.startsWith(`..${path.sep}`) && !path.isAbsolute(inside))
    );
  }
}

/** Files larger than this are not read whole (a model is told to read a range instead). */
export const MAX_READ_BYTES = 2 * 1024 * 1024;
const WRITE_FLAGS =
  fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK;

function notAFile(relative: string, stat: Stats): StepError {
  const kind = stat.isDirectory()
    ? 'a directory'
    : stat.isFIFO()
      ? 'a named pipe (FIFO)'
      : stat.isSocket()
        ? 'a socket'
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  return new StepError(`${relative} is ${kind}, not a file that can be read or written`, {
    code: 'not_a_file',
  });
}

/** The agent-facing error for an open that failed with `code`; aidev's own failures as they are. */
function fileError(relative: string, code: string | undefined, error: unknown): unknown {
  if (code === 'ENOENT')
    return new StepError(`no file ${relative} in the repository`, { code: 'not_found' });
  if (code === 'EISDIR')
    return new StepError(`${relative} is a directory, not a file`, { code: 'not_a_file' });
  if (code === 'ENXIO' || code === 'ELOOP')
    return new StepError(`${relative} is not a regular file`, { code: 'not_a_file' });
  return error;
}

function refused(relative: string, why: string): StepError {
  return new StepError(`path ${JSON.stringify(relative)} refused: ${why}`, {
    code: 'path_refused',
  });
}
