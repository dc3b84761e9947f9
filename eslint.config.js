// @ts-check
import js from '@eslint/js';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Vendor SDKs may only be imported by the adapter folder named after their service
 * (src/adapters/<service>/). Core code depends on our own interfaces instead.
 */
const vendorSdks = {
  slack: ['@slack/*'],
  github: ['@octokit/*', 'octokit'],
  gitlab: ['@gitbeaker/*'],
  // As regular expressions: the gitignore-style pattern `jira.js` would also match our own
  // `../adapters/jira/jira.js`.
  jira: /^jira\.js(\/.*)?$/,
  linear: ['@linear/*'],
  confluence: /^confluence\.js(\/.*)?$/,
  anthropic: ['@anthropic-ai/*'],
  // As a regular expression: the pattern `openai` would also match our own `adapters/openai/`.
  openai: /^openai(\/.*)?$/,
  // The Monitoring plugin's SDK (#20): core code records through the monitoring interface.
  opentelemetry: ['@opentelemetry/*'],
};

/**
 * Infrastructure libraries are fenced the same way: SQL and drivers live in the store,
 * the job library in jobs. Type-only imports are allowed so that wiring code can name types.
 */
const infrastructure = {
  store: ['pg', 'pg-*', '@electric-sql/*'],
  jobs: ['agenda', '@agendajs/*'],
};

/** Core folders never reach past the plugin interfaces into an adapter. */
const coreFolders = ['engine', 'agents', 'costs'];

/**
 * @param {{ vendor?: string | string[], infra?: string, core?: boolean }} allowed
 */
function fence(allowed) {
  const patterns = [];
  const vendors = allowed.vendor === undefined ? [] : [allowed.vendor].flat();
  for (const [service, sdk] of Object.entries(vendorSdks)) {
    if (vendors.includes(service)) continue;
    patterns.push({
      ...(sdk instanceof RegExp ? { regex: sdk.source } : { group: sdk }),
      message: `The ${service} SDK may only be imported in src/adapters/${service}/; depend on the plugin interface instead.`,
    });
  }
  for (const [folder, libs] of Object.entries(infrastructure)) {
    if (folder === allowed.infra) continue;
    patterns.push({
      group: libs,
      allowTypeImports: true,
      message: `This library may only be imported in src/${folder}/; go through its typed module instead.`,
    });
  }
  if (allowed.core) {
    patterns.push({
      group: ['**/adapters/**'],
      message:
        'Core code (engine, agents, costs) must not import adapters; use the plugin registry.',
    });
  }
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'coverage/',
      'dist/',
      '.aidev/',
      'test/fixtures/lint/',
      // Fence bypasses that lint:deps must refuse (test/lint/dependency-fences.test.ts).
      'test/fixtures/fences/',
      'demo/sample-repository/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  comments.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@eslint-community/eslint-comments/require-description': 'error',
      '@eslint-community/eslint-comments/disable-enable-pair': ['error', { allowWholeFile: true }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'error',
    },
  },
  { files: ['src/**/*.ts', 'commands/**/*.ts', 'blocks/**/*.ts'], rules: fence({}) },
  {
    // What the whole-graph fences (npm run lint:deps, .dependency-cruiser.js) cannot see:
    // a module loaded by a computed name, or through a require function of our own making.
    files: ['src/**/*.ts', 'commands/**/*.ts', 'blocks/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.type!="Literal"]',
          message:
            'import() of a computed name hides the dependency from npm run lint:deps; import a literal module name.',
        },
        {
          selector: 'CallExpression[callee.name="createRequire"]',
          message:
            'createRequire loads modules out of sight of npm run lint:deps; use import or import().',
        },
      ],
    },
  },
  ...coreFolders.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: fence({ core: true }),
  })),
  ...Object.keys(vendorSdks).map((vendor) => ({
    files: [`src/adapters/${vendor}/**/*.ts`],
    rules: fence({ vendor }),
  })),
  // The Slack front end (Bolt app, receivers, listeners) is built on Slack's own framework.
  { files: ['src/slack/**/*.ts'], rules: fence({ vendor: 'slack' }) },
  // GitHub's webhooks (src/github) are verified with GitHub's own @octokit/webhooks.
  { files: ['src/github/**/*.ts'], rules: fence({ vendor: 'github' }) },
  // The trackers' webhooks (src/trackers, Jira and Linear) may use their vendors' helpers.
  { files: ['src/trackers/**/*.ts'], rules: fence({ vendor: ['jira', 'linear'] }) },
  ...Object.keys(infrastructure).map((infra) => ({
    files: [`src/${infra}/**/*.ts`],
    rules: fence({ infra }),
  })),
  {
    // The process entry owns the console; tests, benchmarks and scripts report to it too.
    files: ['src/bin/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Test doubles implement async interfaces with synchronous bodies.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
