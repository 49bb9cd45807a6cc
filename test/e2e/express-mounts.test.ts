// How vigie reads an Express app's mounts (lib/adapters/express-route-index.ts and
// express-app-adoption.ts), on real servers: sub-apps, apps mounted in routers, a router
// mounted twice, routes and handlers added after the first request, and what an error thrown
// in the app looks like to the app.
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { createServer, type Server } from 'node:http'
import pino from 'pino'
import t, { type Test } from 'tap'
import { expressObservability, type ExpressObservability } from '../../lib/express.ts'
import { EXPRESS_VERSIONS, controllerTags, counters, exceptionLines, listen, startExpressApp } from '../helpers/express-app.ts'
import { createLogSink } from '../helpers/log-sink.ts'
import { startStatsdListener, type StatsdListener } from '../helpers/statsd-listener.ts'

/**
 * vigie built by hand, with its StatsD listener, for apps that do not mount it as
 * startExpressApp() does; `serve` gets the middleware and returns the server, closed with the test.
 */
async function withStandaloneVigie (t: Test, serve: (vigie: ExpressObservability) => Promise<Server>): Promise<{ base: string, statsd: StatsdListener }> {
  const statsd = await startStatsdListener()
  const vigie = expressObservability({ logger: pino(createLogSink().stream), processMetrics: false, statsd: { host: '127.0.0.1', port: statsd.port, bufferFlushInterval: 10 } })
  const server = await serve(vigie)
  t.teardown(async () => {
    await new Promise((resolve) => server.close(resolve))
    await vigie.close()
    await statsd.close()
  })
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, statsd }
}

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('a sub-app (app.use) with nested routers, and an app mounted in a router (router.use)', async (t) => {
      const admin = express()
      const users = express.Router()
      users.get('/:id', (req, res) => { res.json({ path: (req.route as { path: string }).path, id: req.correlationId }) })
      admin.use('/users', users)
      const plugin = express()
      plugin.get('/status/:check', (req, res) => { res.json({ path: (req.route as { path: string }).path, id: req.correlationId }) })
      const api = express.Router()
      api.use('/plugins/:name', plugin)
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          app.use('/admin', admin)
          app.use('/api', api)
        },
      })
      const asAdmin = await fetch(`${url}/admin/users/7`, { headers: { 'x-request-id': 'sub-app-1' } })
      t.same(await asAdmin.json(), { path: '/:id', id: 'sub-app-1' }, 'req.route and req.correlationId read in a sub-app')
      const asPlugin = await fetch(`${url}/api/plugins/cache/status/disk`, { headers: { 'x-request-id': 'router-app-1' } })
      t.same(await asPlugin.json(), { path: '/status/:check', id: 'router-app-1' }, '… and in an app mounted in a router')
      await statsd.waitFor(() => counters(statsd).length >= 2)
      t.same(controllerTags(statsd).sort(), ['/admin/users/:id', '/api/plugins/:name/status/:check'])
    })

    t.test('an app mounted in a router of a sub-app no request entered yet: "(unrecorded)", until one does', async (t) => {
      const outer = express()
      const inner = express()
      inner.get('/status', (_req, res) => { res.send('inner') })
      const router = express.Router()
      router.use('/inner', inner)
      outer.use(router)
      outer.get('/home', (_req, res) => { res.send('outer') })
      const { url, statsd, logs } = await startExpressApp(t, express, { routes: (app) => app.use('/outer', outer) })
      t.equal(await (await fetch(`${url}/outer/inner/status`)).text(), 'inner')
      t.equal(await (await fetch(`${url}/outer/home`)).text(), 'outer')
      t.equal(await (await fetch(`${url}/outer/inner/status`)).text(), 'inner')
      await statsd.waitFor(() => counters(statsd).length >= 3)
      t.same(controllerTags(statsd), ['/(unrecorded)/status', '/outer/home', '/outer/inner/status'])
      t.equal(logs.lines.filter((l) => l.level === 40).length, 1, 'one warning')
    })

    t.test('a router served without an app: the route\'s own path, and req.correlationId', async (t) => {
      const { base, statsd } = await withStandaloneVigie(t, async (vigie) => {
        const router = express.Router()
        router.use(vigie)
        router.get('/items/:id', (req, res) => { res.end(`${(req.route as { path: string }).path} ${req.correlationId}`) })
        const server = createServer((req, res) => {
          router(req as never, res as never, () => { res.statusCode = 404; res.end() })
        })
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
        return server
      })
      const res = await fetch(`${base}/items/3`, { headers: { 'x-request-id': 'no-app-1' } })
      t.equal(await res.text(), '/items/:id no-app-1')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.same(controllerTags(statsd), ['/items/:id'])
    })

    t.test('vigie mounted on a route only (app.get(path, vigie, handler)): that route\'s pattern', async (t) => {
      const { base, statsd } = await withStandaloneVigie(t, (vigie) => {
        const app = express()
        app.get('/reports/:id', vigie, (req, res) => { res.send(req.correlationId) })
        return listen(app)
      })
      t.equal(await (await fetch(`${base}/reports/9`, { headers: { 'x-request-id': 'route-level-1' } })).text(), 'route-level-1')
      await statsd.waitFor(() => counters(statsd).length >= 1)
      t.same(controllerTags(statsd), ['/reports/:id'])
    })

    t.test('after close(), the app still serves and reads req.route', async (t) => {
      const { url, vigie } = await startExpressApp(t, express, {
        routes: (app) => app.get('/items/:id', (req, res) => { res.send((req.route as { path: string }).path) }),
      })
      t.equal(await (await fetch(`${url}/items/1`)).text(), '/items/:id')
      await vigie.close()
      t.equal(await (await fetch(`${url}/items/2`)).text(), '/items/:id')
    })

    t.test('a router mounted at two paths: each request gets the path it came through', async (t) => {
      const items = express.Router()
      items.get('/:id', (_req, res) => { res.send('item') })
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          app.use('/v1/shop', items)
          app.use('/v2/:tenant/shop', items)
        },
      })
      await fetch(`${url}/v2/acme/shop/1`)
      await fetch(`${url}/v1/shop/2`)
      await fetch(`${url}/v2/other/shop/3`)
      await statsd.waitFor(() => counters(statsd).length >= 3)
      t.same(controllerTags(statsd).sort(), ['/v1/shop/:id', '/v2/:tenant/shop/:id', '/v2/:tenant/shop/:id'])
      t.notOk(statsd.lines.some((l) => /acme|other/.test(l)), 'never the matched text')
    })

    t.test('routes, routers and handlers added after the first request are seen', async (t) => {
      const { app, url, statsd, logs } = await startExpressApp(t, express, {
        routes: (app) => app.get('/first', (_req, res) => { res.send('first') }),
        vigieErrorHandler: false,
      })
      t.equal((await fetch(`${url}/first`)).status, 200)
      const late = express.Router()
      late.get('/:id', (_req, res) => { res.send('late') })
      late.get('/:id/fail', () => { throw new Error('late failure') })
      app.use('/late', late)
      const seen: string[] = []
      app.use(function ownHandler (err: Error, _req, res, _next) {
        seen.push(err.message)
        res.status(503).send('own answer')
      } satisfies ErrorRequestHandler)
      t.equal(await (await fetch(`${url}/late/5`)).text(), 'late')
      const failed = await fetch(`${url}/late/6/fail`)
      t.equal(await failed.text(), 'own answer', 'the app\'s handler, added late, still answers')
      t.same(seen, ['late failure'])
      await statsd.waitFor(() => counters(statsd).length >= 3)
      t.same(controllerTags(statsd).sort(), ['/first', '/late/:id', '/late/:id/fail'])
      t.match(exceptionLines(logs), [{ err: { message: 'late failure' }, res: { statusCode: 503 } }], 'and records the error it answered')
    })

    t.test('an error nothing answers, in a route added after the first request: vigie\'s final handler is still last', async (t) => {
      const { app, url } = await startExpressApp(t, express, {
        routes: (app) => app.get('/first', (_req, res) => { res.send('first') }),
        vigieErrorHandler: false,
        env: 'development',
      })
      await fetch(`${url}/first`)
      app.get('/boom', () => { throw new Error('secret detail') })
      app.use((_req: unknown, _res: unknown, next: () => void) => { next() })
      const res = await fetch(`${url}/boom`)
      t.equal(res.status, 500)
      t.equal(await res.text(), 'Internal Server Error', 'no stack, though Express would send one in development')
    })

    t.test('a sub-app\'s own error handler records the error it answers', async (t) => {
      const admin = express()
      admin.get('/fail', () => { throw new TypeError('admin failure') })
      admin.use(function adminErrors (err: Error, _req, res, _next) { res.status(500).json({ error: err.name }) } satisfies ErrorRequestHandler)
      const { url, logs } = await startExpressApp(t, express, {
        routes: (app) => app.use('/admin', admin),
        vigieErrorHandler: false,
      })
      const res = await fetch(`${url}/admin/fail`)
      t.same(await res.json(), { error: 'TypeError' })
      await new Promise((resolve) => setTimeout(resolve, 20))
      t.match(exceptionLines(logs), [{ err: { type: 'TypeError', message: 'admin failure' }, req: { route: '/admin/fail' } }])
    })

    t.test('an error thrown in path-mounted middleware has no frame of vigie\'s between it and Express', async (t) => {
      let stack = ''
      const check: RequestHandler = function checkAccess () { throw new Error('denied') }
      const { url } = await startExpressApp(t, express, {
        routes: (app) => {
          app.use(express.json())
          app.use('/admin/:area', check)
        },
        errorHandlers: (app) => app.use(function render (err: Error, _req, res, _next) {
          stack = err.stack ?? ''
          res.status(500).send('rendered')
        } satisfies ErrorRequestHandler),
      })
      t.equal(await (await fetch(`${url}/admin/x`)).text(), 'rendered')
      const frames = stack.split('\n').slice(1).map((line) => line.trim())
      t.match(frames[0], /checkAccess/, 'the function that threw')
      t.match(frames[1], /node_modules[\\/](express4?|router)[\\/]/, 'then Express\'s own layer, with no wrapper of vigie\'s between')
    })
  })
}
