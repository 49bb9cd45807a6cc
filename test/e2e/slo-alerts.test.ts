import t from 'tap'
import { closedTcpPort } from '../helpers/closed-ports.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { startReceiver } from '../helpers/http-receiver.ts'
import { startSmtp } from '../helpers/smtp-inbox.ts'
import { until } from '../helpers/until.ts'

// The whole chain on one real Fastify app with its logger on: failing answers burn an SLO's
// budget, its burn-rate rule pages, a threshold rule opens a ticket and resolves once good answers
// dilute the errors; the notices go out by mail through a real SMTP server (npm smtp-server) and
// to a webhook (a local HTTP server standing in for an Alertmanager receiver: a SaaS-like
// endpoint nothing real replaces here); the dashboard and the health endpoints say the same, and
// the health probes count nowhere.

const SMTP_PASSWORD = 'smtp-pass-S3cret!'
const HOOK_TOKEN = 'hook-token-7c1e9b'

t.test('an SLO burning pages by mail and webhook; a threshold rule fires then resolves; health and dashboard agree', async (t) => {
  const smtp = await startSmtp(t, { user: 'alerts', password: SMTP_PASSWORD })
  const hook = await startReceiver()
  t.teardown(() => hook.close())
  const transport = { host: '127.0.0.1', port: smtp.port, secure: false, auth: { user: 'alerts', pass: SMTP_PASSWORD } }
  const { app, url, logs } = await startApp(t, {
    vigie: {
      dashboard: true,
      health: { checks: { db: async () => 'ok' } },
      slos: [{ name: 'api', objective: 99, window: '30d', sli: 'availability' }],
      alerts: {
        evaluationInterval: '1s',
        rules: [{ name: 'api-errors', metric: 'http_request', stat: 'errorRatio', window: '1m', above: 0.5, clear: 0.3, minCount: 5, severity: 'ticket' }],
        plans: {
          page: [
            { type: 'email', transport, from: 'vigie@example.com', to: 'oncall@example.com' },
            { type: 'webhook', url: `${hook.origin}/alertmanager?token=${HOOK_TOKEN}` },
          ],
          ticket: [{ type: 'email', transport, from: 'vigie@example.com', to: 'ops@example.com' }],
        },
      },
    },
    routes: (app) => {
      app.get('/ok', async () => 'ok')
      app.get('/orders', async () => {
        throw new Error('database down')
      })
    },
  })

  for (let i = 0; i < 3; i++) t.equal((await fetch(`${url}/_vigie/health/ready`)).status, 200, 'ready')
  for (let i = 0; i < 6; i++) t.equal((await fetch(`${url}/orders`)).status, 500)

  const [slo] = app.vigie.slos()
  t.match(slo, { name: 'api', good: 0, total: 6, sli: 0 }, 'the health probes are not in the SLO')
  const near = (actual: number | null | undefined, expected: number): boolean => typeof actual === 'number' && Math.abs(actual - expected) < 1e-9 * Math.abs(expected)
  t.ok(near(slo!.errorBudget.remaining, -99), `the budget overspent a hundred times (${slo!.errorBudget.remaining})`)
  t.ok(near(slo!.burnRates['1h'], 100), `burning at 100× the sustainable rate (${slo!.burnRates['1h']})`)

  await until(() => smtp.received.length >= 5 && hook.requests.length >= 2, 10_000)
  const subjects = smtp.received.map(({ mail }) => mail.subject).sort()
  t.same(subjects, [
    'vigie: [FIRING] api-errors (ticket)',
    'vigie: [FIRING] slo:api:page:1h/5m (page)',
    'vigie: [FIRING] slo:api:page:6h/30m (page)',
    'vigie: [FIRING] slo:api:ticket:1d/2h (ticket)',
    'vigie: [FIRING] slo:api:ticket:3d/6h (ticket)',
  ], 'every rule of the SLO\'s table fires at 100× (pages to on-call, tickets to ops), and the threshold rule')
  t.same(smtp.received.filter(({ mail }) => mail.subject?.endsWith('(page)')).map(({ envelope }) => envelope.to), [['oncall@example.com'], ['oncall@example.com']])
  t.match(hook.requests.map((request) => request.body), [
    { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: /^slo:api:page:/, severity: 'page', slo: 'api' } }] },
    { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: /^slo:api:page:/, severity: 'page', slo: 'api' } }] },
  ], 'the pages in the Alertmanager webhook format')
  t.match(app.vigie.alerts(), [
    { name: 'api-errors', state: 'firing', severity: 'ticket', value: 1 },
    { name: 'slo:api:page:1h/5m', state: 'firing', severity: 'page' },
    { name: 'slo:api:page:6h/30m', state: 'firing', severity: 'page' },
    { name: 'slo:api:ticket:1d/2h', state: 'firing', severity: 'ticket' },
    { name: 'slo:api:ticket:3d/6h', state: 'firing', severity: 'ticket' },
  ])

  for (let i = 0; i < 20; i++) t.equal((await fetch(`${url}/ok`)).status, 200)
  await until(() => smtp.received.some(({ mail }) => mail.subject === 'vigie: [RESOLVED] api-errors (ticket)'), 10_000)
  t.equal(smtp.received.length, 6, 'no mail repeated: the SLO\'s rules still fire')
  t.match(app.vigie.alerts().find((alert) => alert.name === 'api-errors'), { state: 'ok', value: 6 / 26 }, 'resolved under clear')

  const data = await (await fetch(`${url}/_vigie/data.json`)).json() as { slos: Array<{ name: string, total: number }>, alerts: Array<{ name: string, state: string }> }
  t.match(data.slos, [{ name: 'api', total: 26 }], 'the dashboard shows the SLO')
  t.ok(data.alerts.some((alert) => alert.name === 'slo:api:page:1h/5m' && alert.state === 'firing'), 'and the firing page')
  t.equal((await fetch(`${url}/_vigie/health/ready`)).status, 200)
  t.match(app.vigie.slos()[0], { total: 26 }, 'still no probe in the SLO')

  app.vigie.drain()
  const drained = await fetch(`${url}/_vigie/health/ready`)
  t.equal(drained.status, 503, 'draining')
  t.match(await drained.json(), { status: 'fail' })

  const text = logs.text()
  for (const secret of [SMTP_PASSWORD, HOOK_TOKEN, hook.origin]) t.notMatch(text, secret, 'no notifier secret in any line')
  for (const { raw } of smtp.received) t.notMatch(raw, SMTP_PASSWORD)
  t.ok(logs.lines.some((line) => line.msg === 'alert firing' && (line.alert as { rule?: string })?.rule === 'api-errors'))
  t.ok(logs.lines.some((line) => line.msg === 'alert resolved' && (line.alert as { rule?: string })?.rule === 'api-errors'))
})

t.test('notifiers that hang, refuse or fail: the app answers as fast, nothing crashes, close() settles within its bound', async (t) => {
  const hanging = await startReceiver(() => 'hang')
  const failing = await startReceiver(() => ({ status: 500 }))
  t.teardown(async () => {
    await hanging.close()
    await failing.close()
  })
  const refused = `http://127.0.0.1:${await closedTcpPort()}/hook`
  const { app, url, logs } = await startApp(t, {
    vigie: {
      alerts: {
        evaluationInterval: '1s',
        rules: [{ name: 'api-errors', metric: 'http_request', stat: 'errorRatio', window: '1m', above: 0.5, minCount: 5, severity: 'page' }],
        plans: {
          page: [
            { type: 'webhook', url: `${hanging.origin}/hook` },
            { type: 'slack', webhookUrl: `${failing.origin}/services/T000/B000/XXXX` },
            { type: 'pagerduty', routingKey: 'routing-key-R0ut1ng', url: refused },
          ],
        },
      },
    },
    routes: (app) => {
      app.get('/ok', async () => 'ok')
      app.get('/fail', async () => {
        throw new Error('database down')
      })
    },
  })
  const timed = async (path: string): Promise<number> => {
    const started = performance.now()
    await (await fetch(url + path)).arrayBuffer()
    return performance.now() - started
  }
  for (let i = 0; i < 6; i++) await timed('/fail')
  await until(() => app.vigie.alerts()[0]!.state === 'firing' && hanging.requests.length > 0 && failing.requests.length > 0, 10_000)

  const durations: number[] = []
  for (let i = 0; i < 50; i++) durations.push(await timed('/ok'))
  durations.sort((a, b) => a - b)
  // Not a speed target: a request waiting on a delivery would take the attempt's 10-s time limit.
  t.ok(durations[durations.length - 1]! < 2000, `while deliveries hang and retry, the slowest of 50 answers took ${durations[durations.length - 1]!.toFixed(1)} ms`)

  const failedLine = (type: string) => logs.lines.find((line) => String(line.msg).startsWith(`vigie: alert notification failed (${type})`))
  await until(() => failedLine('pagerduty') !== undefined && failedLine('slack') !== undefined, 10_000)
  t.match(failedLine('pagerduty'), { level: 50, vigie: { attempts: 3, error: { message: /ECONNREFUSED|fetch failed/ } } }, 'a refused connection: logged once tried three times')
  t.match(failedLine('slack'), { level: 50, vigie: { attempts: 3 } }, 'a 500 three times: logged once')
  t.ok(failing.requests.length >= 3, `the failing Slack stand-in was tried (${failing.requests.length} requests)`)

  const closing = performance.now()
  await app.close()
  const took = performance.now() - closing
  t.ok(took < 7000, `close() settled in ${took.toFixed(0)} ms with a delivery still hanging (bound: 5 s)`)
  const text = logs.text()
  for (const secret of ['routing-key-R0ut1ng', '/services/T000/B000/XXXX', hanging.origin]) t.notMatch(text, secret, 'no notifier secret in any line')
})
