/**
 * What a sandboxed command may use: resource limits, the few host paths it sees, and the hosts a
 * setup command may reach. Everything not named here stays out of the sandbox (an allow-list,
 * never a copy of the host with holes cut in it).
 */
export interface SandboxLimits {
  /** Processes (and threads) the command may have at once: a fork bomb stops here. */
  readonly processes: number;
  /** Writable memory of each process (RLIMIT_DATA; address space stays free for V8 and WASM). */
  readonly memoryBytes: number;
  /** Largest file the command may write. */
  readonly fileSizeBytes: number;
  /** CPU seconds of each process; the wall-clock limit is the command's timeout. */
  readonly cpuSeconds: number;
  /** Size of its private /tmp. */
  readonly tmpBytes: number;
  /** Size of its private home directory (package caches of a setup command live there). */
  readonly homeBytes: number;
}

export interface SandboxPolicy {
  readonly limits: SandboxLimits;
  /**
   * More host directories seen read-only (a toolchain under /opt, say). System program and
   * library directories, aidev's Node.js and its tools are always there.
   */
  readonly readOnlyPaths: readonly string[];
  /**
   * Hosts a setup command may reach through aidev's proxy (`registry.npmjs.org`, or
   * `*.example.com` for a domain and its subdomains), over HTTPS. Tests never have network.
   */
  readonly setupHosts: readonly string[];
  /**
   * The user a command runs as when aidev itself runs as root: the sandbox never runs code as
   * root, and the process limit holds only for a user other than root.
   */
  readonly uid: number;
  readonly gid: number;
  /**
   * How many user ids, from `uid` down, commands running at once take turns with: each gets its
   * own, and with it a process limit of its own (the kernel counts it per user).
   */
  readonly users: number;
}

const MiB = 1024 * 1024;

/** Package registries of the common ecosystems: what `npm ci`, `pip install` and friends need. */
export const DEFAULT_SETUP_HOSTS = [
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'crates.io',
  'index.crates.io',
  'static.crates.io',
  'proxy.golang.org',
  'sum.golang.org',
  'rubygems.org',
  'index.rubygems.org',
  'repo.maven.apache.org',
  'repo1.maven.org',
  'plugins.gradle.org',
] as const;

export const DEFAULT_SANDBOX_POLICY: SandboxPolicy = {
  limits: {
    processes: 256,
    memoryBytes: 2048 * MiB,
    fileSizeBytes: 512 * MiB,
    cpuSeconds: 1800,
    tmpBytes: 256 * MiB,
    homeBytes: 512 * MiB,
  },
  readOnlyPaths: [],
  setupHosts: DEFAULT_SETUP_HOSTS,
  uid: 65534,
  gid: 65534,
  users: 64,
};

/** Whether `host` is one the policy lets a setup command reach. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p.startsWith('*.')) return name.endsWith(p.slice(1)) || name === p.slice(2);
    return name === p;
  });
}
