// The floor: bare Fastify plus one AsyncLocalStorage `run` per request, nothing else.
import { AsyncLocalStorage } from 'node:async_hooks'
import Fastify from 'fastify'
import { port, host, user, ready, loggerOn, fastifyLogger, handlerLine } from './_common.mjs'

const als = new AsyncLocalStorage()
const app = Fastify({ logger: fastifyLogger() })
app.addHook('onRequest', function (request, reply, done) {
  als.run({ id: request.id }, done)
})
app.get('/users/:id', async (request) => {
  if (als.getStore() === undefined) throw new Error('lost the store')
  if (loggerOn) handlerLine(request.log, request.params.id)
  return user(request.params.id)
})
await app.listen({ port, host })
ready(() => app.close())
