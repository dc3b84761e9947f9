import type { Problem } from '../errors/problem.js';
import type { EnvName } from './env-schema.js';

/**
 * Settings that only make sense together. They depend on presence alone, so they are checked
 * on the raw environment, whatever the validity of the values (all problems are reported at once).
 */
export function missingCompanions(env: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  const require = (name: EnvName, when: readonly EnvName[], why: string) => {
    const present = when.filter((other) => env[other] !== undefined);
    if (env[name] !== undefined || present.length === 0) return;
    const verb = present.length > 1 ? 'are' : 'is';
    problems.push({
      path: name,
      message: `expected to be set because ${present.join(' and ')} ${verb} set (${why}), found nothing`,
    });
  };
  require('JIRA_URL', ['JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PAT'], 'Jira site to call');
  require('JIRA_API_TOKEN', ['JIRA_EMAIL'], 'Jira Cloud signs in with email + API token');
  if (env.JIRA_PAT === undefined) {
    require('JIRA_EMAIL', ['JIRA_API_TOKEN'], 'Jira Cloud signs in with email + API token');
  }
  require('CONFLUENCE_URL', [
    'CONFLUENCE_EMAIL',
    'CONFLUENCE_API_TOKEN',
  ], 'Confluence site to call');
  require('CONFLUENCE_API_TOKEN', [
    'CONFLUENCE_URL',
    'CONFLUENCE_EMAIL',
  ], 'Confluence signs in with email + API token');
  require('CONFLUENCE_EMAIL', [
    'CONFLUENCE_URL',
    'CONFLUENCE_API_TOKEN',
  ], 'Confluence signs in with email + API token');
  require('GITHUB_APP_PRIVATE_KEY', ['GITHUB_APP_ID'], 'a GitHub App signs in with its key');
  require('GITHUB_APP_ID', [
    'GITHUB_APP_PRIVATE_KEY',
    'GITHUB_APP_INSTALLATION_ID',
  ], 'the GitHub App the key and installation belong to');
  require('SLACK_BOT_TOKEN', [
    'SLACK_SIGNING_SECRET',
    'SLACK_APP_TOKEN',
  ], 'every Slack Web API call needs the bot token');
  if (env.SLACK_APP_TOKEN === undefined) {
    require('SLACK_SIGNING_SECRET', [
      'SLACK_BOT_TOKEN',
    ], 'HTTP mode verifies Slack requests with it; or set SLACK_APP_TOKEN for Socket Mode');
  }
  require('OPENAI_API_KEY', [
    'OPENAI_BASE_URL',
    'OPENAI_API_VERSION',
    'OPENAI_ORG_ID',
    'OPENAI_PROJECT_ID',
  ], 'OpenAI, a gateway or Azure is called with it');
  require('OPENAI_BASE_URL', [
    'OPENAI_API_VERSION',
  ], "Azure OpenAI is called at its resource's endpoint, https://RESOURCE.openai.azure.com/openai");
  return problems;
}
