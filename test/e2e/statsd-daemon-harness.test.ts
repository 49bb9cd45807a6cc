// What the real Etsy StatsD daemon stores for DogStatsD-tagged lines, through the harness that
// the other e2e tests and the demo rely on.
import dgram from 'node:dgram'
import net from 'node:net'
import t from 'tap'
import { startStatsdDaemon } from '../../examples/support/statsd-daemon.mjs'

const HITS = 25
const RESPONSE_TIMES = [12, 20, 30, 45]
const HITS_KEY = 'demo.hits;controller=-users-id;http_status=200'
const RT_KEY = 'demo.rt;controller=-users-id'

t.test('the daemon aggregates tagged counters and timers sent over UDP', async (t) => {
  const daemon = await startStatsdDaemon({ flushInterval: 300 })
  t.teardown(() => daemon.stop())
  const socket = dgram.createSocket('udp4')
  t.teardown(() => socket.close())
  const send = (line: string) =>
    new Promise<void>((resolve, reject) =>
      socket.send(line, daemon.port, daemon.host, (err) => (err ? reject(err) : resolve())))

  // One datagram at a time: a loopback burst can drop datagrams (see PEERS.md).
  for (let i = 0; i < HITS; i++) await send('demo.hits:1|c|#controller:/users/:id,http_status:200')
  // All timings in one multi-line datagram, so they land in the same flush's timer_data.
  await send(RESPONSE_TIMES.map((ms) => `demo.rt:${ms}|ms|#controller:/users/:id`).join('\n'))

  await daemon.waitForFlush(
    () => daemon.counters()[HITS_KEY] === HITS && daemon.timers()[RT_KEY]?.count === RESPONSE_TIMES.length,
    10_000)

  t.equal(daemon.counters()[HITS_KEY], HITS, 'tags become ;k=v, "/" becomes "-", ":" is dropped')
  t.equal(daemon.counters()['statsd.bad_lines_seen'], 0, 'the daemon rejected no line')
  t.notOk(Object.keys(daemon.counters()).some((key) => key.startsWith('demo.hits:')),
    'no key keeps the raw DogStatsD name')

  const rt = daemon.timers()[RT_KEY]
  t.match(rt, {
    count: 4,
    lower: 12,
    upper: 45,
    sum: 107,
    mean: 26.75,
    median: 25,
    count_90: Number,
    upper_90: Number,
    mean_90: Number,
    count_99: 4,
    upper_99: 45,
    std: Number
  })

  const flush = daemon.flushes.at(-1)
  t.same(flush.pctThreshold, [90, 99])
  t.type(flush.counter_rates, 'object')
})

t.test('waitForFlush rejects with a clear error when nothing matches', async (t) => {
  const daemon = await startStatsdDaemon({ flushInterval: 100 })
  t.teardown(() => daemon.stop())
  await t.rejects(daemon.waitForFlush(() => false, 500), /no statsd flush matched within 500 ms/)
})

t.test('stop() ends the daemon and the collected flushes stay readable', async (t) => {
  const daemon = await startStatsdDaemon({ flushInterval: 100 })
  await daemon.waitForFlush(() => true, 5_000)
  await daemon.stop()
  await daemon.stop()
  t.ok(daemon.flushes.length >= 1, 'flushes are kept after stop()')
  const probe = net.connect(daemon.mgmtPort, daemon.host)
  await t.resolveMatch(new Promise((resolve) => probe.once('error', resolve)), { code: 'ECONNREFUSED' },
    'the mgmt port is closed')
})
