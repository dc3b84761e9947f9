import type { PrLoop, PrLoopOptions } from './pr-loop.js';
import { classifyDelivery } from './classify-delivery.js';
import { classifyGitLabDelivery } from './classify-gitlab-delivery.js';
import { describeOutcome, feedbackOf } from './loop-texts.js';

/** The forges whose webhook deliveries feed the loop. */
export const FORGE_SOURCES = ['github', 'gitlab'] as const;
export type ForgeSource = (typeof FORGE_SOURCES)[number];

const CLASSIFIERS = { github: classifyDelivery, gitlab: classifyGitLabDelivery } as const;
const NAMES = { github: 'GitHub', gitlab: 'GitLab' } as const;

/**
 * Acts on a recorded GitHub delivery, once: a second call (a redelivery, a retried job)
 * returns the outcome recorded the first time. Feedback goes to the loop (`addFeedback`); a
 * closed or merged pull request ends its loop; everything else is ignored with its reason.
 */
export function actOnGitHubDelivery(
  options: Pick<PrLoopOptions, 'store' | 'log' | 'settings' | 'identity'>,
  loop: Pick<PrLoop, 'addFeedback'>,
  deliveryId: string,
): Promise<string> {
  return actOnForgeDelivery(options, loop, 'github', deliveryId);
}

/** The same for any forge's delivery: GitHub's, or GitLab's (classify-gitlab-delivery.ts). */
export async function actOnForgeDelivery(
  options: Pick<PrLoopOptions, 'store' | 'log' | 'settings' | 'identity'>,
  loop: Pick<PrLoop, 'addFeedback'>,
  source: ForgeSource,
  deliveryId: string,
): Promise<string> {
  const { store, log } = options;
  const delivery = await store.webhookDeliveries.get(source, deliveryId);
  if (delivery === null) return 'no such delivery';
  if (delivery.handledAt !== null) return delivery.outcome ?? 'handled';
  const own = await identity(options);
  const classified = CLASSIFIERS[source](delivery.event, delivery.payload, {
    selfLogins: own.logins,
    mentions: own.mentions,
    allowedBots: options.settings.allowedBots,
  });
  let outcome: string;
  switch (classified.kind) {
    case 'ignored':
      outcome = `ignored: ${classified.reason}`;
      break;
    case 'closed': {
      const state = classified.merged ? 'merged' : 'closed';
      outcome = (await store.pullRequests.setState(classified.pullUrl, state))
        ? `the pull request was ${state}: its loop has ended`
        : `ignored: a pull request aidev did not open was ${state}`;
      break;
    }
    case 'feedback': {
      const outcomes: string[] = [];
      for (const pullUrl of classified.pullUrls)
        outcomes.push(
          describeOutcome(
            await loop.addFeedback(pullUrl, {
              ...feedbackOf(classified.item),
              origin: `${source}:${deliveryId}`,
            }),
          ),
        );
      outcome = outcomes.join('; ') || 'ignored: on no pull request';
    }
  }
  await store.webhookDeliveries.markHandled(source, deliveryId, outcome.slice(0, 500));
  log.info(
    { delivery: deliveryId, event: delivery.event, action: delivery.action, outcome },
    `acted on a ${NAMES[source]} delivery`,
  );
  return outcome;
}

/** aidev's own logins (never feedback) and the names that call it, as GitHub knows them. */
async function identity(
  options: Pick<PrLoopOptions, 'log' | 'settings' | 'identity'>,
): Promise<{ logins: readonly string[]; mentions: readonly string[] }> {
  const own = await options.identity?.().catch((error: unknown) => {
    options.log.warn({ err: error }, 'could not learn aidev’s own login on the forge');
    return undefined;
  });
  return {
    logins: own?.logins ?? [],
    mentions: [...options.settings.mentions, ...(own?.mentions ?? [])],
  };
}
