import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { freeTcpPort as freePort } from './closed-ports.ts'
import { copyOfInitialisedDataDir } from './data-dir-template.ts'
import type { SystemProgram } from './system-packages.ts'

const run = promisify(execFile)

/** The MariaDB server and the script that makes its data folder: Debian's `mariadb-server`. */
export const MARIADB_SERVER: SystemProgram = { path: '/usr/sbin/mariadbd', debianPackage: 'mariadb-server' }
export const MARIADB_INSTALL_DB: SystemProgram = { path: '/usr/bin/mariadb-install-db', debianPackage: 'mariadb-server' }
const MARIADB_CLIENT = '/usr/bin/mariadb'

/** A throwaway MariaDB server on 127.0.0.1, with a TCP user that may do anything. */
export interface MariaDb {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly user: 'vigie'
  readonly password: 'vigie'
  /** The database created at start (empty). */
  readonly database: 'vigie'
  /** `mysql://vigie:vigie@127.0.0.1:PORT/vigie`, for mysql2. */
  readonly url: string
  /** Kills the server (SIGKILL: connections are cut), keeping its files. */
  halt(): Promise<void>
  /** Starts a halted server again, on the same port with the same data. */
  restart(): Promise<void>
  /** Stops the server at once and removes its files. Calling it twice is harmless. */
  stop(): Promise<void>
}

const MISSING = 'MariaDB\'s server programs (/usr/sbin/mariadbd, /usr/bin/mariadb-install-db) were not found: ' +
  'install the Debian package `mariadb-server` (apt-get install -y mariadb-server), as .ci/run does.'

/** Resolves once something accepts connections on the Unix socket. */
async function acceptsOn (socket: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const probe = createConnection(socket)
    probe.once('connect', () => { probe.destroy(); resolve(true) })
    probe.once('error', () => resolve(false))
  })
}

/**
 * Starts a fresh MariaDB server in a temporary folder on a free port (its Unix socket in the same
 * folder), creates database `vigie` and user `vigie`@`127.0.0.1` (root logs in on the socket
 * only), with `options.serverArgs` added to the server's command line, from a copy of one
 * mariadb-install-db run per machine. Takes a second or two.
 * Throws, naming the Debian package, when MariaDB is not installed; with the server's log when
 * it does not start.
 */
export async function startMariaDb (options: {
  /** More server arguments, after vigie's own (e.g. `--slow-query-log=1`). */
  serverArgs?: readonly string[]
} = {}): Promise<MariaDb> {
  if (!existsSync(MARIADB_SERVER.path) || !existsSync(MARIADB_INSTALL_DB.path)) throw new Error(MISSING)
  const dir = mkdtempSync(join(tmpdir(), 'vigie-mariadb-'))
  const data = join(dir, 'data')
  const socket = join(dir, 'mariadb.sock')
  const log = join(dir, 'server.log')
  const port = await freePort()
  let server: ChildProcess | undefined
  let stopped = false
  const halt = async (): Promise<void> => {
    if (server !== undefined && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve))
      server.kill('SIGKILL')
      await exited
    }
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
  const restart = async (): Promise<void> => {
    if (stopped || (server !== undefined && server.exitCode === null && server.signalCode === null)) return
    const started = spawn(MARIADB_SERVER.path, ['--no-defaults', '--user=root', `--datadir=${data}`, `--socket=${socket}`,
      `--port=${port}`, '--bind-address=127.0.0.1', `--tmpdir=${dir}`, `--log-error=${log}`, `--pid-file=${join(dir, 'mariadb.pid')}`,
      '--skip-log-bin', '--innodb-flush-log-at-trx-commit=0', '--innodb-buffer-pool-size=32M', ...(options.serverArgs ?? [])], { stdio: 'ignore' })
    server = started
    const deadline = Date.now() + 30_000
    while (!(await acceptsOn(socket))) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`mariadbd exited (${started.exitCode ?? started.signalCode})`)
      if (Date.now() > deadline) throw new Error('mariadbd did not accept connections within 30 s')
      await sleep(100)
    }
  }
  try {
    // Its own temporary directory: servers started at once (jobs: 2) once tripped over each other's temporary tables in /tmp.
    mkdirSync(data)
    const installDb = ['--no-defaults', '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db']
    await copyOfInitialisedDataDir([MARIADB_INSTALL_DB.path, ...installDb].join(' '), data, async (folder) => {
      await run(MARIADB_INSTALL_DB.path, [...installDb, `--datadir=${folder}`, `--tmpdir=${dir}`])
    })
    await restart()
    await run(MARIADB_CLIENT, ['--no-defaults', `--socket=${socket}`, '-uroot', '-e',
      "CREATE DATABASE vigie; CREATE USER 'vigie'@'127.0.0.1' IDENTIFIED BY 'vigie'; GRANT ALL ON *.* TO 'vigie'@'127.0.0.1'"])
  } catch (error) {
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '(no server log)'
    await stop().catch(() => {})
    throw new Error(`MariaDB did not start: ${(error as Error).message}\n${serverLog}`, { cause: error })
  }
  return {
    host: '127.0.0.1',
    port,
    user: 'vigie',
    password: 'vigie',
    database: 'vigie',
    url: `mysql://vigie:vigie@127.0.0.1:${port}/vigie`,
    halt,
    restart,
    stop,
  }
}
