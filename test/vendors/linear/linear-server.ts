import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  execute,
  getNamedType,
  getNullableType,
  isEnumType,
  Kind,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type OperationDefinitionNode,
} from 'graphql';
import { LinearModel, type IssueRecord } from './linear-model.js';
import { rootResolvers } from './linear-resolvers.js';
import { linearSchema } from './linear-schema.js';

export interface LinearCredentials {
  /** A personal API key: Linear takes it as the Authorization header itself, no "Bearer". */
  readonly apiKey: string;
  /** An OAuth access token, sent as `Bearer <token>`. */
  readonly accessToken?: string;
}

export interface GivenIssue {
  key: string;
  title: string;
  status?: string;
  description?: string;
  labels?: string[];
}

/** One GraphQL operation the server received, validated against Linear's schema. */
export interface RecordedOperation {
  readonly name: string;
  readonly kind: 'query' | 'mutation' | 'subscription';
  readonly authorization: string | undefined;
}

/**
 * A local Linear GraphQL API: every operation is parsed and validated against Linear's schema
 * (as the installed SDK publishes it, see linear-schema.ts) and its variables coerced by it,
 * then executed over an in-memory workspace. A request the real Linear would refuse is
 * answered as Linear would and recorded in `violations`.
 */
export class LinearServer {
  readonly violations: string[] = [];
  readonly operations: RecordedOperation[] = [];
  model: LinearModel;
  /** The next `n` requests are answered with Linear's rate-limit error. */
  private rateLimited = 0;
  private server: Server | undefined;
  private port = 0;

  private constructor(private readonly credentials: LinearCredentials) {
    this.model = new LinearModel('https://linear.app/acme');
  }

  static async start(credentials: LinearCredentials): Promise<LinearServer> {
    const linear = new LinearServer(credentials);
    linearSchema(); // built before the first request, so that no request waits on it
    const server = createServer((req, res) => {
      linear.handle(req, res).catch((error: unknown) => {
        linear.violations.push(`local Linear crashed: ${String(error)}`);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    linear.server = server;
    linear.port = (server.address() as AddressInfo).port;
    return linear;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  reset(): void {
    this.model = new LinearModel('https://linear.app/acme');
    this.rateLimited = 0;
  }

  /** Answers the next `times` requests with Linear's rate-limit error (HTTP 400, RATELIMITED). */
  rateLimit(times = 1): void {
    this.rateLimited = times;
  }

  /** Distinct operation names the server validated, with how often each was sent. */
  operationCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const op of this.operations) counts[op.name] = (counts[op.name] ?? 0) + 1;
    return counts;
  }

  givenIssue(given: GivenIssue): IssueRecord {
    const [prefix, number] = given.key.split('-');
    const team = this.model.team(prefix!);
    const state = team.states.find((s) => s.name === (given.status ?? 'To Do'));
    if (state === undefined) throw new Error(`team ${team.key} has no state ${given.status}`);
    const issue: IssueRecord = {
      id: crypto.randomUUID(),
      teamId: team.id,
      number: Number(number),
      title: given.title,
      description: given.description ?? null,
      stateId: state.id,
      labelIds: (given.labels ?? []).map((name) => this.model.label(team, name).id),
      projectId: null,
      priority: 0,
      estimate: null,
      assignee: null,
      createdAt: new Date().toISOString(),
      seq: this.model.tick(),
    };
    team.nextNumber = Math.max(team.nextNumber, issue.number + 1);
    this.model.issues.push(issue);
    return issue;
  }

  commentsOf(key: string): string[] {
    const issue = this.model.issue(key);
    return this.model.comments.filter((c) => c.issueId === issue.id).map((c) => c.body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/graphql') {
      this.violations.push(`${req.method} ${req.url}: Linear's API is POST /graphql`);
      return answer(404, { errors: [{ message: 'Not found' }] });
    }
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      this.violations.push('a request body that is not JSON');
      return answer(400, { errors: [{ message: 'Body is not JSON' }] });
    }
    if (typeof body.query !== 'string') {
      this.violations.push('a request without a query');
      return answer(400, { errors: [{ message: 'Must provide query string.' }] });
    }
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      this.violations.push(`a query that does not parse: ${(error as Error).message}`);
      return answer(400, { errors: [{ message: (error as Error).message }] });
    }
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const name = operation?.name?.value ?? '(anonymous)';
    const errors = validate(linearSchema(), document);
    const authorization = req.headers.authorization;
    this.operations.push({ name, kind: operation?.operation ?? 'query', authorization });
    if (errors.length > 0) {
      for (const e of errors) this.violations.push(`${name}: ${e.message}`);
      return answer(400, { errors: errors.map((e) => e.toJSON()) });
    }
    if (!this.authorized(authorization))
      return answer(400, {
        errors: [
          {
            message: 'Authentication required, not authenticated',
            extensions: {
              type: 'authentication error',
              code: 'AUTHENTICATION_ERROR',
              userPresentableMessage: 'You need to authenticate to access this operation.',
            },
          },
        ],
      });
    if (this.rateLimited > 0) {
      this.rateLimited--;
      // Linear answers a rate limit with HTTP 400 and the RATELIMITED code.
      return answer(400, {
        errors: [
          {
            message: 'Rate limit exceeded',
            extensions: { code: 'RATELIMITED', userPresentableMessage: 'Rate limit exceeded.' },
          },
        ],
      });
    }
    const result = await execute({
      schema: linearSchema(),
      document,
      rootValue: rootResolvers(this.model),
      variableValues: (body.variables ?? {}) as Record<string, unknown>,
      fieldResolver,
      ...(typeof body.operationName === 'string' ? { operationName: body.operationName } : {}),
    });
    // Variables the schema refuses come back without data: the real Linear would refuse them.
    if (result.data === undefined && result.errors !== undefined) {
      for (const e of result.errors) this.violations.push(`${name}: ${e.message}`);
      return answer(400, { errors: result.errors.map((e) => e.toJSON()) });
    }
    answer(200, {
      ...(result.errors === undefined ? {} : { errors: result.errors.map((e) => e.toJSON()) }),
      data: result.data,
    });
  }

  private authorized(header: string | undefined): boolean {
    if (header === undefined) return false;
    if (header === `Bearer ${this.credentials.apiKey}`) {
      this.violations.push('the personal API key was sent as "Bearer …": Linear takes it bare');
      return false;
    }
    return (
      header === this.credentials.apiKey ||
      (this.credentials.accessToken !== undefined &&
        header === `Bearer ${this.credentials.accessToken}`)
    );
  }
}

/**
 * Fields the model gives (a value, or a function of the field's arguments); any other field is
 * the schema's empty value for its type: null where nullable, else 0, '', false, the first
 * enum value, [] or an object of such values. The SDK's fragments ask for many fields aidev
 * never reads; the schema still decides what each must look like.
 */
const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, _context, info) => {
  const value = (source as Record<string, unknown> | null)?.[info.fieldName];
  if (typeof value === 'function') return (value as (a: unknown) => unknown)(args);
  if (value !== undefined) return value;
  return emptyValue(info.returnType);
};

function emptyValue(type: GraphQLOutputType): unknown {
  if (!isNonNullType(type)) return null;
  const inner = getNullableType(type);
  if (isListType(inner)) return [];
  const named = getNamedType(inner);
  if (isEnumType(named)) return named.getValues()[0]?.value;
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
      case 'Float':
        return 0;
      case 'Boolean':
        return false;
      case 'DateTime':
        return new Date(0).toISOString();
      case 'JSON':
      case 'JSONObject':
        return {};
      default:
        return '';
    }
  }
  return {};
}
