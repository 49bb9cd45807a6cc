// @fastify/otel with the OpenTelemetry SDK: a NodeTracerProvider (AsyncLocalStorage context
// manager, always-on sampler) with no span processor, so spans are recorded and dropped: no export.
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import Fastify from 'fastify'
import { port, host, user, ready } from './_common.mjs'

const provider = new NodeTracerProvider({ spanProcessors: [] })
provider.register()
const instrumentation = new FastifyOtelInstrumentation()
instrumentation.setTracerProvider(provider)

const app = Fastify()
await app.register(instrumentation.plugin())
app.get('/users/:id', async (request) => user(request.params.id))
await app.listen({ port, host })
ready(async () => { await app.close(); await provider.shutdown() })
