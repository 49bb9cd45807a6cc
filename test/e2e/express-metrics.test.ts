import type { ErrorRequestHandler } from 'express'
import t from 'tap'
import { EXPRESS_VERSIONS, counters, startExpressApp } from '../helpers/express-app.ts'

const TIMING = /^http_request\.response_time:\d+(\.\d+)?\|ms\|#/
const tags = (status: number, method: string, controller: string): string =>
  `#http_status:${status},http_status_class:${Math.floor(status / 100)}xx,method:${method},controller:${controller}`

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('a route emits the counter and the timing, tagged with its pattern', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => app.get('/users/:id', (req, res) => { res.json({ id: req.params.id }) }),
      })
      const res = await fetch(`${url}/users/42?page=2`)
      t.same(await res.json(), { id: '42' })
      await statsd.waitFor((lines) => lines.length >= 2)
      t.same(counters(statsd), [`http_request:1|c|${tags(200, 'GET', '/users/:id')}`])
      const timing = statsd.lines.find((l) => l.startsWith('http_request.response_time:'))
      t.match(timing, TIMING)
      t.ok(timing?.endsWith(`|ms|${tags(200, 'GET', '/users/:id')}`), timing)
      t.notOk(statsd.lines.some((l) => l.includes('/42')), 'the raw URL never becomes a tag')
    })

    t.test('the route is tracked by an accessor on the app\'s request object, not one per request', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => app.get('/items/:id', (req, res) => {
          res.json({ own: Object.getOwnPropertyDescriptor(req, 'route') !== undefined, path: (req.route as { path?: string }).path })
        }),
      })
      t.same(await (await fetch(`${url}/items/7`)).json(), { own: false, path: '/items/:id' }, 'req.route reads as Express set it')
      await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request:')))
      t.same(counters(statsd), [`http_request:1|c|${tags(200, 'GET', '/items/:id')}`])
    })

    t.test('an app vigie does not observe is left as Express made it, as is the Express module', async (t) => {
      const { url } = await startExpressApp(t, express, {
        routes: (app) => app.get('/observed/:id', (req, res) => { res.json({ path: (req.route as { path?: string }).path }) }),
      })
      const plain = express()
      plain.get('/plain/:id', (req, res) => {
        const before = req.correlationId as string | undefined
        req.correlationId = 'set-by-the-app'
        res.json({ own: Object.getOwnPropertyDescriptor(req, 'route') !== undefined, path: (req.route as { path?: string }).path, before: before ?? null, after: req.correlationId })
      })
      const server = plain.listen(0, '127.0.0.1')
      t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
      await new Promise((resolve) => server.once('listening', resolve))
      const { port } = server.address() as { port: number }
      t.same(await (await fetch(`${url}/observed/2`)).json(), { path: '/observed/:id' })
      t.same(await (await fetch(`http://127.0.0.1:${port}/plain/1`)).json(), { own: true, path: '/plain/:id', before: null, after: 'set-by-the-app' }, 'req.route is Express\'s own property')
      for (const name of ['route', 'correlationId']) {
        t.equal(Object.getOwnPropertyDescriptor(express.request, name), undefined, `express.request has no ${name} of vigie's`)
        t.equal(Object.getOwnPropertyDescriptor(plain.request, name), undefined, `the other app's request object has no ${name} of vigie's`)
      }
    })

    t.test('nested routers give the full mounted pattern', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          const users = express.Router()
          users.get('/:id', (req, res) => { res.send(`user ${req.params.id}`) })
          users.get('/', (_req, res) => { res.send('all users') })
          const api = express.Router()
          api.use('/users', users)
          app.use('/api', api)
        },
      })
      t.equal(await (await fetch(`${url}/api/users/42`)).text(), 'user 42')
      t.equal(await (await fetch(`${url}/api/users`)).text(), 'all users')
      await statsd.waitFor(() => counters(statsd).length >= 2)
      t.same(counters(statsd), [
        `http_request:1|c|${tags(200, 'GET', '/api/users/:id')}`,
        `http_request:1|c|${tags(200, 'GET', '/api/users')}`,
      ])
      t.notOk(statsd.lines.some((l) => l.includes('/42')))
    })

    t.test('a router mounted at a path with a parameter: /users/:uid/posts/:pid, with or without mergeParams', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          const merged = express.Router({ mergeParams: true })
          merged.get('/posts/:pid', (req, res) => { res.json(req.params) })
          const separate = express.Router()
          separate.get('/comments/:cid', (req, res) => { res.json(req.params) })
          app.use('/users/:uid', merged)
          app.use('/accounts/:aid/', separate)
        },
      })
      t.same(await (await fetch(`${url}/users/42/posts/7`)).json(), { uid: '42', pid: '7' })
      t.same(await (await fetch(`${url}/accounts/9/comments/3`)).json(), { cid: '3' })
      await statsd.waitFor(() => counters(statsd).length >= 2)
      t.same(counters(statsd), [
        `http_request:1|c|${tags(200, 'GET', '/users/:uid/posts/:pid')}`,
        `http_request:1|c|${tags(200, 'GET', '/accounts/:aid/comments/:cid')}`,
      ])
      t.notOk(statsd.lines.some((l) => /\/(42|7|9|3)\b/.test(l)), 'no raw ID from req.baseUrl')
    })

    t.test('a mounted sub-app and app.route() chains', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          const admin = express()
          admin.route('/reports/:year').get((_req, res) => { res.send('report') })
          app.use('/admin', admin)
        },
      })
      t.equal(await (await fetch(`${url}/admin/reports/2024`)).text(), 'report')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.same(counters(statsd), [`http_request:1|c|${tags(200, 'GET', '/admin/reports/:year')}`])
    })

    t.test('unmatched requests are counted under not_found, also under a mounted router', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          const api = express.Router()
          api.get('/known', (_req, res) => { res.send('ok') })
          app.use('/api', api)
        },
      })
      t.equal((await fetch(`${url}/nope/123`)).status, 404)
      t.equal((await fetch(`${url}/api/unknown/456`)).status, 404)
      await statsd.waitFor(() => counters(statsd).length >= 2)
      t.same(counters(statsd), [
        `http_request:1|c|${tags(404, 'GET', 'not_found')}`,
        `http_request:1|c|${tags(404, 'GET', 'not_found')}`,
      ])
    })

    t.test('wildcard, RegExp and array paths are labelled by their pattern', async (t) => {
      const wildcard = name === 'express 5' ? '/files/*path' : '/files/*'
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          app.get(wildcard, (_req, res) => { res.send('file') })
          app.get(/^\/re\/\d+$/, (_req, res) => { res.send('re') })
          app.get(['/a/:x', '/b/:x'], (_req, res) => { res.send('ab') })
        },
      })
      await fetch(`${url}/files/deep/secret-name.txt`)
      await fetch(`${url}/re/99`)
      await fetch(`${url}/b/1`)
      await statsd.waitFor(() => counters(statsd).length >= 3)
      t.same(counters(statsd), [
        `http_request:1|c|${tags(200, 'GET', wildcard)}`,
        `http_request:1|c|${tags(200, 'GET', '/^\\/re\\/\\d+$/')}`,
        `http_request:1|c|${tags(200, 'GET', '[/a/:x_/b/:x]')}`,
      ])
    })

    t.test('a router mounted before vigie was created gets its full pattern', async (t) => {
      // Built and mounted before startExpressApp creates vigie.
      const early = express.Router()
      early.get('/:id', (_req, res) => { res.send('early') })
      const outer = express.Router()
      outer.use('/items/:itemId', early)
      const { url, statsd, logs } = await startExpressApp(t, express, {
        routes: (app) => app.use('/shop', outer),
      })
      await fetch(`${url}/shop/items/77/5`)
      await fetch(`${url}/shop/items/78/6`)
      await statsd.waitFor(() => counters(statsd).length >= 2)
      t.same(counters(statsd), [
        `http_request:1|c|${tags(200, 'GET', '/shop/items/:itemId/:id')}`,
        `http_request:1|c|${tags(200, 'GET', '/shop/items/:itemId/:id')}`,
      ])
      t.notOk(statsd.lines.some((l) => /\/7[78]\b/.test(l)), 'never req.baseUrl')
      t.same(logs.lines.filter((l) => l.level === 40), [], 'no warning')
    })

    t.test('a router reached through a function of the app, not mounted: "(unrecorded)" stands for its mount path, with one warning', async (t) => {
      const shop = express.Router()
      shop.get('/items/:id', (_req, res) => { res.send('item') })
      const { url, statsd, logs } = await startExpressApp(t, express, {
        routes: (app) => app.use('/shop', (req, res, next) => { shop(req, res, next) }),
      })
      await fetch(`${url}/shop/items/77`)
      await fetch(`${url}/shop/items/78`)
      await statsd.waitFor(() => counters(statsd).length >= 2)
      t.same(counters(statsd), [
        `http_request:1|c|${tags(200, 'GET', '/(unrecorded)/items/:id')}`,
        `http_request:1|c|${tags(200, 'GET', '/(unrecorded)/items/:id')}`,
      ])
      t.notOk(statsd.lines.some((l) => /\/shop|\/7[78]\b/.test(l)), 'never req.baseUrl')
      t.match(logs.lines.filter((l) => l.level === 40).map((l) => l.msg), [/the route \/\(unrecorded\)\/items\/:id was reached through a router or app vigie could not see/])
    })

    t.test('routers mounted before vigie, around one mounted after: the full pattern', async (t) => {
      const top = express.Router()
      const shop = express.Router()
      top.use('/shop', shop) // before vigie: not recorded
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          const item = express.Router()
          item.get('/reviews', (_req, res) => { res.send('reviews') })
          shop.use('/items/:id', item) // after vigie: recorded
          app.use(top)
        },
      })
      t.equal(await (await fetch(`${url}/shop/items/5/reviews`)).text(), 'reviews')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.same(counters(statsd), [`http_request:1|c|${tags(200, 'GET', '/shop/items/:id/reviews')}`])
    })

    t.test('a mounted middleware that fails and is recovered from leaves its mount', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          // Express 5 passes the rejection on itself; Express 4 needs next(err).
          const rejecting = name === 'express 5'
            ? async () => { throw new Error('rejected') }
            : (_req: unknown, _res: unknown, next: (err: Error) => void) => { next(new Error('rejected')) }
          app.use('/x/:a', rejecting)
          app.use(((_err, _req, _res, next) => { next() }) as ErrorRequestHandler)
          app.use('/x/:a', () => { throw new Error('thrown') })
          app.use(((_err, _req, _res, next) => { next() }) as ErrorRequestHandler)
          app.get('/x/:a', (_req, res) => { res.send('recovered') })
        },
      })
      t.equal(await (await fetch(`${url}/x/1`)).text(), 'recovered')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.same(counters(statsd), [`http_request:1|c|${tags(200, 'GET', '/x/:a')}`])
    })

    t.test('ignored paths and predicates are neither timed nor counted', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        vigie: { ignore: ['/health'] },
        routes: (app) => {
          app.get('/health', (_req, res) => { res.send('ok') })
          app.get('/work', (_req, res) => { res.send('done') })
        },
      })
      await fetch(`${url}/health`)
      await fetch(`${url}/health?deep=1`)
      await fetch(`${url}/work`)
      await statsd.waitFor((lines) => lines.length >= 2)
      await new Promise((resolve) => setTimeout(resolve, 50))
      t.same(counters(statsd), [`http_request:1|c|${tags(200, 'GET', '/work')}`])

      const predicate = await startExpressApp(t, express, {
        vigie: { ignore: (req) => req.headers['user-agent'] === 'probe' },
        routes: (app) => app.get('/', (_req, res) => { res.send('ok') }),
      })
      await fetch(`${predicate.url}/`, { headers: { 'user-agent': 'probe' } })
      await fetch(`${predicate.url}/`)
      await predicate.statsd.waitFor((lines) => lines.length >= 2)
      await new Promise((resolve) => setTimeout(resolve, 50))
      t.equal(counters(predicate.statsd).length, 1)
    })

    t.test('distinct controllers are capped at maxControllers', async (t) => {
      const { url, statsd, logs } = await startExpressApp(t, express, {
        vigie: { maxControllers: 2 },
        routes: (app) => {
          for (const route of ['a', 'b', 'c']) app.get(`/${route}`, (_req, res) => { res.send(route) })
        },
      })
      for (const route of ['a', 'b', 'c']) await fetch(`${url}/${route}`)
      await statsd.waitFor(() => counters(statsd).length >= 3)
      t.same(counters(statsd).map((l) => l.slice(l.indexOf('controller:'))), ['controller:/a', 'controller:/b', 'controller:other'])
      t.equal(logs.lines.filter((l) => String(l.msg).includes('distinct controller tags')).length, 1)
    })

    t.test('vigie.statsd sends business metrics through the same client', async (t) => {
      const { url, statsd } = await startExpressApp(t, express, {
        vigie: { statsd: { prefix: 'shop.' } },
        routes: (app, vigie) => app.post('/orders', (_req, res) => {
          vigie.statsd.increment('orders.created')
          res.status(201).end()
        }),
      })
      t.equal((await fetch(`${url}/orders`, { method: 'POST' })).status, 201)
      await statsd.waitFor((lines) => lines.includes('shop.orders.created:1|c'))
      await statsd.waitFor((lines) => lines.includes(`shop.http_request:1|c|${tags(201, 'POST', '/orders')}`))
      t.pass('the business metric and the request metric arrived')
    })

    t.test('close() sends the metrics still buffered', async (t) => {
      const { url, statsd, vigie } = await startExpressApp(t, express, {
        vigie: { statsd: { bufferFlushInterval: 60_000 } },
        routes: (app) => app.get('/', (_req, res) => { res.send('ok') }),
      })
      for (let i = 0; i < 3; i++) await (await fetch(`${url}/`)).text()
      await new Promise((resolve) => setTimeout(resolve, 100))
      t.equal(statsd.lines.length, 0, 'nothing is sent before the buffer fills or the interval passes')
      await vigie.close()
      await statsd.waitFor((lines) => lines.length >= 6)
      t.equal(counters(statsd).length, 3)
      t.equal(vigie.close(), vigie.close(), 'close() is idempotent')
    })

    t.test('an aborted request is counted once, with status 499', async (t) => {
      let release: () => void = () => {}
      const released = new Promise<void>((resolve) => { release = resolve })
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => app.get('/slow', (_req, res) => {
          released.then(() => res.send('late'), () => {})
        }),
      })
      const controller = new AbortController()
      const pending = fetch(`${url}/slow`, { signal: controller.signal }).catch((err: Error) => err)
      await new Promise((resolve) => setTimeout(resolve, 50))
      controller.abort()
      t.type(await pending, Error)
      await statsd.waitFor(() => counters(statsd).length >= 1)
      release()
      await new Promise((resolve) => setTimeout(resolve, 100))
      t.same(counters(statsd), [`http_request:1|c|${tags(499, 'GET', '/slow')}`])
    })
  })
}
