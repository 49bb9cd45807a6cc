// The Prometheus endpoint on a real Express server (5 and 4): promtool, exact counts, the token,
// methods, its own port, and scrapes never counted.
import t from 'tap'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { PROMTOOL, promtoolCheck, samples, sumOf } from '../helpers/prometheus.ts'
import { needs } from '../helpers/system-packages.ts'
import { until } from '../helpers/until.ts'
import type { Express } from 'express'

const TOKEN = 'express-scrape-token-31d9'
const OK = 5
const FAILED = 4
const SENT = OK + FAILED

function routes (app: Express): void {
  app.get('/orders/:id', (req, res) => { res.json({ id: req.params.id }) })
  app.get('/boom', () => {
    throw new RangeError('out of stock')
  })
}

async function traffic (url: string): Promise<void> {
  for (let i = 0; i < OK; i++) await (await fetch(`${url}/orders/${i}`)).arrayBuffer()
  for (let i = 0; i < FAILED; i++) await (await fetch(`${url}/boom`)).arrayBuffer()
}

for (const [version, express] of EXPRESS_VERSIONS) {
  t.test(`${version}: promtool passes, counts are exact, scrapes are not counted`, needs(PROMTOOL), async (t) => {
    const { url, vigie } = await startExpressApp(t, express, {
      vigie: { prometheus: { token: TOKEN }, slos: [{ name: 'api', objective: 99, window: '30d', sli: 'availability' }] },
      routes,
    })
    await traffic(url)
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } }
    const denied = await fetch(`${url}/metrics`)
    t.equal(denied.status, 401, 'no token, no metrics')
    t.equal(denied.headers.get('www-authenticate'), 'Bearer realm="vigie"')
    await denied.arrayBuffer()
    const post = await fetch(`${url}/metrics`, { method: 'POST', ...auth })
    t.equal(post.status, 405)
    t.equal(post.headers.get('allow'), 'GET, HEAD')
    await post.arrayBuffer()

    let text = ''
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${url}/metrics`, auth)
      t.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
      text = await response.text()
    }
    const check = await promtoolCheck(text)
    t.equal(check.code, 0, `promtool check metrics passes${check.output === '' ? '' : `: ${check.output}`}`)
    const all = samples(text)
    t.equal(sumOf(all, 'http_requests_total'), SENT, 'scrapes and refused scrapes are not counted')
    t.equal(sumOf(all, 'http_requests_total', 'controller="/orders/:id"', 'status="200"', 'status_class="2xx"', 'method="GET"'), OK)
    t.equal(sumOf(all, 'http_requests_total', 'controller="/boom"', 'status="500"'), FAILED)
    t.equal(sumOf(all, 'http_request_duration_seconds_count'), SENT)
    t.equal(all.get('http_request_duration_seconds_bucket{controller="/boom",method="GET",status="500",status_class="5xx",le="+Inf"}'), FAILED)
    t.equal(sumOf(all, 'http_request_exceptions_total', 'exception="RangeError"'), FAILED)
    t.match(vigie.vigie.slos()[0], { total: SENT }, 'nor in the SLO')
  })

  t.test(`${version}: on its own port, with aggregation off`, async (t) => {
    const { url, vigie, logs } = await startExpressApp(t, express, { vigie: { prometheus: { port: 0, path: '/scrape' }, aggregation: false }, routes })
    await until(() => logs.lines.some((line) => line.prometheus !== undefined))
    const metricsUrl = logs.lines.find((line) => line.prometheus !== undefined)!.prometheus.url as string
    t.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+\/scrape$/)
    await traffic(url)
    const all = samples(await (await fetch(metricsUrl)).text())
    t.equal(sumOf(all, 'http_requests_total'), SENT, 'the registry alone follows the requests')
    t.equal(vigie.vigie.snapshot(), null, 'no aggregation')
    const post = await fetch(metricsUrl, { method: 'POST' })
    t.equal(post.status, 405)
    await post.arrayBuffer()
    await vigie.close()
    await t.rejects(fetch(metricsUrl), 'closed with the app')
  })
}
