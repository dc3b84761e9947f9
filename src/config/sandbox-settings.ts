import { z } from 'zod';
import { DEFAULT_SANDBOX_POLICY, type SandboxPolicy } from '../sandbox/sandbox-policy.js';
import { settingsRegistry } from './settings-registry.js';
import { absolutePath, duration, integer } from './values.js';

const MiB = 1024 * 1024;
const limits = DEFAULT_SANDBOX_POLICY.limits;

const toolchainDir = absolutePath('/opt/go').refine((p) => p !== '/', {
  error: 'expected a toolchain directory such as /opt/go, not / (the whole host)',
});

const hostPattern = z
  .string()
  .trim()
  .refine((h) => /^(\*\.)?([a-z0-9-]+\.)+[a-z0-9-]+$/i.test(h), {
    error: 'expected a host name such as registry.npmjs.org, or *.example.com for a domain',
  });

const megabytes = (what: string, fallback: number, max: number) =>
  integer(1, max)
    .optional()
    .register(settingsRegistry, { description: what, default: `${fallback / MiB}` });

/**
 * `sandbox:` in aidev.config.yaml: what repository commands (tests, setup, the agent's shell)
 * may use. Operators only: channels cannot widen it.
 */
export const sandboxSettingsSchema = z
  .strictObject({
    processes: integer(16, 65_536)
      .optional()
      .register(settingsRegistry, {
        description: 'Most processes a sandboxed command may have at once.',
        default: String(limits.processes),
      }),
    memory_mb: megabytes(
      'Writable memory of each sandboxed process, in MiB.',
      limits.memoryBytes,
      1_048_576,
    ),
    file_size_mb: megabytes(
      'Largest file a sandboxed command may write, in MiB.',
      limits.fileSizeBytes,
      1_048_576,
    ),
    cpu_time: duration({ min: '10s', max: '24h' })
      .optional()
      .register(settingsRegistry, {
        description: 'CPU time of each sandboxed process (the wall-clock limit is the timeout).',
        default: `${limits.cpuSeconds / 60}m`,
      }),
    tmp_size_mb: megabytes('Size of a command’s private /tmp, in MiB.', limits.tmpBytes, 65_536),
    home_size_mb: megabytes(
      'Size of a command’s private home directory (package caches), in MiB.',
      limits.homeBytes,
      65_536,
    ),
    read_only_paths: z
      .array(toolchainDir, { error: 'expected a list of absolute paths' })
      .optional()
      .register(settingsRegistry, {
        description:
          'More host directories commands may read (toolchains outside /usr); nothing else of the host is visible.',
        default: 'none',
      }),
    setup_hosts: z
      .array(hostPattern, { error: 'expected a list of host names' })
      .optional()
      .register(settingsRegistry, {
        description:
          'Hosts the setup command may reach over HTTPS through aidev’s proxy (tests never have network).',
        default: 'the npm, PyPI, crates.io, Go, RubyGems and Maven registries',
      }),
    uid: integer(1, 4_294_967_294)
      .optional()
      .register(settingsRegistry, {
        description: 'User id commands run as when aidev runs as root.',
        default: String(DEFAULT_SANDBOX_POLICY.uid),
      }),
    users: integer(1, 4096)
      .optional()
      .register(settingsRegistry, {
        description:
          'How many user ids, from sandbox.uid down, commands running at the same time on one machine take turns with: each command gets one of its own, and so a process limit of its own.',
        default: String(DEFAULT_SANDBOX_POLICY.users),
      }),
    gid: integer(1, 4_294_967_294)
      .optional()
      .register(settingsRegistry, {
        description: 'Group id commands run as when aidev runs as root.',
        default: String(DEFAULT_SANDBOX_POLICY.gid),
      }),
  })
  .optional();

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;

/** The sandbox policy of the settings file, over the defaults. */
export function sandboxPolicyOf(settings: SandboxSettings): SandboxPolicy {
  const d = DEFAULT_SANDBOX_POLICY;
  const bytes = (mb: number | undefined, fallback: number) =>
    mb === undefined ? fallback : mb * MiB;
  return {
    limits: {
      processes: settings?.processes ?? d.limits.processes,
      memoryBytes: bytes(settings?.memory_mb, d.limits.memoryBytes),
      fileSizeBytes: bytes(settings?.file_size_mb, d.limits.fileSizeBytes),
      cpuSeconds:
        settings?.cpu_time === undefined
          ? d.limits.cpuSeconds
          : Math.ceil(settings.cpu_time / 1000),
      tmpBytes: bytes(settings?.tmp_size_mb, d.limits.tmpBytes),
      homeBytes: bytes(settings?.home_size_mb, d.limits.homeBytes),
    },
    readOnlyPaths: settings?.read_only_paths ?? d.readOnlyPaths,
    setupHosts: settings?.setup_hosts ?? d.setupHosts,
    uid: settings?.uid ?? d.uid,
    gid: settings?.gid ?? d.gid,
    users: settings?.users ?? d.users,
  };
}
