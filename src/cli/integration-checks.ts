import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { Check } from './check-report.js';
import { sandboxHost } from '../sandbox/sandbox-choice.js';
import { sandboxStatus } from '../sandbox/sandbox-status.js';

/** What is configured for each outside service; secrets are only ever said to be "set". */
export function integrationChecks(config: Config, pathVariable: string | undefined): Check[] {
  return [
    slack(config),
    github(config),
    jira(config),
    confluence(config),
    anthropic(config),
    sandbox(config, pathVariable),
  ];
}

function slack({ slack: s }: Config): Check {
  if (s.botToken === undefined) {
    return {
      name: 'slack',
      status: 'info',
      detail: 'not configured (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN)',
    };
  }
  const mode = s.appToken === undefined ? 'HTTP mode at /slack/events' : 'Socket Mode';
  return {
    name: 'slack',
    status: 'ok',
    detail: `bot token set, ${mode}${s.apiUrl === undefined ? '' : `, Web API at ${s.apiUrl}`}`,
  };
}

function github({ github: g }: Config): Check {
  return g.token === undefined
    ? {
        name: 'github',
        status: 'info',
        detail: 'not configured (GITHUB_TOKEN); the local git backend is used',
      }
    : { name: 'github', status: 'ok', detail: `token set, API at ${g.apiUrl}` };
}

function jira({ jira: j }: Config): Check {
  if (j.url === undefined)
    return {
      name: 'jira',
      status: 'info',
      detail: 'not configured (JIRA_URL); the local tracker is used',
    };
  const auth =
    j.pat === undefined
      ? `Cloud as ${j.email ?? '?'}`
      : 'Server/Data Center with a personal access token';
  return { name: 'jira', status: 'ok', detail: `${j.url}, ${auth}` };
}

function confluence({ confluence: c }: Config): Check {
  return c.url === undefined
    ? {
        name: 'confluence',
        status: 'info',
        detail: 'not configured (CONFLUENCE_URL); pages go to the local docs folder',
      }
    : { name: 'confluence', status: 'ok', detail: `${c.url} as ${c.email ?? '?'}` };
}

function anthropic({ anthropic: a, ai }: Config): Check {
  if (a.apiKey === undefined)
    return existsSync(ai.transcript)
      ? {
          name: 'anthropic',
          status: 'info',
          detail: `not configured (ANTHROPIC_API_KEY); agents replay the recorded transcript ${ai.transcript}`,
        }
      : {
          name: 'anthropic',
          status: 'warn',
          detail: `not configured (ANTHROPIC_API_KEY), and no transcript at ${ai.transcript} (ai.transcript): agent steps will fail`,
        };
  return {
    name: 'anthropic',
    status: 'ok',
    detail: `API key set, model ${ai.model}${a.baseUrl === undefined ? '' : `, API at ${a.baseUrl}`}`,
  };
}

function sandbox(config: Config, pathVariable: string | undefined): Check {
  return { name: 'sandbox', ...sandboxStatus(config.security.sandbox, sandboxHost(pathVariable)) };
}
