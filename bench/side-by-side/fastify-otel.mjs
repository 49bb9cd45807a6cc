// @fastify/otel with the OpenTelemetry SDK: a NodeTracerProvider (AsyncLocalStorage context
// manager, always-on sampler) with no span processor, so spans are recorded and dropped: no export.
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import Fastify from 'fastify'
import { port, host, user, ready, loggerOn, fastifyLogger, handlerLine } from './_common.mjs'

const provider = new NodeTracerProvider({ spanProcessors: [] })
provider.register()
const instrumentation = new FastifyOtelInstrumentation()
instrumentation.setTracerProvider(provider)

const app = Fastify({ logger: fastifyLogger() })
await app.register(instrumentation.plugin())
app.get('/users/:id', async (request) => {
  if (loggerOn) handlerLine(request.log, request.params.id)
  return user(request.params.id)
})
await app.listen({ port, host })
ready(async () => { await app.close(); await provider.shutdown() })
