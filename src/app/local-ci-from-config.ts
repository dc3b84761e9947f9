import { repositoryTests } from '../agents/repository-tests.js';
import type { Config } from '../config/config.js';
import type { ActionRunner } from '../engine/runners.js';
import { resolveRef } from '../git/git.js';
import { LocalCi } from '../pr-loop/local-ci.js';
import type { PrLoop } from '../pr-loop/pr-loop.js';
import type { Store } from '../store/store.js';
import { agentSettings, channelAgentSetting } from './ai.js';

/** The local pull requests' CI, running the tests with the agents' settings and sandbox. */
export function localCi(options: {
  config: Config;
  store: Store;
  actions: ActionRunner;
  loop: Pick<PrLoop, 'addFeedback'>;
}): LocalCi {
  const { config, store } = options;
  const setting = channelAgentSetting(store);
  return new LocalCi({
    store,
    actions: options.actions,
    loop: options.loop,
    tests: repositoryTests(agentSettings(config), (channelId) =>
      setting(channelId, 'setup_command'),
    ),
    branchHead: (repositoryDir, branch) => resolveRef(repositoryDir, `refs/heads/${branch}`),
    dataDir: config.dataDir,
  });
}
