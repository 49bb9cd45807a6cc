import { statfs } from 'node:fs/promises'

/**
 * Bytes available to an unprivileged process on the filesystem holding `dir`: `statfs`'s free
 * blocks for non-root users × block size. Rejects when `dir` cannot be read (removed, no access).
 */
export async function diskFreeBytes (dir: string): Promise<number> {
  const stats = await statfs(dir)
  return stats.bavail * stats.bsize
}
