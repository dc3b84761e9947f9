import { z } from 'zod';

/** What the README and `aidev config reference` say about each environment variable. */
export interface EnvVarMeta {
  readonly group:
    | 'Core'
    | 'Storage'
    | 'Slack'
    | 'GitHub'
    | 'GitLab'
    | 'Jira'
    | 'Linear'
    | 'Confluence'
    | 'Anthropic'
    | 'OpenAI'
    | 'Security'
    | 'Monitoring';
  readonly description: string;
  /** Secrets are never printed, and the logger scrubs their values from every line. */
  readonly secret?: boolean;
  readonly default?: string;
  readonly example?: string;
}

export const envRegistry = z.registry<EnvVarMeta>();
