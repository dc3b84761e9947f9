import { realpathSync } from 'node:fs';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { findExecutable } from '../../src/sandbox/find-executable.js';

/**
 * A PATH on which `program` is not found but everything else is: the directory holding it is
 * replaced by a directory of links to its other programs (git, node, npm live beside bwrap in
 * /usr/bin), and links to that directory (/bin → usr/bin) are dropped. Built under `scratch`.
 */
export async function pathWithout(
  program: string,
  scratch: string,
  pathVariable = process.env.PATH ?? '',
): Promise<string> {
  const found = findExecutable(program, pathVariable);
  if (found === undefined) return pathVariable;
  const holder = path.dirname(found);
  const links = path.join(scratch, `path-without-${program}`);
  await mkdir(links, { recursive: true });
  for (const name of await readdir(holder))
    if (name !== program) await symlink(path.join(holder, name), path.join(links, name));
  const real = (dir: string) => {
    try {
      return realpathSync(dir);
    } catch {
      return dir;
    }
  };
  const kept = pathVariable
    .split(path.delimiter)
    .filter((dir) => dir !== '' && real(dir) !== real(holder));
  const result = [...kept, links].join(path.delimiter);
  if (findExecutable(program, result) !== undefined)
    throw new Error(`${program} is still on ${result}`);
  return result;
}
