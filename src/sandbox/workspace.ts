import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';

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

  async read(relative: string): Promise<string> {
    const file = await this.resolve(relative);
    try {
      return await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StepError(`no file ${relative} in the repository`, { code: 'not_found' });
      throw error;
    }
  }

  async write(relative: string, content: string): Promise<void> {
    const file = await this.resolve(relative);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // O_NOFOLLOW: a link put in place after the check is not followed.
    const handle = await fs.open(
      file,
      fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NOFOLLOW,
      0o644,
    );
    try {
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

function refused(relative: string, why: string): StepError {
  return new StepError(`path ${JSON.stringify(relative)} refused: ${why}`, {
    code: 'path_refused',
  });
}
