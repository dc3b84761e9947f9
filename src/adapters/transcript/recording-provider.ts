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
 * Wraps a real provider and writes every call it answers into a transcript file, which the
 * transcript provider can replay later (`--record FILE`). A conversation's first turn starts a
 * new recording of that name; the file is rewritten after each call, so an interrupted session
 * keeps what it recorded. Records into an existing transcript by adding to it.
 */
export class RecordingProvider implements AiProvider {
  readonly name: string;
  readonly description: string;
  private readonly transcript: Transcript;
  private writing = Promise.resolve();

  constructor(
    private readonly inner: AiProvider,
    private readonly file: string,
  ) {
    this.name = inner.name;
    this.description = `${inner.description}, recording into ${file}`;
    this.transcript = existsSync(file)
      ? loadTranscript(file)
      : {
          format: TRANSCRIPT_FORMAT,
          source: `recorded from ${inner.description}`,
          conversations: {},
        };
  }

  async complete(request: ModelRequest, options: ProviderCallOptions): Promise<ModelResponse> {
    const response = await this.inner.complete(request, options);
    const name = options.conversation?.name ?? 'unnamed';
    const recordings = (this.transcript.conversations[name] ??= []);
    if (options.conversation?.turn === 0 || recordings.length === 0) recordings.push([]);
    recordings.at(-1)?.push({
      request: recordedRequest(request),
      response: recordedResponse(response),
    });
    await this.save();
    return response;
  }

  health() {
    return this.inner.health();
  }

  async close(): Promise<void> {
    await this.writing;
    await this.inner.close?.();
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
