import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { channelSettingsSchema } from '../../../channels/channel-settings.js';
import { updateChannelSettings } from '../../../channels/update-channel-settings.js';
import type { ChannelSettingsRecord } from '../../../store/repositories/channel-settings.js';
import type { Store } from '../../../store/store.js';
import { problem, validationProblem } from '../../problem.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idText } from '../schemas.js';

const channelParams = z.strictObject({ id: idText.describe('the channel id') });

const settingsView = z
  .object({
    channel_id: z.string(),
    settings: channelSettingsSchema,
    version: z.number().int().describe('0 before the first change; give it back to change them'),
    updated_by: z.string().nullable(),
    updated_at: z.iso.datetime({ offset: true }).nullable(),
    resumed_runs: z.array(z.string()).optional().describe('runs a raised monthly budget let go on'),
  })
  .meta({ id: 'ChannelSettings' });

const putBody = z.strictObject({
  settings: channelSettingsSchema.describe('the whole settings: keys left out are unset'),
  version: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('the version you read: a 409 if they changed since (or send If-Match)'),
});

function view(channelId: string, record: ChannelSettingsRecord | null) {
  return {
    channel_id: channelId,
    settings: record?.settings ?? {},
    version: record?.version ?? 0,
    updated_by: record?.updatedBy ?? null,
    updated_at: record?.updatedAt.toISOString() ?? null,
  };
}

/** `If-Match: "3"` (or `W/"3"`), as the ETag of GET gives it. */
function versionFromHeader(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export function channelRoutes(app: App): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/channels/:id/settings',
      role: 'viewer',
      tag: 'channels',
      summary: 'A channel’s defaults: repository, workflow, model, budgets, approvers',
      params: channelParams,
      responses: {
        200: { description: 'the settings (ETag: their version)', schema: settingsView },
      },
      async handler({ params, reply }) {
        const record = await app.store.channels.get(params.id);
        reply.header('ETag', `"${record?.version ?? 0}"`);
        return view(params.id, record);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/channels/:id/settings',
      role: 'admin',
      tag: 'channels',
      summary:
        'Replace a channel’s defaults; a raised monthly budget lets the runs it paused go on',
      description:
        'Answers 409 when the settings changed since the version given (in `version` or If-Match), or while this change was being made.',
      params: channelParams,
      body: putBody,
      responses: { 200: { description: 'the settings now', schema: settingsView } },
      audit: { action: 'channel.settings.update', target: 'channel', self: true },
      async handler({ params, body, principal, request, reply }) {
        const current = await app.store.channels.get(params.id);
        const expected = body.version ?? versionFromHeader(request.headers['if-match']);
        if (expected !== undefined && expected !== (current?.version ?? 0))
          throw problem(
            409,
            'conflict',
            `the settings of channel ${params.id} are at version ${current?.version ?? 0}, not ${expected}: read them again and retry`,
          );
        const change = await updateChannelSettings(
          { store: pinned(app.store, params.id, current), engine: app.engine },
          params.id,
          {
            set: body.settings,
            unset: Object.keys(current?.settings ?? {}).filter((key) => !(key in body.settings)),
          },
          principal.actor,
        );
        if (!change.ok)
          throw validationProblem(
            change.problems.map((p) => ({
              path: `settings.${p.path}`,
              message: p.message,
              in: 'body',
            })),
          );
        const record = await app.store.channels.get(params.id);
        reply.header('ETag', `"${record?.version ?? 0}"`);
        return { ...view(params.id, record), resumed_runs: [...change.resumedRuns] };
      },
    }),
  ];
}

/**
 * The store as the client saw it: the change is computed from the version read here and
 * written only if it is still that version, so a concurrent change answers 409.
 */
function pinned(store: Store, channelId: string, record: ChannelSettingsRecord | null): Store {
  return {
    ...store,
    channels: {
      ...store.channels,
      get: (id: string) => (id === channelId ? Promise.resolve(record) : store.channels.get(id)),
    },
  };
}
