import { createHash } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

describeEachBackend(
  'channel settings, plugin configurations, API tokens and audit log',
  (database) => {
    beforeEach(async () => resetTables(database().db));

    it('stores channel settings and bumps their version on every change', async () => {
      const { store } = database();
      expect(await store.channels.get('C1')).toBeNull();
      const created = await store.channels.put(
        'C1',
        { repository: 'acme/api', approvers: ['U1'] },
        { updatedBy: 'U1' },
      );
      expect(created).toMatchObject({
        version: 1,
        updatedBy: 'U1',
        settings: { repository: 'acme/api', approvers: ['U1'] },
      });
      const changed = await store.channels.put(
        'C1',
        { repository: 'acme/web' },
        { updatedBy: 'U2', expectedVersion: 1 },
      );
      expect(changed).toMatchObject({ version: 2, settings: { repository: 'acme/web' } });
      expect((await store.channels.list()).map((c) => c.channelId)).toEqual(['C1']);
    });

    it('refuses a settings write based on a version someone else already changed', async () => {
      const { store } = database();
      await store.channels.put('C1', { model: 'a' }, { updatedBy: 'U1' });
      await store.channels.put('C1', { model: 'b' }, { updatedBy: 'U2', expectedVersion: 1 });
      await expect(
        store.channels.put('C1', { model: 'c' }, { updatedBy: 'U3', expectedVersion: 1 }),
      ).rejects.toThrow('the settings of channel C1 were changed by someone else');
      await expect(
        store.channels.put('C1', { model: 'd' }, { updatedBy: 'U3', expectedVersion: 0 }),
      ).rejects.toThrow('changed by someone else');
      expect((await store.channels.get('C1'))?.settings).toEqual({ model: 'b' });
    });

    it('keeps sealed plugin secrets unless they are replaced or cleared', async () => {
      const { store } = database();
      await store.plugins.upsert({
        pluginType: 'version_control',
        pluginName: 'github',
        settings: { owner: 'acme' },
        secrets: { ciphertext: 'v1:abc', keyId: 'k1' },
      });
      const kept = await store.plugins.upsert({
        pluginType: 'version_control',
        pluginName: 'github',
        settings: { owner: 'acme2' },
      });
      expect(kept).toMatchObject({
        settings: { owner: 'acme2' },
        secrets: { ciphertext: 'v1:abc', keyId: 'k1' },
        scope: '*',
      });
      const cleared = await store.plugins.upsert({
        pluginType: 'version_control',
        pluginName: 'github',
        settings: {},
        secrets: null,
      });
      expect(cleared.secrets).toBeNull();
      await store.plugins.upsert({
        pluginType: 'version_control',
        pluginName: 'github',
        scope: 'C1',
        settings: { owner: 'team' },
        enabled: false,
      });
      expect((await store.plugins.list()).map((p) => `${p.scope}:${String(p.enabled)}`)).toEqual([
        '*:true',
        'C1:false',
      ]);
      expect((await store.plugins.get('version_control', 'github', 'C1'))?.settings).toEqual({
        owner: 'team',
      });
      expect(await store.plugins.remove('version_control', 'github', 'C1')).toBe(true);
      expect(await store.plugins.get('version_control', 'github', 'C1')).toBeNull();
    });

    it('authenticates a token by its hash until it is revoked or expires, and never returns the hash', async () => {
      const { store } = database();
      const token = await store.tokens.create({
        name: 'ci',
        role: 'operator',
        tokenPrefix: 'aidev_ab',
        tokenHash: hash('aidev_abc123'),
      });
      expect(token).not.toHaveProperty('tokenHash');
      const found = await store.tokens.authenticate(hash('aidev_abc123'));
      expect(found).toMatchObject({ id: token.id, role: 'operator' });
      expect(found?.lastUsedAt).toBeInstanceOf(Date);
      expect(await store.tokens.authenticate(hash('wrong'))).toBeNull();
      expect(await store.tokens.revoke(token.id)).toBe(true);
      expect(await store.tokens.revoke(token.id)).toBe(false);
      expect(await store.tokens.authenticate(hash('aidev_abc123'))).toBeNull();

      await store.tokens.create({
        name: 'old',
        role: 'viewer',
        tokenPrefix: 'aidev_ol',
        tokenHash: hash('old'),
        expiresAt: new Date(Date.now() - 1),
      });
      expect(await store.tokens.authenticate(hash('old'))).toBeNull();
      expect((await store.tokens.list()).map((t) => t.name)).toEqual(['ci', 'old']);
    });

    it('appends audit entries with before and after, newest first, filtered by target or actor', async () => {
      const { store } = database();
      await store.audit.append({
        actor: 'slack:U1',
        action: 'channel_settings.update',
        targetType: 'channel',
        targetId: 'C1',
        before: { model: 'a' },
        after: { model: 'b' },
      });
      await store.audit.append({
        actor: 'token:t1',
        action: 'run.cancel',
        targetType: 'run',
        targetId: 'r1',
        metadata: { reason: 'stuck' },
      });
      await store.audit.append({
        actor: 'slack:U1',
        action: 'channel_settings.update',
        targetType: 'channel',
        targetId: 'C2',
        after: { model: 'c' },
      });
      const all = await store.audit.list();
      expect(all.map((e) => e.targetId)).toEqual(['C2', 'r1', 'C1']);
      expect(all[2]).toMatchObject({ before: { model: 'a' }, after: { model: 'b' } });
      expect(all[0]?.before).toBeNull();
      expect((await store.audit.list({ actor: 'slack:U1' })).map((e) => e.targetId)).toEqual([
        'C2',
        'C1',
      ]);
      expect((await store.audit.list({ targetType: 'run', targetId: 'r1' }))[0]?.metadata).toEqual({
        reason: 'stuck',
      });
      const older = await store.audit.list({ beforeId: all[0]?.id ?? 0, limit: 1 });
      expect(older.map((e) => e.targetId)).toEqual(['r1']);
    });
  },
);
