import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createHttpServer } from '../../src/http/create-server.js';
import { readiness } from '../../src/http/readiness.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';
import { startOpenAiServer, type OpenAiServer } from '../vendors/openai/openai-server.js';

let scratch: string;
let openai: OpenAiServer;
const apps: App[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-ready-ai-'));
  openai = await startOpenAiServer();
});
afterAll(async () => {
  for (const app of apps) await app.stop();
  await openai.close();
  await rm(scratch, { recursive: true, force: true });
});

async function appWithKey(name: string, key: string): Promise<App> {
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: path.join(scratch, name),
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: openai.url,
    },
    cwd: REPO_ROOT,
  });
  const app = await createApp({
    config,
    logger: capturingLogger({ level: 'warn' }).logger,
    cwd: REPO_ROOT,
  });
  apps.push(app);
  return app;
}

describe('/ready and the AI provider', () => {
  it('includes OpenAI’s health, asked at most once a minute', async () => {
    openai.reset();
    const app = await appWithKey('good', openai.apiKey);
    const first = await readiness(app);
    expect(first.find((p) => p.name === 'ai openai')).toMatchObject({
      ok: true,
      detail: expect.stringContaining('API key accepted') as string,
    });
    await readiness(app);
    expect(openai.count('listModels')).toBe(1);
    expect(openai.violations).toEqual([]);
  });

  it('is not ready while OpenAI refuses the key, naming the part only to an admin', async () => {
    const wrong = 'sk-proj-refusedKeyForReadiness0123456789';
    const app = await appWithKey('refused', wrong);
    const server = await createHttpServer({ app });
    try {
      const response = await server.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({ detail: 'not ready: ai', failing: ['ai'] });
      const parts = await readiness(app);
      expect(parts.find((p) => p.name === 'ai openai')).toMatchObject({
        ok: false,
        detail: expect.stringContaining('check OPENAI_API_KEY') as string,
      });
      expect(response.body).not.toContain(wrong);
    } finally {
      await server.close();
    }
  });
});
