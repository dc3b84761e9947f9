import { isAbsolute, relative } from 'node:path';

/** A path as short as it is clear: relative inside the working directory, absolute outside. */
export function shownPath(cwd: string, file: string): string {
  const inside = relative(cwd, file);
  return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}
