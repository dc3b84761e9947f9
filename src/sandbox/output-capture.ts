/**
 * Keeps the beginning and the end of a command's output and counts what falls between: a test
 * runner's summary and a compiler's last error are at the end, its first error at the start, and
 * a command may print megabytes. The middle is replaced by a line saying how much was left out,
 * cut at line boundaries where one is near, so that neither end starts or stops mid-line (nor
 * mid-character).
 */
export class HeadTailCapture {
  private readonly head: Buffer[] = [];
  private headLength = 0;
  private tail: Buffer[] = [];
  private tailLength = 0;
  private droppedBytes = 0;
  private droppedLines = 0;
  /** The tail kept starts a line (the byte before it, dropped, was a newline). */
  private tailStartsLine = false;

  constructor(
    private readonly headBytes: number,
    private readonly tailBytes: number,
  ) {}

  /** Splits `maxBytes` evenly between the head and the tail. */
  static ofSize(maxBytes: number): HeadTailCapture {
    const head = Math.floor(maxBytes / 2);
    return new HeadTailCapture(head, maxBytes - head);
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    if (this.headLength < this.headBytes) {
      const taken = rest.subarray(0, this.headBytes - this.headLength);
      this.head.push(taken);
      this.headLength += taken.length;
      rest = rest.subarray(taken.length);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailLength += rest.length;
    // Compacted now and then, not at every chunk: memory stays within twice the tail.
    if (this.tailLength > 2 * this.tailBytes + 64 * 1024) this.compact();
  }

  /** Some output was left out. */
  get truncated(): boolean {
    return this.droppedBytes > 0 || this.tailLength > this.tailBytes;
  }

  /** The output kept, with the omission marker in place of the middle when there was one. */
  text(): string {
    this.compact();
    const head = Buffer.concat(this.head);
    const tail = Buffer.concat(this.tail);
    if (this.droppedBytes === 0) return Buffer.concat([head, tail]).toString('utf8');
    const headEnd = cutPoint(head, 'end');
    const tailStart = this.tailStartsLine ? 0 : cutPoint(tail, 'start');
    const bytes = this.droppedBytes + (head.length - headEnd) + tailStart;
    const lines =
      this.droppedLines + newlines(head.subarray(headEnd)) + newlines(tail.subarray(0, tailStart));
    const kept = head.subarray(0, headEnd).toString('utf8');
    return `${kept}${kept === '' || kept.endsWith('\n') ? '' : '\n'}${omissionMarker(lines, bytes)}\n${tail.subarray(tailStart).toString('utf8')}`;
  }

  private compact(): void {
    if (this.tailLength <= this.tailBytes) return;
    const all = Buffer.concat(this.tail);
    const dropped = all.subarray(0, all.length - this.tailBytes);
    this.droppedBytes += dropped.length;
    this.droppedLines += newlines(dropped);
    this.tailStartsLine = dropped.at(-1) === NEWLINE;
    this.tail = [all.subarray(dropped.length)];
    this.tailLength = this.tailBytes;
  }
}

/** `[… 1200 lines (5000000 bytes) omitted …]`: what the model reads in place of the middle. */
export function omissionMarker(lines: number, bytes: number): string {
  return lines === 0
    ? `[… ${bytes} bytes omitted …]`
    : `[… ${lines} lines (${bytes} bytes) omitted …]`;
}

const NEWLINE = 0x0a;

function newlines(buffer: Buffer): number {
  let count = 0;
  for (let i = buffer.indexOf(NEWLINE); i >= 0; i = buffer.indexOf(NEWLINE, i + 1)) count += 1;
  return count;
}

/**
 * Where to cut a kept end: at a line boundary within its outer half if there is one, else at a
 * character boundary (a UTF-8 continuation byte never starts or ends a kept part).
 */
function cutPoint(buffer: Buffer, side: 'start' | 'end'): number {
  if (buffer.length === 0) return 0;
  const half = Math.floor(buffer.length / 2);
  if (side === 'end') {
    const lastNewline = buffer.lastIndexOf(NEWLINE);
    if (lastNewline >= half) return lastNewline + 1;
    let end = buffer.length;
    // Back off over an incomplete character: continuation bytes, then their lead byte.
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && isContinuation(buffer[end - back - 1] ?? 0))
      back += 1;
    const lead = buffer[end - back - 1] ?? 0;
    if (lead >= 0xc0 && back < expectedContinuations(lead)) end -= back + 1;
    return end;
  }
  const firstNewline = buffer.indexOf(NEWLINE);
  if (firstNewline >= 0 && firstNewline < half) return firstNewline + 1;
  let start = 0;
  while (start < Math.min(3, buffer.length) && isContinuation(buffer[start] ?? 0)) start += 1;
  return start;
}

const isContinuation = (byte: number) => (byte & 0xc0) === 0x80;
const expectedContinuations = (lead: number) => (lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1);
