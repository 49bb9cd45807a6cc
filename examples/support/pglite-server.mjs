// PGlite (PostgreSQL compiled to WebAssembly, in memory) served over a real TCP socket with the
// PostgreSQL wire protocol by pglite-socket: what the demo's shop talks to, through `pg`, when
// Debian's PostgreSQL is not installed. Run by postgres.mjs as its own process, so that a slow
// statement (WebAssembly runs synchronously) blocks this process, not the shop's event loop.
//
// Sends `{ port, version }` to its parent over IPC once it listens; stops on SIGTERM, or when the
// parent goes away (the IPC channel closes).
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'

const db = await PGlite.create()
// pglite-socket runs one statement at a time on the one PGlite instance, and keeps the other
// connections' statements in a queue: a pool of a few connections works.
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 })
await server.start()

let stopping = false
async function stop () {
  if (stopping) return
  stopping = true
  try {
    await server.stop()
    await db.close()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', stop)
process.on('disconnect', stop)

const [, port] = server.getServerConn().split(':')
const { rows: [{ server_version: version }] } = await db.query('SHOW server_version')
process.send({ port: Number(port), version })
