// A throwaway PostgreSQL for the demo's shop, on 127.0.0.1 and a free port:
// - Debian's PostgreSQL server when its programs are installed (`apt-get install -y postgresql`):
//   a fresh cluster in a temporary folder, as the tests start one (test/helpers/postgres.ts);
// - else PGlite, real PostgreSQL compiled to WebAssembly (npm `@electric-sql/pglite`), served over
//   TCP with the wire protocol by `@electric-sql/pglite-socket`, in a process of its own.
// Either way the shop talks to it through `pg` over a socket. VIGIE_DEMO_DB=postgres or =pglite
// forces one (postgres fails when it is not installed).
import { execFile, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)
const HOST = '127.0.0.1'
const READY_TIMEOUT_MS = 60_000
const STOP_GRACE_MS = 3_000
const OUTPUT_TAIL_CHARS = 8_000
const CHOICES = ['auto', 'postgres', 'pglite']
const pgliteServerPath = fileURLToPath(new URL('./pglite-server.mjs', import.meta.url))

/**
 * @typedef {{
 *   kind: 'postgres' | 'pglite',
 *   label: string,
 *   why: string,
 *   note?: string,
 *   startupMs: number,
 *   connection: { host: string, port: number, user: string, database: string },
 *   stop(): Promise<void>
 * }} ShopDatabase
 * `label`: what it is ("PostgreSQL 15.14, Debian's server", "PGlite (PostgreSQL 17.5 …)"); `why`: why this one;
 * `note`: more about how it started;
 * `startupMs`: how long it took to be ready; `stop()`: stops it and removes its files (twice is
 * harmless). It is also stopped if the process exits first.
 */

/**
 * @param {{ database?: string, choice?: string }} [options] `database`: the database to create
 *   (PGlite has one, `postgres`); `choice`: `auto` (the default, from VIGIE_DEMO_DB), `postgres`
 *   or `pglite`
 * @returns {Promise<ShopDatabase>}
 */
export async function startShopDatabase ({ database = 'shop', choice = process.env.VIGIE_DEMO_DB || 'auto' } = {}) {
  if (!CHOICES.includes(choice)) throw new Error(`VIGIE_DEMO_DB must be one of ${CHOICES.join(', ')}; got ${JSON.stringify(choice)}`)
  if (choice === 'pglite') return startPglite('VIGIE_DEMO_DB=pglite')
  const bin = debianBinDir()
  const owner = bin === undefined ? undefined : await serverUser()
  if (bin !== undefined && owner !== undefined) {
    const why = choice === 'postgres' ? 'VIGIE_DEMO_DB=postgres' : `its server programs are installed (${bin})`
    return startDebianPostgres(bin, owner, database, why)
  }
  const missing = bin === undefined
    ? 'PostgreSQL\'s server programs are not installed (apt-get install -y postgresql)'
    : 'running as root, and there is no user "postgres" to run PostgreSQL\'s server as'
  if (choice === 'postgres') throw new Error(`VIGIE_DEMO_DB=postgres, but ${missing}`)
  return startPglite(missing)
}

/** initdb, postgres and psql's folder: Debian's newest /usr/lib/postgresql/N/bin, else one on PATH. */
function debianBinDir () {
  const debian = '/usr/lib/postgresql'
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : []
  const candidates = [...versions.map((v) => join(debian, v, 'bin')), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)]
  return candidates.find((dir) => ['initdb', 'postgres'].every((program) => existsSync(join(dir, program))))
}

/** initdb refuses to run as root: then the server runs as Debian's `postgres` user. null: as we are. */
async function serverUser () {
  if (process.getuid?.() !== 0) return null
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    return { uid: Number(uid), gid: Number(gid) }
  } catch {
    return undefined
  }
}

async function startDebianPostgres (bin, owner, database, why) {
  const startedAt = performance.now()
  const dir = mkdtempSync(join(tmpdir(), 'vigie-demo-pg-'))
  const asServer = owner === null ? {} : { uid: owner.uid, gid: owner.gid }
  if (owner !== null) chownSync(dir, owner.uid, owner.gid)
  // The folder goes when the demo exits, from now on (a Ctrl-C may come during initdb). Retried:
  // the server may still be writing there.
  const removeDirOnExit = () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 })
    } catch (err) {
      console.error(`could not remove ${dir}: ${err.message}`)
    }
  }
  process.once('exit', removeDirOnExit)
  const removeDir = () => {
    process.removeListener('exit', removeDirOnExit)
    removeDirOnExit()
  }
  try {
    await run(join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { ...asServer, cwd: dir })
  } catch (err) {
    removeDir()
    throw new Error(`PostgreSQL's initdb failed: ${err.stderr || err.message}`, { cause: err })
  }
  const version = /\d+(\.\d+)+/.exec((await run(join(bin, 'postgres'), ['--version'])).stdout)?.[0] ?? '(unknown version)'
  const port = await freePort()
  // The postmaster is our own child (not pg_ctl's), in its own process group, so that a Ctrl-C
  // reaches the demo first and the demo stops it after the shop.
  const child = spawn(join(bin, 'postgres'), ['-D', dir, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'synchronous_commit=off'],
  { ...asServer, cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const server = watchChild(child, { stop: 'SIGINT', exit: 'SIGQUIT' }, removeDir)
  try {
    await server.waitFor((output) => output.includes('database system is ready to accept connections'))
    const admin = new pg.Client({ host: HOST, port, user: 'postgres', database: 'postgres' })
    await admin.connect()
    try {
      await admin.query(`CREATE DATABASE ${database}`)
    } finally {
      await admin.end()
    }
  } catch (err) {
    await server.stop()
    throw new Error(`PostgreSQL did not start: ${err.stderr || err.message}\n${server.output()}`, { cause: err })
  }
  return {
    kind: 'postgres',
    label: `PostgreSQL ${version}, Debian's server`,
    why,
    startupMs: performance.now() - startedAt,
    connection: { host: HOST, port, user: 'postgres', database },
    stop: server.stop
  }
}

// PGlite runs one database, `postgres`: the shop's tables go there.
async function startPglite (why) {
  const startedAt = performance.now()
  const child = spawn(process.execPath, [pgliteServerPath], { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  const server = watchChild(child, { stop: 'SIGTERM', exit: 'SIGKILL' }, () => {})
  const ready = new Promise((resolve) => child.once('message', resolve))
  let port, version, cache, cached
  try {
    ({ port, version, cache, cached } = await server.waitFor(() => false, ready))
  } catch (err) {
    await server.stop()
    throw new Error(`PGlite did not start: ${err.message}\n${server.output()}`, { cause: err })
  }
  return {
    kind: 'pglite',
    label: `PGlite (PostgreSQL ${version} in WebAssembly, served over TCP by pglite-socket)`,
    why,
    note: cached ? `started from the fresh cluster an earlier run kept in ${cache}` : `its fresh cluster is kept in ${cache}, for a faster start next time`,
    startupMs: performance.now() - startedAt,
    connection: { host: HOST, port, user: 'postgres', database: 'postgres' },
    stop: server.stop
  }
}

/**
 * Keeps the tail of a server's output, and:
 * - waitFor(predicate, promise?): resolves when the output satisfies predicate (or the promise
 *   resolves, with its value); rejects if the server exits first or after READY_TIMEOUT_MS;
 * - stop(): signals.stop, SIGKILL after STOP_GRACE_MS, then cleanup(). If this process exits
 *   first: signals.exit at once (PostgreSQL's SIGQUIT is its immediate shutdown), before the
 *   other exit listeners (the folder's removal among them).
 */
function watchChild (child, signals, cleanup) {
  let output = ''
  const listeners = new Set()
  const onOutput = (chunk) => {
    output = (output + chunk).slice(-OUTPUT_TAIL_CHARS)
    for (const listener of listeners) listener()
  }
  child.stdout.setEncoding('utf8').on('data', onOutput)
  child.stderr.setEncoding('utf8').on('data', onOutput)
  const exited = new Promise((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })))
  const running = () => child.exitCode === null && child.signalCode === null
  const killOnParentExit = () => {
    try {
      if (running()) child.kill(signals.exit)
    } catch (err) {
      console.error(`could not stop the shop's database: ${err.message}`)
    }
  }
  process.prependOnceListener('exit', killOnParentExit)
  let stopped
  const stop = () => {
    stopped ??= (async () => {
      if (running()) {
        child.kill(signals.stop)
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
        await exited
        clearTimeout(timer)
      }
      process.removeListener('exit', killOnParentExit)
      cleanup()
      child.stdout.destroy()
      child.stderr.destroy()
    })()
    return stopped
  }
  const waitFor = (predicate, promise = new Promise(() => {})) => new Promise((resolve, reject) => {
    const done = (fn) => {
      listeners.delete(check)
      clearTimeout(timer)
      fn()
    }
    const check = () => { if (predicate(output)) done(() => resolve()) }
    const timer = setTimeout(() => done(() => reject(new Error(`not ready after ${READY_TIMEOUT_MS} ms`))), READY_TIMEOUT_MS)
    listeners.add(check)
    check()
    promise.then((value) => done(() => resolve(value)))
    exited.then(({ code, signal: sig }) => done(() => reject(new Error(`exited before it was ready (code ${code}, signal ${sig})`))))
  })
  return { waitFor, stop, output: () => output }
}

function freePort () {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}
