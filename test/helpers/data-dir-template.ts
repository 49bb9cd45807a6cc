import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Fills `dest` (an existing, empty folder) with a copy of a database's freshly initialised data
 * folder. The first call on a machine for a given `key` runs `init(folder)` to make the template,
 * in the system's temporary folder, and later calls (from any test process) copy it: initdb or
 * mariadb-install-db takes about a second of CPU and 4 to 8 s, a copy a tenth of a second. The
 * template appears whole or not at all (made aside, then renamed into place), so test files that
 * start servers at the same time never see half of one. `key` names everything the template
 * depends on (programs, their options, the user), and `cp -a` keeps owners and modes, which the
 * servers check.
 */
export async function copyOfInitialisedDataDir (key: string, dest: string, init: (folder: string) => Promise<void>): Promise<void> {
  const template = join(tmpdir(), `vigie-data-template-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`)
  if (!existsSync(template)) {
    const building = mkdtempSync(`${template}.building-`)
    try {
      await init(building)
      renameSync(building, template)
    } catch (error) {
      rmSync(building, { recursive: true, force: true })
      // Another test process made it first: use theirs.
      if (!existsSync(template)) throw error
    }
  }
  await run('cp', ['-a', `${template}/.`, dest])
}
