import Fastify from 'fastify'
import metricsPlugin from 'fastify-metrics'
import { port, host, user, ready } from './_common.mjs'

const app = Fastify()
await app.register(metricsPlugin, { endpoint: '/metrics' })
app.get('/users/:id', async (request) => user(request.params.id))
await app.listen({ port, host })
ready(() => app.close())
