import t, { type Test } from 'tap'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { closeStatsdClient, createStatsdClient } from '../../lib/metrics/statsd-client.ts'
import type { VigieOptions } from '../../lib/types.ts'
import { startTcpServer } from '../helpers/tcp-server.ts'
import { UNRESOLVABLE_CODE } from '../helpers/unresolvable.ts'

/** Sends `count` metrics through a client vigie creates, then closes it; what it took and what was printed. */
async function sendThenClose (t: Test, statsd: VigieOptions['statsd'], count: number): Promise<{ ms: number, errors: unknown[] }> {
  const printed = [t.capture(console, 'error'), t.capture(console, 'warn'), t.capture(console, 'log')]
  const errors: unknown[] = []
  const client = createStatsdClient(resolveOptions({ statsd }).statsd, (err) => errors.push(err))
  for (let i = 0; i < count; i++) client.increment('business.metric', 1, [`n:${i % 10}`])
  const started = Date.now()
  await closeStatsdClient(client)
  const ms = Date.now() - started
  // hot-shots would print after its own deadline (550 ms after its close() starts): wait that long too.
  await new Promise((resolve) => setTimeout(resolve, 700))
  t.same(printed.flatMap((read) => read()), [], 'nothing printed')
  return { ms, errors }
}

/** A TCP server on 127.0.0.1:0; `closed()` counts the connections that have ended. */
async function tcpServer (t: Test, read: boolean): Promise<{ port: number, closed: () => number }> {
  let closed = 0
  const { port } = await startTcpServer(t, (connection) => {
    connection.on('close', () => { closed++ })
    if (read) connection.resume()
    else connection.pause()
  })
  return { port, closed: () => closed }
}

t.test('an unresolvable host, buffered or not: close() settles, nothing is printed, errors go to the handler', async (t) => {
  for (const maxBufferSize of [0, 1400]) {
    // Unbuffered, hot-shots looks the name up for each datagram until one lookup succeeds: keep them few.
    const { ms, errors } = await sendThenClose(t, { host: 'nonexistent.invalid', maxBufferSize }, 20)
    t.ok(ms < 2100, `maxBufferSize ${maxBufferSize}: closed in ${ms} ms`)
    const deadline = Date.now() + 20_000
    while (errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    t.match(errors[0], { code: UNRESOLVABLE_CODE }, 'the lookup failures reach the error handler')
  }
})

t.test('a closed TCP port: close() settles and nothing is printed', async (t) => {
  const { ms } = await sendThenClose(t, { host: '127.0.0.1', port: 9, protocol: 'tcp' }, 50)
  t.ok(ms < 2100, `closed in ${ms} ms`)
})

t.test('a TCP server that reads: everything is flushed before the socket closes', async (t) => {
  const server = await tcpServer(t, true)
  const { ms, errors } = await sendThenClose(t, { host: '127.0.0.1', port: server.port, protocol: 'tcp' }, 1000)
  t.ok(ms < 1000, `closed in ${ms} ms`)
  t.same(errors, [])
  t.equal(server.closed(), 1, 'the connection was closed')
})

t.test('a TCP server that never reads: close() gives up after 1 s and the socket is closed, printing nothing', async (t) => {
  const server = await tcpServer(t, false)
  const pendingWrites = (): string[] => process.getActiveResourcesInfo().filter((name) => name.includes('WriteWrap'))
  t.same(pendingWrites(), [])
  const { ms } = await sendThenClose(t, { host: '127.0.0.1', port: server.port, protocol: 'tcp' }, 200_000)
  t.ok(ms >= 1000 && ms < 1500, `closed in ${ms} ms`)
  // A pending write keeps the event loop alive even on an unref'd socket.
  t.same(pendingWrites(), [], 'no write is left to hold the process')
})
