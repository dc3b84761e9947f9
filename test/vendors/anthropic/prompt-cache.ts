import { createHash } from 'node:crypto';

/**
 * Anthropic's prompt caching, simulated closely enough to measure what aidev's cache marks save.
 *
 * The prompt is read in the order tools → system → messages, one unit per tool definition and
 * per content block. A unit with `cache_control` is a breakpoint: the prefix up to and including
 * it becomes a cache entry (keyed by a hash of the model and the prefix, kept 5 minutes or an
 * hour, refreshed by each hit) when it is at least `minCacheableTokens` long. A request reads the
 * longest entry that matches, looking back up to 20 blocks from each breakpoint as Anthropic
 * does, writes the prefix from there to its last cacheable breakpoint, and pays full price for
 * the rest.
 */

export type Ttl = '5m' | '1h';

export interface PromptUnit {
  /** What the unit is, canonically: equal keys at equal positions mean an equal prefix. */
  readonly key: string;
  readonly tokens: number;
  readonly breakpoint: Ttl | undefined;
}

export interface SimulatedUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

type Json = Readonly<Record<string, unknown>>;

/** The server's token estimate: a quarter of the characters, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** JSON with sorted keys, so that the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Json)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

function ttlOf(block: unknown): Ttl | undefined {
  const mark = (block as { cache_control?: { ttl?: Ttl } | null } | null)?.cache_control;
  return mark === undefined || mark === null ? undefined : (mark.ttl ?? '5m');
}

/** The text a block bills: its text, a tool's schema, a tool call's input, a result's content. */
function billedText(block: Json): string {
  switch (block.type) {
    case 'text':
      return String(block.text);
    case 'tool_use':
      return `${String(block.name)}${JSON.stringify(block.input)}`;
    case 'tool_result':
      return typeof block.content === 'string'
        ? block.content
        : ((block.content as Json[] | undefined) ?? []).map(billedText).join('');
    default:
      return canonicalJson(withoutMark(block));
  }
}

function withoutMark(block: Json): Json {
  const { cache_control: _ignored, ...rest } = block;
  return rest;
}

function unit(where: Json, block: Json, text: string): PromptUnit {
  return {
    key: canonicalJson({ ...where, block: withoutMark(block) }),
    tokens: estimateTokens(text),
    breakpoint: ttlOf(block),
  };
}

const asText = (content: unknown): Json[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : (content as Json[]);

/** A Messages request body as the cache and the token count see it. */
export function promptUnits(body: Json): PromptUnit[] {
  const units: PromptUnit[] = [];
  for (const tool of (body.tools as Json[] | undefined) ?? [])
    units.push(unit({ in: 'tools' }, tool, billedText({ ...tool, type: 'tool_definition' })));
  for (const block of body.system === undefined ? [] : asText(body.system))
    units.push(unit({ in: 'system' }, block, billedText(block)));
  ((body.messages as Json[] | undefined) ?? []).forEach((message, index) => {
    for (const block of asText(message.content))
      units.push(unit({ in: 'messages', index, role: message.role }, block, billedText(block)));
  });
  // Automatic caching: a top-level cache_control marks the last block.
  const automatic = ttlOf(body);
  const last = units.at(-1);
  if (automatic !== undefined && last !== undefined)
    units[units.length - 1] = { ...last, breakpoint: last.breakpoint ?? automatic };
  return units;
}

const LIFETIME_MS: Readonly<Record<Ttl, number>> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };
/** How many blocks before a breakpoint Anthropic looks for an earlier cache entry. */
const LOOKBACK_BLOCKS = 20;

export class PromptCache {
  private readonly entries = new Map<string, { expiresAt: number; ttl: Ttl }>();

  constructor(private readonly options: { minCacheableTokens: number; now: () => number }) {}

  clear(): void {
    this.entries.clear();
  }

  /** The usage of one request, reading and writing the cache as Anthropic would. */
  usage(model: string, units: readonly PromptUnit[]): SimulatedUsage {
    const now = this.options.now();
    const hashes = prefixHashes(model, units);
    const totals = runningTotals(units);
    const total = totals.at(-1) ?? 0;
    const breakpoints = units.flatMap((u, i) => (u.breakpoint === undefined ? [] : [i]));
    const hit = this.longestHit(hashes, breakpoints, now);
    const read = hit < 0 ? 0 : (totals[hit] ?? 0);
    const written = { '5m': 0, '1h': 0 };
    let covered = read;
    for (const b of breakpoints) {
      const prefix = totals[b] ?? 0;
      if (b <= hit || prefix < this.options.minCacheableTokens) continue;
      const ttl = units[b]?.breakpoint ?? '5m';
      written[ttl] += prefix - covered;
      covered = prefix;
      this.entries.set(hashes[b] ?? '', { expiresAt: now + LIFETIME_MS[ttl], ttl });
    }
    return {
      input_tokens: total - covered,
      cache_creation_input_tokens: written['5m'] + written['1h'],
      cache_read_input_tokens: read,
      cache_creation: {
        ephemeral_5m_input_tokens: written['5m'],
        ephemeral_1h_input_tokens: written['1h'],
      },
    };
  }

  /** The index of the last unit of the longest live cached prefix (-1: none); a hit refreshes it. */
  private longestHit(hashes: readonly string[], breakpoints: readonly number[], now: number) {
    let best = -1;
    for (const b of breakpoints)
      for (let i = b; i >= Math.max(0, b - LOOKBACK_BLOCKS + 1) && i > best; i--) {
        const entry = this.entries.get(hashes[i] ?? '');
        if (entry !== undefined && entry.expiresAt > now) {
          best = i;
          break;
        }
      }
    const entry = best < 0 ? undefined : this.entries.get(hashes[best] ?? '');
    if (entry !== undefined) entry.expiresAt = now + LIFETIME_MS[entry.ttl];
    return best;
  }
}

function prefixHashes(model: string, units: readonly PromptUnit[]): string[] {
  let previous = createHash('sha256').update(model).digest('hex');
  return units.map(
    (u) => (previous = createHash('sha256').update(previous).update(u.key).digest('hex')),
  );
}

function runningTotals(units: readonly PromptUnit[]): number[] {
  let sum = 0;
  return units.map((u) => (sum += u.tokens));
}
