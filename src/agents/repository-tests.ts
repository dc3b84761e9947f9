import type { Logger } from '../log/create-logger.js';
import { runSandboxed } from '../sandbox/run-sandboxed.js';
import { sandboxFor, type AgentSettings } from './agent-context.js';
import { setUpWorkspace } from './workspace-setup.js';

/** One run of a repository's tests in a checked-out working copy. */
export interface RepositoryTestRequest {
  /** The run the tests are for: its commands run as its agents' do (the demo's exemption too). */
  readonly runId: string;
  /** The run's channel: its `setup_command`, if it chose one, comes first. */
  readonly channelId: string | null;
  /** The working copy; the only directory the tests may write to. */
  readonly cwd: string;
  readonly command: string;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface RepositoryTestResult {
  readonly passed: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** What the tests printed (stdout, then stderr), cut as the sandbox cuts it. */
  readonly output: string;
}

/** Runs a repository's tests; a setup that fails throws (a registry down is not the change's fault). */
export type RepositoryTests = (request: RepositoryTestRequest) => Promise<RepositoryTestResult>;

/** Output kept per stream, as the development agent keeps it when it runs the tests. */
const MAX_OUTPUT_BYTES = 256 * 1024;

/**
 * The repository's tests as the development agent runs them before it finishes: the agents'
 * setup command, then the test command, in their sandbox with their tool path, policy and test
 * timeout. The same settings, so a test that passed for the agent passes here.
 */
export function repositoryTests(
  settings: AgentSettings,
  channelSetup: (channelId: string | null) => Promise<string | undefined> = () =>
    Promise.resolve(undefined),
): RepositoryTests {
  return async (request) => {
    const mode = sandboxFor(settings, { run: { id: request.runId } });
    const sandbox = {
      cwd: request.cwd,
      mode,
      toolPath: settings.toolPath,
      ...(settings.sandboxPolicy === undefined ? {} : { policy: settings.sandboxPolicy }),
      signal: request.signal,
      logger: request.logger,
    };
    const channel = await channelSetup(request.channelId);
    const setup = channel ?? settings.setupCommand;
    if (setup !== undefined)
      await setUpWorkspace({
        ...sandbox,
        command: setup,
        setting: channel === undefined ? 'ai.setup_command' : 'the channel’s setup_command',
        timeoutMs: settings.setupTimeoutMs ?? settings.testTimeoutMs,
        ...(settings.sandboxProxy === undefined ? {} : { proxy: settings.sandboxProxy }),
        status: (message) => request.logger.info(message),
      });
    const result = await runSandboxed({
      ...sandbox,
      command: request.command,
      timeoutMs: settings.testTimeoutMs,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
    return {
      passed: result.exitCode === 0 && !result.timedOut,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      output: `${result.stdout}\n${result.stderr}`.trim(),
    };
  };
}
