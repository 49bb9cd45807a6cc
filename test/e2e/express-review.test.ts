// A review of the Express adapter's mount reading (express-route-index.ts,
// express-app-adoption.ts) on real servers, with patterns real apps use. Each test is a problem
// found; those still open are marked todo, with what is missing.
import type { ErrorRequestHandler } from 'express'
import t from 'tap'
import { EXPRESS_VERSIONS, counters, exceptionLines, startExpressApp } from '../helpers/express-app.js'

const controllers = (lines: string[]): string[] => lines.map((l) => l.replace(/^.*controller:/, ''))

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('an app mounted at several paths (app.use twice): each request gets the mount it came through', async (t) => {
      // Express keeps only the last mount path (api.mountpath === ['/v2', '/v3']).
      const api = express()
      api.get('/users/:id', (_req, res) => { res.send('user') })
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          app.use('/v1', api)
          app.use(['/v2', '/v3'], api)
        },
      })
      for (const path of ['/v1/users/1', '/v3/users/2', '/v1/users/3']) t.equal(await (await fetch(url + path)).text(), 'user')
      await statsd.waitFor(() => counters(statsd).length >= 3)
      t.same(controllers(counters(statsd)), ['/v1/users/:id', '[/v2_/v3]/users/:id', '/v1/users/:id'])
    })

    t.test('an app mounted in two apps, each with its own vigie: neither gets the other\'s mount path', async (t) => {
      const shared = express()
      shared.get('/items/:id', (_req, res) => { res.send('item') })
      const first = await startExpressApp(t, express, { routes: (app) => app.use('/one', shared) })
      // Mounted last: shared.parent and shared.mountpath are the second app's.
      const second = await startExpressApp(t, express, { routes: (app) => app.use('/two/:tenant', shared) })
      await fetch(`${second.url}/two/acme/items/1`)
      await fetch(`${first.url}/one/items/2`)
      await fetch(`${first.url}/one/items/3`)
      await second.statsd.waitFor(() => counters(second.statsd).length >= 1)
      await first.statsd.waitFor(() => counters(first.statsd).length >= 2)
      t.same(controllers(counters(second.statsd)), ['/two/:tenant/items/:id'])
      t.same(controllers(counters(first.statsd)), ['/(unrecorded)/items/:id', '/(unrecorded)/items/:id'], 'never /two/:tenant, the other app\'s mount')
    })

    t.test('an app mounted in two apps: req.correlationId in it before the other app served a request', { todo: 'the mounted app\'s requests inherit from its last parent only, which vigie has not adopted yet' }, async (t) => {
      const shared = express()
      shared.get('/id', (req, res) => { res.send(String(req.correlationId)) })
      const first = await startExpressApp(t, express, { routes: (app) => app.use('/one', shared) })
      await startExpressApp(t, express, { routes: (app) => app.use('/two', shared) })
      t.equal(await (await fetch(`${first.url}/one/id`, { headers: { 'x-request-id': 'first-1' } })).text(), 'first-1')
    })

    t.test('a sub-app whose own error handler answers an error of its middleware, before any of its routes matched', { todo: 'a sub-app mounted with app.use() is adopted only when one of its routes matches: its error handlers do not record before that' }, async (t) => {
      const admin = express()
      admin.use(function requireAuth () { throw new TypeError('no session') })
      admin.get('/panel', (_req, res) => { res.send('panel') })
      admin.use(function adminErrors (err: Error, _req, res, _next) { res.status(503).send(err.name) } satisfies ErrorRequestHandler)
      const { url, logs } = await startExpressApp(t, express, { routes: (app) => app.use('/admin', admin), vigieErrorHandler: false })
      const res = await fetch(`${url}/admin/panel`)
      t.equal(res.status, 503)
      t.equal(await res.text(), 'TypeError')
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.match(exceptionLines(logs), [{ err: { type: 'TypeError', message: 'no session' }, res: { statusCode: 503 } }])
    })

    t.test('a router mounted in itself: a route reached through the loop', { todo: 'the walk stops at the cycle, and the route is labelled as if reached directly' }, async (t) => {
      const tree = express.Router()
      tree.get('/leaf/:id', (_req, res) => { res.send('leaf') })
      tree.use('/loop', tree)
      const { url, statsd } = await startExpressApp(t, express, { routes: (app) => app.use('/tree', tree) })
      t.equal(await (await fetch(`${url}/tree/loop/leaf/1`)).text(), 'leaf')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.not(controllers(counters(statsd))[0], '/tree/leaf/:id', 'not the pattern of another path')
    })
  })
}
