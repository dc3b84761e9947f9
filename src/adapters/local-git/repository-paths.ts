import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StepError } from '../../engine/step-errors.js';
import { AppError } from '../../errors/app-error.js';
import { git } from '../../git/git.js';

/**
 * Where local_git may find repositories: the repositories directory, and the directories the
 * installer's settings file allows beyond it (`local_git.allowed_paths`). Everything else on
 * the machine — another project's repository, aidev's own working copy — is out of reach, so
 * that a task, a channel setting or an API caller cannot send it to the model or write to it.
 */
export interface RepositoryConfinement {
  /** Where a repository's name is looked up. */
  readonly root: string;
  /** Directories (absolute, normalized) the settings file allows beyond the repositories one. */
  readonly allowed: readonly string[];
}

const ALLOW_HINT =
  'the installer lists it (or a directory above it) under local_git.allowed_paths in aidev.config.yaml';

/**
 * The confinement of one local_git configuration. A `repositories_dir` of its own (which a
 * channel may store through the API) must lie inside the default directory or an allowed one.
 */
export function confinementOf(
  configured: string | undefined,
  defaultRoot: string,
  allowed: readonly string[],
): RepositoryConfinement {
  const root = path.resolve(configured ?? defaultRoot);
  if (configured !== undefined && ![defaultRoot, ...allowed].some((dir) => isInside(root, dir)))
    throw new AppError(
      'config_invalid',
      `local_git.repositories_dir: expected a directory inside ${defaultRoot}${allowedText(allowed)}, found ${root}`,
      { hint: `to use it, ${ALLOW_HINT}` },
    );
  return { root, allowed: allowed.map((dir) => path.resolve(dir)) };
}

/**
 * The directory of the repository `name` names: a name inside the repositories directory
 * (`shop`, `team/shop`), or an absolute path inside an allowed directory. Refused: other
 * absolute paths, `..`, symlinks that lead out, and a directory that is not itself the top of
 * a repository (git would otherwise find an enclosing one, such as aidev's own).
 */
export async function repositoryDirectory(
  name: string,
  confinement: RepositoryConfinement,
): Promise<string> {
  const { root, allowed } = confinement;
  const refuse = (why: string, allowHint = false) =>
    new StepError(
      `repository ${JSON.stringify(name)}: ${why}; expected the name of a repository in ${root} (such as "shop" or "team/shop")${allowed.length === 0 ? '' : `, or an absolute path inside ${allowed.join(', ')}`}${allowHint ? `. To allow another directory, ${ALLOW_HINT}` : ''}`,
      { code: 'invalid_input' },
    );
  if (name.trim() === '' || name.includes('\0')) throw refuse('the name is empty');
  let dir: string;
  let within: readonly string[];
  if (path.isAbsolute(name)) {
    dir = path.normalize(name);
    within = allowed;
    if (!within.some((parent) => isInside(dir, parent)))
      throw refuse('an absolute path outside the repositories directory is not allowed', true);
  } else {
    if (name.split(/[\\/]/).includes('..')) throw refuse('`..` is not allowed in a name');
    dir = path.join(root, name);
    if (dir === root) throw refuse('the repositories directory itself is not a repository');
    within = [root, ...allowed];
  }
  const real = await fs.realpath(dir).catch(() => undefined);
  if (real === undefined) throw new StepError(`no git repository at ${dir}`, { code: 'not_found' });
  const realWithin = await Promise.all(within.map((d) => fs.realpath(d).catch(() => d)));
  if (!realWithin.some((parent) => isInside(real, parent)))
    throw refuse(
      `it leads to ${real} through a symbolic link, outside the allowed directories`,
      true,
    );
  await ensureRepositoryTop(dir, real, realWithin);
  return dir;
}

/** `real` is the top of a repository whose git directory is inside the allowed ones too. */
async function ensureRepositoryTop(
  dir: string,
  real: string,
  within: readonly string[],
): Promise<void> {
  const notRepository = new StepError(`no git repository at ${dir}`, { code: 'not_found' });
  let gitDir: string;
  try {
    // Git must not look above the directory for an enclosing repository.
    const env = { GIT_CEILING_DIRECTORIES: path.dirname(real) };
    gitDir = (await git(['rev-parse', '--absolute-git-dir'], { cwd: real, env })).trim();
  } catch {
    throw notRepository;
  }
  const realGitDir = await fs.realpath(gitDir).catch(() => gitDir);
  const isTop = realGitDir === real || realGitDir === path.join(real, '.git');
  if (!isTop || !within.some((parent) => isInside(realGitDir, parent))) throw notRepository;
}

/** True when `child` is `parent` or below it (both absolute and normalized). */
function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

function allowedText(allowed: readonly string[]): string {
  return allowed.length === 0 ? '' : ` or inside ${allowed.join(', ')}`;
}
