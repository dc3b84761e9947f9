import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import type { SamplerSettings } from '../config/otel-env.js';
import type { Check } from './check-report.js';
import { sandboxHost } from '../sandbox/sandbox-choice.js';
import { sandboxStatus } from '../sandbox/sandbox-status.js';

/** What is configured for each outside service; secrets are only ever said to be "set". */
export function integrationChecks(config: Config, pathVariable: string | undefined): Check[] {
  return [
    slack(config),
    github(config),
    gitlab(config),
    jira(config),
    linear(config),
    confluence(config),
    anthropic(config),
    openai(config),
    sandbox(config, pathVariable),
    monitoring(config),
  ];
}

/** Where traces and metrics go (#20): the URLs and encoding; headers only as names. */
function monitoring({ monitoring: m }: Config): Check {
  const target = (signal: string, t: { url: string; protocol: string } | undefined) =>
    t === undefined ? `no ${signal}` : `${signal} to ${t.url} (${t.protocol})`;
  if (m.disabled)
    return {
      name: 'monitoring',
      status: 'info',
      detail:
        'OTLP export off: OTEL_SDK_DISABLED=true (no traces or metrics sent, whatever else is set); Prometheus metrics at /metrics',
    };
  if (m.traces === undefined && m.metrics === undefined)
    return {
      name: 'monitoring',
      status: 'info',
      detail:
        'OTLP export off (set OTEL_EXPORTER_OTLP_ENDPOINT to send traces and metrics); Prometheus metrics at /metrics',
    };
  const headers = Object.keys(m.headers);
  return {
    name: 'monitoring',
    status: 'ok',
    detail: `OTLP ${target('traces', m.traces)}, ${target('metrics', m.metrics)}${m.traces === undefined ? '' : `; sampler ${samplerText(m.sampler)}`}; service.name ${m.serviceName}${headers.length === 0 ? '' : `; headers set: ${headers.join(', ')}`}; Prometheus metrics at /metrics`,
  };
}

/** The sampler in effect, with its ratio when it takes one (`parentbased_traceidratio 0.25`). */
function samplerText({ name, ratio }: SamplerSettings): string {
  return name.endsWith('traceidratio') ? `${name} ${ratio}` : name;
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
  if (g.app !== undefined) {
    const installation =
      g.app.installationId === undefined
        ? "each repository's installation"
        : `installation ${g.app.installationId}`;
    const detail = `GitHub App ${g.app.id} (${installation}), API at ${g.apiUrl}`;
    return g.token === undefined
      ? { name: 'github', status: 'ok', detail }
      : {
          name: 'github',
          status: 'warn',
          detail: `${detail}; GITHUB_TOKEN is set too and ignored: the App wins (unset one of them)`,
        };
  }
  return g.token === undefined
    ? {
        name: 'github',
        status: 'info',
        detail:
          'not configured (GITHUB_TOKEN, or GITHUB_APP_ID with GITHUB_APP_PRIVATE_KEY); the local git backend is used',
      }
    : { name: 'github', status: 'ok', detail: `token set, API at ${g.apiUrl}` };
}

function gitlab({ gitlab: g, github: gh, plugins }: Config): Check {
  if (g.token === undefined)
    return { name: 'gitlab', status: 'info', detail: 'not configured (GITLAB_TOKEN)' };
  const webhook =
    g.webhookSecret === undefined
      ? 'deliveries to /gitlab/webhooks are refused (set GITLAB_WEBHOOK_SECRET)'
      : 'webhook secret set';
  const detail = `token set, ${g.url}, ${webhook}`;
  const used = plugins.choices.version_control.use;
  if (used !== 'gitlab')
    return {
      name: 'gitlab',
      status: 'warn',
      detail: `${detail}; but the version control is ${used}${gh.token === undefined && gh.app === undefined ? '' : ' (GitHub credentials win)'}: set plugins.version_control.use: gitlab to use GitLab`,
    };
  return { name: 'gitlab', status: 'ok', detail };
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
  return { name: 'jira', status: 'ok', detail: `${j.url}, ${auth}; ${webhooks('jira', j)}` };
}

/** Whether work can start from the tracker: its webhook route has a secret to check with. */
function webhooks(tracker: 'jira' | 'linear', t: { webhookSecret: string | undefined }): string {
  const route = `/${tracker}/webhooks`;
  const variable = `${tracker.toUpperCase()}_WEBHOOK_SECRET`;
  return t.webhookSecret === undefined
    ? `${route} off (set ${variable} to start work from ${tracker === 'jira' ? 'Jira' : 'Linear'})`
    : `${route} on (${variable} set)`;
}

function linear({ linear: l, jira: j, plugins }: Config): Check {
  if (l.apiKey === undefined && l.accessToken === undefined)
    return {
      name: 'linear',
      status: 'info',
      detail: 'not configured (LINEAR_API_KEY or LINEAR_ACCESS_TOKEN)',
    };
  const auth =
    l.accessToken === undefined
      ? 'personal API key set'
      : `OAuth access token set${l.apiKey === undefined ? '' : ' (wins over LINEAR_API_KEY)'}`;
  const api = `API at ${l.apiUrl ?? 'https://api.linear.app/graphql'}`;
  const used = plugins.choices.task_management.use;
  if (used !== 'linear')
    return {
      name: 'linear',
      status: 'warn',
      detail: `${auth}, ${api}; but the task tracker is ${used}${j.url === undefined ? '' : ' (JIRA_URL wins)'}: set plugins.task_management.use: linear to use Linear`,
    };
  return { name: 'linear', status: 'ok', detail: `${auth}, ${api}; ${webhooks('linear', l)}` };
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
  if (a.apiKey === undefined) return notConfigured('anthropic', 'ANTHROPIC_API_KEY', ai);
  return {
    name: 'anthropic',
    status: 'ok',
    detail: `API key set${ai.provider === 'anthropic' ? `, the installation's provider (model ${ai.model})` : ''}${a.baseUrl === undefined ? '' : `, API at ${a.baseUrl}`}`,
  };
}

function openai({ openai: o, ai }: Config): Check {
  if (o.apiKey === undefined) return notConfigured('openai', 'OPENAI_API_KEY', ai);
  const api =
    o.apiVersion === undefined
      ? o.baseUrl === undefined
        ? ''
        : `, API at ${o.baseUrl}`
      : `, Azure OpenAI at ${o.baseUrl ?? '?'} (API version ${o.apiVersion})`;
  const billed = [
    ...(o.organization === undefined ? [] : [`organization ${o.organization}`]),
    ...(o.project === undefined ? [] : [`project ${o.project}`]),
  ];
  return {
    name: 'openai',
    status: 'ok',
    detail: `API key set${ai.provider === 'openai' ? `, the installation's provider (model ${ai.model})` : ''}${api}${billed.map((b) => `, ${b}`).join('')}`,
  };
}

/** A provider without its key: fine while another provider or the transcript answers. */
function notConfigured(name: string, key: string, ai: Config['ai']): Check {
  if (ai.provider !== undefined)
    return { name, status: 'info', detail: `not configured (${key}); agents use ${ai.provider}` };
  return existsSync(ai.transcript)
    ? {
        name,
        status: 'info',
        detail: `not configured (${key}); agents replay the recorded transcript ${ai.transcript}`,
      }
    : {
        name,
        status: 'warn',
        detail: `not configured (${key}), and no transcript at ${ai.transcript} (ai.transcript): agent steps will fail`,
      };
}

function sandbox(config: Config, pathVariable: string | undefined): Check {
  return { name: 'sandbox', ...sandboxStatus(config.security.sandbox, sandboxHost(pathVariable)) };
}
