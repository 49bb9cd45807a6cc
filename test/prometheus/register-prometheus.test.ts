// `node --import vigie/register` with VIGIE_PROMETHEUS_PATH set: the built package, options from
// the environment only, serves the metrics of a Fastify and an Express app it was never told about.
import t from 'tap'
import { closedUdpPort } from '../helpers/closed-ports.ts'
import { runBuiltOutput } from '../helpers/run-built.ts'

const APP = `
import Fastify from 'fastify'
import express from 'express'
const fastify = Fastify()
fastify.get('/a/:id', async () => 'a')
await fastify.listen({ port: 0, host: '127.0.0.1' })
const expressApp = express()
expressApp.get('/b', (req, res) => { res.send('b') })
const server = await new Promise((resolve) => { const s = expressApp.listen(0, '127.0.0.1', () => resolve(s)) })
const f = 'http://127.0.0.1:' + fastify.server.address().port
const e = 'http://127.0.0.1:' + server.address().port
for (let i = 0; i < 3; i++) await (await fetch(f + '/a/' + i)).text()
for (let i = 0; i < 2; i++) await (await fetch(e + '/b')).text()
const out = {}
for (const [name, url] of [['fastify', f], ['express', e]]) {
  const response = await fetch(url + '/ops/metrics', { headers: { authorization: 'Bearer env-token-1' } })
  out[name] = { status: response.status, type: response.headers.get('content-type'), text: await response.text() }
}
process.stdout.write('\\n' + JSON.stringify(out) + '\\n')
await fastify.close()
server.close()
`

t.test('vigie/register: the endpoint from the environment, on both frameworks', async (t) => {
  const port = await closedUdpPort()
  const { stdout } = runBuiltOutput(['--import', 'vigie/register', '--input-type=module', '-e', APP], {
    VIGIE_PROMETHEUS_PATH: '/ops/metrics',
    VIGIE_PROMETHEUS_TOKEN: 'env-token-1',
    VIGIE_PROCESS_METRICS: 'false',
    STATSD_HOST: '127.0.0.1',
    STATSD_PORT: String(port),
  })
  // Its own line: vigie's warnings (a StatsD port that refuses) go to stdout too, before or after it.
  const out = JSON.parse(stdout.split('\n').find((line) => line.startsWith('{"fastify"'))!) as Record<string, { status: number, type: string, text: string }>
  t.equal(out.fastify!.status, 200)
  t.equal(out.fastify!.type, 'text/plain; version=0.0.4; charset=utf-8')
  t.match(out.fastify!.text, /^http_requests_total\{controller="\/a\/:id",method="GET",status="200",status_class="2xx"\} 3$/m)
  t.equal(out.express!.status, 200)
  t.match(out.express!.text, /^http_requests_total\{controller="\/b",method="GET",status="200",status_class="2xx"\} 2$/m)
  t.notMatch(out.express!.text, /ops\/metrics/, 'the scrapes are not counted')
})
