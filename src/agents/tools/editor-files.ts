import { promises as fs } from 'node:fs';
import path from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { StepError } from '../../engine/step-errors.js';
import { readRegularBytes } from '../../sandbox/regular-file.js';
import type { Workspace } from '../../sandbox/workspace.js';

// NOTE (lead): needs `readRegularBytes` in src/sandbox/regular-file.ts (the bytes variant of
// readRegularFile: { ok: true, bytes } | the same refusals) and the fastest-levenshtein package.

/** A path the model named, proven to be inside the working copy (and outside its .git). */
export interface Located {
  /** As the model should name it: relative to the repository root, `/`-separated; `.` the root. */
  readonly relative: string;
  readonly absolute: string;
}

/** A text file read whole. */
export interface TextFile {
  readonly text: string;
  /** Its bytes are not valid UTF-8: shown with replacement characters, never edited. */
  readonly notUtf8: boolean;
}

export type EntryKind = 'file' | 'directory' | 'missing' | 'other';

/** Bytes git looks at to call a file binary; a NUL among them is the sign. */
const BINARY_SNIFF_BYTES = 8000;
// ignoreBOM: a byte-order mark stays in the text (as U+FEFF), so that an edit writes it back.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text editor's access to the working copy: every path checked by the Workspace (no way
 * out by `..`, absolute paths or symbolic links), the git directory refused, and each failure
 * a StepError the model can act on (toolFailure turns it into an error result).
 */
export class EditorFiles {
  constructor(
    readonly workspace: Workspace,
    private readonly maxFileBytes: number,
  ) {}

  /** The model's path (relative, or absolute under the root) as a path of the working copy. */
  async locate(given: string): Promise<Located> {
    const relative = this.relativeOf(given);
    if (isGitPath(relative)) throw gitRefused(given);
    const absolute = await this.workspace.resolve(relative);
    const real = path.relative(this.workspace.root, absolute);
    // A link inside the working copy that leads into .git is refused like the path itself.
    if (isGitPath(real)) throw gitRefused(given);
    return { relative: real === '' ? '.' : real.split(path.sep).join('/'), absolute };
  }

  async kind(located: Located): Promise<EntryKind> {
    const stat = await fs.lstat(located.absolute).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (stat === undefined) return 'missing';
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
  }

  /** A text file whole, or a refusal saying what it is instead and how to look at it. */
  async readText(located: Located): Promise<TextFile> {
    const read = readRegularBytes(located.absolute, this.maxFileBytes);
    if (!read.ok) {
      if (read.reason === 'too_large')
        throw new StepError(
          `${located.relative} has ${read.size} bytes, more than the ${this.maxFileBytes} the editor reads; look at a part of it with bash (e.g. \`sed -n '1,200p' ${located.relative}\`, \`grep -n WORD ${located.relative}\`)`,
          { code: 'file_too_large' },
        );
      if (read.reason === 'not_a_file' || read.code === 'ELOOP' || read.code === 'ENXIO')
        throw new StepError(
          `${located.relative} is not a regular file (a named pipe, socket or device); the editor reads text files only`,
          { code: 'not_a_file' },
        );
      if (read.code === 'ENOENT') throw await this.missing(located);
      if (read.code === 'EISDIR') throw isDirectory(located);
      throw Object.assign(new Error(`cannot open ${located.relative}`), {
        code: read.code,
        syscall: 'open',
        path: located.absolute,
      });
    }
    const { bytes } = read;
    if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0))
      throw new StepError(
        `${located.relative} is a binary file (${bytes.length} bytes); the editor shows and edits text only (look at it with bash: \`file ${located.relative}\`, \`xxd ${located.relative} | head\`)`,
        { code: 'not_a_file' },
      );
    try {
      return { text: utf8.decode(bytes), notUtf8: false };
    } catch {
      return { text: bytes.toString('utf8'), notUtf8: true };
    }
  }

  /** A text file that may be edited: UTF-8 text (an edit would otherwise mangle its bytes). */
  async readEditable(located: Located): Promise<string> {
    const kind = await this.kind(located);
    if (kind === 'missing') throw await this.missing(located);
    if (kind === 'directory') throw isDirectory(located);
    const file = await this.readText(located);
    if (file.notUtf8)
      throw new StepError(
        `${located.relative} is not UTF-8 text; the editor would change bytes it does not show. Edit it with bash (sed, perl) in its own encoding`,
        { code: 'edit_refused' },
      );
    return file.text;
  }

  /** Writes in place: an existing file keeps its mode (a script stays executable). */
  async write(located: Located, content: string): Promise<void> {
    await this.workspace.write(located.relative, content);
  }

  /**
   * The refusal for a path that does not exist, with what its nearest existing parent holds and
   * the closest name there: a model guessing a path learns where to look.
   */
  async missing(located: Located): Promise<StepError> {
    let parent = located.relative;
    let names: string[] | undefined;
    while (names === undefined && parent !== '.') {
      parent = path.posix.dirname(parent);
      names = await this.listNames(parent);
    }
    const listing = names ?? [];
    // The first part of the path that is not there: the name to compare with what is.
    const wanted = (parent === '.' ? located.relative : located.relative.slice(parent.length + 1))
      .split('/')
      .at(0);
    const guess = closeName(wanted, listing);
    const didYouMean = guess === undefined ? '' : ` Did you mean ${joined(parent, guess)}?`;
    const shown = listing.slice(0, 40).join(', ');
    const more = listing.length > 40 ? `, … (${listing.length - 40} more)` : '';
    const where = parent === '.' ? 'The repository root' : parent;
    return new StepError(
      `no such file or directory: ${located.relative}.${didYouMean} ${where} holds: ${shown === '' ? '(nothing)' : `${shown}${more}`}`,
      { code: 'not_found' },
    );
  }

  private async listNames(relative: string): Promise<string[] | undefined> {
    try {
      const entries = await fs.readdir(path.join(this.workspace.root, relative), {
        withFileTypes: true,
      });
      return entries
        .filter((e) => e.name !== '.git')
        .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
        .sort();
    } catch {
      return undefined;
    }
  }

  private relativeOf(given: string): string {
    if (given === '' || given === '.' || given === './') return '.';
    if (!path.isAbsolute(given)) return given;
    const inside = path.relative(this.workspace.root, given);
    if (inside === '') return '.';
    if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside))
      throw new StepError(
        `path ${JSON.stringify(given)} is outside the working copy; give a path relative to the repository root, or an absolute one under ${this.workspace.root}`,
        { code: 'path_refused' },
      );
    return inside;
  }
}

const isGitPath = (relative: string) => relative.split(/[\\/]/).includes('.git');

function gitRefused(given: string): StepError {
  return new StepError(
    `path ${JSON.stringify(given)} refused: the .git directory is kept by aidev; change files of the repository, and look at history with bash (git log, git diff, git show)`,
    { code: 'path_refused' },
  );
}

export function isDirectory(located: Located): StepError {
  return new StepError(
    `${located.relative} is a directory, not a file; view it to list what it holds`,
    { code: 'not_a_file' },
  );
}

const joined = (parent: string, name: string) => (parent === '.' ? name : `${parent}/${name}`);

/** The name most like `wanted`, when it is like it at all (a typo, a wrong extension). */
function closeName(wanted: string | undefined, names: readonly string[]): string | undefined {
  if (wanted === undefined || wanted === '' || names.length === 0) return undefined;
  const bare = names.map((n) => n.replace(/\/$/, ''));
  const best = closest(wanted, bare);
  const index = bare.indexOf(best);
  return distance(wanted, best) <= Math.max(2, Math.floor(wanted.length / 3))
    ? names[index]
    : undefined;
}
