import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { freeTcpPort as freePort } from './closed-ports.ts'
import { copyOfInitialisedDataDir } from './data-dir-template.ts'

const run = promisify(execFile)

/** A throwaway PostgreSQL cluster on 127.0.0.1, trusting every local connection. */
export interface Postgres {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly user: 'postgres'
  /** `postgres://postgres@127.0.0.1:PORT/DATABASE`, for `pg` and the fixtures. */
  url(database: string): string
  /** Creates an empty database, and resolves with its URL. */
  createDatabase(database: string): Promise<string>
  /** Stops the server at once (immediate shutdown: connections are cut), keeping its files. */
  halt(): Promise<void>
  /** Starts a halted server again, on the same port with the same data. */
  restart(): Promise<void>
  /** Stops the server at once and removes its files. Calling it twice is harmless. */
  stop(): Promise<void>
}

const MISSING = 'PostgreSQL\'s server programs (initdb, pg_ctl, createdb) were not found in /usr/lib/postgresql/*/bin ' +
  'nor on PATH: install the Debian package `postgresql` (apt-get install -y postgresql), as .ci/run does.'

/**
 * The folder holding initdb, pg_ctl and createdb: Debian's newest `<debian>/N/bin`, else the
 * first folder of `path` that has all three. Throws, naming the Debian package, when none has.
 */
export function postgresBinDir (debian = '/usr/lib/postgresql', path = process.env.PATH ?? ''): string {
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : []
  const candidates = [...versions.map((v) => join(debian, v, 'bin')), ...path.split(delimiter).filter(Boolean)]
  const found = candidates.find((dir) => ['initdb', 'pg_ctl', 'createdb'].every((bin) => existsSync(join(dir, bin))))
  if (found === undefined) throw new Error(MISSING)
  return found
}

/** initdb refuses to run as root: the server programs then run as Debian's `postgres` user. */
async function serverUser (): Promise<{ uid: number, gid: number } | null> {
  if (process.getuid?.() !== 0) return null
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    return { uid: Number(uid), gid: Number(gid) }
  } catch {
    throw new Error(`running as root, and there is no user "postgres" to run the server as. ${MISSING}`)
  }
}

/**
 * Starts a fresh cluster in a temporary folder on a free port (socket in the same folder), from a
 * copy of one initdb run per machine. Takes about a second. Throws, naming the Debian package,
 * when PostgreSQL is not installed; with the server's log when it does not start.
 */
export async function startPostgres (): Promise<Postgres> {
  const bin = postgresBinDir()
  const owner = await serverUser()
  const dir = mkdtempSync(join(tmpdir(), 'vigie-pg-'))
  if (owner !== null) chownSync(dir, owner.uid, owner.gid)
  const asServer = async (program: string, args: string[]): Promise<void> => {
    const path = join(bin, program)
    await (owner === null ? run(path, args) : run('runuser', ['-u', 'postgres', '--', path, ...args]))
  }
  const port = await freePort()
  const log = join(dir, 'server.log')
  let stopped = false
  let running = false
  const halt = async (): Promise<void> => {
    if (!running) return
    running = false
    await asServer('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop'])
  }
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    try {
      await halt()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const serverOptions = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`
  const restart = async (): Promise<void> => {
    if (running || stopped) return
    await asServer('pg_ctl', ['-D', dir, '-l', log, '-o', serverOptions, '-w', '-t', '30', 'start'])
    running = true
  }
  try {
    const initdb = ['-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']
    await copyOfInitialisedDataDir(['postgres', bin, owner?.uid, ...initdb].join(' '), dir, async (folder) => {
      if (owner !== null) chownSync(folder, owner.uid, owner.gid)
      await asServer('initdb', ['-D', folder, ...initdb])
    })
    await restart()
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '(no server log)'
    await stop().catch(() => {})
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${serverLog}`, { cause: error })
  }
  const url = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`
  const createDatabase = async (database: string): Promise<string> => {
    await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database])
    return url(database)
  }
  return { host: '127.0.0.1', port, user: 'postgres', url, createDatabase, halt, restart, stop }
}
