// Fastify's own request logging (`logger: true` at level info): two pino lines per request.
import fs from 'node:fs'
import Fastify from 'fastify'
import { port, host, user, ready } from './_common.mjs'

const app = Fastify({ logger: { level: 'info', stream: fs.createWriteStream('/dev/null') } })
app.get('/users/:id', async (request) => user(request.params.id))
await app.listen({ port, host })
ready(() => app.close())
