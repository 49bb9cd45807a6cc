// Plain Fastify: dd-trace is loaded by the runner with `--import dd-trace/initialize.mjs`, agent
// absent (DD_TRACE_AGENT_URL=http://127.0.0.1:1), telemetry, remote config and startup logs off.
import Fastify from 'fastify'
import { port, host, user, ready, loggerOn, fastifyLogger, handlerLine } from './_common.mjs'

const app = Fastify({ logger: fastifyLogger() })
app.get('/users/:id', async (request) => {
  if (loggerOn) handlerLine(request.log, request.params.id)
  return user(request.params.id)
})
await app.listen({ port, host })
ready(() => app.close())
