import { StepError } from '../engine/step-errors.js';
import { runSandboxed, type SandboxedCommand } from '../sandbox/run-sandboxed.js';

const OUTPUT_TAIL = 2_000;

/** The sandboxed command to run (`ai.setup_command`, e.g. `npm ci`), and who to tell. */
export type WorkspaceSetup = Omit<SandboxedCommand, 'network' | 'maxOutputBytes'> & {
  /** Where the command was set, for the person who must fix it. */
  readonly setting: string;
  readonly status: (message: string) => void;
};

/**
 * Installs what the repository's tests need (`ai.setup_command`) in the working copy before the
 * agent starts: in the sandbox, with the network the tests never get. A failure stops the step
 * before any model call is paid for, with the command's last output, and may be retried (a
 * registry that did not answer).
 */
export async function setUpWorkspace(setup: WorkspaceSetup): Promise<void> {
  setup.status(`setting up the working copy: ${setup.command}`);
  const { status: _status, setting: _setting, ...command } = setup;
  const result = await runSandboxed({ ...command, network: true, maxOutputBytes: 256 * 1024 });
  if (result.exitCode === 0 && !result.timedOut) {
    setup.logger.info(
      { command: setup.command, durationMs: result.durationMs },
      'set up the working copy',
    );
    return;
  }
  const output = `${result.stdout}\n${result.stderr}`.trim();
  const tail = output.length > OUTPUT_TAIL ? `…${output.slice(-OUTPUT_TAIL)}` : output;
  const how = result.timedOut
    ? `did not finish within ${setup.timeoutMs} ms (ai.setup_timeout)`
    : `failed with exit code ${String(result.exitCode)}`;
  const refused =
    result.refusedHosts.length === 0
      ? ''
      : `; the sandbox let it reach only its registries and refused ${result.refusedHosts.join(', ')} (add a registry to sandbox.setup_hosts if it needs one)`;
  throw new StepError(
    `the setup command \`${setup.command}\` (${setup.setting}) ${how} in the working copy${refused}; fix it or the repository and retry${tail === '' ? '' : `:\n${tail}`}`,
    { code: 'setup_failed', retryable: true },
  );
}
