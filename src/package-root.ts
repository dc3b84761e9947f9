import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory aidev is installed in: the one holding its package.json, prompts, workflows and
 * demo. Found by walking up from this file, so it is the same whether aidev runs from its
 * TypeScript sources (`src/`) or from the JavaScript `npm run build` writes (`dist/src/`).
 */
export const PACKAGE_ROOT: string = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside aidev's own installation, e.g. `packagePath('prompts')`. */
export function packagePath(...parts: readonly string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) {
      throw new Error(
        `aidev's package.json was not found above ${start}: the installation is incomplete`,
      );
    }
  }
}
