import { readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import lazyDependencies from '../lazy-dependencies.cjs'
import { loadedCommonJsModules } from '../process-state.js'
import { MYSQL2_CHANNELS_SINCE, mysql2HasChannels, subscribeMysql2Channels } from './mysql2-channels.js'
import { wrapPgQuery } from './pg-hook.js'
import { reportHookFailure, reportOldDriver } from './query-observers.js'

/** pg's Client, the one file whose prototype is wrapped (pools and ORMs all go through it). */
const PG_CLIENT = `${sep}pg${sep}lib${sep}client.js`
const PG_CLIENT_INTERNAL = 'pg/lib/client.js'

/**
 * Installs the database driver hooks: pg's `Client.prototype.query` wrapped in every copy of pg
 * already loaded (found in the module cache) or loaded later (through `require`, or `import`,
 * whose pg entry requires lib/client.js: the require hook sees it either way), and mysql2's
 * TracingChannels subscribed (a mysql2 older than 3.20 publishes none: one warning names the
 * version needed). Meant to be installed once per process (acquire() in database-feature.ts);
 * returns the function that removes it all.
 */
export function installDriverHooks (): () => void {
  const restores: Array<() => void> = []
  const patchPgClient = (Client: unknown): void => {
    try {
      const prototype = (Client as { prototype?: Record<string, unknown> } | null)?.prototype
      if (prototype !== undefined) restores.push(wrapPgQuery(prototype))
    } catch (err) {
      reportHookFailure('pg', err)
    }
  }
  const cache = loadedCommonJsModules()
  for (const [path, loaded] of Object.entries(cache)) {
    if (path.endsWith(PG_CLIENT)) patchPgClient(loaded?.exports)
    else if (path.endsWith(`${sep}mysql2${sep}index.js`)) checkMysql2(join(path, '..'))
  }
  restores.push(subscribeMysql2Channels())
  try {
    const { Hook } = lazyDependencies.requireInTheMiddle()
    const hook = new Hook(['pg', 'mysql2'], { internals: true }, function onRequire<T> (exported: T, name: string, basedir?: string): T {
      if (name === PG_CLIENT_INTERNAL) patchPgClient(exported)
      else if (name === 'mysql2' && basedir !== undefined) checkMysql2(basedir)
      return exported
    })
    restores.push(() => hook.unhook())
  } catch (err) {
    reportHookFailure('pg', err)
  }
  return function uninstallDriverHooks () {
    for (const restore of restores.splice(0)) restore()
  }
}

/** A mysql2 older than 3.20 publishes no channel: its queries are not seen, and that is said once. */
function checkMysql2 (basedir: string): void {
  try {
    const { version } = JSON.parse(readFileSync(join(basedir, 'package.json'), 'utf8')) as { version?: unknown }
    if (typeof version === 'string' && !mysql2HasChannels(version)) reportOldDriver('mysql2', version, MYSQL2_CHANNELS_SINCE)
  } catch {
    // No readable package.json: nothing to say.
  }
}
