import { describe, expect, it } from 'vitest';
import { capBlocks, LIMITS, longText, section } from '../../blocks/limits.js';
import { planMessage } from '../../blocks/plan-message.js';
import { runMessage } from '../../blocks/run-message.js';

const RUN = '2f7c9a1e-4b3d-4e5f-8a9b-0c1d2e3f4a5b';

describe('Block Kit builders', () => {
  it('cut a long plan into sections under 3,000 characters, at most twelve, pointing to the rest', () => {
    const text = Array.from(
      { length: 400 },
      (_, i) => `${i + 1}. ${'a step of the plan '.repeat(5)}`,
    ).join('\n');
    const message = planMessage({
      runId: RUN,
      revision: 0,
      heading: 'PROJ-1',
      text,
      approvers: ['U1'],
    });
    const sections = message.blocks.filter((b) => b.type === 'section');
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    for (const block of sections)
      expect((block.text as { text: string }).text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(JSON.stringify(message.blocks)).toContain(
      `The plan is longer than a message holds: aidev run ${RUN}`,
    );
    expect(longText('short', 3, 'x')).toHaveLength(1);
  });

  it('never post more than 50 blocks, saying how many were left out', () => {
    const blocks = capBlocks(
      Array.from({ length: 70 }, (_, i) => section(`block ${i}`)),
      'aidev run X',
    );
    expect(blocks).toHaveLength(50);
    expect(JSON.stringify(blocks.at(-1))).toContain('…21 more: aidev run X');
  });

  it('show a run as a checklist with its status, PR link and cost', () => {
    const { text, blocks } = runMessage({
      runId: RUN,
      title: 'PROJ-1: Round totals',
      status: 'succeeded',
      steps: [
        { name: 'plan', status: 'succeeded', durationMs: 1200 },
        { name: 'notify', status: 'skipped' },
      ],
      costUsd: '$0.0123',
      prUrl: 'https://github.test/acme/shop/pull/1',
    });
    expect(text).toBe('PROJ-1: Round totals: ready for review');
    const json = JSON.stringify(blocks);
    expect(json).toContain(':white_check_mark: plan _1.2 s_');
    expect(json).toContain('<https://github.test/acme/shop/pull/1|Pull request>');
    expect(json).toContain('Cost so far: *$0.0123*');
  });

  it('show the rounds of fixes on the run’s pull request, their last result escaped', () => {
    const { blocks } = runMessage({
      runId: RUN,
      title: 'PROJ-1',
      status: 'succeeded',
      steps: [],
      costUsd: '$0.42',
      rounds: { count: 2, max: 3, last: 'pushed <!channel> *abc1234*' },
    });
    const json = JSON.stringify(blocks);
    expect(json).toContain('Rounds: 2 of 3 · last: pushed &lt;!channel&gt; \u2217abc1234\u2217');
    expect(json).toContain('Cost so far, rounds included: *$0.42*');
  });
});
