import { z } from 'zod';
import { envRegistry } from './env-registry.js';
import { httpUrl, secret, text } from './values.js';

/**
 * An OpenAI organization or project id (`org-…`, `proj_…`): sent as a header, so one word of
 * letters, digits, `-` and `_`.
 */
function openAiId(what: 'organization' | 'project', example: string) {
  return z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, { error: `expected an OpenAI ${what} id such as ${example}` });
}

/** The OpenAI provider's settings, under the names the official SDK reads (#20). */
export const openAiEnvShape = {
  OPENAI_API_KEY: secret({ what: 'an OpenAI API key' }).optional().register(envRegistry, {
    group: 'OpenAI',
    secret: true,
    description:
      'OpenAI API key (or the key of an OpenAI-compatible gateway, or of an Azure OpenAI resource): agents can use OpenAI models through Chat Completions.',
  }),
  OPENAI_BASE_URL: httpUrl('https://api.openai.com/v1').optional().register(envRegistry, {
    group: 'OpenAI',
    description:
      'Base URL of the OpenAI API: a compatible gateway (vLLM, Ollama, LiteLLM: `http://localhost:11434/v1`), or Azure OpenAI (`https://RESOURCE.openai.azure.com/openai/v1`; with `OPENAI_API_VERSION`, `https://RESOURCE.openai.azure.com/openai`).',
  }),
  OPENAI_API_VERSION: text().optional().register(envRegistry, {
    group: 'OpenAI',
    description:
      'Azure OpenAI’s dated API version (e.g. `2024-10-21`): the key is sent as `api-key`, and the model names the deployment. Not needed for Azure’s v1 API.',
    example: '2024-10-21',
  }),
  OPENAI_ORG_ID: openAiId('organization', 'org-AbC123dEf456').optional().register(envRegistry, {
    group: 'OpenAI',
    description:
      'The OpenAI organization the calls are billed to (sent as `OpenAI-Organization`), for a key that belongs to several. Unset: the key’s default organization.',
    example: 'org-AbC123dEf456',
  }),
  OPENAI_PROJECT_ID: openAiId('project', 'proj_AbC123dEf456').optional().register(envRegistry, {
    group: 'OpenAI',
    description:
      'The OpenAI project the calls are billed to (sent as `OpenAI-Project`). Unset: the key’s project.',
    example: 'proj_AbC123dEf456',
  }),
};
