import { StatsD } from 'hot-shots'
import t, { type Test } from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { recordStatsdSends } from '../../lib/aggregate/statsd-recording.ts'
import { RequestMetrics } from '../../lib/metrics/request-metrics.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

/** The label intervals of a RequestMetrics, moved on by hand. */
function intervals (): { every: (tick: () => void) => () => void, next: () => void, started: () => number, stopped: () => boolean } {
  let ticks: Array<() => void> = []
  let started = 0
  let stopped = false
  return {
    every: (tick) => {
      started++
      ticks.push(tick)
      return () => {
        stopped = true
        ticks = []
      }
    },
    next: () => { for (const tick of ticks) tick() },
    started: () => started,
    stopped: () => stopped,
  }
}

/** RequestMetrics on vigie's fast path, the lines it hands over kept as text. */
function fastPath (maxControllers: number, every: (tick: () => void) => () => void): { metrics: RequestMetrics, lines: string[], overflows: string[] } {
  const lines: string[] = []
  const overflows: string[] = []
  const metrics = new RequestMetrics({
    client: {} as StatsD,
    preformatted: {
      prefix: '',
      globalTags: [],
      add: (head, thousandths, tail) => lines.push(...`${Buffer.from(head).toString()}${thousandths / 1000}${Buffer.from(tail).toString()}`.split('\n')),
      close: async () => {},
      dropped: () => ({ dns: 0, socket: 0, queue_full: 0 }),
    },
    tagFormat: 'datadog',
    sampleRate: 1,
    maxControllers,
    onSendError: (err) => { throw err },
    onControllerOverflow: (controller) => overflows.push(controller),
    aggregator: null,
    recording: null,
    onAggregationError: (err) => { throw err },
    everyLabelInterval: every,
  })
  return { metrics, lines, overflows }
}

function controllerOf (lines: readonly string[]): string {
  const line = lines[lines.length - 2]
  return line.slice(line.indexOf('controller:') + 'controller:'.length)
}

t.test('a controller cached as "other" gets its own label once a place is free; the caches start over each interval', async (t) => {
  const clock = intervals()
  const { metrics, lines, overflows } = fastPath(2, clock.every)
  const request = (controller: string): string => {
    metrics.recordRequest(controller, 'GET', 200, 1)
    return controllerOf(lines)
  }
  t.equal(request('/a'), '/a')
  t.equal(request('/b'), '/b')
  t.equal(clock.started(), 0, 'no interval runs before a cap is reached')
  t.equal(request('/c'), 'other')
  t.same(overflows, ['/c'])
  t.equal(clock.started(), 1, 'the first overflow starts the intervals')
  t.equal(request('/c'), 'other', 'from the cache')

  clock.next()
  t.equal(request('/a'), '/a', '/a is in use; /b is not')
  t.equal(request('/c'), 'other', '/b was labeled in the interval before')
  clock.next()
  t.equal(request('/a'), '/a')
  t.equal(request('/c'), '/c', '/b gave its place up, and /c was no longer cached as "other"')
  t.equal(request('/b'), 'other')
  t.equal(request('/c'), '/c')
  t.same(overflows, ['/c'], 'the overflow is reported once')
  t.equal(clock.started(), 1)

  await metrics.close()
  t.ok(clock.stopped(), 'close() stops the intervals')
})

t.test('a controller served from the cache all along keeps its place; at most max controllers go out in two intervals', async (t) => {
  const clock = intervals()
  const { metrics, lines } = fastPath(2, clock.every)
  const sent: Array<Set<string>> = [new Set()]
  const request = (controller: string): void => {
    metrics.recordRequest(controller, 'GET', 200, 1)
    sent[sent.length - 1].add(controllerOf(lines))
  }
  request('/busy')
  request('/x')
  request('/y')
  for (let interval = 1; interval <= 6; interval++) {
    clock.next()
    sent.push(new Set())
    for (let i = 0; i < 10; i++) request('/busy')
    // A new controller every interval: it may take /x's place, or a newer one's, never /busy's.
    request(`/new${interval}`)
    request('/busy')
  }
  for (let i = 1; i < sent.length; i++) {
    t.ok(sent[i].has('/busy'), `interval ${i}: /busy has its own label`)
    const distinct = new Set([...sent[i - 1], ...sent[i]].filter((c) => c !== 'other'))
    t.ok(distinct.size <= 2, `intervals ${i - 1} and ${i}: ${[...distinct].join(', ')}`)
  }
  t.ok(sent.some((controllers) => controllers.has('/new2')), 'new controllers got places in turn')
})

async function clientPath (t: Test, every: (tick: () => void) => () => void): Promise<{ metrics: RequestMetrics, aggregator: Aggregator }> {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const client = new StatsD({ host: '127.0.0.1', port: statsd.port, maxBufferSize: 0, errorHandler: () => {} })
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())))
  const aggregator = new Aggregator({ maxSeries: 1000 })
  const metrics = new RequestMetrics({
    client,
    preformatted: undefined,
    tagFormat: 'datadog',
    sampleRate: 1,
    maxControllers: 10,
    onSendError: (err) => { throw err },
    onControllerOverflow: () => {},
    aggregator,
    recording: recordStatsdSends(client, aggregator, () => {}),
    onAggregationError: (err) => { throw err },
    everyLabelInterval: every,
  })
  t.teardown(() => metrics.close())
  return { metrics, aggregator }
}

t.test('exception names: after a flood of names, a new one is its own again two intervals later', async (t) => {
  const clock = intervals()
  const { metrics, aggregator } = await clientPath(t, clock.every)
  const exceptionNames = (): string[] => aggregator.snapshot().series
    .filter((s) => s.name === 'http_request.exception' && s.tags.controller === '/boom')
    .map((s) => s.tags.exception)
  for (let status = 500; status < 700; status++) metrics.recordException('/reflect', `http_${status}`)
  metrics.recordException('/boom', 'TypeError')
  t.same(exceptionNames(), ['other'], 'the flood took the 100 places')
  t.equal(clock.started(), 1)
  clock.next()
  clock.next()
  metrics.recordException('/boom', 'TypeError')
  t.same(exceptionNames(), ['other', 'TypeError'])
})
