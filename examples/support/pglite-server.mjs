// PGlite (PostgreSQL compiled to WebAssembly, in memory) served over a real TCP socket with the
// PostgreSQL wire protocol by pglite-socket: what the demo's shop talks to, through `pg`, when
// Debian's PostgreSQL is not installed. Run by postgres.mjs as its own process, so that a slow
// statement (WebAssembly runs synchronously) blocks this process, not the shop's event loop.
//
// Its initdb takes most of its start: the first run keeps a copy of the fresh cluster (before any
// connection) in the OS's temporary folder, and later runs start from that copy, several times
// faster. Sends `{ port, version, cache, cached }` to its parent over IPC once it listens; stops on
// SIGTERM, or when the parent goes away (the IPC channel closes).
import { PGlite } from '@electric-sql/pglite'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { readFileSync } from 'node:fs'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'

// Keyed by PGlite's version (its package.json is not in its exports map).
const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite')
const { version: pgliteVersion } = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'))
const cache = join(tmpdir(), `vigie-demo-pglite-${pgliteVersion}.tar.gz`)

let db
let cached = true
try {
  const copy = await readFile(cache)
  gunzipSync(copy) // throws on a damaged copy (gzip's CRC), which PGlite would only report as an uncaught error
  db = await PGlite.create({ loadDataDir: new Blob([copy]) })
} catch {
  cached = false
  db = await PGlite.create()
  const partial = `${cache}.${process.pid}`
  try {
    const dump = await db.dumpDataDir('gzip')
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()))
    await rename(partial, cache) // whole or not at all, whatever other runs do
  } catch {
    await rm(partial, { force: true }) // no copy: the next run starts with initdb again
  }
}
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
process.send({ port: Number(port), version, cache, cached })
