import Fastify from 'fastify'
import { port, host, user, ready } from './_common.mjs'

const app = Fastify()
app.get('/users/:id', async (request) => user(request.params.id))
await app.listen({ port, host })
ready(() => app.close())
