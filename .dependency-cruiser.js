// @ts-check
/**
 * The layering of aidev, checked on the whole import graph (`npm run lint:deps`).
 *
 * ESLint's no-restricted-imports sees one file and static `import` only; this sees every
 * static and dynamic `import()`, `require`, `process.getBuiltinModule` and re-export, follows
 * chains, and keeps type-only imports apart from runtime ones. The fences are the same as
 * in eslint.config.js:
 * - a vendor SDK only in src/adapters/<vendor>/;
 * - database drivers only in src/store/, the job library only in src/jobs/ (other code may
 *   name their types);
 * - core code (engine, agents, costs) never reaches an adapter or the application wiring,
 *   directly or through any chain of modules;
 * - nothing loads modules behind the graph's back (`createRequire`, `module`).
 *
 * Paths are relative to the base directory, so test/fixtures/fences/ can reuse these rules
 * on a miniature src/ tree.
 */

/** Vendor SDKs, by the adapter folder that may import them. */
const vendorSdks = {
  slack: ['@slack/'],
  github: ['@octokit/', 'octokit/'],
  gitlab: ['@gitbeaker/'],
  jira: ['jira\\.js/'],
  linear: ['@linear/'],
  confluence: ['confluence\\.js/'],
  anthropic: ['@anthropic-ai/'],
  openai: ['openai/'],
  opentelemetry: ['@opentelemetry/'],
};

/**
 * Front ends built on a vendor's own framework (Bolt, @octokit/webhooks): they may import its
 * SDK too. src/trackers receives Jira's and Linear's webhooks.
 * @type {Record<string, string>}
 */
const frontEnds = {
  slack: '^src/slack/',
  github: '^src/github/',
  // The trackers' webhooks: Jira's and Linear's.
  jira: '^src/trackers/',
  linear: '^src/trackers/',
};

/**
 * The Slack layers, top to bottom: the front end (src/slack), the subcommands (commands/),
 * the message builders (blocks/). Each depends downward only, and the Slack adapter (the
 * communication plugin) on none of them but blocks' types.
 */
const slackLayers = [
  { from: '^commands/', to: '^src/slack/', why: 'commands/ sits below the Slack front end' },
  { from: '^blocks/', to: '^(src|commands)/', why: 'blocks/ builds messages from data only' },
  {
    from: '^src/adapters/slack/',
    to: '^(src/slack|src/app|src/http|commands)/',
    why: 'the Slack adapter is a plugin, not the front end',
  },
];

/** Infrastructure libraries, by the src/ folder that may load them at run time. */
const infrastructure = {
  store: ['pg/', 'pg-[^/]+/', '@electric-sql/'],
  jobs: ['agenda/', '@agendajs/'],
};

const coreFolders = ['engine', 'agents', 'costs'];

/** Our own code: every source folder the fences apply to. */
const ownCode = '^(src|commands|blocks)/';

/**
 * A package under node_modules, wherever the cruise starts from.
 * @param {string[]} prefixes
 */
const npmPackage = (prefixes) => prefixes.map((prefix) => `(^|/)node_modules/${prefix}`);

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    ...Object.entries(vendorSdks).map(([vendor, sdk]) => ({
      name: `${vendor}-sdk-outside-its-adapter`,
      severity: 'error',
      comment: `The ${vendor} SDK may only be imported in src/adapters/${vendor}/; depend on the plugin interface instead.`,
      from: { path: ownCode, pathNot: `^src/adapters/${vendor}/|${frontEnds[vendor] ?? '^$'}` },
      to: { path: npmPackage(sdk) },
    })),
    ...Object.entries(infrastructure).map(([folder, libs]) => ({
      name: `${folder}-library-outside-src-${folder}`,
      severity: 'error',
      comment: `This library may only be loaded in src/${folder}/; go through its typed module instead (type-only imports are fine).`,
      from: { path: ownCode, pathNot: `^src/${folder}/` },
      to: { path: npmPackage(libs), dependencyTypesNot: ['type-only'] },
    })),
    ...slackLayers.map((layer) => ({
      name: `slack-layering-${layer.from.replace(/\W+/g, '-').replace(/^-|-$/g, '')}`,
      severity: /** @type {const} */ ('error'),
      comment: `Upward import: ${layer.why}.`,
      from: { path: layer.from },
      to: { path: layer.to },
    })),
    {
      name: 'core-reaches-adapter',
      severity: 'error',
      comment:
        'Core code (engine, agents, costs) must not reach an adapter, through any chain of modules; use the plugin registry.',
      from: { path: `^src/(${coreFolders.join('|')})/` },
      to: { path: '^src/adapters/', reachable: true },
    },
    {
      name: 'core-reaches-app',
      severity: 'error',
      comment:
        'Core code (engine, agents, costs) must not reach the application wiring in src/app/, through any chain of modules; take what it needs as a parameter.',
      from: { path: `^src/(${coreFolders.join('|')})/` },
      to: { path: '^src/app/', reachable: true },
    },
    {
      name: 'cli-definition-loads-eagerly',
      severity: 'error',
      comment:
        'Command definitions (src/cli/run-cli.ts, src/cli/commands/) are loaded for every command, `aidev --help` too: they import what a command does (src/cli/actions/, the app, the SDKs) with a dynamic import() inside its action, never statically.',
      from: { path: '^src/cli/(run-cli\\.ts$|commands/)' },
      to: {
        path: '^src/(cli/actions/|cli/app-session\\.ts$|app/|adapters/|slack/|http/|engine/|agents/|sandbox/|jobs/|config/|log/)',
        dependencyTypesNot: ['type-only', 'dynamic-import'],
      },
    },
    {
      name: 'module-loader',
      severity: 'error',
      comment:
        'createRequire and the module loader load code the import graph cannot see; use a static or dynamic import instead.',
      from: { path: ownCode },
      to: { path: '^(node:)?module$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are part of the graph: they are what keeps a chain through a
    // module that only names a type from hiding a runtime import behind it.
    tsPreCompilationDeps: true,
    // `const require = createRequire(import.meta.url); require('pg')` is seen as a require;
    // `createRequire(import.meta.url)('pg')` is not, so the module-loader rule refuses the
    // import of `createRequire` itself.
    detectProcessBuiltinModuleCalls: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
