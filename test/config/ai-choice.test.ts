import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ANTHROPIC = { ANTHROPIC_API_KEY: 'sk-ant-api03-test-key-0123456789' };
const OPENAI = { OPENAI_API_KEY: 'sk-proj-test-key-0123456789' };

/** The configuration of `env` with `ai:` settings, or the problems it is refused with. */
function load(env: Record<string, string>, ai?: string) {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'aidev-ai-choice-'));
  if (ai !== undefined) writeFileSync(path.join(cwd, 'aidev.config.yaml'), `ai:\n${ai}`);
  try {
    return loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
}

describe('the installation’s AI provider and model', () => {
  it('is the provider whose key is set, Anthropic first, with its default model', () => {
    expect(load(ANTHROPIC)).toMatchObject({
      ai: { provider: 'anthropic', model: 'claude-sonnet-5-5' },
    });
    expect(load(OPENAI)).toMatchObject({ ai: { provider: 'openai', model: 'gpt-5' } });
    expect(load({ ...ANTHROPIC, ...OPENAI })).toMatchObject({ ai: { provider: 'anthropic' } });
    // No key: the recorded transcript answers the default Claude model.
    expect(load({})).toMatchObject({ ai: { provider: undefined, model: 'claude-sonnet-5-5' } });
  });

  it('follows ai.provider and ai.model, which may name the provider', () => {
    expect(load({ ...ANTHROPIC, ...OPENAI }, '  provider: openai\n')).toMatchObject({
      ai: { provider: 'openai', model: 'gpt-5' },
    });
    expect(load({ ...ANTHROPIC, ...OPENAI }, '  model: openai:gpt-5-mini\n')).toMatchObject({
      ai: { provider: 'anthropic', model: 'openai:gpt-5-mini' },
    });
    expect(load(OPENAI, '  model: gpt-4.1\n')).toMatchObject({
      ai: { provider: 'openai', model: 'gpt-4.1' },
    });
  });

  it('refuses at start a provider or model whose key is not set, naming the variable', () => {
    expect(load(ANTHROPIC, '  provider: openai\n')).toEqual([
      'ai.provider: ai.provider is openai, but OPENAI_API_KEY is not set: set it, or choose a configured provider',
    ]);
    expect(load(ANTHROPIC, '  model: openai:gpt-5\n')).toEqual([
      'ai.model: ai.model openai:gpt-5 is a model of openai, but OPENAI_API_KEY is not set: set it, or choose a configured provider',
    ]);
    expect(load(OPENAI, '  model: claude-opus-4-6\n')).toEqual([
      'ai.model: ai.model claude-opus-4-6 is a model of anthropic, but ANTHROPIC_API_KEY is not set: set it, or choose a configured provider',
    ]);
    expect(load({}, '  model: openai:gpt-5\n')).toEqual([
      'ai.model: ai.model openai:gpt-5 is a model of openai, but OPENAI_API_KEY is not set: set it, or choose a configured provider',
    ]);
  });

  it('refuses a model for Anthropic that is not a Claude model', () => {
    expect(load(ANTHROPIC, '  model: gpt-5\n')).toEqual([
      "ai.model: expected a Claude model id for Anthropic (the installation's provider), found gpt-5: write openai:gpt-5, or set ai.provider: openai",
    ]);
  });

  it('needs the key and Azure’s endpoint beside the OpenAI settings that use them', () => {
    expect(load({ OPENAI_API_VERSION: '2024-10-21' })).toEqual([
      'OPENAI_API_KEY: expected to be set because OPENAI_API_VERSION is set (OpenAI, a gateway or Azure is called with it), found nothing',
      "OPENAI_BASE_URL: expected to be set because OPENAI_API_VERSION is set (Azure OpenAI is called at its resource's endpoint, https://RESOURCE.openai.azure.com/openai), found nothing",
    ]);
    expect(
      load({
        ...OPENAI,
        OPENAI_BASE_URL: 'https://acme.openai.azure.com/openai',
        OPENAI_API_VERSION: '2024-10-21',
      }),
    ).toMatchObject({
      openai: { baseUrl: 'https://acme.openai.azure.com/openai', apiVersion: '2024-10-21' },
    });
  });

  it('bills to OPENAI_ORG_ID and OPENAI_PROJECT_ID when set, and says what is wrong with them', () => {
    expect(
      load({ ...OPENAI, OPENAI_ORG_ID: 'org-AbC123', OPENAI_PROJECT_ID: ' proj_AbC-123 ' }),
    ).toMatchObject({ openai: { organization: 'org-AbC123', project: 'proj_AbC-123' } });
    expect(load({ ...OPENAI, OPENAI_ORG_ID: 'org AbC;123' })).toEqual([
      'OPENAI_ORG_ID: expected an OpenAI organization id such as org-AbC123dEf456, found "org AbC;123"',
    ]);
    expect(load({ OPENAI_PROJECT_ID: 'proj_AbC123' })).toEqual([
      'OPENAI_API_KEY: expected to be set because OPENAI_PROJECT_ID is set (OpenAI, a gateway or Azure is called with it), found nothing',
    ]);
  });
});
