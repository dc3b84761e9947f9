import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDataDir } from '../support/backends.js';
import { runInProcess } from '../support/cli.js';
import { startOpenAiServer, type OpenAiServer } from '../vendors/openai/openai-server.js';

let openai: OpenAiServer;
beforeAll(async () => {
  openai = await startOpenAiServer();
});
afterAll(() => openai.close());

describe('aidev config check, AI providers', () => {
  it('asks OpenAI for its models with the key, and reports it as the installation’s provider', async () => {
    const dataDir = await createPgliteDataDir();
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: dataDir, OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: openai.url },
      dataDir,
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /✓ openai +API key set, the installation's provider \(model gpt-5\), API at http/,
    );
    expect(result.stdout).toMatch(
      /✓ ai openai +http:\/\/127\.0\.0\.1:\d+\/v1: API key accepted; models include gpt-5/,
    );
    expect(result.stdout).toMatch(
      /· anthropic +not configured \(ANTHROPIC_API_KEY\); agents use openai/,
    );
    expect(openai.count('listModels')).toBe(1);
    expect(openai.violations).toEqual([]);
  });

  it('fails on a key OpenAI refuses, in one line and without the key', async () => {
    const dataDir = await createPgliteDataDir();
    const wrong = 'sk-proj-wrongKeyForTheCheck0123456789';
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: dataDir, OPENAI_API_KEY: wrong, OPENAI_BASE_URL: openai.url },
      dataDir,
    );
    expect(result.code).toBe(1);
    const failures = result.stdout.split('\n').filter((line) => line.includes('✗'));
    expect(failures).toEqual([
      expect.stringMatching(
        /^ {2}✗ ai openai +OpenAI refused the API key \(401 invalid_api_key: Incorrect API key provided: .*\); check OPENAI_API_KEY \(and OPENAI_BASE_URL\)$/,
      ),
    ]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
  });

  it('names the organization and project it bills to, and the setting to fix when OpenAI refuses it', async () => {
    const dataDir = await createPgliteDataDir();
    const env = {
      AIDEV_DATA_DIR: dataDir,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.url,
      OPENAI_PROJECT_ID: openai.project,
    };
    const good = await runInProcess(['config', 'check'], env, dataDir);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/✓ openai +API key set, .*, project proj_aidevLocalTest$/m);
    const bad = await runInProcess(
      ['config', 'check'],
      { ...env, OPENAI_ORG_ID: 'org-notTheKeys' },
      dataDir,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(
      /✗ ai openai +OpenAI refused the organization \(401 mismatched_organization: OpenAI-Organization header should match organization for API key.*\); check OPENAI_ORG_ID/,
    );
  });
});
