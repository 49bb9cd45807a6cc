// When StatsD is away, vigie drops its request lines, counts them (app.vigie.snapshot(), the
// dashboard's data) and reports them as vigie.metrics_dropped once the server is back.
import Fastify, { type FastifyInstance } from 'fastify'
import { StatsD } from 'hot-shots'
import t, { type Test } from 'tap'
import { observability, type FastifyVigieOptions } from '../../lib/index.ts'
import { createLogSink, type LogSink } from '../helpers/log-sink.ts'
import { closedUdpPort } from '../helpers/closed-ports.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { UNRESOLVABLE_CODE } from '../helpers/unresolvable.ts'
import { until } from '../helpers/until.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function startApp (t: Test, vigie: FastifyVigieOptions): Promise<{ app: FastifyInstance, url: string, logs: LogSink }> {
  const logs = createLogSink()
  const app = Fastify({ logger: { level: 'warn', stream: logs.stream } })
  await app.register(observability, { processMetrics: false, ...vigie })
  app.get('/', async () => 'ok')
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const address = app.server.address()
  return { app, url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, logs }
}

t.test('a closed UDP port, then a listener: snapshot() counts what was refused, and the count arrives once the listener is up', async (t) => {
  const port = await closedUdpPort()
  const { app, url } = await startApp(t, { statsd: { host: '127.0.0.1', port, prefix: 'shop.', globalTags: { env: 'test' }, maxBufferSize: 0, bufferFlushInterval: 250 } })
  t.same(app.vigie.snapshot()?.metricsDropped, { dns: 0, socket: 0, queue_full: 0 })
  while ((app.vigie.snapshot()?.metricsDropped?.socket ?? 0) < 4) {
    t.equal((await fetch(`${url}/`)).status, 200)
    await sleep(20)
  }
  const listener = await startStatsdListener(port)
  t.teardown(() => listener.close())
  const dropped = app.vigie.snapshot()!.metricsDropped!
  t.equal(dropped.dns + dropped.queue_full, 0)
  await listener.waitFor((lines) => lines.length > 0)
  t.same(listener.lines, [`shop.vigie.metrics_dropped:${dropped.socket}|c|#env:test,reason:socket`], 'the refused lines, counted')
  await sleep(600)
  t.equal(listener.lines.length, 1, 'reported once')
  t.same(app.vigie.snapshot()?.metricsDropped, dropped, 'the report\'s own line is not a request line: not counted')
  await fetch(`${url}/`)
  await listener.waitFor((lines) => lines.some((line) => line.startsWith('shop.http_request:1|c|#env:test,')))
})

t.test('an unresolvable host: the request lines are counted under dns, in the snapshot and on the dashboard', async (t) => {
  const { app, url, logs } = await startApp(t, { statsd: { host: 'nonexistent.invalid', maxBufferSize: 0, bufferFlushInterval: 20 }, dashboard: true })
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${url}/`)).status, 200)
  await until(() => app.vigie.snapshot()?.metricsDropped?.dns === 6)
  await sleep(200) // reports are tried, and dropped, meanwhile
  t.same(app.vigie.snapshot()?.metricsDropped, { dns: 6, socket: 0, queue_full: 0 }, 'two lines a request; the reports add nothing')
  const data = await (await fetch(`${url}/_vigie/data.json`)).json() as { metricsDropped: unknown }
  t.same(data.metricsDropped, { dns: 6, socket: 0, queue_full: 0 })
  const warnings = logs.lines.filter((line) => line.vigie?.subsystem === 'statsd')
  t.equal(warnings.length, 1, 'one warning: failures are logged at most once a minute, as before')
  t.match(warnings[0], { err: { message: new RegExp(UNRESOLVABLE_CODE) } })
})

t.test('where hot-shots sends the request lines, nothing is counted: metricsDropped is null', async (t) => {
  const client = new StatsD({ host: '127.0.0.1', port: await closedUdpPort(), errorHandler: () => {} })
  for (const statsd of [{ client }, { host: 'nonexistent.invalid', sampleRate: 0.5 }, { host: 'nonexistent.invalid', datadog: true }]) {
    const { app, url } = await startApp(t, { statsd })
    await fetch(`${url}/`)
    t.equal(app.vigie.snapshot()?.metricsDropped, null, Object.keys(statsd).join(', '))
    await app.close()
  }
  client.close()
})
