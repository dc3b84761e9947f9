import { findExecutable } from './find-executable.js';

/** What the operator may choose with AIDEV_SANDBOX (the env schema lists the same values). */
export const SANDBOX_SETTINGS = ['auto', 'bubblewrap', 'seatbelt', 'none'] as const;
export type SandboxSetting = (typeof SANDBOX_SETTINGS)[number];

/**
 * The demo's own mode, never an operator's: it runs commands without a sandbox. A command gets
 * it only through `sandboxModeFor`, for a run listed in an UnsandboxedDemo, which only the
 * configuration `aidev demo` composes for itself holds (see src/demo/demo-sandbox.ts). No
 * environment variable, settings file, channel or workflow can name it: the env schema accepts
 * SANDBOX_SETTINGS alone.
 */
export const UNSANDBOXED_DEMO = 'unsandboxed-demo';

/** How a command runs: a setting, or the demo's exemption. */
export type SandboxMode = SandboxSetting | typeof UNSANDBOXED_DEMO;

/**
 * The runs whose commands may run without a sandbox: those `aidev demo` started itself, on a
 * machine without one, with only aidev's own code to run. Any other run its worker picks up (a
 * run left queued in the same database, a channel's run with its own setup command) is not
 * listed, and refuses as it would anywhere.
 */
export interface UnsandboxedDemo {
  readonly runs: ReadonlySet<string>;
}

/** The mode of one run's commands: the setting, or the demo's exemption for the demo's runs. */
export function sandboxModeFor(
  setting: SandboxSetting,
  runId: string,
  demo: UnsandboxedDemo | undefined,
): SandboxMode {
  return demo?.runs.has(runId) === true ? UNSANDBOXED_DEMO : setting;
}

export type SandboxKind = 'bubblewrap' | 'seatbelt';

/** What the choice looks at: the platform and the programs it can find. */
export interface SandboxHost {
  readonly platform: NodeJS.Platform;
  /** The absolute path of a program, or undefined. */
  find(program: string): string | undefined;
}

export type SandboxChoice =
  | {
      readonly status: 'ready';
      readonly kind: SandboxKind;
      /** `bubblewrap at /usr/bin/bwrap`, `Seatbelt (sandbox-exec at /usr/bin/sandbox-exec)`. */
      readonly summary: string;
    }
  /** AIDEV_SANDBOX=none: the operator chose to run code unsandboxed. */
  | { readonly status: 'off'; readonly summary: string }
  | {
      readonly status: 'missing';
      /** Why there is none: `bubblewrap (bwrap) is not installed`. */
      readonly summary: string;
      /** What to do about it: `install it (apt-get install bubblewrap)`. */
      readonly install: string;
    };

const LINUX_INSTALL =
  'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Alpine: apk add bubblewrap)';
const UTIL_LINUX_INSTALL = 'install util-linux (apt-get install util-linux)';
const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/**
 * Which sandbox runs a repository's commands here, or exactly why there is none and what to
 * install. Pure: `host` says what the machine has.
 *
 * 1. `none` is the operator's choice, and said to be.
 * 2. `auto` is bubblewrap on Linux, Seatbelt on macOS, and nothing elsewhere.
 * 3. `bubblewrap` and `seatbelt` name one sandbox; on the other platform they are refused with
 *    the setting that works there.
 */
export function chooseSandbox(setting: SandboxSetting, host: SandboxHost): SandboxChoice {
  if (setting === 'none')
    return {
      status: 'off',
      summary: 'AIDEV_SANDBOX=none: repository commands run without a sandbox',
    };
  const kind = setting === 'auto' ? platformSandbox(host.platform) : setting;
  if (kind === undefined)
    return {
      status: 'missing',
      summary: `no sandbox for ${host.platform}: aidev sandboxes commands with bubblewrap on Linux and Seatbelt on macOS`,
      install: 'run aidev on Linux (its Docker image, or WSL 2 on Windows) or macOS',
    };
  return kind === 'bubblewrap' ? bubblewrap(setting, host) : seatbelt(setting, host);
}

function platformSandbox(platform: NodeJS.Platform): SandboxKind | undefined {
  if (platform === 'linux') return 'bubblewrap';
  if (platform === 'darwin') return 'seatbelt';
  return undefined;
}

function bubblewrap(setting: SandboxSetting, host: SandboxHost): SandboxChoice {
  if (host.platform !== 'linux')
    return {
      status: 'missing',
      summary: `AIDEV_SANDBOX=bubblewrap: bubblewrap runs on Linux only, not on ${host.platform}`,
      install:
        host.platform === 'darwin'
          ? 'set AIDEV_SANDBOX=auto (or seatbelt) to use macOS’s own sandbox'
          : 'run aidev on Linux',
    };
  const bwrap = host.find('bwrap');
  if (bwrap === undefined)
    return {
      status: 'missing',
      summary: 'bubblewrap (bwrap) is not installed',
      install: LINUX_INSTALL,
    };
  if (host.find('prlimit') === undefined)
    return {
      status: 'missing',
      summary: 'the sandbox needs prlimit (util-linux) to limit processes, memory and CPU',
      install: UTIL_LINUX_INSTALL,
    };
  return {
    status: 'ready',
    kind: 'bubblewrap',
    summary: `bubblewrap at ${bwrap}${chosen(setting)}`,
  };
}

function seatbelt(setting: SandboxSetting, host: SandboxHost): SandboxChoice {
  if (host.platform !== 'darwin')
    return {
      status: 'missing',
      summary: `AIDEV_SANDBOX=seatbelt: Seatbelt (sandbox-exec) is macOS’s sandbox, not ${host.platform}’s`,
      install:
        host.platform === 'linux'
          ? 'set AIDEV_SANDBOX=auto (or bubblewrap) to use bubblewrap'
          : 'run aidev on macOS or Linux',
    };
  const program = host.find('sandbox-exec');
  if (program === undefined)
    return {
      status: 'missing',
      summary: `sandbox-exec is missing (it ships with macOS at ${SANDBOX_EXEC})`,
      install: 'restore it: it is part of macOS itself, there is nothing to install',
    };
  return {
    status: 'ready',
    kind: 'seatbelt',
    summary: `Seatbelt (sandbox-exec at ${program})${chosen(setting)}`,
  };
}

const chosen = (setting: SandboxSetting) =>
  setting === 'auto' ? ', chosen by AIDEV_SANDBOX=auto' : '';

/** The refusal of a command that would need a sandbox: what is missing and both ways out. */
export function sandboxRefusal(choice: Extract<SandboxChoice, { status: 'missing' }>): string {
  return `cannot run the command: ${choice.summary}; ${choice.install}, or set AIDEV_SANDBOX=none to run commands without a sandbox`;
}

/**
 * This machine, as the choice sees it: programs on `pathVariable`, then the system's own
 * directories (where bubblewrap's helpers and sandbox-exec live).
 */
export function sandboxHost(
  pathVariable: string | undefined,
  platform: NodeJS.Platform = process.platform,
): SandboxHost {
  return {
    platform,
    find: (program) =>
      // bwrap is looked up on PATH alone: a PATH without it is how an operator (or a test)
      // says there is none, as it always was.
      findExecutable(
        program,
        program === 'bwrap' ? pathVariable : `${pathVariable ?? ''}:/usr/bin:/bin`,
      ),
  };
}
