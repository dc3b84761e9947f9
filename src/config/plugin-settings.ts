import { z } from 'zod';
import { settingsRegistry } from './settings-registry.js';
import type { Config } from './config.js';
import { text } from './values.js';

/** Which plugin serves a plugin type, and its settings (validated by the plugin itself). */
function pluginChoice(
  type: string,
  fallback: string,
  ...vendors: readonly { use: string; when: string }[]
) {
  return z
    .strictObject({
      use: text(),
      settings: z
        .record(z.string(), z.unknown(), { error: 'expected a mapping of settings' })
        .optional(),
    })
    .optional()
    .register(settingsRegistry, {
      description: `The ${type.replace('_', ' ')} plugin (\`use\`) and its \`settings\`.`,
      default: `\`use: ${fallback}\`${vendors
        .map(
          (vendor) =>
            `; \`${vendor.use}\` when ${vendor.when
              .split(' or ')
              .map((v) => `\`${v}\``)
              .join(' or ')} is set`,
        )
        .join('')}`,
    });
}

/** `plugins:` in aidev.config.yaml: which plugin serves each type, and plugin packages. */
export const pluginSettingsSchema = z
  .strictObject({
    task_management: pluginChoice(
      'task_management',
      'local',
      { use: 'jira', when: 'JIRA_URL' },
      { use: 'linear', when: 'LINEAR_API_KEY or LINEAR_ACCESS_TOKEN' },
    ),
    version_control: pluginChoice(
      'version_control',
      'local_git',
      { use: 'github', when: 'GITHUB_TOKEN or GITHUB_APP_ID' },
      { use: 'gitlab', when: 'GITLAB_TOKEN' },
    ),
    documentation: pluginChoice('documentation', 'local_docs', {
      use: 'confluence',
      when: 'CONFLUENCE_URL',
    }),
    communication: pluginChoice('communication', 'console', {
      use: 'slack',
      when: 'SLACK_BOT_TOKEN',
    }),
    packages: z.array(text()).optional().register(settingsRegistry, {
      description:
        'npm packages with more plugins (each exports `plugins`, a list of plugin definitions).',
      default: 'none',
    }),
  })
  .optional();

/**
 * The plugin of each type: the settings file's choice, else the vendor whose credentials are
 * set (`vendors`), else the embedded default.
 */
export function pluginsOf(
  settings: z.output<typeof pluginSettingsSchema>,
  vendors: {
    readonly tracker: 'jira' | 'linear' | undefined;
    readonly github: boolean;
    readonly gitlab: boolean;
    readonly confluence: boolean;
    readonly slack: boolean;
  },
): Config['plugins'] {
  const choice = (
    chosen: { use: string; settings?: Record<string, unknown> | undefined } | undefined,
    fallback: string,
  ) => ({ use: chosen?.use ?? fallback, settings: chosen?.settings ?? {} });
  return {
    choices: {
      task_management: choice(settings?.task_management, vendors.tracker ?? 'local'),
      // GitHub's credentials win over GitLab's; the settings file can choose either.
      version_control: choice(
        settings?.version_control,
        vendors.github ? 'github' : vendors.gitlab ? 'gitlab' : 'local_git',
      ),
      documentation: choice(
        settings?.documentation,
        vendors.confluence ? 'confluence' : 'local_docs',
      ),
      communication: choice(settings?.communication, vendors.slack ? 'slack' : 'console'),
    },
    packages: settings?.packages ?? [],
  };
}
