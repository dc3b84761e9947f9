import { StepError } from '../../engine/step-errors.js';
import type {
  AiProvider,
  ModelRequest,
  ModelResponse,
  ProviderCallOptions,
} from '../../plugins/interfaces/ai-provider.js';
import { firstDifference, shown, type Difference } from './compare-recorded.js';
import {
  loadTranscript,
  recordedRequest,
  replayedResponse,
  type Transcript,
} from './transcript-format.js';

/**
 * Replays a recorded conversation instead of calling a model: each request is checked against
 * the recording of its conversation and turn, and the recorded response (with its recorded
 * token usage) is returned. A request that differs from the recording is a loud error naming
 * the conversation, the turn and the first differing field — never a silent wrong answer.
 */
export class TranscriptProvider implements AiProvider {
  readonly name = 'transcript';
  readonly description: string;

  constructor(
    private readonly transcript: Transcript,
    private readonly file: string,
  ) {
    const count = Object.values(transcript.conversations).reduce((n, c) => n + c.length, 0);
    this.description = `recorded transcript ${file} (${count} conversation${count === 1 ? '' : 's'}, ${transcript.source})`;
  }

  static load(file: string): TranscriptProvider {
    return new TranscriptProvider(loadTranscript(file), file);
  }

  complete(request: ModelRequest, options: ProviderCallOptions): Promise<ModelResponse> {
    // A divergence rejects the promise (the executor's throw), like any failed call.
    return new Promise((resolve) => resolve(this.replay(request, options)));
  }

  health() {
    return Promise.resolve({ ok: true, detail: this.description });
  }

  private replay(request: ModelRequest, options: ProviderCallOptions): ModelResponse {
    const conversation = options.conversation;
    if (conversation === undefined)
      throw divergence('the call names no conversation, so no recorded answer can be found');
    const variants = this.transcript.conversations[conversation.name];
    if (variants === undefined)
      throw divergence(
        `${this.file} has no recording of a ${conversation.name} conversation (it has ${Object.keys(this.transcript.conversations).join(', ')}); set ANTHROPIC_API_KEY to use Claude for new work`,
      );
    const actual = recordedRequest(request);
    let closest: { difference: Difference; variant: number } | undefined;
    for (const [index, turns] of variants.entries()) {
      const recorded = turns[conversation.turn];
      if (recorded === undefined) continue;
      const difference = firstDifference(recorded.request, actual);
      if (difference === undefined) return replayedResponse(recorded.response);
      if (closest === undefined || depth(difference) > depth(closest.difference))
        closest = { difference, variant: index };
    }
    const where = `turn ${conversation.turn + 1} of the ${conversation.name} conversation`;
    if (closest === undefined)
      throw divergence(
        `${this.file} records ${Math.max(...variants.map((v) => v.length))} turns of the ${conversation.name} conversation, and the agent asked for a ${ordinal(conversation.turn + 1)}`,
      );
    throw divergence(
      `the request of ${where} differs from ${this.file}${variants.length > 1 ? ` (closest recording: #${closest.variant + 1})` : ''} at ${describe(closest.difference)}`,
    );
  }
}

function divergence(message: string): StepError {
  return new StepError(`transcript replay: ${message}`, { code: 'transcript_divergence' });
}

/** How far into the request a difference lies: later messages mean a closer recording. */
function depth(difference: Difference): number {
  const message = /^messages\[(\d+)\]/.exec(difference.path);
  return message === null ? -1 : Number(message[1]);
}

function describe({ path, recorded: stored, actual: sent }: Difference): string {
  // A pattern is shown as the text it was recorded from, where the request departs from it
  // once the parts allowed to vary are set aside.
  const { text, vary } = (stored ?? {}) as { text?: unknown; vary?: unknown };
  const varying = typeof vary === 'string' ? new RegExp(vary, 'g') : undefined;
  const aside = (value: unknown) =>
    varying !== undefined && typeof value === 'string' ? value.replace(varying, '…') : value;
  const recorded = aside(typeof text === 'string' ? text : stored);
  const actual = aside(sent);
  if (typeof recorded === 'string' && typeof actual === 'string') {
    let at = 0;
    while (at < recorded.length && recorded[at] === actual[at]) at++;
    const from = Math.max(0, at - 30);
    return `${path}, character ${at + 1}: recorded ${shown(recorded.slice(from, at + 50))} but the request has ${shown(actual.slice(from, at + 50))}`;
  }
  return `${path}: recorded ${shown(recorded)} but the request has ${shown(actual)}`;
}

function ordinal(n: number): string {
  const suffix =
    n % 10 === 1 && n !== 11
      ? 'st'
      : n % 10 === 2 && n !== 12
        ? 'nd'
        : n % 10 === 3 && n !== 13
          ? 'rd'
          : 'th';
  return `${n}${suffix}`;
}
