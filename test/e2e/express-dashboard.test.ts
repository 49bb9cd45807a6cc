// The dashboard through the Express middleware: answered before anything else, never counted.
import t from 'tap'
import type { DashboardData } from '../../lib/dashboard/dashboard-data.ts'
import { EXPRESS_VERSIONS, counters, startExpressApp } from '../helpers/express-app.ts'

const TOKEN = 'express-token-51d3'

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('page, data and assets are served, and not counted', async (t) => {
      const { url, vigie, statsd } = await startExpressApp(t, express, {
        vigie: { dashboard: true },
        routes: (app) => {
          app.get('/orders/:id', (req, res) => { res.json({ id: req.params.id }) })
          app.get('/boom', () => { throw new RangeError('quantity out of <range>') })
        },
      })
      for (let i = 0; i < 4; i++) await (await fetch(`${url}/orders/${i}`)).arrayBuffer()
      await (await fetch(`${url}/boom`, { headers: { 'x-request-id': 'express-boom-1' } })).arrayBuffer()
      await statsd.waitFor(() => counters(statsd).length === 5)

      const page = await fetch(`${url}/_vigie`)
      t.equal(page.status, 200)
      t.equal(page.headers.get('content-type'), 'text/html; charset=utf-8')
      t.match(page.headers.get('content-security-policy'), "default-src 'self'")
      t.equal(page.headers.get('referrer-policy'), 'no-referrer')
      t.notOk(page.headers.has('x-request-id'), 'answered before vigie\'s own request handling')
      t.match(await page.text(), 'src="_vigie/assets/uplot.iife.min.js"')
      const asset = await fetch(`${url}/_vigie/assets/uplot.min.css`)
      t.equal(asset.status, 200)
      t.equal(Number(asset.headers.get('content-length')), (await asset.arrayBuffer()).byteLength)
      t.equal((await fetch(`${url}/_vigie/assets/uplot.min.css`, { headers: { 'if-none-match': asset.headers.get('etag')! } })).status, 304)
      t.equal((await fetch(`${url}/_vigie/data.json`, { method: 'POST' })).status, 405)
      t.equal((await fetch(`${url}/_vigie/data.json`, { method: 'POST' })).headers.get('allow'), 'GET, HEAD')

      let data: DashboardData | undefined
      for (let i = 0; i < 5; i++) data = await (await fetch(`${url}/_vigie/data.json`)).json() as DashboardData
      t.equal(data!.statusClasses.total, 5, 'only the app\'s requests')
      t.same(data!.controllers.busiest.map((row) => [row.controller, row.requests]), [['/orders/:id', 4], ['/boom', 1]])
      t.match(data!.exceptions, [{ correlationId: 'express-boom-1', controller: '/boom', status: 500, name: 'RangeError', message: 'quantity out of <range>' }])

      await new Promise((resolve) => setTimeout(resolve, 100))
      t.equal(counters(statsd).length, 5, 'no counter for the dashboard\'s requests')
      t.notOk(statsd.lines.some((line) => line.includes('_vigie')))
      const snapshot = vigie.vigie.snapshot()!
      t.same(snapshot.series.filter((s) => s.name === 'http_request').map((s) => s.tags.controller).sort(), ['/boom', '/orders/:id'], 'no series for the dashboard')
    })

    t.test('token, and other paths fall through to the app', async (t) => {
      const { url } = await startExpressApp(t, express, {
        vigie: { dashboard: { path: '/admin/vigie', token: TOKEN } },
        routes: (app) => {
          app.get('/admin/vigie/other', (_req, res) => { res.send('app route') })
        },
      })
      t.equal((await fetch(`${url}/admin/vigie`)).status, 401)
      t.equal((await fetch(`${url}/admin/vigie/data.json`, { headers: { authorization: 'Bearer nope' } })).status, 401)
      t.equal((await fetch(`${url}/admin/vigie?token=${TOKEN}`)).status, 200)
      t.equal((await fetch(`${url}/admin/vigie/data.json`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200)
      t.equal(await (await fetch(`${url}/admin/vigie/other`)).text(), 'app route', 'a path that is not the dashboard\'s reaches the app')
      t.equal((await fetch(`${url}/_vigie`)).status, 404)
    })

    t.test('mounted under a path, the dashboard lives under it too', async (t) => {
      const { url } = await startExpressApp(t, express, {
        vigie: { dashboard: true },
        routes: (app, vigie) => {
          const admin = express.Router()
          admin.use(vigie)
          app.use('/internal', admin)
        },
      })
      const html = await (await fetch(`${url}/internal/_vigie`)).text()
      t.match(html, 'href="_vigie/assets/dashboard.css"')
      t.equal((await fetch(`${url}/internal/_vigie/assets/dashboard.css`)).status, 200, 'the relative asset URL resolves under the mount')
    })
  })
}
