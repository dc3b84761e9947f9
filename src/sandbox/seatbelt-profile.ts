import path from 'node:path';
import { ETC_FILES } from './filesystem-view.js';

/**
 * What one command's Seatbelt profile allows. Every path is absolute and already resolved
 * (Seatbelt matches the real path: /tmp is /private/tmp, /var is /private/var).
 */
export interface SeatbeltPlan {
  /** The working copy: readable, and writable unless `readOnly`. */
  readonly cwd: string;
  readonly readOnly?: boolean;
  /** The command's private, empty /tmp and home (TMPDIR and HOME point there). */
  readonly tmp: string;
  readonly home: string;
  /** More directories it may read: aidev's Node.js, tool directories, the policy's paths. */
  readonly readPaths: readonly string[];
  /** The loopback port of aidev's proxy, when the command may reach the allowed registries. */
  readonly proxyPort?: number;
}

/**
 * System directories macOS programs run from, seen read-only: the counterpart of the Linux
 * view's /usr, /bin, /lib. The developer tools (git, clang, make are shims into them), the
 * shared library cache, time zones, and Homebrew's programs (on Apple silicon it lives under
 * /opt/homebrew; its var/ and etc/, with databases and settings, stay out).
 */
export const MACOS_SYSTEM_PATHS: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/System',
  '/Library/Developer/CommandLineTools',
  '/Library/Apple/usr',
  '/Applications/Xcode.app/Contents/Developer',
  '/private/var/db/dyld',
  '/private/var/db/timezone',
  '/private/var/db/xcode_select_link',
  '/private/var/select',
  ...['bin', 'sbin', 'lib', 'libexec', 'opt', 'Cellar', 'Frameworks', 'share', 'include'].map(
    (dir) => `/opt/homebrew/${dir}`,
  ),
];

/**
 * Inside /usr, yet data of this machine rather than programs: Homebrew on Intel Macs keeps its
 * databases (PostgreSQL's, Redis's) and settings under /usr/local.
 */
export const MACOS_DENIED_PATHS: readonly string[] = ['/usr/local/var', '/usr/local/etc'];

/** The symlinks at the root that lead into /private: their own metadata is readable. */
const ROOT_LINKS = ['/etc', '/tmp', '/var'];

/**
 * Mach services a toolchain needs: logging, user and group look-ups, certificate checks (git
 * and curl over HTTPS through the proxy) and the per-user temporary directory. No others: the
 * pasteboard, keychain, launchd's and the window server's services stay unreachable. From the
 * Chrome-derived list of anthropic-experimental/sandbox-runtime (Apache-2.0), narrowed.
 */
const MACH_SERVICES = [
  'com.apple.logd',
  'com.apple.system.logger',
  'com.apple.system.notification_center',
  'com.apple.system.opendirectoryd.libinfo',
  'com.apple.system.opendirectoryd.membership',
  'com.apple.trustd.agent',
  'com.apple.SecurityServer',
  'com.apple.bsd.dirhelper',
];

/**
 * The kernel values runtimes read (CPU count and kind, page size, OS version, this process's
 * own entry), as sandbox-runtime lists them. Not the arguments or environment of other
 * processes (kern.procargs2): those could carry another program's secrets.
 */
const SYSCTLS = [
  'hw.activecpu',
  'hw.byteorder',
  'hw.cachelinesize_compat',
  'hw.cpufamily',
  'hw.cpufrequency',
  'hw.cputype',
  'hw.l1dcachesize_compat',
  'hw.l2cachesize_compat',
  'hw.logicalcpu',
  'hw.logicalcpu_max',
  'hw.machine',
  'hw.memsize',
  'hw.ncpu',
  'hw.nperflevels',
  'hw.pagesize',
  'hw.pagesize_compat',
  'hw.physicalcpu',
  'hw.physicalcpu_max',
  'hw.tbfrequency_compat',
  'hw.vectorunit',
  'kern.argmax',
  'kern.hostname',
  'kern.maxfiles',
  'kern.maxfilesperproc',
  'kern.maxproc',
  'kern.ngroups',
  'kern.osproductversion',
  'kern.osrelease',
  'kern.ostype',
  'kern.osvariant_status',
  'kern.osversion',
  'kern.secure_kernel',
  'kern.usrstack64',
  'kern.version',
  'machdep.ptrauth_enabled',
  'security.mac.lockdown_mode_state',
  'sysctl.proc_cputype',
  'vm.loadavg',
];
const SYSCTL_PREFIXES = [
  'hw.optional.',
  'hw.perflevel',
  'kern.proc.pid.',
  'kern.proc.pgrp.',
  'machdep.cpu.',
];

/**
 * The Seatbelt profile of one command: the same policy as the bubblewrap sandbox, in Apple's
 * sandbox language. Everything is denied unless allowed below:
 *
 * 1. reading: the system's programs and libraries, a few files of /etc, the working copy, the
 *    private /tmp and home, and the policy's extra paths; no home directory, no /Users, no
 *    /Volumes, no aidev data directory, no other working copy;
 * 2. writing: the working copy (unless read-only), the private /tmp and home, /dev/null;
 * 3. network: none, but for aidev's proxy on its loopback port when asked — no other port of
 *    this machine (its databases, its Docker daemon), no DNS, no host Unix socket;
 * 4. processes: its own children only may be signalled or inspected.
 *
 * Pure: the caller resolves the paths.
 */
export function seatbeltProfile(plan: SeatbeltPlan): string {
  const readable = [...MACOS_SYSTEM_PATHS, ...plan.readPaths, plan.tmp, plan.home, plan.cwd];
  const writable = [...(plan.readOnly === true ? [] : [plan.cwd]), plan.tmp, plan.home];
  for (const p of [...readable, ...MACOS_DENIED_PATHS]) checkPath(p);
  return [
    '(version 1)',
    '(deny default)',
    '',
    '; Processes: run programs, start children, touch only this sandbox’s own processes.',
    '(allow process-exec process-fork)',
    '(allow process-info* (target same-sandbox))',
    '(allow signal (target same-sandbox))',
    '(allow ipc-posix-sem ipc-posix-shm)',
    `(allow mach-lookup ${MACH_SERVICES.map((s) => `(global-name ${quote(s)})`).join(' ')})`,
    `(allow sysctl-read ${[
      ...SYSCTLS.map((s) => `(sysctl-name ${quote(s)})`),
      ...SYSCTL_PREFIXES.map((s) => `(sysctl-name-prefix ${quote(s)})`),
    ].join(' ')})`,
    '',
    '; Reading: an allow-list, never the host with holes cut in it.',
    `(allow file-read-metadata ${ancestors(readable)
      .map((p) => `(literal ${quote(p)})`)
      .join(' ')})`,
    `(allow file-read* ${ROOT_LINKS.map((p) => `(literal ${quote(p)})`).join(' ')})`,
    `(allow file-read* ${readable.map((p) => `(subpath ${quote(p)})`).join(' ')})`,
    `(allow file-read* ${[...ETC_FILES].map((name) => `(subpath ${quote(`/private/etc/${name}`)})`).join(' ')} (regex #"^/private/etc/(java-|python3|ruby|php)"))`,
    `(allow file-read* file-write-data ${['/dev/null', '/dev/zero', '/dev/dtracehelper'].map((p) => `(literal ${quote(p)})`).join(' ')})`,
    '(allow file-read* (literal "/dev/random") (literal "/dev/urandom") (subpath "/dev/fd"))',
    '(allow file-ioctl (literal "/dev/null") (literal "/dev/dtracehelper"))',
    `(deny file-read* file-write* ${MACOS_DENIED_PATHS.map((p) => `(subpath ${quote(p)})`).join(' ')})`,
    '',
    '; Writing: the working copy and the private /tmp and home.',
    `(allow file-write* ${writable.map((p) => `(subpath ${quote(p)})`).join(' ')})`,
    '',
    '; Network: nothing, or aidev’s proxy alone.',
    ...(plan.proxyPort === undefined
      ? []
      : [`(allow network-outbound (remote ip ${quote(`localhost:${plan.proxyPort}`)}))`]),
    // Unix sockets a test makes for itself live in its private /tmp; none of the host's do.
    `(allow network* (subpath ${quote(plan.tmp)}))`,
    '',
  ].join('\n');
}

/** Every directory above these paths, whose metadata path look-ups need (not their contents). */
function ancestors(paths: readonly string[]): string[] {
  const dirs = new Set<string>(['/']);
  for (const p of paths)
    for (let dir = path.dirname(p); dir !== path.dirname(dir); dir = path.dirname(dir))
      dirs.add(dir);
  return [...dirs].sort();
}

/**
 * Paths go into the profile as string literals; one with a quote, a backslash or a control
 * character could end the literal and add rules of its own, so it is refused instead.
 */
function checkPath(p: string): void {
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (!path.isAbsolute(p) || /["\\\u0000-\u001f\u007f]/.test(p))
    throw new Error(
      `cannot sandbox a command with the path ${JSON.stringify(p)}: Seatbelt profiles take absolute paths without quotes, backslashes or control characters; move it (or the data directory) to a plainer path`,
    );
}

const quote = (text: string) => `"${text}"`;
