import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Test } from 'tap'
import { observability, loggerOptions, type FastifyVigieOptions } from '../../lib/index.ts'
import { createLogSink, type LogSink } from './log-sink.ts'
import { startStatsdListener, type StatsdListener } from './statsd-listener.ts'

export interface TestApp {
  app: FastifyInstance
  url: string
  statsd: StatsdListener
  logs: LogSink
}

/**
 * A real Fastify server on 127.0.0.1:0 (or `host`) with vigie registered, its logger writing to a JSON sink
 * and its metrics to a real UDP listener. `routes` runs before listen. Torn down with the test.
 */
export async function startApp (t: Test, options: {
  vigie?: FastifyVigieOptions
  fastify?: FastifyServerOptions
  useLoggerOptions?: boolean
  routes?: (app: FastifyInstance) => void
  /** Where to listen; `url` is on 127.0.0.1 all the same. */
  host?: string
} = {}): Promise<TestApp> {
  const statsd = await startStatsdListener()
  const logs = createLogSink()
  const pinoOptions = options.useLoggerOptions === false ? { level: 'info' } : loggerOptions({ level: 'info' })
  const app = Fastify({ logger: { ...pinoOptions, stream: logs.stream }, ...options.fastify })
  await app.register(observability, {
    // Process gauges would add lines of their own from 1 s on; the tests that want them turn them on.
    processMetrics: false,
    ...options.vigie,
    statsd: { host: '127.0.0.1', port: statsd.port, bufferFlushInterval: 10, ...options.vigie?.statsd },
  })
  options.routes?.(app)
  await app.listen({ port: 0, host: options.host ?? '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  t.teardown(async () => {
    await app.close()
    await statsd.close()
  })
  return { app, url: `http://127.0.0.1:${port}`, statsd, logs }
}
