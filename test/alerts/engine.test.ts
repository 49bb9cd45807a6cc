import t from 'tap'
import { alertEngine } from '../../lib/alerts/alert-engine.ts'
import { fingerprint } from '../../lib/alerts/alert-labels.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { ThresholdRule } from '../../lib/types.ts'
import { T0, TestBurnSource, alertHarness } from '../helpers/alert-harness.ts'

const SECOND = 1000

t.test('ok → pending → firing → ok: the time of each change, one line each, the counter, and the notices', async (t) => {
  const rule: ThresholdRule = { name: 'failed-orders', metric: 'orders.failed', stat: 'count', tags: { channel: 'web' }, window: '1m', above: 5, for: '30s', severity: 'page' }
  const h = alertHarness(t, { rules: [rule] })
  t.same(h.engine.statuses(), [{ name: 'failed-orders', state: 'ok', since: T0, value: null, severity: 'page' }], 'before any evaluation: ok since the start')

  h.advance(10 * SECOND)
  t.match(h.engine.statuses()[0], { state: 'ok', value: null }, 'a metric never seen reads null: no alert')
  for (let i = 0; i < 6; i++) h.aggregator.record('counter', 'orders.failed', ['channel:web', 'region:eu'], 1)
  h.aggregator.record('counter', 'orders.failed', ['channel:app'], 100)
  h.advance(10 * SECOND)
  t.same(h.engine.statuses()[0], { name: 'failed-orders', state: 'pending', since: T0 + 20 * SECOND, value: 6, severity: 'page' }, 'only the series tagged channel:web count')
  t.same(h.notices, [], 'nothing is sent while pending')
  h.advance(20 * SECOND)
  t.equal(h.engine.statuses()[0]!.state, 'pending', '20 s of the 30 s of "for"')
  h.advance(10 * SECOND)
  t.same(h.engine.statuses()[0], { name: 'failed-orders', state: 'firing', since: T0 + 50 * SECOND, value: 6, severity: 'page' })
  // The 1-minute window reads the 10-s buckets that overlap it: the six records, made at the start
  // of their bucket, leave it 70 s later.
  h.advance(20 * SECOND)
  t.equal(h.engine.statuses()[0]!.state, 'firing', 'still in the window')
  h.advance(10 * SECOND)
  t.same(h.engine.statuses()[0], { name: 'failed-orders', state: 'ok', since: T0 + 80 * SECOND, value: 0, severity: 'page' }, 'a counter with nothing in the window reads 0')

  const lines = h.alertLines()
  t.same(lines.map((line) => [line.level, line.msg, line.alert.previous, line.alert.state]), [
    [30, 'alert pending', 'ok', 'pending'],
    [40, 'alert firing', 'pending', 'firing'],
    [30, 'alert resolved', 'firing', 'ok'],
  ], 'one pino line per change: firing at warn, the others at info')
  t.match(lines[1]!.alert, { rule: 'failed-orders', value: 6, threshold: 5, severity: 'page', summary: 'count of orders.failed {channel=web} over 1m is 6 (above 5)' })
  t.same(h.sent, [
    'alert.transition:1|c|#rule:failed-orders,severity:page,state:pending',
    'alert.transition:1|c|#rule:failed-orders,severity:page,state:firing',
    'alert.transition:1|c|#rule:failed-orders,severity:page,state:ok',
  ])

  const labels = { channel: 'web', alertname: 'failed-orders', severity: 'page' }
  t.equal(h.notices.length, 2)
  t.same(h.notices[0], {
    rule: 'failed-orders',
    severity: 'page',
    status: 'firing',
    value: 6,
    threshold: 5,
    labels,
    annotations: {
      summary: 'failed-orders firing: count of orders.failed {channel=web} over 1m is 6 (above 5)',
      description: `count of orders.failed {channel=web} over 1m is 6 (above 5). Firing since ${new Date(T0 + 50 * SECOND).toISOString()} (severity page).`,
    },
    startsAt: T0 + 50 * SECOND,
    endsAt: null,
    fingerprint: h.notices[0]!.fingerprint,
    repeat: false,
  })
  t.match(h.notices[1], { status: 'resolved', value: 0, startsAt: T0 + 50 * SECOND, endsAt: T0 + 80 * SECOND, repeat: false, labels })
  t.match(h.notices[0]!.fingerprint, /^[0-9a-f]{16}$/)
  t.equal(h.notices[1]!.fingerprint, h.notices[0]!.fingerprint, 'the same fingerprint firing and resolved')
  t.equal(fingerprint({ severity: 'page', alertname: 'failed-orders', channel: 'web' }), h.notices[0]!.fingerprint, 'whatever the order of the labels')
  t.not(fingerprint({ ...labels, channel: 'app' }), h.notices[0]!.fingerprint, 'other labels, another fingerprint')
  t.same(h.reports, [])
})

t.test('clear: hysteresis keeps a rule firing until the value is back past it, where a rule without it flaps', async (t) => {
  const h = alertHarness(t, {
    rules: [
      { name: 'queue-hysteresis', metric: 'queue.depth', stat: 'last', window: '10s', above: 100, clear: 80, severity: 'ticket' },
      { name: 'queue-plain', metric: 'queue.depth', stat: 'last', window: '10s', above: 100, severity: 'ticket' },
    ],
  })
  const states: string[][] = []
  for (const depth of [120, 95, 105, 90, 110, 85, 101, 70, 90]) {
    h.aggregator.record('gauge', 'queue.depth', [], depth)
    h.advance(10 * SECOND)
    states.push(h.engine.statuses().map((s) => s.state))
  }
  t.same(states.map(([withClear]) => withClear), ['firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'ok', 'ok'], 'resolves only under 80')
  t.same(states.map(([, plain]) => plain), ['firing', 'ok', 'firing', 'ok', 'firing', 'ok', 'firing', 'ok', 'ok'], 'without clear it flaps')
  const transitions = (rule: string): number => h.sent.filter((line) => line.includes(`rule:${rule},`)).length
  t.equal(transitions('queue-hysteresis'), 2)
  t.equal(transitions('queue-plain'), 8)
  t.equal(h.notices.filter((n) => n.rule === 'queue-hysteresis').length, 2, 'one firing and one resolved notice')
  t.equal(h.alertLines().find((line) => line.alert.rule === 'queue-hysteresis')!.alert.summary, 'last of queue.depth over 10s is 120 (above 100, clears at or below 80)')
})

t.test('keepFiringFor holds a resolve back, and a new breach during the hold keeps it firing', async (t) => {
  const h = alertHarness(t, { rules: [{ name: 'cpu', metric: 'cpu', stat: 'max', window: '10s', above: 90, keepFiringFor: '1m', severity: 'info' }] })
  const sample = (value: number): void => h.aggregator.record('gauge', 'cpu', [], value)
  sample(95)
  h.advance(10 * SECOND)
  t.equal(h.engine.statuses()[0]!.state, 'firing')
  const firingSince = h.engine.statuses()[0]!.since
  for (let i = 0; i < 5; i++) {
    sample(50)
    h.advance(10 * SECOND)
    t.equal(h.engine.statuses()[0]!.state, 'firing', `${(i + 1) * 10} s below the threshold: held`)
  }
  sample(99)
  h.advance(10 * SECOND)
  for (let i = 0; i < 6; i++) {
    sample(50)
    h.advance(10 * SECOND)
  }
  t.equal(h.engine.statuses()[0]!.state, 'firing', 'the breach started the hold over: 50 s below')
  t.equal(h.engine.statuses()[0]!.since, firingSince, 'and it never stopped firing')
  sample(50)
  h.advance(10 * SECOND)
  t.match(h.engine.statuses()[0], { state: 'ok', since: firingSince + 130 * SECOND }, 'resolved once a full minute went by under it')
  t.same(h.notices.map((n) => n.status), ['firing', 'resolved'])
})

t.test('minCount: fewer events than it in the window count as not breaching', async (t) => {
  const h = alertHarness(t, { rules: [{ name: 'errors', stat: 'errorRatio', window: '1m', above: 0.2, minCount: 10, severity: 'page' }] })
  const answer = (status: number, times: number): void => {
    for (let i = 0; i < times; i++) h.aggregator.record('counter', 'http_request', [`http_status:${status}`, `http_status_class:${Math.floor(status / 100)}xx`, 'method:GET', 'controller:/'], 1)
  }
  answer(500, 3)
  h.advance(10 * SECOND)
  t.match(h.engine.statuses()[0], { state: 'ok', value: 1 }, 'three requests, all failed: no alert')
  answer(200, 10)
  h.advance(10 * SECOND)
  t.match(h.engine.statuses()[0], { state: 'firing', value: 3 / 13 })
  h.advance(60 * SECOND)
  answer(500, 5)
  h.advance(10 * SECOND)
  t.match(h.engine.statuses()[0], { state: 'ok', value: 1 }, 'resolved when traffic fell under minCount')
})

t.test('repeatInterval: a firing alert is sent again no more often than it, then resolved once', async (t) => {
  const h = alertHarness(t, {
    repeatInterval: '1m',
    rules: [{ name: 'disk', metric: 'disk.free', stat: 'min', window: '10s', below: 1000, severity: 'page' }],
  })
  for (let i = 0; i < 18; i++) {
    h.aggregator.record('gauge', 'disk.free', [], 10)
    h.advance(10 * SECOND)
  }
  h.aggregator.record('gauge', 'disk.free', [], 5000)
  h.advance(10 * SECOND)
  const start = T0 + 10 * SECOND
  t.same(h.notices.map((n) => [n.status, n.repeat, n.startsAt, n.endsAt]), [
    ['firing', false, start, null],
    ['firing', true, start, null],
    ['firing', true, start, null],
    ['resolved', false, start, start + 180 * SECOND],
  ], 'firing at once, repeated after 1 and 2 minutes, resolved after 3')
  t.equal(h.alertLines().length, 2, 'repeats write no line')
  t.equal(h.sent.length, 2, 'nor count a transition')
})

t.test('every statistic, read through the engine; tags select the series added up', async (t) => {
  const rule = (name: string, metric: string, stat: ThresholdRule['stat'], tags?: Record<string, string>): ThresholdRule =>
    ({ name, metric, stat, window: '1m', above: 1e12, severity: 'info', ...(tags === undefined ? {} : { tags }) })
  const h = alertHarness(t, {
    rules: [
      rule('count', 'jobs', 'count'),
      rule('rate', 'jobs', 'rate'),
      rule('count-tagged', 'jobs', 'count', { queue: 'a' }),
      rule('t-count', 'latency', 'count'),
      rule('t-mean', 'latency', 'mean'),
      rule('t-min', 'latency', 'min'),
      rule('t-max', 'latency', 'max'),
      rule('t-p50', 'latency', 'p50'),
      rule('t-p90', 'latency', 'p90'),
      rule('t-p95', 'latency', 'p95'),
      rule('t-p99', 'latency', 'p99'),
      rule('g-last', 'temp', 'last'),
      rule('g-mean', 'temp', 'mean'),
      rule('g-min', 'temp', 'min'),
      rule('g-max', 'temp', 'max'),
      { name: 'ratio', stat: 'ratio', numerator: { metric: 'jobs', tags: { queue: 'a' } }, denominator: { metric: 'jobs' }, window: '1m', above: 1e12, severity: 'info' },
      rule('unseen', 'never.sent', 'count'),
      rule('unmatched', 'jobs', 'count', { queue: 'z' }),
    ],
  })
  h.advance(30 * SECOND)
  h.aggregator.record('counter', 'jobs', ['queue:a'], 3)
  h.aggregator.record('counter', 'jobs', ['queue:b'], 9)
  for (let ms = 1; ms <= 100; ms++) h.aggregator.record('timing', 'latency', [`route:${ms % 2}`], ms)
  for (const degrees of [20, 30, 25]) h.aggregator.record('gauge', 'temp', [], degrees)
  h.advance(10 * SECOND)
  const value = Object.fromEntries(h.engine.statuses().map((s) => [s.name, s.value]))
  t.equal(value.count, 12)
  // 12 over the buckets the 1-minute window reads: recording began 40 s ago.
  t.equal(value.rate, 12 / 40)
  t.equal(value['count-tagged'], 3)
  t.equal(value['t-count'], 100)
  t.equal(value['t-mean'], 50.5)
  t.equal(value['t-min'], 1)
  t.equal(value['t-max'], 100)
  for (const [name, exact] of [['t-p50', 50], ['t-p90', 90], ['t-p95', 95], ['t-p99', 99]] as const) {
    t.ok(Math.abs(value[name]! - exact) / exact <= 0.03, `${name} is ${value[name]}, within the sketch's accuracy of ${exact}`)
  }
  t.equal(value['g-last'], 25)
  t.equal(value['g-mean'], 25)
  t.equal(value['g-min'], 20)
  t.equal(value['g-max'], 30)
  t.equal(value.ratio, 3 / 12)
  t.equal(value.unseen, null, 'a metric never sent reads null')
  t.equal(value.unmatched, null, 'so do tags no series has')
  t.ok(h.engine.statuses().every((s) => s.state === 'ok'))
})

t.test('a rule that fails to evaluate is reported, never thrown, and the others go on', async (t) => {
  const broken = new TestBurnSource('broken', 99, 30 * 86_400_000, [{ severity: 'page', factor: 2, longMs: 3_600_000, shortMs: 300_000 }])
  broken.badRatio = () => { throw new Error('store gone') }
  const h = alertHarness(t, { rules: [{ name: 'g', metric: 'g', stat: 'last', window: '10s', above: 1, severity: 'info' }] }, [broken])
  h.aggregator.record('gauge', 'g', [], 2)
  t.doesNotThrow(() => h.engine.evaluate())
  t.match(h.reports, [{ subsystem: 'alerts', err: { message: 'store gone' } }])
  t.equal(h.engine.statuses()[0]!.state, 'firing', 'the threshold rule was evaluated')
  t.equal(h.engine.statuses()[1]!.state, 'ok')

  const throwing = alertHarness(t, { rules: [{ name: 'h', metric: 'h', stat: 'last', window: '10s', above: 1, severity: 'info' }] })
  const engine = alertEngine(resolveOptions({ alerts: { rules: [{ name: 'h', metric: 'h', stat: 'last', window: '10s', above: 1, severity: 'info' }] } }, {}).alerts, {
    aggregator: throwing.aggregator,
    burnSources: [],
    dispatch: { notify () { throw new Error('queue full') }, close: async () => { throw new Error('closing') } },
    logger: { info () { throw new Error('log') }, warn () { throw new Error('log') } },
    statsd: { increment () { throw new Error('socket') } } as never,
    reporter: { report: (subsystem, err) => throwing.reports.push({ subsystem, err }) },
  })
  throwing.aggregator.record('gauge', 'h', [], 5)
  t.doesNotThrow(() => engine.evaluate())
  t.equal(engine.statuses()[0]!.state, 'firing', 'the state moved though nothing could be told')
  await engine.close()
  t.same(throwing.reports.map((r) => (r.err as Error).message), ['log', 'socket', 'queue full', 'closing'])
})

t.test('no rule, no burn source: statuses() is [], and no timer runs', async (t) => {
  const h = alertHarness(t, {})
  t.same(h.engine.statuses(), [])
  h.advance(60 * SECOND)
  t.same(h.logs.lines, [])
  await h.engine.close()
  await h.engine.close()
})
