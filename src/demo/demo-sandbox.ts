import path from 'node:path';
import type { Config } from '../config/config.js';
import { SETTINGS_DEFAULTS } from '../config/file-schema.js';
import { AppError } from '../errors/app-error.js';
import { packagePath } from '../package-root.js';
import { chooseSandbox, type SandboxChoice, type SandboxHost } from '../sandbox/sandbox-choice.js';

/** What `aidev demo` runs its commands in, decided once when it composes its configuration. */
export interface DemoSandbox {
  /** The demo's configuration: as given, or with the exemption when there is no sandbox. */
  adjust(config: Config): Config;
  /**
   * Says which sandbox the demo uses — or why it runs without one, why that is safe here and
   * how real runs differ — before the flow starts. Throws, saying what to do, when there is no
   * sandbox and code that does not ship with aidev could run (a live model's commands).
   */
  announce(say: (text: string) => void): void;
  /** The demo started this run: with no sandbox, its commands (only its) may run without one. */
  exempt(runId: string): void;
}

const INDENT = '             ';

/**
 * The demo's sandbox. With none on this machine, the demo's own runs may run their commands
 * without one (the unsandboxed-demo mode), and only when every command comes from what ships
 * with aidev: the sample repository, the recorded AI answers, aidev's own implement-task
 * workflow, and no setup command. The exemption lists the runs the demo started (`exempt`), so a run its
 * in-process worker picks up from the same database is not covered; and real runs never
 * compose this configuration, so they keep refusing.
 */
export function demoSandbox(host: SandboxHost): DemoSandbox {
  let choice: SandboxChoice | undefined;
  let liveCode: { why: string; instead: string } | undefined;
  const runs = new Set<string>();
  return {
    adjust(config) {
      choice = chooseSandbox(config.security.sandbox, host);
      if (choice.status !== 'missing') return config;
      liveCode = codeNotShipped(config);
      if (liveCode !== undefined) return config;
      return {
        ...config,
        ai: { ...config.ai, setupCommand: undefined },
        security: { ...config.security, unsandboxedDemo: { runs } },
        workflows: { ...config.workflows, directory: packagePath('workflows') },
      };
    },
    exempt(runId) {
      if (choice?.status === 'missing' && liveCode === undefined) runs.add(runId);
    },
    announce(say) {
      if (choice === undefined) throw new Error('demoSandbox: announce() before adjust()');
      if (choice.status === 'ready') return say(`  sandbox    ${choice.summary}`);
      if (choice.status === 'off')
        return say('  sandbox    none (AIDEV_SANDBOX=none): the sample’s tests run unsandboxed');
      if (liveCode !== undefined)
        throw new AppError(
          'sandbox_unavailable',
          `no sandbox on this machine (${choice.summary}), and ${liveCode.why}: they cannot run unsandboxed`,
          { hint: `${choice.install}; ${liveCode.instead}; or set AIDEV_SANDBOX=none` },
        );
      for (const line of [
        `  sandbox    none: ${choice.summary}`,
        'The demo runs the sample’s tests without a sandbox. That is safe here: every command',
        'it can run ships with aidev — the sample repository (demo/sample-repository), the AI’s',
        'recorded answers (transcripts/demo.json) and aidev’s implement-task workflow.',
        'Real runs differ: aidev implement, serve and worker refuse to run a repository’s code',
        'without a sandbox unless AIDEV_SANDBOX=none is set. To sandbox them,',
        `${choice.install}.`,
      ])
        say(line.startsWith('  ') ? line : `${INDENT}${line}`);
    },
  };
}

/** Why code from outside aidev could run in this demo, if it could, and how to avoid that. */
function codeNotShipped(config: Config): { why: string; instead: string } | undefined {
  const shipped = packagePath(SETTINGS_DEFAULTS.ai.transcript);
  if (config.anthropic.apiKey !== undefined)
    return {
      why: 'the demo’s AI is Claude (ANTHROPIC_API_KEY is set), so the commands it writes do not ship with aidev',
      instead: 'unset ANTHROPIC_API_KEY to replay the recorded answers',
    };
  if (config.openai.apiKey !== undefined)
    return {
      why: 'the demo’s AI is OpenAI (OPENAI_API_KEY is set), so the commands it writes do not ship with aidev',
      instead: 'unset OPENAI_API_KEY to replay the recorded answers',
    };
  if (path.resolve(config.ai.transcript) !== shipped)
    return {
      why: `the demo replays ${config.ai.transcript} (ai.transcript), so its commands do not ship with aidev`,
      instead: 'remove ai.transcript from the settings file to replay those',
    };
  return undefined;
}

/** Where the demo's tests ran, for its report. */
export function testsRanIn(config: Config): string {
  return config.security.unsandboxedDemo !== undefined || config.security.sandbox === 'none'
    ? 'without a sandbox'
    : 'in the sandbox';
}
