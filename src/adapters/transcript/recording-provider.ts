import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  AiProvider,
  ModelRequest,
  ModelResponse,
  ProviderCallOptions,
} from '../../plugins/interfaces/ai-provider.js';
import {
  loadTranscript,
  recordedRequest,
  recordedResponse,
  TRANSCRIPT_FORMAT,
  type Transcript,
} from './transcript-format.js';

/**
 * One transcript file being recorded into (`ai.record`), shared by every provider that records:
 * Claude's and OpenAI's calls go into the same file without overwriting each other. A
 * conversation's first turn starts a new recording of that name; the file is rewritten after
 * each call, so an interrupted session keeps what it recorded. An existing transcript is added to.
 */
export class TranscriptRecorder {
  private readonly transcript: Transcript;
  private readonly sources: string[] = [];
  private writing = Promise.resolve();

  constructor(readonly file: string) {
    this.transcript = existsSync(file)
      ? loadTranscript(file)
      : { format: TRANSCRIPT_FORMAT, source: '', conversations: {} };
  }

  /** Adds one call, answered by the provider `source` describes, and saves the file. */
  record(
    source: string,
    request: ModelRequest,
    response: ModelResponse,
    conversation: ProviderCallOptions['conversation'],
  ): Promise<void> {
    const recordings = (this.transcript.conversations[conversation?.name ?? 'unnamed'] ??= []);
    if (conversation?.turn === 0 || recordings.length === 0) recordings.push([]);
    recordings.at(-1)?.push({
      request: recordedRequest(request),
      response: recordedResponse(response),
    });
    this.noteSource(source);
    return this.save();
  }

  /** The calls recorded so far are in the file. */
  flushed(): Promise<void> {
    return this.writing;
  }

  /** "recorded from Claude through …; OpenAI Chat Completions at …", each provider once. */
  private noteSource(source: string): void {
    if (this.sources.includes(source)) return;
    this.sources.push(source);
    const recorded = `recorded from ${source}`;
    const { transcript } = this;
    if (!transcript.source.includes(recorded))
      transcript.source = transcript.source === '' ? recorded : `${transcript.source}; ${recorded}`;
  }

  /** Writes the whole file atomically; calls are saved one after another, in order. */
  private save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(path.resolve(this.file)), { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(this.transcript, null, 2)}\n`);
      await rename(temporary, this.file);
    });
    return this.writing;
  }
}

/**
 * Wraps a real provider and writes every call it answers into a transcript, which the
 * transcript provider can replay later (`ai.record`).
 */
export class RecordingProvider implements AiProvider {
  readonly name: string;
  readonly description: string;

  constructor(
    private readonly inner: AiProvider,
    private readonly recorder: TranscriptRecorder,
  ) {
    this.name = inner.name;
    this.description = `${inner.description}, recording into ${recorder.file}`;
  }

  async complete(request: ModelRequest, options: ProviderCallOptions): Promise<ModelResponse> {
    const response = await this.inner.complete(request, options);
    await this.recorder.record(this.inner.description, request, response, options.conversation);
    return response;
  }

  health() {
    return this.inner.health();
  }

  async close(): Promise<void> {
    await this.recorder.flushed();
    await this.inner.close?.();
  }
}
