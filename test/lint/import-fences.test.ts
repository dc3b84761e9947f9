import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The probes exist only in memory, so type-aware parsing is switched off for them; the import
// fences under test come from the project's own eslint.config.js.
const eslint = new ESLint({
  cwd: path.resolve(import.meta.dirname, '../..'),
  overrideConfig: [{ files: ['**/probe.ts'], ...tseslint.configs.disableTypeChecked }],
});

/** The import-fence messages ESLint reports for `code` placed at `filePath`. */
async function fenceMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) =>
      m.message.replace(/^'[^']+' import is restricted from being used by a pattern\. /, ''),
    );
}

describe('import fences', () => {
  it('keep vendor SDKs out of core code', async () => {
    for (const file of [
      'src/engine/probe.ts',
      'src/agents/probe.ts',
      'src/costs/probe.ts',
      'src/app/probe.ts',
      'commands/probe.ts',
    ]) {
      const messages = await fenceMessages(
        file,
        "import { Octokit } from '@octokit/rest';\nexport const o = Octokit;\n",
      );
      expect(messages, file).toEqual([
        'The github SDK may only be imported in src/adapters/github/; depend on the plugin interface instead.',
      ]);
    }
    expect(
      await fenceMessages(
        'src/engine/probe.ts',
        "import Anthropic from '@anthropic-ai/sdk';\nexport const a = Anthropic;\n",
      ),
    ).toHaveLength(1);
    expect(
      await fenceMessages(
        'src/engine/probe.ts',
        "import { App } from '@slack/bolt';\nexport const a = App;\n",
      ),
    ).toHaveLength(1);
    expect(
      await fenceMessages(
        'src/engine/probe.ts',
        "import { Version3Client } from 'jira.js';\nexport const a = Version3Client;\n",
      ),
    ).toHaveLength(1);
  });

  it('let each adapter import its own SDK and no other', async () => {
    expect(
      await fenceMessages(
        'src/adapters/github/probe.ts',
        "import { Octokit } from '@octokit/rest';\nexport const o = Octokit;\n",
      ),
    ).toEqual([]);
    expect(
      await fenceMessages(
        'src/adapters/github/probe.ts',
        "import { App } from '@slack/bolt';\nexport const a = App;\n",
      ),
    ).toEqual([
      'The slack SDK may only be imported in src/adapters/slack/; depend on the plugin interface instead.',
    ]);
  });

  it('tell a vendor SDK from our own adapter module of the same name', async () => {
    for (const [sdk, own] of [
      ['jira.js/core', '../adapters/jira/jira.js'],
      ['confluence.js', '../adapters/confluence/confluence.js'],
    ] as const) {
      expect(
        await fenceMessages(
          'src/app/probe.ts',
          `import { x } from '${sdk}';\nexport const y = x;\n`,
        ),
        sdk,
      ).toHaveLength(1);
      expect(
        await fenceMessages(
          'src/app/probe.ts',
          `import { x } from '${own}';\nexport const y = x;\n`,
        ),
        own,
      ).toEqual([]);
    }
  });

  it('keep core folders from importing adapters directly', async () => {
    expect(
      await fenceMessages(
        'src/engine/probe.ts',
        "import { x } from '../adapters/github/client.js';\nexport const y = x;\n",
      ),
    ).toEqual([
      'Core code (engine, agents, costs) must not import adapters; use the plugin registry.',
    ]);
  });

  it('keep database drivers in the store and the job library in jobs', async () => {
    expect(
      await fenceMessages('src/engine/probe.ts', "import pg from 'pg';\nexport const p = pg;\n"),
    ).toEqual([
      'This library may only be imported in src/store/; go through its typed module instead.',
    ]);
    expect(
      await fenceMessages('src/store/probe.ts', "import pg from 'pg';\nexport const p = pg;\n"),
    ).toEqual([]);
    expect(
      await fenceMessages(
        'src/engine/probe.ts',
        "import { Agenda } from 'agenda';\nexport const a = Agenda;\n",
      ),
    ).toEqual([
      'This library may only be imported in src/jobs/; go through its typed module instead.',
    ]);
    expect(
      await fenceMessages(
        'src/jobs/probe.ts',
        "import type { Pool } from 'pg';\nexport type P = Pool;\n",
      ),
    ).toEqual([]);
  });
});

describe('what only ESLint sees', () => {
  /** The no-restricted-syntax messages for `code` placed at `filePath`. */
  async function syntaxMessages(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === 'no-restricted-syntax')
      .map((m) => m.message);
  }

  it('refuses import() of a computed name and createRequire, which the graph cannot follow', async () => {
    expect(
      await syntaxMessages(
        'src/engine/probe.ts',
        "const name = '@anthropic-ai/sdk';\nexport const load = () => import(name);\n",
      ),
    ).toEqual([
      'import() of a computed name hides the dependency from npm run lint:deps; import a literal module name.',
    ]);
    expect(
      await syntaxMessages(
        'src/agents/probe.ts',
        "import { createRequire } from 'node:module';\nexport const pg: unknown = createRequire(import.meta.url)('pg');\n",
      ),
    ).toEqual([
      'createRequire loads modules out of sight of npm run lint:deps; use import or import().',
    ]);
    expect(
      await syntaxMessages(
        'src/engine/probe.ts',
        "export const load = () => import('./other.js');\n",
      ),
    ).toEqual([]);
  });
});
