import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** Top-level system directories: programs and libraries, seen read-only (or as their links). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];

/**
 * The parts of /etc that programs need to run (dynamic linker, certificates, alternatives,
 * time zone, name-service switch), and nothing that holds accounts, credentials or other
 * programs' settings (shadow, gitconfig, npmrc, pip.conf, ssh). The sandbox's own passwd, group
 * and hosts are written fresh for each command.
 */
export const ETC_FILES: ReadonlySet<string> = new Set([
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'debian_version',
  'gai.conf',
  'host.conf',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'locale.alias',
  'localtime',
  'magic',
  'magic.mime',
  'mime.types',
  'nsswitch.conf',
  'os-release',
  'perl',
  'protocols',
  'services',
  'ssl',
  'timezone',
]);
/** Runtime settings of language toolchains under /etc (java-17-openjdk, python3.11…). */
export const ETC_TOOLCHAINS = /^(java-|python3|ruby|php)/;

export type MountArgs = string[];

/** System directories as bwrap arguments: bound read-only, or recreated as the links they are. */
function systemMounts(): MountArgs {
  const args: MountArgs = [];
  for (const dir of SYSTEM_DIRS) {
    const kind = entryKind(dir);
    if (kind === 'link') args.push('--symlink', readlinkSync(dir), dir);
    else if (kind === 'dir') args.push('--ro-bind', dir, dir);
  }
  return args;
}

function etcMounts(): MountArgs {
  const args: MountArgs = ['--dir', '/etc'];
  let names: string[];
  try {
    names = readdirSync('/etc');
  } catch {
    return args;
  }
  for (const name of names.sort()) {
    if (!ETC_FILES.has(name) && !ETC_TOOLCHAINS.test(name)) continue;
    const full = path.join('/etc', name);
    if (entryKind(full) === 'link') args.push('--symlink', readlinkSync(full), full);
    else args.push('--ro-bind-try', full, full);
  }
  return args;
}

/** System programs and libraries and a few files of /etc, as bwrap arguments. */
export function systemView(): MountArgs {
  return [...systemMounts(), ...etcMounts()];
}

/** Directories the system view already provides (a bind under them needs no parents made). */
export const SYSTEM_ROOTS: readonly string[] = ['/', '/etc', ...SYSTEM_DIRS];

/**
 * Host directories the command may read besides the system's: the Node.js aidev runs on (when
 * it lives outside /usr) and the extra paths asked for. Nothing else of the host — no /run or
 * /var/run (and so no sockets), no home directories, no /root, no data or working directory of
 * aidev, no other working copy — exists inside.
 */
export function extraReadOnlyDirs(extra: readonly string[]): string[] {
  const nodePrefix = path.dirname(path.dirname(process.execPath));
  const dirs = new Set<string>();
  for (const dir of [nodePrefix, ...extra])
    if (!SYSTEM_DIRS.some((s) => dir === s || dir.startsWith(`${s}/`))) dirs.add(dir);
  return [...dirs];
}

function entryKind(file: string): 'dir' | 'link' | 'other' | 'missing' {
  try {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) return 'link';
    return stat.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}
