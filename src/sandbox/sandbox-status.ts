import { chooseSandbox, type SandboxHost, type SandboxSetting } from './sandbox-choice.js';

export interface SandboxStatus {
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

/**
 * The sandbox line of `aidev config check`: the sandbox in use; a warning when the operator
 * chose none; a failure saying what to install when there is none, since every run that
 * reaches a repository's tests would fail the same way, only later.
 */
export function sandboxStatus(mode: SandboxSetting, host: SandboxHost): SandboxStatus {
  const choice = chooseSandbox(mode, host);
  switch (choice.status) {
    case 'ready':
      return { status: 'ok', detail: choice.summary };
    case 'off':
      return {
        status: 'warn',
        detail: `${choice.summary}: tests, setup and the agent’s shell can reach the network and write anywhere this user can`,
      };
    case 'missing':
      return {
        status: 'fail',
        detail: `${choice.summary}; runs refuse to run a repository’s tests until you ${choice.install}, or set AIDEV_SANDBOX=none to run them unsandboxed`,
      };
  }
}
