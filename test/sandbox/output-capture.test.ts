import { describe, expect, it } from 'vitest';
import { HeadTailCapture, omissionMarker } from '../../src/sandbox/output-capture.js';

/** Feeds `text` in chunks of `size` bytes, as a pipe would. */
function capture(text: string | Buffer, head: number, tail: number, size = 7): string {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const kept = new HeadTailCapture(head, tail);
  for (let i = 0; i < bytes.length; i += size) kept.push(bytes.subarray(i, i + size));
  return kept.text();
}

const numbered = (n: number) =>
  Array.from({ length: n }, (_, i) => `line ${String(i + 1).padStart(4, '0')}`).join('\n') + '\n';

describe('HeadTailCapture', () => {
  it('keeps short output whole, whatever the chunking', () => {
    const text = numbered(5);
    expect(capture(text, 100, 100)).toBe(text);
    expect(capture(text, 20, 100, 1)).toBe(text);
    expect(new HeadTailCapture(10, 10).truncated).toBe(false);
  });

  it('keeps the first and last lines and says how many lines and bytes lie between', () => {
    // 10 lines of 10 bytes; 30 bytes each end: 3 lines kept at the start, 3 at the end.
    const text = numbered(10);
    const out = capture(text, 30, 30);
    expect(out).toBe(
      'line 0001\nline 0002\nline 0003\n[… 4 lines (40 bytes) omitted …]\nline 0008\nline 0009\nline 0010\n',
    );
  });

  it('cuts at line boundaries near the cut, counting the partial lines as omitted', () => {
    const text = numbered(10);
    // 35 bytes: the head ends mid-line 4, the tail starts mid-line 7.
    const kept = new HeadTailCapture(35, 35);
    kept.push(Buffer.from(text));
    expect(kept.truncated).toBe(true);
    expect(kept.text()).toBe(
      'line 0001\nline 0002\nline 0003\n[… 4 lines (40 bytes) omitted …]\nline 0008\nline 0009\nline 0010\n',
    );
  });

  it('counts megabytes of output while keeping only its limit, and keeps the very end', () => {
    const kept = HeadTailCapture.ofSize(16 * 1024);
    const line = Buffer.from(`${'x'.repeat(99)}\n`);
    for (let i = 0; i < 50_000; i++) kept.push(line); // 5 MB
    kept.push(Buffer.from('THE END\n'));
    const out = kept.text();
    expect(out.length).toBeLessThan(17 * 1024);
    expect(out.endsWith('THE END\n')).toBe(true);
    const marker = /\[… (\d+) lines \((\d+) bytes\) omitted …\]/.exec(out);
    const keptLines = out.split('\n').filter((l) => l.startsWith('x')).length;
    expect(Number(marker?.[1]) + keptLines).toBe(50_000);
    expect(
      Number(marker?.[2]) + Buffer.byteLength(out) - Buffer.byteLength(marker?.[0] ?? '') - 1,
    ).toBe(50_000 * 100 + 8);
  });

  it('never splits a character at either cut of one long line', () => {
    const text = Buffer.from('é'.repeat(1000)); // two bytes each, no newline
    const out = capture(text, 101, 101, 13);
    expect(out).not.toContain('\uFFFD');
    expect(out).toMatch(/^é+\n\[… \d+ bytes omitted …\]\né+$/);
  });

  it('words the marker without lines when no newline was left out', () => {
    expect(omissionMarker(0, 12)).toBe('[… 12 bytes omitted …]');
    expect(omissionMarker(3, 12)).toBe('[… 3 lines (12 bytes) omitted …]');
  });
});
