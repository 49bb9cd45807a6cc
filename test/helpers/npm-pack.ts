import { execFile as execFileCallback } from 'node:child_process'
import { promisify } from 'node:util'

const execFile = promisify(execFileCallback)

import { root, WITHOUT_TAP } from './run-built.ts'

/** The repository's root, where package.json is. */
export { root }

/** One file of the tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  path: string
  size: number
}

/** What `npm pack --json` reports of the tarball. */
export interface PackReport {
  filename: string
  size: number
  unpackedSize: number
  files: PackedFile[]
}

/**
 * Runs `npm pack --json` on the built package (dist/, built by `npm test` first), locally: no
 * registry is asked. `destination`: the directory the tarball is written to; without it, a dry
 * run that writes nothing. tap's loaders are dropped from the child, as in run-built.ts.
 */
export async function npmPack (destination?: string): Promise<PackReport> {
  const where = destination === undefined ? ['--dry-run'] : ['--pack-destination', destination]
  const { stdout } = await execFile('env', [...WITHOUT_TAP, 'npm', 'pack', '--json', '--ignore-scripts', ...where], {
    cwd: root,
    timeout: 30_000,
    maxBuffer: 16 * 1024 * 1024,
  })
  const [report] = JSON.parse(stdout) as PackReport[]
  if (report === undefined) throw new Error(`npm pack reported nothing: ${stdout}`)
  return report
}
