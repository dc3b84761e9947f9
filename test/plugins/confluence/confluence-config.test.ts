import { beforeEach, describe, expect, it } from 'vitest';
import { confluence as confluenceAdapter } from '../../../src/adapters/confluence/confluence.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { Store } from '../../../src/store/store.js';
import { callContext } from '../contracts/call-context.js';
import { BASIC, EMAIL, TOKEN, useConfluenceServer } from './confluence-setup.js';

const confluence = useConfluenceServer();
const { build, reset, lines, logger } = confluence;

describe('confluence plugin', () => {
  beforeEach(reset);

  it('refuses a configuration field by field, without echoing the token', () => {
    expect(() =>
      build({
        url: 'acme.atlassian.net',
        email: 'nobody',
        space: 'two words',
        api_token: 'sekrit-1',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message: expect.stringMatching(
          /plugins\.documentation\.confluence\.url: .*site URL[\s\S]*\.email: [\s\S]*\.space: .*space key/,
        ) as unknown as string,
      }),
    );
    expect(() => build({ api_token: '' })).toThrow(/plugins\.documentation\.confluence\.api_token/);
    const typo = (() => {
      try {
        build({ api_token: 4242424242 });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(typo).toMatch(/plugins\.documentation\.confluence\.api_token/);
    expect(typo).not.toContain('4242424242');
    // A URL copied from the browser (with /wiki) is the same site.
    confluence.plugin = build({ url: `${confluence.server.url}/wiki/` });
    return expect(confluence.plugin.health()).resolves.toMatchObject({ ok: true });
  });

  it('never logs the API token', async () => {
    confluence.server.http.inject({
      when: (r) => r.operationId === 'createPage',
      status: 429,
      headers: { 'retry-after': '0' },
    });
    await confluence.plugin.actions.create_page_from_template(
      { template_type: 'page', title: 'Logged', content: 'x' },
      { ...callContext(), log: logger },
    );
    const revokedGuards = new Guards(logger);
    const registry = new PluginRegistry({
      logger,
      store: {} as Store,
      guards: revokedGuards,
      dataDir: '/tmp',
    });
    registry.register(confluenceAdapter);
    registry.configure('documentation', 'confluence', {
      url: confluence.server.url,
      email: EMAIL,
      api_token: `${TOKEN}-revoked`,
      space: 'ENG',
    });
    await registry.connectAll(); // fails (401) and logs why
    await registry.disconnectAll(); // no reconnection attempts during the later tests
    revokedGuards.shutdown();
    expect(lines.some((l) => l.includes('retrying'))).toBe(true);
    expect(lines.some((l) => l.includes('could not connect'))).toBe(true);
    expect(lines.some((l) => l.includes('created page'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(BASIC);
    }
  });
});
