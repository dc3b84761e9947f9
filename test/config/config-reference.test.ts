import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigReference, spliceReference } from '../../src/config/config-reference.js';
import { envShape } from '../../src/config/env-schema.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The configuration names DEVELOPERS.md fixes; outside checks rely on them. */
const REQUIRED_NAMES = [
  'DATABASE_URL',
  'AIDEV_DATA_DIR',
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'SLACK_SIGNING_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_API_URL',
  'GITHUB_TOKEN',
  'GITHUB_API_URL',
  'JIRA_URL',
  'JIRA_EMAIL',
  'JIRA_API_TOKEN',
  'JIRA_PAT',
  'LINEAR_API_KEY',
  'LINEAR_ACCESS_TOKEN',
  'LINEAR_API_URL',
  'CONFLUENCE_URL',
  'CONFLUENCE_EMAIL',
  'CONFLUENCE_API_TOKEN',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_BASE_URL',
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'OPENAI_API_VERSION',
  'OPENAI_ORG_ID',
  'OPENAI_PROJECT_ID',
  'AIDEV_ENCRYPTION_KEY',
  'AIDEV_SANDBOX',
];

describe('configuration reference', () => {
  it('in the README is the one generated from the schemas (run npm run docs:config)', () => {
    expect(spliceReference(readme)).toBe(readme);
  });

  it('documents every required configuration name, and the schema reads each of them', () => {
    const reference = renderConfigReference();
    for (const name of REQUIRED_NAMES) {
      expect(Object.keys(envShape), name).toContain(name);
      expect(reference, name).toContain(`| \`${name}\``);
    }
  });

  it('marks credentials as secrets', () => {
    const reference = renderConfigReference();
    for (const name of [
      'DATABASE_URL',
      'SLACK_BOT_TOKEN',
      'GITHUB_TOKEN',
      'JIRA_API_TOKEN',
      'ANTHROPIC_API_KEY',
      'OPENAI_API_KEY',
      'AIDEV_ENCRYPTION_KEY',
    ]) {
      expect(reference).toContain(`| \`${name}\` (secret) |`);
    }
    expect(reference).toContain('| `PORT` | `3000` |');
  });
});
