// A throwaway PostgreSQL and MariaDB for bench/database.mjs, as test/helpers/postgres.ts and
// mariadb.ts start them (Debian's packages, private data folders and ports on 127.0.0.1), each
// pinned with `taskset` to `cores` when given, so that the app under test has its core alone.
import { execFile, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

async function freePort () {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

const pinned = (cores, program, args) => cores === undefined ? [program, args] : ['taskset', ['-c', cores, program, ...args]]

/** PostgreSQL (Debian's newest under /usr/lib/postgresql); resolves with `{ url, stop }`. */
export async function startPostgres (cores) {
  const debian = '/usr/lib/postgresql'
  const version = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a)[0] : undefined
  if (version === undefined) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql')
  const bin = join(debian, version, 'bin')
  const root = process.getuid?.() === 0
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-pg-'))
  if (root) {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    chownSync(dir, Number(uid), Number(gid))
  }
  const asServer = (program, args) => {
    const [cmd, argv] = pinned(cores, join(bin, program), args)
    return root ? run('runuser', ['-u', 'postgres', '--', cmd, ...argv]) : run(cmd, argv)
  }
  const port = await freePort()
  await asServer('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions'])
  await asServer('pg_ctl', ['-D', dir, '-l', join(dir, 'server.log'), '-o', `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off`, '-w', '-t', '30', 'start'])
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop () {
      try { await asServer('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']) } finally { rmSync(dir, { recursive: true, force: true }) }
    },
  }
}

/** MariaDB (Debian's mariadb-server), with a TCP user `vigie`; resolves with `{ url, stop }`. */
export async function startMariaDb (cores) {
  if (!existsSync('/usr/sbin/mariadbd')) throw new Error('MariaDB is not installed: apt-get install -y mariadb-server')
  const dir = mkdtempSync(join(tmpdir(), 'vigie-bench-mariadb-'))
  const data = join(dir, 'data')
  const socket = join(dir, 'mariadb.sock')
  const port = await freePort()
  await run('/usr/bin/mariadb-install-db', ['--no-defaults', '--user=root', `--datadir=${data}`, '--auth-root-authentication-method=socket', '--skip-test-db'])
  const [cmd, argv] = pinned(cores, '/usr/sbin/mariadbd', ['--no-defaults', '--user=root', `--datadir=${data}`, `--socket=${socket}`,
    `--port=${port}`, '--bind-address=127.0.0.1', `--log-error=${join(dir, 'server.log')}`, `--pid-file=${join(dir, 'mariadb.pid')}`,
    '--skip-log-bin', '--innodb-flush-log-at-trx-commit=0', '--innodb-buffer-pool-size=32M'])
  const server = spawn(cmd, argv, { stdio: 'ignore' })
  const deadline = Date.now() + 30_000
  const accepts = () => new Promise((resolve) => {
    const probe = net.createConnection(socket)
    probe.once('connect', () => { probe.destroy(); resolve(true) })
    probe.once('error', () => resolve(false))
  })
  while (!(await accepts())) {
    if (server.exitCode !== null || Date.now() > deadline) throw new Error('mariadbd did not start')
    await sleep(100)
  }
  await run('/usr/bin/mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e',
    "CREATE DATABASE vigie; CREATE USER 'vigie'@'127.0.0.1' IDENTIFIED BY 'vigie'; GRANT ALL ON *.* TO 'vigie'@'127.0.0.1'"])
  return {
    url: `mysql://vigie:vigie@127.0.0.1:${port}/vigie`,
    async stop () {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once('exit', resolve))
        server.kill('SIGKILL')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
