import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../src/log/scrub-secrets.js';
import { capturingLogger } from '../support/logger.js';

const TOKEN = 'xoxb-1111-2222-abcdefSECRET';
const PASSWORD = 'p@ss"word\\1';

describe('logger', () => {
  it('removes configured secrets wherever they appear in a line', () => {
    const { logger, lines } = capturingLogger({ secrets: [TOKEN, PASSWORD] });
    logger.info(
      { request: { url: `https://slack.test/api?token=${encodeURIComponent(TOKEN)}` } },
      `calling with ${TOKEN}`,
    );
    logger.error({ err: new Error(`auth failed for ${PASSWORD}`) }, 'database refused');
    logger.warn({ nested: { deeper: [{ note: `value=${TOKEN}` }] } }, 'nested');
    const output = lines.join('\n');
    expect(output).not.toContain('abcdefSECRET');
    expect(output).not.toContain('ss\\"word');
    expect(output).not.toContain(encodeURIComponent(TOKEN));
    expect(output.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(4);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'calling with [REDACTED]' });
  });

  it('redacts credential-named fields even when their values are not configured secrets', () => {
    const { logger, lines } = capturingLogger();
    logger.info(
      {
        token: 'unknown-token',
        headers: { authorization: 'Bearer abc', cookie: 'c=1' },
        req: { headers: { authorization: 'Bearer def' } },
      },
      'request',
    );
    const line = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      token: '[REDACTED]',
      headers: { authorization: '[REDACTED]', cookie: '[REDACTED]' },
      req: { headers: { authorization: '[REDACTED]' } },
    });
  });

  it('replaces a secret that contains another one whole', () => {
    const scrub = createScrubber(['abcd', 'abcdefgh']);
    expect(scrub('x abcdefgh y abcd')).toBe('x [REDACTED] y [REDACTED]');
    expect(createScrubber([])('unchanged')).toBe('unchanged');
  });
});
