import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { blockProblems } from './block-kit.js';

/** One post an app made to a response_url. */
export interface ResponseUrlPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The JSON posted (Bolt's `respond()` posts JSON): text, blocks, response_type, replace_original, … */
  readonly body: Record<string, unknown>;
}

/** Slack lets an app answer one interaction through its response_url this many times. */
const USES = 5;

/**
 * A stand-in for Slack's `https://hooks.slack.com/commands|actions/…` response URLs: hands out
 * local URLs to put in payloads, records what the app posts to them, and flags posts Slack would
 * refuse (unknown URL, more than five uses, not JSON, no text or blocks, broken blocks).
 */
export class ResponseUrlCatcher {
  readonly posts: ResponseUrlPost[] = [];
  readonly violations: string[] = [];
  private readonly issued = new Set<string>();
  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<ResponseUrlCatcher> {
    const holder: { catcher?: ResponseUrlCatcher } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const answer = holder.catcher?.receive(
          req.url ?? '/',
          req.headers,
          Buffer.concat(chunks).toString('utf8'),
        ) ?? { status: 500, text: 'not ready' };
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.catcher = new ResponseUrlCatcher(server, `http://127.0.0.1:${port}`);
    return holder.catcher;
  }

  /** A fresh response_url, shaped like Slack's (`/commands/T…/<id>/<secret>`). */
  newUrl(kind: 'commands' | 'actions', teamId: string): string {
    const url = `${this.baseUrl}/${kind}/${teamId}/${Date.now()}${this.issued.size}/${randomBytes(12).toString('hex')}`;
    this.issued.add(url);
    return url;
  }

  postsTo(url: string): ResponseUrlPost[] {
    return this.posts.filter((p) => p.url === url);
  }

  /** Waits until `count` posts have arrived (the app answers after acknowledging). */
  async waitFor(count: number, timeoutMs = 5000): Promise<ResponseUrlPost[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.posts.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} response_url posts, got ${this.posts.length}`);
      await sleep(10);
    }
    return this.posts;
  }

  reset(): void {
    this.posts.length = 0;
    this.violations.length = 0;
    this.issued.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(
    path: string,
    headers: Record<string, string | string[] | undefined>,
    raw: string,
  ): { status: number; text: string } {
    const url = `${this.baseUrl}${path}`;
    const refuse = (status: number, error: string, detail: string) => {
      this.violations.push(`response_url ${path}: ${error}: ${detail}`);
      return { status, text: error };
    };
    if (!this.issued.has(url)) return refuse(404, 'no_service', 'not a URL this catcher issued');
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      return refuse(400, 'invalid_payload', `not JSON: ${raw.slice(0, 80)}`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return refuse(400, 'invalid_payload', 'not a JSON object');
    const message = body as Record<string, unknown>;
    this.posts.push({ url, headers, body: message });
    if (this.postsTo(url).length > USES)
      return refuse(404, 'used_url', `more than ${USES} posts to one response_url`);
    if (message.delete_original === true) return { status: 200, text: 'ok' };
    if (message.text === undefined && message.blocks === undefined)
      return refuse(400, 'no_text', 'neither text nor blocks');
    if (message.blocks !== undefined) {
      const problems = blockProblems(message.blocks, 'message');
      if (problems.length > 0) return refuse(400, 'invalid_blocks', problems.join('; '));
    }
    return { status: 200, text: 'ok' };
  }
}
