import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createHttpServer } from '../../src/http/create-server.js';
import { issueToken } from '../../src/security/api-tokens.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';

let scratch: string;
let app: App;
let server: FastifyInstance;
let base: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-http-'));
  const config = loadConfig({ env: { AIDEV_DATA_DIR: scratch }, cwd: REPO_ROOT });
  app = await createApp({
    config,
    logger: capturingLogger({ level: 'warn' }).logger,
    cwd: REPO_ROOT,
  });
  server = await createHttpServer({ app });
  await server.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await server.close();
  await app.stop();
  await rm(scratch, { recursive: true, force: true });
});

describe('the HTTP server', () => {
  it('answers liveness at /health and /api/v1/health', async () => {
    for (const url of ['/health', '/api/v1/health']) {
      const response = await fetch(base + url);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ok' });
    }
  });

  it('is ready when the database, the job queue and every plugin are', async () => {
    expect(await (await fetch(`${base}/ready`)).json()).toEqual({
      status: 'ready',
      failing: [],
      degraded: [],
    });
    const { token } = await issueToken(app.store, { name: 'ops', role: 'admin', createdBy: 't' });
    const response = await fetch(`${base}/ready`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as {
      status: string;
      parts: { name: string; ok: boolean }[];
    };
    expect(response.status).toBe(200);
    expect(body.parts.map((p) => p.name)).toEqual(
      expect.arrayContaining(['database', 'jobs', 'plugin version_control/local_git']),
    );
    // With no OTLP endpoint, /ready says so; telemetry never makes aidev unready.
    expect(body.parts.find((p) => p.name === 'monitoring')).toEqual({
      name: 'monitoring',
      ok: true,
      detail: 'off: no OTLP endpoint set (Prometheus /metrics only)',
    });
  });

  it('names the failing part with a 503 when it is not ready', async () => {
    const broken = await createHttpServer({
      app: {
        ...app,
        jobs: { ...app.jobs, stats: () => Promise.reject(new Error('job table locked')) },
      },
    });
    const response = await broken.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      type: 'https://aidev.dev/problems/not-ready',
      detail: 'not ready: jobs',
      failing: ['jobs'],
    });
    // What the part said is for admins only.
    const { token } = await issueToken(app.store, { name: 'ops-2', role: 'admin', createdBy: 't' });
    const detailed = await broken.inject({
      method: 'GET',
      url: '/ready',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(detailed.json()).toMatchObject({ detail: 'not ready: jobs (job table locked)' });
    await broken.close();
  });

  it('answers unknown routes with problem+json, never a stack trace', async () => {
    const response = await fetch(`${base}/api/v1/nothing?x=1`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toEqual({
      type: 'https://aidev.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      detail: 'there is no GET /api/v1/nothing',
    });
  });

  it('serves Prometheus metrics', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain(
      '# TYPE aidev_process_process_cpu_user_seconds_total counter',
    );
  });
});
