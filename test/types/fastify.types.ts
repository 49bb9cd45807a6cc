// Compiled by `npm run test:types` (tsc, no emit): what a TypeScript user of vigie sees.
import Fastify, { type FastifyRequest } from 'fastify'
import type { StatsD } from 'hot-shots'
import observability, { correlationId, genReqId, loggerOptions, scrub, type CounterStats, type MetricsDropped, type Snapshot, type VigieOptions } from 'vigie'
import type { SloDefinition, SloStatus } from 'vigie'
import type { DashboardData, DashboardOptions, ExceptionLinesOptions, HealthOptions, HealthReport, PrometheusOptions } from 'vigie'
import type { AlertStatus, ThresholdRule } from 'vigie'
import type { FingerprintStats, TopQueries } from 'vigie'

const app = Fastify({ logger: loggerOptions({ level: 'info' }), genReqId: genReqId() })

await app.register(observability, {
  statsd: { host: '127.0.0.1', port: 8125, prefix: 'shop.', globalTags: { env: 'production' }, tagFormat: 'datadog' },
  getUser: (request) => request.headers['x-user'],
  capture: { maxBodyBytes: 4096 },
  ignore: ['/health'],
})

app.get('/users/:id', { config: { vigie: { controller: 'users.show' } } }, async (request: FastifyRequest) => {
  const id: string = request.correlationId
  const client: StatsD = app.statsd
  client.increment('users.viewed')
  const current: string | undefined = correlationId()
  return { id, current, clean: scrub({ password: 'x' }) }
})
app.get('/internal', { config: { vigie: false } }, async () => 'ok')

const options: VigieOptions = { captureClientErrors: true, aggregation: { maxSeries: 1000 } }
void options

const snapshot: Snapshot | null = app.vigie.snapshot()
const alerts: AlertStatus[] = app.vigie.alerts()
const firing: boolean = alerts.some((alert) => alert.state === 'firing' && alert.severity === 'page' && alert.value !== null)
void firing
const slowCheckout: ThresholdRule = { name: 'slow-checkout', metric: 'http_request.response_time', stat: 'p90', tags: { controller: '/checkout' }, window: '5m', above: 500, clear: 400, for: '2m', severity: 'ticket' }
void ({ alerts: { rules: [slowCheckout, { name: 'errors', stat: 'errorRatio', window: '1m', above: 0.05, severity: 'page' }], repeatInterval: '1h' } } satisfies VigieOptions)
// @ts-expect-error: a window is a duration such as '5m'
void ({ name: 'x', metric: 'm', stat: 'count', window: 300, above: 1, severity: 'page' } satisfies ThresholdRule)
const requests = snapshot?.series.find((s) => s.name === 'http_request' && s.kind === 'counter')
const perSecond: number | undefined = (requests?.windows['1m'] as CounterStats | null)?.ratePerSecond
const controller: string | undefined = requests?.tags.controller
void perSecond
void controller
// null where hot-shots sends the request lines (a client of your own, uds, sampling, Datadog mode).
const dropped: MetricsDropped | null | undefined = snapshot?.metricsDropped
const unsent: number | undefined = dropped === null ? undefined : dropped?.dns
void unsent
const slo: SloDefinition = { name: 'checkout', objective: 99.9, window: '30d', sli: { latency: { thresholdMs: 300 } }, controllers: ['/checkout'] }
await app.register(observability, { slos: [slo, { name: 'api', objective: 99, window: '7d', sli: 'availability', burnRateAlerts: false }], slo: { store: '/var/lib/app/slo.bin' } })
const statuses: SloStatus[] = app.vigie.slos()
const left: number | null | undefined = statuses[0]?.errorBudget.remaining
const fastBurn: number | null | undefined = statuses[0]?.burnRates['1h']
void left
void fastBurn
// @ts-expect-error: the burn-rate windows are 5m, 30m, 1h, 2h, 6h, 1d and 3d
void statuses[0]?.burnRates['4h']
// @ts-expect-error: sli is 'availability' or { latency: { thresholdMs } }
await app.register(observability, { slos: [{ name: 'x', objective: 99, window: '1d', sli: 'latency' }] })
// @ts-expect-error: the windows are 1m, 5m, 15m and 60m
void requests?.windows['2m']
// @ts-expect-error: aggregation is a boolean or { maxSeries }
await app.register(observability, { aggregation: { maxSeries: '500' } })

// @ts-expect-error: port is a number
await app.register(observability, { statsd: { port: '8125' } })
// @ts-expect-error: tagFormat is 'datadog' or 'telegraf'
await app.register(observability, { statsd: { tagFormat: 'influx' } })
// @ts-expect-error: correlationId is a string, not a number
const wrong: number = ({} as FastifyRequest).correlationId
void wrong
app.get('/typed', async (request) => {
  const config = request.routeOptions.config.vigie
  // @ts-expect-error: a route's vigie config is false or { controller }, never true
  const flag: true | undefined = config
  return flag
})

const dashboard: DashboardOptions = { path: '/ops/vigie', token: 'a-long-random-token' }
await app.register(observability, { dashboard })
await app.register(observability, { dashboard: true })
// @ts-expect-error: dashboard is a boolean or { path, token }
await app.register(observability, { dashboard: '/_vigie' })
const scraped: PrometheusOptions = { path: '/metrics', token: 'a-long-random-token', port: 9464, host: '127.0.0.1' }
await app.register(observability, { prometheus: scraped })
await app.register(observability, { prometheus: true })
// @ts-expect-error: the port is a number
await app.register(observability, { prometheus: { port: '9464' } })
const polled = {} as DashboardData
const latestMessage: string | undefined = polled.exceptions[0]?.message
const p99: Array<number | null> = polled.timeline.responseTimeMs.p99
const budgetLeft: number | null | undefined = polled.slos[0]?.errorBudget.remaining
const firingOnPage: boolean = polled.alerts.some((alert) => alert.state === 'firing')
const leftOut: number = polled.omitted.slos + polled.omitted.alerts
const slowest: string | undefined = polled.database.slowestQueries[0]?.fingerprint
const queriesP99: number | null = polled.database.all.responseTimeMs.p99
const queryRows: number | null | undefined = polled.database.slowestQueries[0]?.rows
void latestMessage
void slowest
void queriesP99
void queryRows
void p99
void budgetLeft
void firingOnPage
void leftOut

const healthOptions: HealthOptions = {
  path: '/ops/health',
  checks: { db: async () => {}, cache: () => 'PONG' },
  timeoutMs: 500,
  thresholds: { eventLoopDelayMs: { warn: 100, fail: 500 }, rssBytes: { fail: 1_500_000_000 } },
}
await app.register(observability, { health: healthOptions })
await app.register(observability, { health: true })
// @ts-expect-error: checks are functions
await app.register(observability, { health: { checks: { db: 'select 1' } } })
app.vigie.drain()
const answer = {} as HealthReport
const dbStatus: 'pass' | 'warn' | 'fail' | undefined = answer.checks?.['db:responseTime']?.[0]?.status
void dbStatus

const lines: ExceptionLinesOptions = { perInterval: 5, intervalMs: 30_000 }
await app.register(observability, { exceptionLines: lines, getUser: false })
await app.register(observability, { exceptionLines: false })
// @ts-expect-error: exceptionLines is a boolean or { perInterval, intervalMs }
await app.register(observability, { exceptionLines: { perInterval: '5' } })
// @ts-expect-error: getUser is a function or false, never true
await app.register(observability, { getUser: true })

// Database queries and the instance name.
const top: TopQueries = app.vigie.queries()
const heaviest: FingerprintStats | undefined = top.queries[0]
const p90: number | undefined = heaviest?.p90Ms
void p90
const rest: number = top.other.count
void rest
const instance: string | null = app.vigie.instance
void instance
void ({ instance: 'web-1', database: { slowQueryMs: 200, nPlusOne: false, logParameters: true, comment: true } } satisfies VigieOptions)
// @ts-expect-error the instance is a name or false
void ({ instance: true } satisfies VigieOptions)
