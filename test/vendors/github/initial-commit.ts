import { gitSync } from './server-git.js';
import type { RepositoryFile } from './git-repository.js';

/** The fixed identity and time of a repository's first commit: the same files, the same sha. */
const AUTHOR = 'Octo Cat <octocat@github.com> 1700000000 +0000';

/**
 * Makes a bare repository whose default branch holds `files` in one commit, with git
 * fast-import (one process whatever the number of files): modes 100644, 100755 and 120000
 * (links), and any bytes.
 */
export function initBareRepository(
  dir: string,
  files: Readonly<Record<string, RepositoryFile>>,
  defaultBranch: string,
): void {
  gitSync(process.cwd(), ['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, dir]);
  // Pushes over smart HTTP are authenticated by the server itself, before git sees them.
  for (const [key, value] of [
    ['http.receivepack', 'true'],
    ['uploadpack.allowReachableSHA1InWant', 'true'],
    ['uploadpack.allowFilter', 'true'],
  ] as const)
    gitSync(dir, ['config', key, value]);

  const parts: Buffer[] = [];
  const data = (bytes: Buffer) =>
    parts.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n'));
  parts.push(
    Buffer.from(`commit refs/heads/${defaultBranch}\nauthor ${AUTHOR}\ncommitter ${AUTHOR}\n`),
  );
  data(Buffer.from('Initial commit\n'));
  for (const [path, file] of Object.entries(files)) {
    if (path.includes('\n') || path.startsWith('"'))
      throw new Error(`test repository: unsupported file name ${JSON.stringify(path)}`);
    const { mode, bytes } = modeAndBytes(file);
    parts.push(Buffer.from(`M ${mode} inline ${path}\n`));
    data(bytes);
  }
  parts.push(Buffer.from('done\n'));
  gitSync(dir, ['fast-import', '--quiet', '--done'], { input: Buffer.concat(parts) });
}

function modeAndBytes(file: RepositoryFile): { mode: string; bytes: Buffer } {
  if (typeof file === 'string') return { mode: '100644', bytes: Buffer.from(file) };
  if (Buffer.isBuffer(file)) return { mode: '100644', bytes: file };
  if ('symlink' in file) return { mode: '120000', bytes: Buffer.from(file.symlink) };
  return {
    mode: file.executable === true ? '100755' : '100644',
    bytes: typeof file.content === 'string' ? Buffer.from(file.content) : file.content,
  };
}
