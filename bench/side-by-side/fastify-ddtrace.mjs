// Plain Fastify: dd-trace is loaded by the runner with `--import dd-trace/initialize.mjs`, agent
// absent (DD_TRACE_AGENT_URL=http://127.0.0.1:1), telemetry, remote config and startup logs off.
import Fastify from 'fastify'
import { port, host, user, ready } from './_common.mjs'

const app = Fastify()
app.get('/users/:id', async (request) => user(request.params.id))
await app.listen({ port, host })
ready(() => app.close())
