import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { consoleChannel } from '../../src/adapters/console/console-channel.js';
import { definePlugin, type Plugin, type PluginContext } from '../../src/plugins/plugin.js';
import { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { Guards } from '../../src/resilience/guards.js';
import type { Store } from '../../src/store/store.js';
import { capturingLogger } from '../support/logger.js';

function registry(): { registry: PluginRegistry; lines: string[] } {
  const { logger, lines } = capturingLogger({ secrets: ['s3cret-token'] });
  const context: PluginContext = {
    logger,
    // These plugins never touch the store; a registry test needs no database.
    store: {} as Store,
    guards: new Guards(logger),
    dataDir: '/tmp',
  };
  return { registry: new PluginRegistry(context), lines };
}

/** A communication plugin whose connect and health behave as told. */
function scriptedChannel(name: string, behaviour: { connect?: Error; health?: 'hang' | Error }) {
  return definePlugin({
    type: 'communication',
    name,
    description: `scripted ${name}`,
    configSchema: z.strictObject({ token: z.string().min(10), channel: z.string() }),
    secretFields: ['token'],
    create(config): Plugin<'communication'> {
      const posted = { channel: config.channel, message_id: `${name}-1` };
      return {
        type: 'communication',
        name,
        connect: () => (behaviour.connect ? Promise.reject(behaviour.connect) : Promise.resolve()),
        disconnect: () => Promise.resolve(),
        health: () =>
          behaviour.health === 'hang'
            ? new Promise(() => undefined)
            : behaviour.health
              ? Promise.reject(behaviour.health)
              : Promise.resolve({ ok: true, detail: 'fine' }),
        actions: {
          send_message: () => Promise.resolve(posted),
          update_message: () => Promise.resolve(posted),
          reply_in_thread: () => Promise.resolve(posted),
        },
      };
    },
  });
}

describe('plugin registry', () => {
  it('refuses a configuration naming the field, without echoing a secret', () => {
    const { registry: plugins } = registry();
    plugins.register(scriptedChannel('chat', {}));
    let message = '';
    try {
      plugins.configure('communication', 'chat', { token: 's3cret', chanel: 'x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('plugins.communication.chat.token');
    expect(message).toContain('plugins.communication.chat.channel');
    expect(message).toMatch(/chanel/);
    expect(message).not.toContain('s3cret');
  });

  it('names the plugins it knows when asked for an unknown one', () => {
    const { registry: plugins } = registry();
    plugins.register(consoleChannel);
    expect(() => plugins.configure('communication', 'consol', {})).toThrow(
      /expected one of console, found "consol".*did you mean "console"/,
    );
  });

  it('refuses to register two plugins of one type under one name', () => {
    const { registry: plugins } = registry();
    plugins.register(consoleChannel);
    expect(() => plugins.register(consoleChannel)).toThrow(/already registered/);
  });

  it('gives a channel its own plugin and every other channel the global one', () => {
    const { registry: plugins } = registry();
    plugins.register(scriptedChannel('chat', {}));
    plugins.register(consoleChannel);
    plugins.configure('communication', 'console', {});
    plugins.configure('communication', 'chat', { token: 'a-long-token', channel: 'ops' }, 'C-OPS');
    expect(plugins.resolve('communication', 'C-OPS').plugin.name).toBe('chat');
    expect(plugins.resolve('communication', 'C-OTHER').plugin.name).toBe('console');
    expect(plugins.resolve('communication').plugin.name).toBe('console');
    expect(() => plugins.resolve('documentation')).toThrow(/no documentation plugin/);
  });

  it('isolates a plugin that cannot connect or answer: the others stay healthy', async () => {
    const { registry: plugins, lines } = registry();
    plugins.register(scriptedChannel('broken', { connect: new Error('401 from s3cret-token') }));
    plugins.register(consoleChannel);
    plugins.configure('communication', 'broken', { token: 'a-long-token', channel: 'x' }, 'C1');
    plugins.configure('communication', 'console', {});
    await plugins.connectAll();
    const health = await plugins.health();
    expect(health).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'console', scope: '*', ok: true }),
        expect.objectContaining({
          name: 'broken',
          scope: 'C1',
          ok: false,
          detail: expect.stringContaining('could not connect') as unknown as string,
        }),
      ]),
    );
    expect(plugins.resolve('communication', 'C1').connection.status().detail).toMatch(/401/);
    expect(lines.join('\n')).not.toContain('s3cret-token');
    await plugins.disconnectAll();
  });

  it('reports a health check that throws as unhealthy', async () => {
    const { registry: plugins } = registry();
    plugins.register(scriptedChannel('flaky', { health: new Error('timeout talking to chat') }));
    plugins.configure('communication', 'flaky', { token: 'a-long-token', channel: 'x' });
    expect(await plugins.health()).toEqual([
      expect.objectContaining({ ok: false, detail: 'timeout talking to chat' }),
    ]);
  });

  it('loads third-party plugins from a package and refuses one that exports none', async () => {
    const { registry: plugins } = registry();
    const names = await plugins.loadPackage('aidev-plugin-chat', () =>
      Promise.resolve({ plugins: [scriptedChannel('chat', {})] }),
    );
    expect(names).toEqual(['communication/chat']);
    await expect(
      plugins.loadPackage('left-pad', () => Promise.resolve({ default: () => '' })),
    ).rejects.toThrow(/left-pad does not export plugin definitions \(plugins: /);
    await expect(plugins.loadPackage('aidev-plugin-missing-for-sure')).rejects.toThrow(
      /cannot load the package "aidev-plugin-missing-for-sure".*/,
    );
  });
});
