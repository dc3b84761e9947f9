import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/create-logger.js';

/** A logger whose JSON lines are kept in memory, for assertions (and secret scans). */
export function capturingLogger(
  options: { secrets?: readonly string[]; level?: 'debug' | 'info' | 'warn' } = {},
): {
  logger: Logger;
  lines: string[];
} {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      callback();
    },
  });
  const logger = createLogger({
    level: options.level ?? 'debug',
    format: 'json',
    secrets: options.secrets ?? [],
    destination,
  });
  return { logger, lines };
}
