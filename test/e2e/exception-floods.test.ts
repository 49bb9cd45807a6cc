// A flood of failures on a real Fastify server and a real Express app (4 and 5), over real
// sockets: the first lines of each kind in full, then one summary per kind and interval with the
// correlation IDs the clients got; every failure still counted, and the dashboard shown the full
// lines only.
import t, { type Test } from 'tap'
import type { DashboardData } from '../../lib/dashboard/dashboard-data.ts'
import type { Snapshot } from '../../lib/types.ts'
import { EXPRESS_VERSIONS, exceptionLines, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import type { LogSink } from '../helpers/log-sink.ts'
import type { StatsdListener } from '../helpers/statsd-listener.ts'
import { until } from '../helpers/until.ts'

class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError'
  statusCode = 503
}

// The interval is long enough for any machine to send the flood within it: close() ends it.
const FLOOD = { exceptionLines: { perInterval: 3 }, dashboard: true } as const
// A short interval, to see the timer end it.
const SHORT = { exceptionLines: { perInterval: 1, intervalMs: 1000 } } as const

interface Served {
  readonly url: string
  readonly logs: LogSink
  readonly statsd: StatsdListener
  readonly snapshot: () => Snapshot | null
  readonly close: () => Promise<void>
}

/** `n` failing requests on `path`, one after the other: the IDs the clients got. */
async function fail (url: string, path: string, n: number, status: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const response = await fetch(`${url}${path}`)
    await response.arrayBuffer()
    if (response.status !== status) throw new Error(`${path} answered ${response.status}`)
    out.push(response.headers.get('x-request-id')!)
  }
  return out
}

const summaries = (logs: LogSink): Array<Record<string, any>> => logs.lines.filter((l) => l.vigie === 'exception-summary')

function exceptionCount (snapshot: Snapshot | null, exception: string): number | undefined {
  const series = snapshot?.series.find((s) => s.name === 'http_request.exception' && s.tags.exception === exception)
  return (series?.windows['1m'] as { count: number } | null | undefined)?.count
}

/** 20 failures on /products/:id and 2 on /cart: 3 + 2 full lines, every one counted, and the summary close() writes. */
async function assertFlood (t: Test, { url, logs, statsd, snapshot, close }: Served): Promise<void> {
  const products = await fail(url, '/products/42', 20, 503)
  const cart = await fail(url, '/cart', 2, 500)
  t.same(exceptionLines(logs).map((l) => [l.correlationId, l.err.type, l.res.statusCode]), [
    ...products.slice(0, 3).map((id) => [id, 'ServiceUnavailableError', 503]),
    ...cart.map((id) => [id, 'TypeError', 500]),
  ], 'three full lines for the flooded kind, both for the other')

  t.equal(exceptionCount(snapshot(), 'ServiceUnavailableError'), 20, 'every failure is counted')
  t.equal(exceptionCount(snapshot(), 'TypeError'), 2)
  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('http_request.exception:')).length === 22)
  t.equal(statsd.lines.filter((l) => l.startsWith('http_request.exception:1|c|#controller:/products/:id,exception:ServiceUnavailableError')).length, 20)
  const data = await (await fetch(`${url}/_vigie/data.json`)).json() as DashboardData
  t.same(data.exceptions.map((e) => e.correlationId).sort(), [...products.slice(0, 3), ...cart].sort(), 'the dashboard lists the full lines only')
  t.same(summaries(logs), [], 'no summary before the interval ends')

  await close()
  const [summary, ...more] = summaries(logs)
  t.same(more, [], 'one summary: the other kind was never over its budget')
  t.match(summary, {
    level: 50,
    vigie: 'exception-summary',
    controller: '/products/:id',
    errorType: 'ServiceUnavailableError',
    statusCode: 503,
    suppressed: 17,
    intervalMs: 60_000,
    msg: '17 more exceptions like \'ServiceUnavailableError\' on /products/:id (503) in the last 60 s',
  }, 'written by close(), before the interval ended')
  t.same(summary!.correlationIds, products.slice(3, 8), 'the IDs the clients of the first five refused requests got')
  t.notOk('correlationId' in summary!, 'the summary belongs to no one request')
  t.equal(exceptionLines(logs).length, 5, 'no full line was written late')
}

/**
 * With a 1 s interval, the timer writes the summary. How the requests fall into intervals
 * depends on the machine's speed; what is asserted holds whatever it is.
 */
async function assertTimer (t: Test, { url, logs }: Pick<Served, 'url' | 'logs'>): Promise<void> {
  const ids = await Promise.all(Array.from({ length: 6 }, async () => (await fail(url, '/products/42', 1, 503))[0]!))
  await until(() => summaries(logs).length > 0)
  const full = exceptionLines(logs).map((l) => l.correlationId as string)
  const summarised = summaries(logs).flatMap((l) => l.correlationIds as string[])
  t.ok(full.length >= 1, `${full.length} full lines, at most one per interval`)
  t.equal(full.length + summaries(logs).reduce((sum, l) => sum + (l.suppressed as number), 0), 6, 'each failure has a full line or a share of a summary')
  t.same([...full, ...summarised].sort(), [...ids].sort(), 'each ID the clients got is in exactly one line (at most five per summary)')
  t.match(summaries(logs), Array(summaries(logs).length).fill({ controller: '/products/:id', intervalMs: 1000, msg: /in the last 1 s$/ }))
  const [next] = await fail(url, '/products/42', 1, 503)
  await until(() => exceptionLines(logs).some((l) => l.correlationId === next) || summaries(logs).some((l) => (l.correlationIds as string[]).includes(next!)))
  t.ok(exceptionLines(logs).some((l) => l.correlationId === next) || summaries(logs).length >= 2, 'the next failure starts a new interval, or falls into one still open')
}

function fastifyRoutes (app: import('fastify').FastifyInstance): void {
  app.get('/products/:id', async () => { throw new ServiceUnavailableError('pool exhausted') })
  app.get('/cart', async () => { throw new TypeError('cart is undefined') })
}

t.test('Fastify', async (t) => {
  t.test('a flood', async (t) => {
    const { app, url, logs, statsd } = await startApp(t, { vigie: FLOOD, routes: fastifyRoutes })
    await assertFlood(t, { url, logs, statsd, snapshot: () => app.vigie.snapshot(), close: () => app.close() })
  })
  t.test('the interval\'s timer', async (t) => {
    await assertTimer(t, await startApp(t, { vigie: SHORT, routes: fastifyRoutes }))
  })
})

for (const [name, express] of EXPRESS_VERSIONS) {
  const routes = (app: import('express').Express): void => {
    app.get('/products/:id', (_req, _res, next) => { next(new ServiceUnavailableError('pool exhausted')) })
    app.get('/cart', () => { throw new TypeError('cart is undefined') })
  }
  t.test(name, async (t) => {
    t.test('a flood', async (t) => {
      const { vigie, url, logs, statsd } = await startExpressApp(t, express, { vigie: FLOOD, routes })
      await assertFlood(t, { url, logs, statsd, snapshot: () => vigie.vigie.snapshot(), close: () => vigie.close() })
    })
    t.test('the interval\'s timer', async (t) => {
      await assertTimer(t, await startExpressApp(t, express, { vigie: SHORT, routes }))
    })
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
