import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import {
  chooseSandbox,
  sandboxModeFor,
  sandboxRefusal,
  UNSANDBOXED_DEMO,
  type SandboxHost,
} from '../../src/sandbox/sandbox-choice.js';
import { sandboxStatus } from '../../src/sandbox/sandbox-status.js';
import { REPO_ROOT } from '../support/child-process.js';

const host = (platform: NodeJS.Platform, programs: Record<string, string>): SandboxHost => ({
  platform,
  find: (program) => programs[program],
});
const linux = host('linux', { bwrap: '/usr/bin/bwrap', prlimit: '/usr/bin/prlimit' });
const linuxBare = host('linux', { prlimit: '/usr/bin/prlimit' });
const mac = host('darwin', { 'sandbox-exec': '/usr/bin/sandbox-exec' });

describe('chooseSandbox', () => {
  it('picks bubblewrap on Linux and Seatbelt on macOS by default (auto)', () => {
    expect(chooseSandbox('auto', linux)).toEqual({
      status: 'ready',
      kind: 'bubblewrap',
      summary: 'bubblewrap at /usr/bin/bwrap, chosen by AIDEV_SANDBOX=auto',
    });
    expect(chooseSandbox('auto', mac)).toEqual({
      status: 'ready',
      kind: 'seatbelt',
      summary: 'Seatbelt (sandbox-exec at /usr/bin/sandbox-exec), chosen by AIDEV_SANDBOX=auto',
    });
    expect(chooseSandbox('bubblewrap', linux)).toMatchObject({ kind: 'bubblewrap' });
    expect(chooseSandbox('seatbelt', mac)).toMatchObject({ kind: 'seatbelt' });
  });

  it('says exactly what to install when there is none', () => {
    const missing = chooseSandbox('auto', linuxBare);
    expect(missing).toEqual({
      status: 'missing',
      summary: 'bubblewrap (bwrap) is not installed',
      install:
        'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Alpine: apk add bubblewrap)',
    });
    expect(chooseSandbox('auto', host('linux', { bwrap: '/usr/bin/bwrap' }))).toMatchObject({
      status: 'missing',
      install: 'install util-linux (apt-get install util-linux)',
    });
    expect(chooseSandbox('auto', host('darwin', {}))).toEqual({
      status: 'missing',
      summary: 'sandbox-exec is missing (it ships with macOS at /usr/bin/sandbox-exec)',
      install: 'restore it: it is part of macOS itself, there is nothing to install',
    });
    expect(chooseSandbox('auto', host('win32', {}))).toMatchObject({
      status: 'missing',
      install: 'run aidev on Linux (its Docker image, or WSL 2 on Windows) or macOS',
    });
  });

  it('refuses a sandbox of the other platform, naming the setting that works here', () => {
    expect(chooseSandbox('bubblewrap', mac)).toMatchObject({
      status: 'missing',
      install: 'set AIDEV_SANDBOX=auto (or seatbelt) to use macOS’s own sandbox',
    });
    expect(chooseSandbox('seatbelt', linux)).toMatchObject({
      status: 'missing',
      install: 'set AIDEV_SANDBOX=auto (or bubblewrap) to use bubblewrap',
    });
  });

  it('treats none as the operator’s choice, not as something missing', () => {
    expect(chooseSandbox('none', linuxBare)).toMatchObject({ status: 'off' });
  });

  it('words a refusal with both ways out', () => {
    const missing = chooseSandbox('auto', linuxBare);
    if (missing.status !== 'missing') throw new Error('expected missing');
    expect(sandboxRefusal(missing)).toBe(
      'cannot run the command: bubblewrap (bwrap) is not installed; install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Alpine: apk add bubblewrap), or set AIDEV_SANDBOX=none to run commands without a sandbox',
    );
  });
});

describe('the sandbox line of aidev config check', () => {
  it('names the sandbox in use, fails saying what to install, warns for none', () => {
    expect(sandboxStatus('auto', mac)).toEqual({
      status: 'ok',
      detail: 'Seatbelt (sandbox-exec at /usr/bin/sandbox-exec), chosen by AIDEV_SANDBOX=auto',
    });
    expect(sandboxStatus('auto', linuxBare)).toEqual({
      status: 'fail',
      detail:
        'bubblewrap (bwrap) is not installed; runs refuse to run a repository’s tests until you install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Alpine: apk add bubblewrap), or set AIDEV_SANDBOX=none to run them unsandboxed',
    });
    const none = sandboxStatus('none', linux);
    expect(none.status).toBe('warn');
    expect(none.detail).toContain('AIDEV_SANDBOX=none: repository commands run without a sandbox');
  });
});

describe('the demo’s exemption', () => {
  it('cannot be chosen with AIDEV_SANDBOX', () => {
    expect(() => loadConfig({ env: { AIDEV_SANDBOX: UNSANDBOXED_DEMO }, cwd: REPO_ROOT })).toThrow(
      ConfigError,
    );
  });

  it('covers only the runs the demo listed: any other run its worker picks up keeps the setting', () => {
    const demo = { runs: new Set(['run-demo']) };
    expect(sandboxModeFor('auto', 'run-demo', demo)).toBe(UNSANDBOXED_DEMO);
    expect(sandboxModeFor('auto', 'run-queued-from-slack', demo)).toBe('auto');
    expect(sandboxModeFor('bubblewrap', 'run-demo', undefined)).toBe('bubblewrap');
  });

  it('is composed only by the demo, and turned into a mode only by sandboxModeFor', async () => {
    const src = path.join(REPO_ROOT, 'src');
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith('.ts'));
    const composing: string[] = [];
    const naming: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(src, file), 'utf8');
      if (/unsandboxedDemo: \{/.test(text)) composing.push(file);
      if (text.includes('UNSANDBOXED_DEMO') || text.includes(`'${UNSANDBOXED_DEMO}'`))
        naming.push(file);
    }
    expect(composing).toEqual(['demo/demo-sandbox.ts']);
    expect(naming.sort()).toEqual(['sandbox/run-sandboxed.ts', 'sandbox/sandbox-choice.ts']);
  });
});
