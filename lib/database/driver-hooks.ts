import { readFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import lazyDependencies from '../lazy-dependencies.cjs'
import { loadedCommonJsModules } from '../process-state.ts'
import { MYSQL2_CHANNELS_SINCE, mysql2HasChannels, subscribeMysql2Channels } from './mysql2-channels.ts'
import { wrapMysql2QueryComment } from './mysql2-comment.ts'
import { wrapLegacyMysql2 } from './mysql2-legacy-hook.ts'
import { bindPoolCallbacks } from './pool-context.ts'
import { wrapPgQuery } from './pg-hook.ts'
import { reportHookFailure, reportOldDriver } from './query-observers.ts'

/** pg's Client, the one file whose prototype is wrapped (pools and ORMs all go through it). */
const PG_CLIENT = `${sep}pg${sep}lib${sep}client.js`
const PG_CLIENT_INTERNAL = 'pg/lib/client.js'
/** pg-pool, under pg.Pool: its `connect` callback (used by its `query`) is bound like mysql2's. */
const PG_POOL = `${sep}pg-pool${sep}index.js`
/** mysql2's connection class (its `query` and `execute` are on it or on its base class). */
const MYSQL2_CONNECTION = `${sep}lib${sep}connection.js`
const MYSQL2_CONNECTION_INTERNAL = 'mysql2/lib/connection.js'
/** mysql2's pool class (its `getConnection` is on it or on its base class). */
const MYSQL2_POOL = `${sep}lib${sep}pool.js`
const MYSQL2_POOL_INTERNAL = 'mysql2/lib/pool.js'

/**
 * Installs the database driver hooks: pg's `Client.prototype.query` wrapped in every copy of pg
 * already loaded (found in the module cache) or loaded later (through `require`, or `import`,
 * whose pg entry requires lib/client.js: the require hook sees it either way), and mysql2's
 * TracingChannels subscribed; a mysql2 3.x older than 3.20, which publishes none, gets its
 * `query` and `execute` wrapped instead (mysql2-legacy-hook.ts), or, when they are not where 3.x
 * has them, one warning naming the version needed. mysql2's pool calls a waiting caller back in
 * the async context of whoever released a connection: inside a request, its `getConnection`
 * callback is bound to the caller's context (pool-context.ts), and so is pg-pool's `connect`. Meant to be installed once per process (acquire() in database-feature.ts);
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
  const patchMysql2Connection = (Connection: unknown, basedir: string): void => {
    try {
      const version = mysql2Version(basedir)
      if (version === undefined) return
      // 3.20 and later: the channels measure; `query` is wrapped only to add the sqlcommenter comment.
      if (mysql2HasChannels(version)) {
        wrapMysql2QueryComment(Connection, restores)
        return
      }
      if (!wrapLegacyMysql2(Connection, restores)) reportOldDriver('mysql2', version, MYSQL2_CHANNELS_SINCE)
    } catch (err) {
      reportHookFailure('mysql2', err)
    }
  }
  const patchMysql2Pool = (Pool: unknown, basedir: string): void => {
    try {
      if (mysql2Version(basedir) !== undefined) bindPoolCallbacks(Pool, 'getConnection', restores)
    } catch (err) {
      reportHookFailure('mysql2', err)
    }
  }
  const patchPgPool = (Pool: unknown): void => {
    try {
      bindPoolCallbacks(Pool, 'connect', restores)
    } catch (err) {
      reportHookFailure('pg', err)
    }
  }
  const cache = loadedCommonJsModules()
  for (const [path, loaded] of Object.entries(cache)) {
    if (path.endsWith(PG_CLIENT)) patchPgClient(loaded?.exports)
    else if (path.endsWith(PG_POOL)) patchPgPool(loaded?.exports)
    else if (path.endsWith(MYSQL2_CONNECTION)) patchMysql2Connection(loaded?.exports, join(path, '..', '..'))
    else if (path.endsWith(MYSQL2_POOL)) patchMysql2Pool(loaded?.exports, join(path, '..', '..'))
  }
  restores.push(subscribeMysql2Channels())
  try {
    const { Hook } = lazyDependencies.requireInTheMiddle()
    const hook = new Hook(['pg', 'pg-pool', 'mysql2'], { internals: true }, function onRequire<T> (exported: T, name: string, basedir?: string): T {
      if (name === PG_CLIENT_INTERNAL) patchPgClient(exported)
      else if (name === 'pg-pool') patchPgPool(exported)
      else if (name === MYSQL2_CONNECTION_INTERNAL && basedir !== undefined) patchMysql2Connection(exported, basedir)
      else if (name === MYSQL2_POOL_INTERNAL && basedir !== undefined) patchMysql2Pool(exported, basedir)
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

/** The version of the mysql2 package in `basedir`; undefined when it is another package or unreadable. */
function mysql2Version (basedir: string): string | undefined {
  try {
    const { name, version } = JSON.parse(readFileSync(join(basedir, 'package.json'), 'utf8')) as { name?: unknown, version?: unknown }
    return name === 'mysql2' && typeof version === 'string' ? version : undefined
  } catch {
    return undefined
  }
}
