// What bench/database/loop.mjs and route-server.mjs share: the variant's instrumentation, set up
// before the driver is loaded, and a pool of the driver under test.
//   bare  — the driver alone;
//   vigie — vigie's Fastify plugin registered on the app (its database hooks on, defaults:
//           metrics to the runner's UDP receiver, fingerprints, slow-query log, N+1 check);
//   otel  — OpenTelemetry's @opentelemetry/instrumentation-pg / -mysql2 with a NodeTracerProvider
//           whose only span processor counts ended spans (no export), and @fastify/otel on the
//           route's app.
import { createRequire } from 'node:module'
import { fastifyLogger, logDestination } from '../lib/logger-on.mjs'

const require = createRequire(import.meta.url)

export const variant = process.env.VARIANT
export const driver = process.env.DRIVER
if (!['bare', 'vigie', 'otel'].includes(variant)) throw new Error(`VARIANT must be bare, vigie or otel, not ${variant}`)
if (!['pg', 'mysql2'].includes(driver)) throw new Error(`DRIVER must be pg or mysql2, not ${driver}`)

let spans = 0
let provider = null
let fastifyOtel = null
if (variant === 'otel') {
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node')
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation')
  const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg')
  const { MySQL2Instrumentation } = await import('@opentelemetry/instrumentation-mysql2')
  const counting = { onStart () {}, onEnd () { spans++ }, forceFlush: async () => {}, shutdown: async () => {} }
  provider = new NodeTracerProvider({ spanProcessors: [counting] })
  provider.register()
  registerInstrumentations({ tracerProvider: provider, instrumentations: [new PgInstrumentation(), new MySQL2Instrumentation()] })
  const { FastifyOtelInstrumentation } = await import('@fastify/otel')
  fastifyOtel = new FastifyOtelInstrumentation()
  fastifyOtel.setTracerProvider(provider)
}

/** The OTel tracer (otel variant), for a span around the loop run "in a request". */
export const tracer = provider?.getTracer('bench')

/** Spans ended so far (otel variant). */
export const spansEnded = () => spans

/**
 * A Fastify app with the variant's plugin (vigie or @fastify/otel), its logger at level info to
 * /dev/null through pino's asynchronous destination (bench/lib/logger-on.mjs).
 */
export async function fastifyApp () {
  const { default: Fastify } = await import('fastify')
  const app = Fastify({ logger: fastifyLogger(logDestination()) })
  if (variant === 'vigie') {
    const { default: observability } = await import('../../dist/esm/index.js')
    // BENCH_VIGIE_DATABASE=false: vigie with `database: false`, to tell its database hooks' cost from the rest.
    const database = process.env.BENCH_VIGIE_DATABASE !== 'false'
    await app.register(observability, { statsd: { host: '127.0.0.1', port: Number(process.env.STATSD_PORT) }, processMetrics: false, database })
  } else if (variant === 'otel') {
    await app.register(fastifyOtel.plugin())
  }
  return app
}

/** A pool of `size` connections; `query()` sends `SELECT 1` and resolves with its rows. */
export function openPool (url, size) {
  if (driver === 'pg') {
    const pg = require('pg')
    const pool = new pg.Pool({ connectionString: url, max: size })
    return { query: async () => (await pool.query('SELECT 1 AS one')).rows, end: () => pool.end() }
  }
  const mysql = require('mysql2/promise')
  const pool = mysql.createPool({ uri: url, connectionLimit: size })
  return { query: async () => (await pool.query('SELECT 1 AS one'))[0], end: () => pool.end() }
}

/** How many queries the variant saw: vigie's db.query count, OTel's ended spans (its request spans included), else null. */
export function counted (app) {
  if (variant === 'otel') return spans
  if (variant !== 'vigie') return null
  let total = 0
  for (const series of app.vigie.snapshot()?.series ?? []) if (series.name === 'db.query') total += series.windows['1m']?.count ?? 0
  return total
}

export async function shutdown () {
  await provider?.shutdown()
}
