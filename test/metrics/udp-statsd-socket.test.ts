import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import t, { type Test } from 'tap'
import { UdpStatsdSocket } from '../../lib/metrics/udp-statsd-socket.ts'
import { CLOSE_TIMEOUT_MS, MAX_QUEUED_BYTES } from '../../lib/metrics/statsd-socket.ts'
import { closedUdpPort } from '../helpers/closed-ports.ts'
import { fakeClock } from '../helpers/fake-clock.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { UNRESOLVABLE_CODE } from '../helpers/unresolvable.ts'

/** A socket whose errors are collected, closed with the test; `printed()` is what reached the console. */
function socketTo (t: Test, host: string, port: number): { socket: UdpStatsdSocket, errors: unknown[], printed: () => unknown[] } {
  const reads = [t.capture(console, 'error'), t.capture(console, 'warn'), t.capture(console, 'log')]
  const errors: unknown[] = []
  const socket = new UdpStatsdSocket(host, port, (err) => errors.push(err))
  t.teardown(() => socket.close())
  return { socket, errors, printed: () => reads.flatMap((read) => read()) }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

t.test('each batch is one datagram, its bytes exactly, UTF-8 included; an IP address is not looked up', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { socket, errors, printed } = socketTo(t, '127.0.0.1', listener.port)
  const batches = ['a:1|c\nb:2.5|ms|#controller:/café', 'c:3|c|#k:日本']
  for (const batch of batches) socket.send(Buffer.from(batch))
  await listener.waitFor((lines) => lines.length === 3)
  t.same(listener.datagrams, batches)
  t.equal(socket.lookups(), 0)
  t.same(socket.dropped(), { dns: 0, socket: 0, queue_full: 0 })
  t.same(errors, [])
  t.same(printed(), [])
})

t.test('a name is looked up once; batches sent meanwhile wait for the answer and go out in order', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { socket, errors } = socketTo(t, 'localhost', listener.port)
  for (let i = 0; i < 50; i++) socket.send(Buffer.from(`n:${i}|c`))
  t.equal(socket.queuedBytes() > 0, true, 'held while the name is looked up')
  await listener.waitFor((lines) => lines.length === 50)
  t.same(listener.lines, Array.from({ length: 50 }, (_, i) => `n:${i}|c`))
  for (let i = 0; i < 50; i++) socket.send(Buffer.from('after:1|c'))
  await listener.waitFor((lines) => lines.length === 100)
  t.equal(socket.lookups(), 1, 'one lookup for 100 datagrams')
  t.equal(socket.queuedBytes(), 0)
  t.same(errors, [])
})

t.test('an unresolvable host: lines are dropped and counted, one lookup at a time, retried after 1 s', async (t) => {
  const clock = fakeClock(t)
  let reported!: () => void
  const failed = new Promise<void>((resolve) => { reported = resolve })
  const errors: unknown[] = []
  const printed = [t.capture(console, 'error'), t.capture(console, 'warn')]
  const socket = new UdpStatsdSocket('nonexistent.invalid', 8125, (err) => {
    errors.push(err)
    reported()
  })
  const batch = Buffer.from('x:1|c\ny:1|c')
  for (let i = 0; i < 100; i++) socket.send(batch)
  t.equal(socket.lookups(), 1)
  await failed
  t.match(errors, [{ code: UNRESOLVABLE_CODE }], 'reported once')
  t.same(socket.dropped(), { dns: 200, socket: 0, queue_full: 0 }, 'what waited for the answer is dropped')
  for (let i = 0; i < 1000; i++) socket.send(batch)
  t.same(socket.dropped(), { dns: 2200, socket: 0, queue_full: 0 })
  t.equal(socket.lookups(), 1, 'no lookup per datagram')
  clock.advance(999)
  socket.send(batch)
  t.equal(socket.lookups(), 1)
  clock.advance(1)
  socket.send(batch)
  t.equal(socket.lookups(), 2, 'retried after 1 s')
  t.equal(socket.queuedBytes(), batch.length, 'the batch waits for that lookup')
  clock.exit()
  await socket.close()
  t.same(printed.flatMap((read) => read()), [])
})

t.test('what waits for an address is bounded: 1 MiB', async (t) => {
  const { socket } = socketTo(t, 'nonexistent.invalid', 8125)
  const batch = Buffer.alloc(8192, 'a')
  for (let i = 0; i < 200; i++) socket.send(batch)
  t.equal(socket.queuedBytes(), Math.floor(MAX_QUEUED_BYTES / 8192) * 8192)
  t.equal(socket.dropped().queue_full, 200 - Math.floor(MAX_QUEUED_BYTES / 8192))
})

t.test('a closed port: the refusals come back as errors, counted and reported, never thrown', async (t) => {
  const port = await closedUdpPort()
  const { socket, errors, printed } = socketTo(t, '127.0.0.1', port)
  for (let i = 0; i < 5; i++) {
    socket.send(Buffer.from('refused:1|c\nrefused:2|c'))
    await sleep(20)
  }
  t.ok(errors.length >= 3, `${errors.length} refusals reported`)
  t.match(errors[0], { code: 'ECONNREFUSED' })
  t.equal(socket.dropped().socket, errors.length * 2, 'the lines of each refused datagram')
  t.same(printed(), [])
})

t.test('close() sends what was just handed over, then settles at once', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const socket = new UdpStatsdSocket('localhost', listener.port, () => {})
  socket.send(Buffer.from('last:1|c'))
  const started = Date.now()
  await socket.close()
  t.ok(Date.now() - started < CLOSE_TIMEOUT_MS, 'did not wait for the bound')
  await listener.waitFor((lines) => lines.includes('last:1|c'))
  socket.send(Buffer.from('late:1|c'))
  t.same(socket.dropped(), { dns: 0, socket: 1, queue_full: 0 }, 'a batch after close is dropped')
})

t.test('close() with an unresolvable host settles within its bound and drops what waited', async (t) => {
  const { socket, printed } = socketTo(t, 'nonexistent.invalid', 8125)
  socket.send(Buffer.from('w:1|c'))
  const started = Date.now()
  await socket.close()
  t.ok(Date.now() - started <= CLOSE_TIMEOUT_MS + 200, `${Date.now() - started} ms`)
  t.equal(socket.dropped().dns, 1)
  t.same(printed(), [])
})

t.test('an IPv6 address, bracketed or not, gets an IPv6 socket', async (t) => {
  const receiver = createSocket('udp6')
  const received: string[] = []
  receiver.on('message', (msg) => received.push(msg.toString()))
  receiver.bind(0, '::1')
  await once(receiver, 'listening')
  t.teardown(() => receiver.close())
  for (const host of ['::1', '[::1]']) {
    const { socket } = socketTo(t, host, receiver.address().port)
    socket.send(Buffer.from(`v6:1|c|#host:${host}`))
  }
  while (received.length < 2) await sleep(10)
  t.same(received.sort(), ['v6:1|c|#host:::1', 'v6:1|c|#host:[::1]'])
})
