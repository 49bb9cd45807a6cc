import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { CLOSE_TIMEOUT_MS, MAX_QUEUED_BYTES } from '../../lib/metrics/statsd-socket.ts'
import { STALL_TIMEOUT_MS, TcpStatsdSocket } from '../../lib/metrics/tcp-statsd-socket.ts'
import { closedTcpPort } from '../helpers/closed-ports.ts'
import { startTcpServer } from '../helpers/tcp-server.ts'
import { until } from '../helpers/until.ts'

/** A server that keeps every byte it reads; `received()` is them, decoded as UTF-8. */
async function collectingServer (t: Test): Promise<{ port: number, received: () => string, connections: () => number }> {
  const chunks: Buffer[] = []
  const { port, accepted } = await startTcpServer(t, (connection) => connection.on('data', (chunk: Buffer) => chunks.push(chunk)))
  return { port, received: () => Buffer.concat(chunks).toString('utf8'), connections: accepted }
}

function socketTo (t: Test, host: string, port: number): { socket: TcpStatsdSocket, errors: unknown[], printed: () => unknown[] } {
  const reads = [t.capture(console, 'error'), t.capture(console, 'warn'), t.capture(console, 'log')]
  const errors: unknown[] = []
  const socket = new TcpStatsdSocket(host, port, (err) => errors.push(err))
  t.teardown(() => socket.close())
  return { socket, errors, printed: () => reads.flatMap((read) => read()) }
}

t.test('each batch is written with a final newline, as UTF-8 bytes, on one connection', async (t) => {
  const server = await collectingServer(t)
  const { socket, errors, printed } = socketTo(t, '127.0.0.1', server.port)
  socket.send(Buffer.from('a:1|c\nb:2.5|ms|#controller:/café'))
  socket.send(Buffer.from('c:3|c|#k:日本'))
  await until(() => server.received().endsWith('日本\n'))
  t.equal(server.received(), 'a:1|c\nb:2.5|ms|#controller:/café\nc:3|c|#k:日本\n')
  t.equal(server.connections(), 1)
  t.equal(socket.lookups(), 0)
  t.same(socket.dropped(), { dns: 0, socket: 0, queue_full: 0 })
  t.same(errors, [])
  t.same(printed(), [])
})

t.test('a name is looked up once, before connecting; what is sent meanwhile goes out in order', async (t) => {
  const server = await collectingServer(t)
  const { socket, errors } = socketTo(t, 'localhost', server.port)
  for (let i = 0; i < 20; i++) socket.send(Buffer.from(`n:${i}|c`))
  await until(() => server.received().split('\n').length === 21)
  t.equal(server.received(), Array.from({ length: 20 }, (_, i) => `n:${i}|c\n`).join(''))
  t.equal(socket.lookups(), 1)
  t.same(errors, [])
})

t.test('a server that never reads: what waits in Node stays under 1 MiB over 200,000 lines, the rest is dropped and counted', async (t) => {
  const { port } = await startTcpServer(t, (connection) => connection.pause())
  const { socket, printed } = socketTo(t, '127.0.0.1', port)
  const line = 'http_request.response_time:12.345|ms|#http_status:200,http_status_class:2xx,method:GET,controller:/users/:id'
  const batch = Buffer.from(Array.from({ length: 50 }, () => line).join('\n'))
  const heapBefore = process.memoryUsage().heapUsed
  let maxQueued = 0
  for (let i = 0; i < 4000; i++) {
    socket.send(batch)
    maxQueued = Math.max(maxQueued, socket.queuedBytes())
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve)) // the kernel takes what it can
  }
  t.ok(maxQueued <= MAX_QUEUED_BYTES, `at most ${maxQueued} bytes queued`)
  const dropped = socket.dropped()
  t.ok(dropped.queue_full > 100_000, `${dropped.queue_full} of 200,000 lines dropped`)
  t.equal(dropped.queue_full % 50, 0, 'whole batches')
  t.equal(dropped.dns + dropped.socket, 0)
  t.ok(process.memoryUsage().heapUsed - heapBefore < 32 * 1024 * 1024, 'the heap did not take the backlog')
  const started = Date.now()
  await socket.close()
  t.ok(Date.now() - started <= CLOSE_TIMEOUT_MS + 300, `close() settled in ${Date.now() - started} ms`)
  t.ok(socket.dropped().socket > 0, 'what the server never took is counted when close gives up')
  t.same(printed(), [])
})

t.test('a closed port: reported, counted, retried after 1 s, never thrown', async (t) => {
  const port = await closedTcpPort()
  const { socket, errors, printed } = socketTo(t, '127.0.0.1', port)
  socket.send(Buffer.from('first:1|c\nfirst:2|c'))
  await until(() => errors.length > 0)
  t.match(errors[0], { code: 'ECONNREFUSED' })
  await until(() => socket.dropped().socket === 2)
  socket.send(Buffer.from('meanwhile:1|c'))
  t.equal(socket.dropped().socket, 3, 'dropped while waiting to reconnect')
  t.equal(errors.length, 1, 'no new connection before 1 s')
  await new Promise((resolve) => setTimeout(resolve, 1000))
  socket.send(Buffer.from('retry:1|c'))
  await until(() => errors.length === 2)
  t.equal(socket.dropped().socket, 4)
  t.same(printed(), [])
})

t.test('a lost connection is made again after 1 s; lines sent meanwhile are dropped', async (t) => {
  let first = true
  const chunks: Buffer[] = []
  const { port } = await startTcpServer(t, (connection) => {
    if (first) {
      first = false
      connection.destroy()
      return
    }
    connection.on('data', (chunk: Buffer) => chunks.push(chunk))
  })
  const { socket, errors } = socketTo(t, '127.0.0.1', port)
  await until(() => errors.length > 0 || socket.queuedBytes() === 0)
  await new Promise((resolve) => setTimeout(resolve, 100)) // the server's close reaches the client
  socket.send(Buffer.from('lost:1|c'))
  t.equal(socket.dropped().socket, 1)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  socket.send(Buffer.from('back:1|c'))
  await until(() => Buffer.concat(chunks).toString() === 'back:1|c\n')
  t.pass('the second connection carried the line')
})

t.test('close() settles at once when all is sent; after it, batches are dropped', async (t) => {
  const server = await collectingServer(t)
  const socket = new TcpStatsdSocket('127.0.0.1', server.port, () => {})
  socket.send(Buffer.from('last:1|c'))
  const started = Date.now()
  await socket.close()
  t.ok(Date.now() - started < CLOSE_TIMEOUT_MS, `${Date.now() - started} ms`)
  await until(() => server.received() === 'last:1|c\n')
  socket.send(Buffer.from('late:1|c'))
  t.same(socket.dropped(), { dns: 0, socket: 1, queue_full: 0 })
})

t.test('close() with an unresolvable host or a closed port settles within its bound', async (t) => {
  for (const [host, port] of [['nonexistent.invalid', 8125], ['127.0.0.1', await closedTcpPort()]] as const) {
    const { socket, printed } = socketTo(t, host, port)
    socket.send(Buffer.from('w:1|c'))
    const started = Date.now()
    await socket.close()
    t.ok(Date.now() - started <= CLOSE_TIMEOUT_MS + 200, `${host}: ${Date.now() - started} ms`)
    const dropped = socket.dropped()
    t.equal(dropped.dns + dropped.socket, 1, `${host}: the line is counted`)
    t.same(printed(), [])
  }
})

const BUILT_SOCKET = fileURLToPath(new URL('../../dist/esm/metrics/tcp-statsd-socket.js', import.meta.url))

/**
 * Runs Node with the built socket sending to `port` until data waits in the process, then closing
 * it or not; resolves with the ms from the last send (or from the start of close()) to the
 * process's exit, as the child measured them.
 */
async function childExitMs (port: number, close: boolean): Promise<number> {
  const script = `
    const { TcpStatsdSocket } = await import(${JSON.stringify(BUILT_SOCKET)})
    const socket = new TcpStatsdSocket('127.0.0.1', ${port}, () => {})
    // 2 MiB every 20 ms for 200 ms: more than the kernel's buffers take, whatever their size.
    for (let round = 0; round < 10; round++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      for (let i = 0; i < 256; i++) socket.send(Buffer.alloc(8192, 'a'))
    }
    if (socket.queuedBytes() === 0) throw new Error('nothing was left queued')
    const from = performance.now()
    process.on('exit', () => console.log(Math.round(performance.now() - from)))
    ${close ? 'await socket.close()' : ''}`
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => { stdout += chunk })
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const [code] = await once(child, 'exit')
  if (code !== 0) throw new Error(`child exited with ${code}: ${stderr}`)
  return Number(stdout.trim())
}

t.test('a server that never reads does not keep the process alive', async (t) => {
  const { port } = await startTcpServer(t, (connection) => connection.pause())
  const withClose = await childExitMs(port, true)
  t.ok(withClose >= CLOSE_TIMEOUT_MS && withClose < CLOSE_TIMEOUT_MS + 500, `with close(): exit ${withClose} ms after it started`)
  // Node reports a stalled socket after one to two timeouts without progress (net.Socket's _onTimeout).
  const withoutClose = await childExitMs(port, false)
  t.ok(withoutClose >= STALL_TIMEOUT_MS && withoutClose < 2 * STALL_TIMEOUT_MS + 500, `without close(): exit ${withoutClose} ms after the last send`)
})
