import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiProvider } from '../../../src/adapters/openai/openai-provider.js';
import { Guards } from '../../../src/resilience/guards.js';
import { capturingLogger } from '../../support/logger.js';
import { startOpenAiServer, type OpenAiServer } from '../../vendors/openai/openai-server.js';
import { callOptions, FAST_GUARD } from '../anthropic/anthropic-setup.js';
import { gptRequest } from './openai-setup.js';

/**
 * Azure OpenAI's dated API (OPENAI_API_VERSION): the SDK's AzureOpenAI client calls
 * `…/openai/deployments/DEPLOYMENT/chat/completions?api-version=…` with the key in `api-key`.
 * A small Azure front records that and hands the request on, as OpenAI's own path with a bearer
 * key, to the local OpenAI server, which validates the body against OpenAI's description (Azure
 * takes the same body; Azure's own description is not kept here).
 */
const { logger } = capturingLogger({ level: 'warn' });
const API_VERSION = '2024-10-21';
let openai: OpenAiServer;
let azure: Server;
let azureUrl: string;
const seen: { path: string; query: string; apiKey: string | undefined; bearer: boolean }[] = [];

beforeAll(async () => {
  openai = await startOpenAiServer();
  azure = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://azure');
    const apiKey = req.headers['api-key'];
    seen.push({
      path: url.pathname,
      query: url.search,
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      bearer: req.headers.authorization !== undefined,
    });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = url.pathname.replace(/^\/openai(\/deployments\/[^/]+)?/, '');
      fetch(`${openai.url}${target}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${String(apiKey)}` },
        ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
      })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        })
        .catch((error: unknown) => {
          res.writeHead(502);
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => azure.listen(0, '127.0.0.1', resolve));
  azureUrl = `http://127.0.0.1:${(azure.address() as AddressInfo).port}/openai`;
});
afterAll(async () => {
  azure.closeAllConnections();
  await new Promise((resolve) => azure.close(resolve));
  await openai.close();
});

describe('openai provider on Azure OpenAI’s dated API', () => {
  it('calls the deployment the model names, with api-version and the key as api-key', async () => {
    const guards = new Guards(logger, { openai: FAST_GUARD });
    try {
      const provider = createOpenAiProvider({
        apiKey: openai.apiKey,
        baseUrl: azureUrl,
        apiVersion: API_VERSION,
        guard: guards.for('openai', azureUrl),
        logger,
      });
      expect(provider.description).toBe(
        `OpenAI Chat Completions at ${azureUrl} (Azure ${API_VERSION})`,
      );
      const answer = await provider.complete(gptRequest(), callOptions(logger));
      expect(answer).toMatchObject({
        stopReason: 'end_turn',
        content: [{ type: 'text', text: 'Done.' }],
      });
      expect(await provider.health()).toMatchObject({ ok: true });
      expect(seen).toEqual([
        {
          path: '/openai/deployments/gpt-5/chat/completions',
          query: `?api-version=${API_VERSION}`,
          apiKey: openai.apiKey,
          bearer: false,
        },
        {
          path: '/openai/models',
          query: `?api-version=${API_VERSION}`,
          apiKey: openai.apiKey,
          bearer: false,
        },
      ]);
      expect(openai.count('createChatCompletion')).toBe(1);
      expect(openai.violations).toEqual([]);
    } finally {
      guards.shutdown();
    }
  });
});
