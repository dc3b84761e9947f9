import type { Config } from '../config/config.js';
import type { LogLevel } from '../config/env-schema.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { isAppError } from '../errors/app-error.js';
import { formatProblem } from '../errors/problem.js';
import { createLogger, type Logger } from '../log/create-logger.js';
import type { CliIo } from './cli-io.js';

export interface GlobalOptions {
  readonly config?: string;
}

/** Loads the configuration or prints every problem in it, one line each. */
export function configOrReport(io: CliIo, options: GlobalOptions): Config | undefined {
  try {
    return loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems)
      io.stderr.write(`config error: ${formatProblem(problem)}\n`);
    return undefined;
  }
}

export function loggerFor(config: Config, defaultLevel: LogLevel): Logger {
  return createLogger({
    level: config.log.level ?? defaultLevel,
    format: config.log.format,
    secrets: config.secrets,
  });
}

/** One line for a person: the message and, when known, what to do about it. */
export function describeFailure(error: unknown): string {
  if (isAppError(error))
    return error.hint === undefined ? error.message : `${error.message} (${error.hint})`;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${message} (run with LOG_LEVEL=debug for details)`;
}
