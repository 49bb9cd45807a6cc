import type { Clock } from '@tapjs/clock'
import t, { type Test } from 'tap'
import { DropReport } from '../../lib/metrics/drop-report.ts'
import { createPreformattedSink } from '../../lib/metrics/preformatted-sink.ts'
import type { PreformattedSink } from '../../lib/metrics/request-metrics.ts'
import type { DroppedLineCounts } from '../../lib/metrics/statsd-socket.ts'
import { TcpStatsdSocket } from '../../lib/metrics/tcp-statsd-socket.ts'
import { UdpStatsdSocket } from '../../lib/metrics/udp-statsd-socket.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { StatsdOptions } from '../../lib/types.ts'
import { closedTcpPort, closedUdpPort } from '../helpers/closed-ports.ts'
import { fakeClock } from '../helpers/fake-clock.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { startTcpCollector } from '../helpers/tcp-server.ts'
import { until } from '../helpers/until.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** `n` intervals of 1 s on the fake clock, one at a time (an advance over several calls an interval once). */
function ticks (clock: Clock, n: number): void {
  for (let i = 0; i < n; i++) clock.advance(1000)
}

/** A socket whose drops the test sets, and which keeps what it is sent: for the report's own logic, on a fake clock. */
function countingSocket (): { counts: { dns: number, socket: number, queue_full: number }, sent: Array<{ text: string, drop: () => void }>, socket: { send: (payload: Buffer, onDropped?: () => void) => void, dropped: () => DroppedLineCounts } } {
  const counts = { dns: 0, socket: 0, queue_full: 0 }
  const sent: Array<{ text: string, drop: () => void }> = []
  return {
    counts,
    sent,
    socket: {
      send: (payload, onDropped) => { sent.push({ text: payload.toString(), drop: onDropped ?? (() => {}) }) },
      dropped: () => ({ ...counts }),
    },
  }
}

t.test('reported after an interval with no new drops, with what is not reported yet, per reason', async (t) => {
  const clock = fakeClock(t)
  const { counts, sent, socket } = countingSocket()
  const report = new DropReport({ socket, prefix: 'shop.', globalTags: ['env:test'], format: 'datadog', intervalMs: 1000, onError: (err) => t.error(err) })
  counts.dns = 5
  ticks(clock, 1)
  counts.dns = 8
  ticks(clock, 1)
  t.same(sent, [], 'nothing while lines are being dropped')
  ticks(clock, 1)
  t.same(sent.map((s) => s.text), ['shop.vigie.metrics_dropped:8|c|#env:test,reason:dns'], 'after a quiet interval: all of it')
  ticks(clock, 5)
  t.equal(sent.length, 1, 'nothing new, nothing sent')
  counts.socket = 2
  counts.queue_full = 1
  ticks(clock, 2)
  t.same(sent.slice(1).map((s) => s.text), ['shop.vigie.metrics_dropped:2|c|#env:test,reason:socket\nshop.vigie.metrics_dropped:1|c|#env:test,reason:queue_full'],
    'the delta since the last report, one payload, reasons in order')
  report.close()
  clock.exit()
})

t.test('a report that is dropped is carried by the next one: nothing is lost, and it adds nothing to report', async (t) => {
  const clock = fakeClock(t)
  const { counts, sent, socket } = countingSocket()
  const report = new DropReport({ socket, prefix: '', globalTags: [], format: 'datadog', intervalMs: 1000, onError: (err) => t.error(err) })
  counts.socket = 10
  ticks(clock, 2)
  t.same(sent.map((s) => s.text), ['vigie.metrics_dropped:10|c|#reason:socket'])
  sent[0]!.drop()
  ticks(clock, 1)
  t.equal(sent.length, 1, 'a dropped report makes the interval not quiet: the server is still away')
  counts.socket = 12
  ticks(clock, 2)
  t.same(sent.slice(1).map((s) => s.text), ['vigie.metrics_dropped:12|c|#reason:socket'], 'the lost 10 and the 2 since')
  ticks(clock, 10)
  t.equal(sent.length, 2, 'delivered as far as can be told: not sent again')
  report.close()
  clock.exit()
})

t.test('close() reports what is left at once, then stops the timer', async (t) => {
  const clock = fakeClock(t)
  const { counts, sent, socket } = countingSocket()
  const report = new DropReport({ socket, prefix: 'shop.', globalTags: ['env:test', 'region:eu:west'], format: 'telegraf', intervalMs: 1000, onError: (err) => t.error(err) })
  counts.queue_full = 3
  counts.dns = 1
  report.close()
  t.same(sent.map((s) => s.text), ['shop.vigie.metrics_dropped,env=test,region=eu:west,reason=dns:1|c\nshop.vigie.metrics_dropped,env=test,region=eu:west,reason=queue_full:3|c'],
    'Telegraf: the tags after the name')
  counts.dns = 2
  ticks(clock, 10)
  t.equal(sent.length, 1, 'no timer left')
  clock.exit()
})

t.test('a failing check is reported, never thrown from the timer nor from close()', async (t) => {
  const clock = fakeClock(t)
  const errors: unknown[] = []
  const report = new DropReport({
    socket: { send: () => {}, dropped: () => { throw new Error('boom') } },
    prefix: '',
    globalTags: [],
    format: 'datadog',
    intervalMs: 1000,
    onError: (err) => errors.push(err),
  })
  ticks(clock, 2)
  report.close()
  t.equal(errors.length, 3)
  t.match(errors, [{ message: 'boom' }, { message: 'boom' }, { message: 'boom' }])
  clock.exit()
})

function sinkTo (t: Test, statsd: StatsdOptions): { sink: PreformattedSink, errors: unknown[] } {
  const errors: unknown[] = []
  const sink = createPreformattedSink(resolveOptions({ statsd }, {}).statsd, (err) => errors.push(err))!
  t.teardown(() => sink.close())
  return { sink, errors }
}

function addLine (sink: PreformattedSink, i: number): void {
  sink.add(Buffer.from(`${sink.prefix}http_request.response_time:`), i * 1000, Buffer.from('|ms'))
}

t.test('TCP: a closed port, then the server comes: the count arrives once, exactly', async (t) => {
  const port = await closedTcpPort()
  const { sink, errors } = sinkTo(t, { host: '127.0.0.1', port, protocol: 'tcp', prefix: 'shop.', globalTags: { env: 'test' }, tagFormat: 'telegraf', maxBufferSize: 0, bufferFlushInterval: 100 })
  for (let i = 0; i < 5; i++) addLine(sink, i)
  await until(() => sink.dropped().socket === 5)
  t.match(errors[0], { code: 'ECONNREFUSED' }, 'the refused connection is reported')
  // Reports are tried meanwhile and dropped (no new connection before 1 s): they add nothing.
  await sleep(350)
  t.same(sink.dropped(), { dns: 0, socket: 5, queue_full: 0 }, 'the reports\' own lines are not counted')
  const server = await startTcpCollector(t, port)
  await until(() => server.received() !== '', 10_000)
  t.equal(server.received(), 'shop.vigie.metrics_dropped,env=test,reason=socket:5|c\n', 'the five lines, on the first connection made')
  await sleep(400)
  t.equal(server.received(), 'shop.vigie.metrics_dropped,env=test,reason=socket:5|c\n', 'reported once')
  for (let i = 0; i < 2; i++) addLine(sink, i)
  await until(() => server.received().split('\n').length === 4)
  t.same(sink.dropped(), { dns: 0, socket: 5, queue_full: 0 }, 'the request lines go through again')
})

t.test('UDP: a closed port, then a listener: the refused lines are reported once it is up', async (t) => {
  const port = await closedUdpPort()
  const { sink } = sinkTo(t, { host: '127.0.0.1', port, prefix: 'shop.', globalTags: { env: 'test' }, maxBufferSize: 0, bufferFlushInterval: 250 })
  for (let i = 0; sink.dropped().socket < 3; i++) {
    addLine(sink, i)
    await sleep(20)
  }
  const listener = await startStatsdListener(port)
  t.teardown(() => listener.close())
  const dropped = sink.dropped()
  await listener.waitFor((lines) => lines.some((line) => line.includes('vigie.metrics_dropped')))
  t.same(listener.lines, [`shop.vigie.metrics_dropped:${dropped.socket}|c|#env:test,reason:socket`], 'the count of the refused lines, and nothing else')
  t.same(sink.dropped(), dropped)
})

t.test('an unresolvable host: every report is dropped too, carries the whole count each time, and adds nothing', async (t) => {
  const socket = new UdpStatsdSocket('nonexistent.invalid', 8125, () => {})
  t.teardown(() => socket.close())
  const attempts: string[] = []
  const report = new DropReport({
    socket: { send: (payload, onDropped) => { attempts.push(payload.toString()); socket.send(payload, onDropped) }, dropped: () => socket.dropped() },
    prefix: '',
    globalTags: [],
    format: 'datadog',
    intervalMs: 30,
    onError: (err) => t.error(err),
  })
  t.teardown(() => report.close())
  for (let i = 0; i < 10; i++) socket.send(Buffer.from('a:1|c\nb:1|c'))
  await until(() => socket.dropped().dns === 20)
  await until(() => attempts.length >= 3)
  t.same(new Set(attempts), new Set(['vigie.metrics_dropped:20|c|#reason:dns']), 'nothing lost, nothing added')
  t.same(socket.dropped(), { dns: 20, socket: 0, queue_full: 0 })
})

t.test('a socket tells the sender of a dropped batch instead of counting it, once', async (t) => {
  const udp = new UdpStatsdSocket('nonexistent.invalid', 8125, () => {})
  const tcp = new TcpStatsdSocket('127.0.0.1', await closedTcpPort(), () => {})
  for (const socket of [udp, tcp]) {
    let told = 0
    socket.send(Buffer.from('x:1|c\ny:1|c'), () => told++)
    socket.send(Buffer.from('counted:1|c'))
    await until(() => told === 1 && socket.dropped().dns + socket.dropped().socket === 1)
    await sleep(50)
    t.equal(told, 1)
    await socket.close()
  }
})
