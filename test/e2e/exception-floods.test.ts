// A flood of failures on a real Fastify server and a real Express app (4 and 5), over real
// sockets: the first lines of each kind in full, then one summary per kind and interval with the
// correlation IDs the clients got; every failure still counted, and the dashboard shown the full
// lines only.
import t, { type Test } from 'tap'
import type { DashboardData } from '../../lib/dashboard/dashboard-data.js'
import type { Snapshot } from '../../lib/types.js'
import { EXPRESS_VERSIONS, exceptionLines, startExpressApp } from '../helpers/express-app.js'
import { startApp } from '../helpers/fastify-app.js'
import type { LogSink } from '../helpers/log-sink.js'
import type { StatsdListener } from '../helpers/statsd-listener.js'
import { until } from '../helpers/until.js'

class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError'
  statusCode = 503
}

const FLOOD = { exceptionLines: { perInterval: 3, intervalMs: 1000 }, dashboard: true } as const

interface Served {
  readonly url: string
  readonly logs: LogSink
  readonly statsd: StatsdListener
  readonly snapshot: () => Snapshot | null
}

/** 20 failing requests on /products/:id, then 2 on /cart, one after the other: the IDs the clients got. */
async function flood (url: string): Promise<{ products: string[], cart: string[] }> {
  const ids = async (path: string, n: number, status: number): Promise<string[]> => {
    const out: string[] = []
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${url}${path}`)
      await response.arrayBuffer()
      if (response.status !== status) throw new Error(`${path} answered ${response.status}`)
      out.push(response.headers.get('x-request-id')!)
    }
    return out
  }
  return { products: await ids('/products/42', 20, 503), cart: await ids('/cart', 2, 500) }
}

const summaries = (logs: LogSink): Array<Record<string, any>> => logs.lines.filter((l) => l.vigie === 'exception-summary')

function exceptionCount (snapshot: Snapshot | null, exception: string): number | undefined {
  const series = snapshot?.series.find((s) => s.name === 'http_request.exception' && s.tags.exception === exception)
  return (series?.windows['1m'] as { count: number } | null | undefined)?.count
}

async function assertFlood (t: Test, { url, logs, statsd, snapshot }: Served): Promise<void> {
  const { products, cart } = await flood(url)
  const full = exceptionLines(logs)
  t.same(full.map((l) => [l.correlationId, l.err.type, l.res.statusCode]), [
    ...products.slice(0, 3).map((id) => [id, 'ServiceUnavailableError', 503]),
    ...cart.map((id) => [id, 'TypeError', 500]),
  ], 'three full lines for the flooded kind, both for the other')
  t.same(summaries(logs), [], 'no summary before the interval ends')

  await until(() => summaries(logs).length > 0)
  const [summary, ...more] = summaries(logs)
  t.same(more, [], 'one summary: the other kind was never over its budget')
  t.match(summary, {
    level: 50,
    vigie: 'exception-summary',
    controller: '/products/:id',
    errorType: 'ServiceUnavailableError',
    statusCode: 503,
    suppressed: 17,
    intervalMs: 1000,
    msg: '17 more exceptions like \'ServiceUnavailableError\' on /products/:id (503) in the last 1 s',
  })
  t.same(summary!.correlationIds, products.slice(3, 8), 'the IDs the clients of the first five refused requests got')
  t.notOk('correlationId' in summary!, 'the summary belongs to no one request')
  t.equal(exceptionLines(logs).length, 5, 'no full line was written late')

  t.equal(exceptionCount(snapshot(), 'ServiceUnavailableError'), 20, 'every failure is counted')
  t.equal(exceptionCount(snapshot(), 'TypeError'), 2)
  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('http_request.exception:')).length === 22)
  t.equal(statsd.lines.filter((l) => l.startsWith('http_request.exception:1|c|#controller:/products/:id,exception:ServiceUnavailableError')).length, 20)

  const data = await (await fetch(`${url}/_vigie/data.json`)).json() as DashboardData
  t.same(data.exceptions.map((e) => e.correlationId).sort(), [...products.slice(0, 3), ...cart].sort(), 'the dashboard lists the full lines only')

  const [next] = (await flood(url)).products
  t.equal(exceptionLines(logs).at(5)?.correlationId, next, 'a new interval: full lines again')
}

t.test('Fastify', async (t) => {
  const { app, url, logs, statsd } = await startApp(t, {
    vigie: FLOOD,
    routes: (app) => {
      app.get('/products/:id', async () => { throw new ServiceUnavailableError('pool exhausted') })
      app.get('/cart', async () => { throw new TypeError('cart is undefined') })
    },
  })
  await assertFlood(t, { url, logs, statsd, snapshot: () => app.vigie.snapshot() })
})

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    const { vigie, url, logs, statsd } = await startExpressApp(t, express, {
      vigie: FLOOD,
      routes: (app) => {
        app.get('/products/:id', (_req, _res, next) => { next(new ServiceUnavailableError('pool exhausted')) })
        app.get('/cart', () => { throw new TypeError('cart is undefined') })
      },
    })
    await assertFlood(t, { url, logs, statsd, snapshot: () => vigie.vigie.snapshot() })
  })
}

t.test('close() writes the pending summary at once; exceptionLines: false writes every line', async (t) => {
  const routes = (app: import('fastify').FastifyInstance): void => {
    app.get('/down', async (_request, reply) => reply.code(503).send())
  }
  const limited = await startApp(t, { vigie: { exceptionLines: { perInterval: 1 } }, routes })
  const ids: string[] = []
  for (let i = 0; i < 4; i++) ids.push((await fetch(`${limited.url}/down`)).headers.get('x-request-id')!)
  t.equal(exceptionLines(limited.logs).length, 1)
  await limited.app.close()
  t.match(summaries(limited.logs), [{ controller: '/down', errorType: 'http_503', statusCode: 503, suppressed: 3, intervalMs: 60_000, correlationIds: ids.slice(1) }],
    'written by close(), 59 s before the interval ends')

  const unlimited = await startApp(t, { vigie: { exceptionLines: false }, routes })
  for (let i = 0; i < 15; i++) await (await fetch(`${unlimited.url}/down`)).arrayBuffer()
  await unlimited.app.close()
  t.equal(exceptionLines(unlimited.logs).length, 15)
  t.same(summaries(unlimited.logs), [])
})
