import path from 'node:path';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/fences');

/**
 * Cruises `entries` under `baseDir` with the project's own .dependency-cruiser.js, as
 * `npm run lint:deps` does, and returns each violation as "rule: from".
 */
async function violations(baseDir: string, entries: string[]): Promise<string[]> {
  const options = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.js'));
  const { output } = await cruise(entries, { ...options, baseDir, validate: true });
  if (typeof output === 'string') throw new Error('expected the JSON result of a cruise');
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from}`);
}

describe('dependency fences (whole import graph)', () => {
  it('flag every fence bypass in the fixtures, and only those', async () => {
    const found = await violations(fixtures, ['src', 'commands']);
    expect([...found].sort()).toEqual(
      [
        // `await import('@anthropic-ai/sdk')` in core code.
        'anthropic-sdk-outside-its-adapter: src/engine/dynamic-sdk.ts',
        // `createRequire(import.meta.url)('pg')`: the loader itself is refused.
        'module-loader: src/agents/create-require.ts',
        // `const require = createRequire(…); require('pg')`: the loader and the driver.
        'module-loader: src/agents/named-require.ts',
        'store-library-outside-src-store: src/agents/named-require.ts',
        // `export * from '../app/…'` in core code.
        'core-reaches-app: src/costs/reexport-app.ts',
        // engine → plugins/helper → adapters/github: no single file shows it.
        'core-reaches-adapter: src/engine/chain.ts',
        // The Slack layers depend downward only: front end → commands → blocks.
        'slack-layering-commands: commands/upward.ts',
        'slack-layering-src-adapters-slack: src/adapters/slack/front-end-in-adapter.ts',
      ].sort(),
    );
  });

  it('find no violation in the real sources', async () => {
    expect(await violations(root, ['src', 'commands', 'blocks'])).toEqual([]);
  });
});
