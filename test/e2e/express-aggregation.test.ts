import t from 'tap'
import type { CounterStats, Snapshot, TimingStats } from '../../lib/index.ts'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'

const sortedEntries = (tags: Record<string, string>): string => JSON.stringify(Object.entries(tags).sort())

function series (snapshot: Snapshot | null, name: string, tags?: Record<string, string>): Snapshot['series'][number] | undefined {
  return snapshot?.series.find((s) => s.name === name && (tags === undefined || sortedEntries(s.tags) === sortedEntries(tags)))
}

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('after N requests, middleware.vigie.snapshot() counts exactly N, with the StatsD tags', async (t) => {
      const { vigie, url, statsd } = await startExpressApp(t, express, {
        vigie: { statsd: { prefix: 'shop.' } },
        routes: (app) => {
          const users = express.Router()
          users.get('/:id', (req, res) => { res.json({ id: req.params.id }) })
          app.use('/api/users', users)
        },
      })
      const N = 12
      for (let i = 0; i < N; i++) t.equal((await fetch(`${url}/api/users/${i}`)).status, 200)
      await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('shop.http_request:')).length === N)
      const snapshot = vigie.vigie.snapshot()
      const tags = { http_status: '200', http_status_class: '2xx', method: 'GET', controller: '/api/users/:id' }
      t.equal((series(snapshot, 'http_request', tags)?.windows['1m'] as CounterStats).count, N)
      t.equal((series(snapshot, 'http_request.response_time', tags)?.windows['1m'] as TimingStats).count, N)
    })

    t.test('business metrics sent through middleware.statsd are aggregated; a 500 counts an exception', async (t) => {
      const { vigie, url } = await startExpressApp(t, express, {
        routes: (app, vigie) => {
          app.post('/orders', (_req, res) => {
            vigie.statsd.increment('orders', 3)
            vigie.statsd.timing('checkout', 12.5, ['step:pay'])
            res.json({ ok: true })
          })
          app.get('/boom', () => {
            throw new RangeError('out of range')
          })
        },
      })
      await fetch(`${url}/orders`, { method: 'POST' })
      t.equal((await fetch(`${url}/boom`)).status, 500)
      const snapshot = vigie.vigie.snapshot()
      t.equal((series(snapshot, 'orders')?.windows['5m'] as CounterStats).count, 3)
      t.match(series(snapshot, 'checkout', { step: 'pay' })?.windows['5m'], { count: 1, min: 12.5, max: 12.5 })
      t.equal((series(snapshot, 'http_request.exception', { controller: '/boom', exception: 'RangeError' })?.windows['5m'] as CounterStats).count, 1)
    })

    t.test('aggregation: false → snapshot() is null', async (t) => {
      const { vigie, url } = await startExpressApp(t, express, {
        vigie: { aggregation: false },
        routes: (app) => app.get('/', (_req, res) => { res.send('ok') }),
      })
      await fetch(`${url}/`)
      t.equal(vigie.vigie.snapshot(), null)
    })

    t.test('hostile values sent through middleware.statsd never break the request', async (t) => {
      const { vigie, url } = await startExpressApp(t, express, {
        routes: (app, vigie) => app.get('/', (_req, res) => {
          vigie.statsd.timing('bad', -1)
          vigie.statsd.timing('bad', NaN)
          vigie.statsd.gauge('bad_gauge', Infinity)
          res.send('ok')
        }),
      })
      const res = await fetch(`${url}/`)
      t.equal(await res.text(), 'ok')
      const names = vigie.vigie.snapshot()?.series.map((s) => s.name) ?? []
      t.same(names.filter((n) => n.startsWith('bad')), [])
      t.ok(names.includes('http_request'))
    })
  })
}
