import Fastify from 'fastify'
import metricsPlugin from 'fastify-metrics'
import { port, host, user, ready, loggerOn, fastifyLogger, handlerLine } from './_common.mjs'

const app = Fastify({ logger: fastifyLogger() })
await app.register(metricsPlugin, { endpoint: '/metrics' })
app.get('/users/:id', async (request) => {
  if (loggerOn) handlerLine(request.log, request.params.id)
  return user(request.params.id)
})
await app.listen({ port, host })
ready(() => app.close())
