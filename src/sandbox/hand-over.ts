import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Gives a working copy to the sandbox's user (aidev runs as root, its commands never do), so the
 * command can write where it works. Links are re-owned, never followed.
 */
export async function handOver(directory: string, uid: number, gid: number): Promise<void> {
  const own = async (entry: string): Promise<void> => {
    const stat = await fs.lstat(entry);
    if (stat.uid !== uid || stat.gid !== gid) await fs.lchown(entry, uid, gid);
    if (!stat.isDirectory()) return;
    for (const name of await fs.readdir(entry)) await own(path.join(entry, name));
  };
  await own(directory);
}
