import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config/env-schema.js';
import { createScrubber } from './scrub-secrets.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  readonly level: LogLevel;
  /** `auto` is pretty when the destination is a terminal. */
  readonly format: 'auto' | 'json' | 'pretty';
  /** Values that must never appear in a log line, wherever they occur. */
  readonly secrets: readonly string[];
  /** Defaults to standard error, so that command output on standard output stays clean. */
  readonly destination?: DestinationStream;
}

/**
 * Field names whose values are credentials wherever they appear in a log object.
 * Values of configured secrets are additionally scrubbed from the serialized line.
 */
const REDACT_PATHS = [
  'password',
  'token',
  'secret',
  'apiKey',
  'authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
];

export function createLogger(settings: LoggerSettings): Logger {
  const scrub = createScrubber(settings.secrets);
  const options: LoggerOptions = {
    level: settings.level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    hooks: { streamWrite: scrub },
  };
  return pino(options, destinationFor(settings));
}

function destinationFor(settings: LoggerSettings): DestinationStream {
  if (settings.destination !== undefined) {
    return settings.format === 'pretty' ? prettyStream(settings.destination) : settings.destination;
  }
  const usePretty =
    settings.format === 'pretty' || (settings.format === 'auto' && process.stderr.isTTY);
  return usePretty ? prettyStream(process.stderr) : pino.destination({ fd: 2, sync: true });
}

function prettyStream(destination: DestinationStream | NodeJS.WritableStream): DestinationStream {
  return pretty({
    destination,
    sync: true,
    colorize: destination === process.stderr && process.stderr.isTTY,
    ignore: 'pid,hostname',
    translateTime: 'SYS:HH:MM:ss.l',
  });
}

/** A logger that writes nothing, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
