import { z } from 'zod';

/** The `/aidev` command line as Slack users type it, one variant per subcommand. */
export type AidevCommand =
  | {
      readonly name: 'implement';
      readonly key: string;
      readonly repo?: string;
      readonly workflow?: string;
    }
  | { readonly name: 'plan'; readonly requirements: string; readonly project?: string }
  | { readonly name: 'status'; readonly runId?: string }
  | { readonly name: 'cancel'; readonly runId: string }
  | { readonly name: 'budget'; readonly month?: string }
  | { readonly name: 'config'; readonly action: 'show' }
  | { readonly name: 'config'; readonly action: 'set'; readonly assignments: readonly string[] }
  | { readonly name: 'config'; readonly action: 'unset'; readonly keys: readonly string[] }
  | { readonly name: 'help' };

export const USAGE: Readonly<Record<string, string>> = {
  implement: '/aidev implement KEY [repo=owner/name] [workflow=NAME]',
  plan: '/aidev plan [project=KEY] <requirements in plain words>',
  status: '/aidev status [RUN]',
  cancel: '/aidev cancel RUN',
  budget: '/aidev budget [YYYY-MM]',
  config: '/aidev config · /aidev config set key=value … · /aidev config unset key …',
  help: '/aidev help',
};

const taskKey = z
  .string()
  .regex(/^[A-Z][A-Z0-9]*-\d+$/, { error: 'expected a task key such as PROJ-456' });
const runId = z.uuid({ error: 'expected a run id (as /aidev status shows it)' });
const month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'expected a month such as 2026-11' });
const repo = z.string().regex(/^[\w.-]+(\/[\w.-]+)?$/, { error: 'expected owner/name' });
const workflow = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a workflow name' });

export type ParseOutcome =
  | { readonly ok: true; readonly command: AidevCommand }
  | { readonly ok: false; readonly error: string; readonly usage: string };

function fail(name: string, error: string): ParseOutcome {
  return { ok: false, error, usage: USAGE[name] ?? Object.values(USAGE).join('\n') };
}

function check<T>(
  schema: z.ZodType<T>,
  value: string | undefined,
  name: string,
  what: string,
): T | ParseOutcome {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? 'invalid';
  return fail(
    name,
    `${what}: ${message}, found ${value === undefined ? 'nothing' : JSON.stringify(value)}`,
  );
}

const isFailure = (value: unknown): value is ParseOutcome =>
  typeof value === 'object' && value !== null && 'ok' in value;

/** `key=value` options among the words, and the other words. */
function options(words: readonly string[]): { named: Map<string, string>; rest: string[] } {
  const named = new Map<string, string>();
  const rest: string[] = [];
  for (const word of words) {
    const match = /^([a-z_]+)=(.+)$/.exec(word);
    if (match?.[1] !== undefined && match[2] !== undefined) named.set(match[1], match[2]);
    else rest.push(word);
  }
  return { named, rest };
}

/**
 * The words of a command line, where a quoted part ("…", or the “…” Slack may type) stays in
 * one word without its quotes.
 */
function quotedWords(text: string): string[] {
  return (text.match(/(?:[^\s"“”]+|"[^"]*"?|“[^”]*”?)+/g) ?? []).map((word) =>
    word.replace(/["“”]/g, ''),
  );
}

/**
 * Parses what followed `/aidev` (or `@aidev`). Wrong input gets a message naming what was
 * expected and what was found, with the right form of the command.
 */
export function parseCommand(text: string): ParseOutcome {
  const [first = 'help', ...words] = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  const name = first.toLowerCase();
  switch (name) {
    case 'implement': {
      const { named, rest } = options(words);
      const unknown = [...named.keys()].find((k) => k !== 'repo' && k !== 'workflow');
      if (unknown !== undefined)
        return fail(name, `unknown option ${unknown}=…; the options are repo= and workflow=`);
      if (rest.length !== 1)
        return fail(
          name,
          `expected one task key, found ${rest.length === 0 ? 'none' : rest.join(' ')}`,
        );
      const key = check(taskKey, rest[0]?.toUpperCase(), name, 'task key');
      if (isFailure(key)) return key;
      const r = named.has('repo') ? check(repo, named.get('repo'), name, 'repo') : undefined;
      if (isFailure(r)) return r;
      const w = named.has('workflow')
        ? check(workflow, named.get('workflow'), name, 'workflow')
        : undefined;
      if (isFailure(w)) return w;
      return {
        ok: true,
        command: {
          name,
          key,
          ...(r === undefined ? {} : { repo: r }),
          ...(w === undefined ? {} : { workflow: w }),
        },
      };
    }
    case 'plan': {
      const project = /^project=([A-Z][A-Z0-9]*)$/.exec(words[0] ?? '')?.[1];
      const requirements = (project === undefined ? words : words.slice(1)).join(' ').trim();
      if (requirements.length < 10)
        return fail(name, 'expected the requirements in a sentence or more, found almost nothing');
      return {
        ok: true,
        command: { name, requirements, ...(project === undefined ? {} : { project }) },
      };
    }
    case 'status': {
      if (words.length === 0) return { ok: true, command: { name } };
      const id = check(runId, words[0], name, 'run');
      return isFailure(id) ? id : { ok: true, command: { name, runId: id } };
    }
    case 'cancel': {
      const id = check(runId, words[0], name, 'run');
      return isFailure(id) ? id : { ok: true, command: { name, runId: id } };
    }
    case 'budget': {
      if (words.length === 0) return { ok: true, command: { name } };
      const m = check(month, words[0], name, 'month');
      return isFailure(m) ? m : { ok: true, command: { name, month: m } };
    }
    case 'config': {
      // A value with spaces is quoted: setup_command="npm ci --ignore-scripts".
      const [, action, ...rest] = quotedWords(text);
      if (action === undefined || action === 'show')
        return { ok: true, command: { name, action: 'show' } };
      if (action === 'set' && rest.length > 0)
        return { ok: true, command: { name, action: 'set', assignments: rest } };
      if (action === 'unset' && rest.length > 0)
        return { ok: true, command: { name, action: 'unset', keys: rest } };
      return fail(
        name,
        `expected show, set key=value … or unset key …, found ${JSON.stringify(words.join(' '))}`,
      );
    }
    case 'help':
      return { ok: true, command: { name } };
    default:
      return fail(
        'help',
        `unknown command ${JSON.stringify(first)}; the commands are implement, plan, status, cancel, budget, config and help`,
      );
  }
}
