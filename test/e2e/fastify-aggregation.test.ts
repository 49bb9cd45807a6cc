import Fastify from 'fastify'
import { StatsD } from 'hot-shots'
import t from 'tap'
import { observability, patchAll, type CounterStats, type Snapshot, type TimingStats } from '../../lib/index.ts'
import { fakeClock } from '../helpers/fake-clock.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const ROUTE_TAGS = { http_status: '200', http_status_class: '2xx', method: 'GET', controller: '/users/:id' }

const sortedEntries = (tags: Record<string, string>): string => JSON.stringify(Object.entries(tags).sort())

function series (snapshot: Snapshot | null, name: string, tags?: Record<string, string>): Snapshot['series'][number] | undefined {
  return snapshot?.series.find((s) => s.name === name && (tags === undefined || sortedEntries(s.tags) === sortedEntries(tags)))
}

t.test('after N requests, app.vigie.snapshot() counts exactly N, with the StatsD tags', async (t) => {
  const { app, url, statsd } = await startApp(t, {
    vigie: { statsd: { prefix: 'shop.', globalTags: { env: 'test' } } },
    routes: (app) => app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id })),
  })
  const N = 25
  for (let i = 0; i < N; i++) t.equal((await fetch(`${url}/users/${i}`)).status, 200)
  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('shop.http_request:')).length === N)
  const snapshot = app.vigie.snapshot()
  t.equal(snapshot?.maxSeries, 500)
  t.equal(snapshot?.evictedSeries, 0)
  const requests = series(snapshot, 'http_request', ROUTE_TAGS)
  t.equal(requests?.kind, 'counter', 'named without the prefix, tagged without the global tags')
  t.equal((requests?.windows['1m'] as CounterStats).count, N)
  t.equal((requests?.windows['60m'] as CounterStats).count, N)
  const timing = series(snapshot, 'http_request.response_time', ROUTE_TAGS)?.windows['5m'] as TimingStats
  t.equal(timing.count, N)
  t.ok(timing.min > 0 && timing.min <= timing.median && timing.median <= timing.p99 && timing.p99 <= timing.max)
  // The StatsD lines carry the same durations: the mean matches theirs.
  const sent = statsd.lines.filter((l) => l.startsWith('shop.http_request.response_time:')).map((l) => Number(l.slice(l.indexOf(':') + 1, l.indexOf('|'))))
  t.ok(Math.abs(timing.mean - sent.reduce((a, b) => a + b, 0) / N) < 1e-9, 'the same values as were sent')
})

t.test('business metrics sent through app.statsd are aggregated too', async (t) => {
  const { app, url, statsd } = await startApp(t, {
    routes: (app) => app.post('/orders', async () => {
      app.statsd.increment('orders', 3, ['channel:web'])
      app.statsd.timing('checkout', 42)
      app.statsd.gauge('cart_size', 5)
      return { ok: true }
    }),
  })
  await fetch(`${url}/orders`, { method: 'POST' })
  await fetch(`${url}/orders`, { method: 'POST' })
  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('orders:')).length === 2)
  const snapshot = app.vigie.snapshot()
  t.same(series(snapshot, 'orders')?.tags, { channel: 'web' })
  t.equal((series(snapshot, 'orders')?.windows['1m'] as CounterStats).count, 6)
  t.match(series(snapshot, 'checkout')?.windows['1m'], { count: 2, min: 42, max: 42, mean: 42 })
  t.match(series(snapshot, 'cart_size')?.windows['1m'], { last: 5, samples: 2 })
  t.equal((series(snapshot, 'http_request')?.windows['1m'] as CounterStats).count, 2, 'vigie\'s own request counter is not counted twice')
})

t.test('with sampling, vigie\'s own metrics go through the client and are still counted once, exactly', async (t) => {
  const { app, url } = await startApp(t, {
    vigie: { statsd: { sampleRate: 0.5 } },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  for (let i = 0; i < 20; i++) await fetch(`${url}/`)
  const snapshot = app.vigie.snapshot()
  t.equal((series(snapshot, 'http_request')?.windows['1m'] as CounterStats).count, 20)
  t.equal((series(snapshot, 'http_request.response_time')?.windows['1m'] as TimingStats).count, 20)
})

t.test('exceptions and outgoing calls are aggregated under their StatsD names and tags', async (t) => {
  const { app, url } = await startApp(t, {
    routes: (app) => {
      app.get('/fail', async () => {
        throw new TypeError('nope')
      })
      app.get('/call', async () => (await fetch(`${url}/fail`)).status)
    },
  })
  t.equal(await (await fetch(`${url}/call`)).text(), '500')
  const snapshot = app.vigie.snapshot()
  t.equal((series(snapshot, 'http_request.exception', { controller: '/fail', exception: 'TypeError' })?.windows['1m'] as CounterStats).count, 1)
  const client = series(snapshot, 'http_client_request')
  t.match(client?.tags, { target_host: '127.0.0.1', method: 'GET', http_status: '500', http_status_class: '5xx' })
  t.equal((client?.windows['1m'] as CounterStats).count, 1)
  t.equal((series(snapshot, 'http_client_request.response_time')?.windows['1m'] as TimingStats).count, 1)
})

t.test('aggregation: false → snapshot() is null, and app.statsd is left unwrapped', async (t) => {
  const { app, url } = await startApp(t, {
    vigie: { aggregation: false },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  await fetch(`${url}/`)
  t.equal(app.vigie.snapshot(), null)
  t.notOk(Object.hasOwn(app.statsd, 'sendStat'))
})

t.test('aggregation.maxSeries caps the series; a new series evicts the one recorded least recently', async (t) => {
  const { app, url, logs } = await startApp(t, {
    vigie: { aggregation: { maxSeries: 2 } },
    routes: (app) => app.get('/', async () => {
      app.statsd.increment('extra')
      return 'ok'
    }),
  })
  await fetch(`${url}/`)
  await fetch(`${url}/`)
  const snapshot = app.vigie.snapshot()
  // Each request records the handler's counter, then the request counter and timing: the last two stay.
  t.same(snapshot?.series.map((s) => s.name), ['http_request', 'http_request.response_time'])
  t.equal((series(snapshot, 'http_request')?.windows['1m'] as CounterStats).count, 1, 'the first request\'s was evicted')
  t.equal(snapshot?.evictedSeries, 4)
  t.equal(logs.lines.filter((l) => String(l.msg).includes('aggregated series reached')).length, 1, 'one warning')
})

t.test('after a flood of statuses and exception names, a failing route is seen, with its own exception name', async (t) => {
  const HOUR = 60 * 60 * 1000
  const { app, url, logs } = await startApp(t, {
    routes: (app) => {
      // Answers the status it is asked for, without an error: 5xx make exception names http_500 to http_599.
      app.get('/reflect/:status', async (request, reply) => reply.code(Number((request.params as { status: string }).status)).send('ok'))
      app.get('/throw/:name', async (request) => {
        const err = new Error('flood')
        err.name = (request.params as { name: string }).name
        throw err
      })
      app.get('/checkout', async () => {
        throw new TypeError('card declined')
      })
    },
  })
  const unanswered: number[] = []
  for (let status = 200; status < 600; status++) {
    // fetch fails on a 407 (Proxy Authentication Required) it did not ask for.
    if (status !== 407 && (await fetch(`${url}/reflect/${status}`)).status !== status) unanswered.push(status)
  }
  t.same(unanswered, [], 'every status reflected')
  let snapshot = app.vigie.snapshot()
  t.equal(snapshot?.series.length, 500, 'the flood filled the series')
  t.ok((snapshot?.evictedSeries ?? 0) > 300, `and went on evicting: ${snapshot?.evictedSeries}`)
  t.equal(logs.lines.filter((l) => String(l.msg).includes('aggregated series reached')).length, 1, 'one warning')

  // The exception names' intervals start at their first overflow: on the test's clock from here.
  // Requests go through inject() while the clock is the test's: fetch's own timers (undici, Node
  // 22 and later) would wait on it.
  const clock = fakeClock(t)
  for (let i = 0; i < 20; i++) await app.inject(`/throw/FloodError${i}`)
  const exceptions = (controller: string): string[] => (app.vigie.snapshot()?.series ?? [])
    .filter((s) => s.name === 'http_request.exception' && s.tags.controller === controller)
    .map((s) => s.tags.exception)
  t.same(exceptions('/throw/:name'), ['other'], 'the 100 names of the reflected 5xx took every place')
  await app.inject('/checkout')
  t.same(exceptions('/checkout'), ['other'], 'within the hour, a new name is "other"')

  // Two hours without the flood: its names give their places up.
  clock.advance(HOUR)
  clock.advance(HOUR)
  t.equal((await app.inject('/checkout')).statusCode, 500)
  snapshot = app.vigie.snapshot()
  t.same(exceptions('/checkout'), ['other', 'TypeError'])
  const failing = series(snapshot, 'http_request', { http_status: '500', http_status_class: '5xx', method: 'GET', controller: '/checkout' })
  t.equal((failing?.windows['1m'] as CounterStats).count, 2, 'the failing route is in the snapshot')
  t.equal(snapshot?.series.length, 500)
})

t.test('hostile values sent through app.statsd never break the request, and are not aggregated', async (t) => {
  const { app, url } = await startApp(t, {
    routes: (app) => app.get('/', async () => {
      app.statsd.timing('bad_timing', NaN)
      app.statsd.timing('bad_timing', -5)
      app.statsd.timing('bad_timing', Infinity)
      app.statsd.increment('bad_counter', Infinity)
      app.statsd.gauge('bad_gauge', NaN)
      return 'ok'
    }),
  })
  const res = await fetch(`${url}/`)
  t.equal(res.status, 200)
  t.equal(await res.text(), 'ok')
  const names = app.vigie.snapshot()?.series.map((s) => s.name)
  t.notOk(names?.some((n) => n.startsWith('bad_timing') || n === 'bad_counter' || n === 'bad_gauge'), String(names))
})

t.test('a user-supplied client is wrapped while the app runs, and given back as it was on close', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const client = new StatsD({ host: '127.0.0.1', port: statsd.port, maxBufferSize: 0, errorHandler: () => {} })
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())))
  const app = Fastify()
  await app.register(observability, { statsd: { client } })
  app.get('/', async () => 'ok')
  await app.ready()
  t.ok(Object.hasOwn(client, 'sendStat'))
  await app.inject({ url: '/' })
  client.increment('direct')
  t.equal((series(app.vigie.snapshot(), 'http_request')?.windows['1m'] as CounterStats).count, 1)
  t.equal((series(app.vigie.snapshot(), 'direct')?.windows['1m'] as CounterStats).count, 1)
  await app.close()
  t.notOk(Object.hasOwn(client, 'sendStat'), 'hot-shots\' own sendStat again')
})

t.test('app.vigie reads the current observer: an explicit registration taking over from patchAll() brings its own', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const unpatch = patchAll({ statsd: { port: statsd.port }, aggregation: false, propagation: false })
  t.teardown(() => unpatch())
  const app = Fastify()
  await app.register(observability, { statsd: { port: statsd.port }, propagation: false })
  app.get('/', async () => 'ok')
  await app.ready()
  t.teardown(() => app.close())
  await app.inject({ url: '/' })
  t.equal((series(app.vigie.snapshot(), 'http_request')?.windows['1m'] as CounterStats)?.count, 1)
})
