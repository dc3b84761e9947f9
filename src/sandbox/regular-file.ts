import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** What reading a file the host does not trust came to. */
export type RegularFileRead = { readonly ok: true; readonly text: string } | RegularFileRefusal;

/** The same read, as the bytes the file holds (binary files, or text of unknown encoding). */
export type RegularBytesRead = { readonly ok: true; readonly bytes: Buffer } | RegularFileRefusal;

export type RegularFileRefusal =
  | { readonly ok: false; readonly reason: 'open_failed'; readonly code: string | undefined }
  | { readonly ok: false; readonly reason: 'not_a_file'; readonly stat: Stats }
  | { readonly ok: false; readonly reason: 'too_large'; readonly size: number };

// O_NONBLOCK and O_NOFOLLOW do not exist on Windows; there, a plain open is what we have.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
const CHUNK = 64 * 1024;

/**
 * Reads a file that someone else may have put in place (a repository, a test run, a workflow
 * author) without ever blocking or reading without end: the open does not wait on a FIFO's
 * writer and follows no symlink, and only a regular file of at most `maxBytes` is read — a
 * device such as /dev/zero or a sparse file claiming gigabytes is refused before any byte is.
 */
export function readRegularFile(file: string, maxBytes: number): RegularFileRead {
  const read = readRegularBytes(file, maxBytes);
  return read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read;
}

/** {@link readRegularFile}, giving the bytes. Memory is what the file holds, not `maxBytes`. */
export function readRegularBytes(file: string, maxBytes: number): RegularBytesRead {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (error) {
    return { ok: false, reason: 'open_failed', code: (error as NodeJS.ErrnoException).code };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'not_a_file', stat };
    if (stat.size > maxBytes) return { ok: false, reason: 'too_large', size: stat.size };
    // Read to the end, not to the size fstat gave: a file that grew since is refused, not cut.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) return { ok: false, reason: 'too_large', size: length };
    }
    return { ok: true, bytes: Buffer.concat(chunks, length) };
  } finally {
    closeSync(fd);
  }
}
