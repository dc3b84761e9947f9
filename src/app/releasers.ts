import type { Logger } from '../log/create-logger.js';

/**
 * Resources register how to release themselves as they are acquired; `releaseAll` runs the
 * releases in reverse order, each once, even if one of them fails.
 */
export class Releasers {
  private readonly stack: { name: string; release: () => Promise<void> }[] = [];
  private releasing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  push(name: string, release: () => Promise<void>): void {
    this.stack.push({ name, release });
  }

  releaseAll(): Promise<void> {
    this.releasing ??= (async () => {
      for (let entry = this.stack.pop(); entry !== undefined; entry = this.stack.pop()) {
        try {
          await entry.release();
        } catch (error) {
          this.logger.error(
            { err: error, resource: entry.name },
            `could not release ${entry.name}`,
          );
        }
      }
    })();
    return this.releasing;
  }
}
