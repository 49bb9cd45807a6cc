// Fastify over HTTP/2 (cleartext): answered and aborted requests are counted as over HTTP/1.1.
// An HTTP/2 response has no `errored`: an abort must not read as a response the server cut.
import { connect } from 'node:http2'
import Fastify from 'fastify'
import t from 'tap'
import { observability } from '../../lib/index.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

t.test('HTTP/2: an answer is counted with its status, a stream the client cancels as 499', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const app = Fastify({ http2: true })
  await app.register(observability, { processMetrics: false, statsd: { host: '127.0.0.1', port: statsd.port, bufferFlushInterval: 10 } })
  app.get('/fast', async () => 'ok')
  app.get('/slow', async () => { await new Promise((resolve) => setTimeout(resolve, 300)); return 'late' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }
  const session = connect(`http://127.0.0.1:${port}`)
  t.teardown(() => session.close())

  const fast = session.request({ ':path': '/fast', 'x-request-id': 'h2-fast' })
  const [headers] = await new Promise<[Record<string, unknown>]>((resolve) => fast.on('response', (h) => resolve([h])))
  fast.resume()
  t.equal(headers[':status'], 200)
  t.equal(headers['x-request-id'], 'h2-fast')

  const slow = session.request({ ':path': '/slow' })
  slow.on('error', () => {})
  setTimeout(() => slow.close(), 50)

  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('http_request:')).length >= 2)
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.same(statsd.lines.filter((l) => l.startsWith('http_request:')).sort(), [
    'http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/fast',
    'http_request:1|c|#http_status:499,http_status_class:4xx,method:GET,controller:/slow',
  ])
})
