// Delivery when the other end misbehaves, over real sockets: a receiver answering 500 twice then
// 200, one that never answers, a closed port. The receivers are local stand-ins for the SaaS
// endpoints (which cannot run here). Nothing throws, nothing crashes, close() settles quickly,
// a final failure is logged once (real pino output, parsed) and counted (a real StatsD
// listener), and no URL, key or token appears in any line.
import { hostname } from 'node:os'
import type { StatsD } from 'hot-shots'
import t from 'tap'
import { createAlertDispatch, safeMessage, secretForms } from '../../lib/alerts/alert-dispatch.ts'
import type { AlertNotice } from '../../lib/alerts/alert-notice.ts'
import { resolvePlans } from '../../lib/options/resolve-plans.ts'
import type { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { invalidOption } from '../../lib/errors.ts'
import { buildScrubber } from '../../lib/scrub/scrubber.ts'
import { alertNotice, resolvedNotice } from '../helpers/alert-notices.ts'
import { dispatchHarness } from '../helpers/alert-dispatch-harness.ts'
import { closedTcpPort } from '../helpers/closed-ports.ts'
import { startReceiver } from '../helpers/http-receiver.ts'
import { until } from '../helpers/until.ts'

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

t.test('a receiver answering 500, 500, then 200: delivered by the retries, nothing logged', async (t) => {
  const receiver = await startReceiver((_request, n) => ({ status: n < 2 ? 500 : 200 }))
  t.teardown(() => receiver.close())
  const { dispatch, log, statsd } = await dispatchHarness(t, { page: [{ type: 'webhook', url: `${receiver.origin}/hook` }] })
  const started = Date.now()
  dispatch.notify(alertNotice({ severity: 'page' }))
  await until(() => receiver.requests.length === 3)
  t.ok(Date.now() - started < 2000, `three attempts within two seconds (${Date.now() - started} ms)`)
  t.equal(receiver.requests[2]!.raw, receiver.requests[0]!.raw, 'the same notice each time')
  await sleep(150)
  t.equal(receiver.requests.length, 3, 'no attempt after the success')
  await dispatch.close()
  t.same(log.lines, [], 'no line')
  t.notOk(statsd.lines.some((line) => line.startsWith('alert.notification_failed')), 'nothing counted as failed')
})

t.test('a receiver that never answers: each attempt times out, the failure is logged once and counted', async (t) => {
  const receiver = await startReceiver(() => 'hang')
  t.teardown(() => receiver.close())
  const { dispatch, log, statsd } = await dispatchHarness(t, { page: [{ type: 'webhook', url: `${receiver.origin}/hook/never-answers` }] }, { attemptTimeoutMs: 300 })
  const started = Date.now()
  dispatch.notify(alertNotice({ severity: 'page' }))
  t.ok(Date.now() - started < 20, 'notify() returns at once')
  await until(() => log.lines.length === 1, 5000)
  const took = Date.now() - started
  t.ok(took >= 900 && took < 2500, `three attempts of 300 ms and two waits (${took} ms)`)
  t.equal(receiver.requests.length, 3)
  t.match(log.lines[0], {
    level: 50,
    msg: 'vigie: alert notification failed (webhook); the alert "slow-checkout" was not sent there',
    vigie: {
      alert: { rule: 'slow-checkout', status: 'firing', severity: 'page', fingerprint: '3f2a9c0d11e4b5a6' },
      notifier: { type: 'webhook', option: 'alerts.plans.page[0]' },
      attempts: 3,
      error: { type: 'TimeoutError', message: 'no answer within 300 ms' },
    },
  })
  await statsd.waitFor((lines) => lines.includes('alert.notification_failed:1|c|#type:webhook,severity:page'))
  await sleep(200)
  t.equal(log.lines.length, 1, 'logged once')
  t.equal(statsd.lines.filter((line) => line.startsWith('alert.notification_failed')).length, 1, 'counted once')
  t.notMatch(log.text(), 'never-answers', 'no URL')
})

t.test('a port that refuses connections: the failure is logged once with the reason, and counted', async (t) => {
  const port = await closedTcpPort()
  const { dispatch, log, statsd } = await dispatchHarness(t, { ticket: [{ type: 'slack', webhookUrl: `http://127.0.0.1:${port}/services/T0/B0/slacksecretpath` }] })
  dispatch.notify(alertNotice())
  await until(() => log.lines.length === 1)
  t.match(log.lines[0], { vigie: { notifier: { type: 'slack' }, attempts: 3, error: { type: 'DeliveryFailure', message: /^no answer: .*ECONNREFUSED/ } } })
  await statsd.waitFor((lines) => lines.includes('alert.notification_failed:1|c|#type:slack,severity:ticket'))
  t.notMatch(log.text(), 'slacksecretpath')
})

t.test('no URL, routing key, token, header value or SMTP password in any line, whatever fails', async (t) => {
  const port = await closedTcpPort()
  const hanging = await startReceiver(() => 'hang')
  t.teardown(() => hanging.close())
  const secrets = ['hooksecretpath0001', 'Bearer-hooksecretheader', 'slacksecretpath0002', 'pdroutingkeysecret0003', 'ghp_tokensecret0004', 'smtppasswordsecret0005']
  const { dispatch, log } = await dispatchHarness(t, {
    page: [
      { type: 'webhook', url: `http://127.0.0.1:${port}/${secrets[0]}?token=${secrets[0]}`, headers: { authorization: secrets[1] } },
      { type: 'slack', webhookUrl: `${hanging.origin}/services/${secrets[2]}` },
      { type: 'pagerduty', routingKey: secrets[3], url: `http://127.0.0.1:${port}/v2/enqueue` },
      { type: 'github', repo: 'acme/shop', token: secrets[4], apiUrl: `http://127.0.0.1:${port}` },
      { type: 'email', transport: `smtp://alerts:${secrets[5]}@127.0.0.1:${port}`, from: 'vigie@example.com', to: 'ops@example.com' },
      { type: 'log' },
    ],
  }, { attemptTimeoutMs: 300, closeTimeoutMs: 200 })
  dispatch.notify(alertNotice({ severity: 'page' }))
  dispatch.notify(resolvedNotice({ severity: 'page' }))
  await until(() => log.lines.length === 10, 8000)
  t.same(log.lines.map((line) => line.vigie.notifier.type).sort(),
    ['email', 'email', 'github', 'github', 'pagerduty', 'pagerduty', 'slack', 'slack', 'webhook', 'webhook'], 'each failing notifier, each notice, once')
  t.notOk(log.lines.some((line) => line.vigie.notifier.type === 'log'), '{ type: "log" } adds nothing')
  const text = log.text()
  for (const secret of secrets) t.notMatch(text, secret, `${secret.slice(0, 12)}… appears nowhere`)
  t.notMatch(text, `127.0.0.1:${hanging.origin.split(':')[2]}/services`, 'no URL')
})

t.test('secrets are cut out of error messages in every form a URL takes', async (t) => {
  const scrubber = buildScrubber()
  const forms = secretForms(['https://hooks.slack.com/services/T0/B0/xyzSECRET', 'abc', 'key with space'])
  t.ok(forms.includes('/services/T0/B0/xyzSECRET'), 'the path alone')
  t.notOk(forms.includes('abc'), 'too short to cut out')
  t.ok(forms.includes('key%20with%20space'), 'percent-encoded')
  const message = safeMessage(new Error('POST https://hooks.slack.com/services/T0/B0/xyzSECRET failed; path /services/T0/B0/xyzSECRET; key%20with%20space'), forms, scrubber)
  t.equal(message, 'POST [REDACTED] failed; path [REDACTED]; [REDACTED]')
  t.equal(safeMessage('a string thrown', [], scrubber), 'a string thrown')
  t.ok(safeMessage(new Error('x'.repeat(5000)), [], scrubber).length <= 530, 'bounded')
})

t.test('close() settles quickly with a receiver that never answers, and says what it gave up', async (t) => {
  const receiver = await startReceiver(() => 'hang')
  t.teardown(() => receiver.close())
  const { dispatch, log } = await dispatchHarness(t, { info: [{ type: 'webhook', url: `${receiver.origin}/hook` }] }, { attemptTimeoutMs: 5000, closeTimeoutMs: 300 })
  dispatch.notify(alertNotice({ severity: 'info' }))
  await until(() => receiver.requests.length === 1)
  const started = Date.now()
  await dispatch.close()
  const took = Date.now() - started
  t.ok(took >= 250 && took < 1000, `close() waited its bound, then gave up (${took} ms)`)
  t.equal(await dispatch.close(), undefined, 'a second close() settles too')
  t.match(log.lines, [{ level: 40, vigie: { abandoned: 1, closeTimeoutMs: 300 }, msg: 'vigie: 1 alert notification(s) still under way at close were given up' }])
  dispatch.notify(alertNotice({ severity: 'info' }))
  await sleep(50)
  t.equal(receiver.requests.length, 1, 'nothing is sent after close()')
})

t.test('close() waits for deliveries that finish within its bound', async (t) => {
  const receiver = await startReceiver((_request, n) => ({ status: n === 0 ? 503 : 200 }))
  t.teardown(() => receiver.close())
  const { dispatch, log } = await dispatchHarness(t, { info: [{ type: 'webhook', url: receiver.origin }] })
  dispatch.notify(alertNotice({ severity: 'info' }))
  await dispatch.close()
  t.equal(receiver.requests.length, 2, 'the retry was made before close() settled')
  t.same(log.lines, [])
})

t.test('a full queue drops notices, counts and reports them; notify() never waits', async (t) => {
  const receiver = await startReceiver(() => 'hang')
  t.teardown(() => receiver.close())
  const { dispatch, log, statsd } = await dispatchHarness(t, { page: [{ type: 'webhook', url: receiver.origin }] }, { maxQueued: 2, concurrency: 1, closeTimeoutMs: 100 })
  const returned = new Set<unknown>()
  for (let i = 0; i < 200; i++) returned.add(dispatch.notify(alertNotice({ severity: 'page', fingerprint: `f${i}` })))
  t.same([...returned], [undefined], 'notify() returns nothing to wait for while the deliveries hang')
  await statsd.waitFor((lines) => lines.filter((line) => line === 'alert.notification_dropped:1|c|#type:webhook,severity:page').length === 198)
  t.match(log.lines, [{ level: 40, vigie: { subsystem: 'alert notifications' }, err: { message: '2 notices are queued already; one for alerts.plans.page[0] was dropped' } }],
    'reported once (the reporter keeps it to one line a minute)')
})

t.test('a severity without a plan, or with { type: "log" } alone, sends nothing and logs nothing more', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const { dispatch, log } = await dispatchHarness(t, { page: [{ type: 'webhook', url: receiver.origin }], ticket: [{ type: 'log' }] })
  dispatch.notify(alertNotice({ severity: 'ticket' }))
  dispatch.notify(alertNotice({ severity: 'info' }))
  dispatch.notify({ ...alertNotice(), severity: 'bogus' } as unknown as AlertNotice)
  dispatch.notify(null as unknown as AlertNotice)
  await dispatch.close()
  t.same([receiver.requests.length, log.lines.length], [0, 1], 'no request; only the report of the null notice')
  t.match(log.lines[0], { vigie: { subsystem: 'alert notifications' } })
})

t.test('a logger and a StatsD client that throw: still nothing thrown, and close() still settles', async (t) => {
  const receiver = await startReceiver((request) => request.url === '/pd' ? { status: 500 } : 'hang')
  t.teardown(() => receiver.close())
  const boom = (): never => { throw new Error('boom') }
  const reported: string[] = []
  const dispatch = createAlertDispatch(resolvePlans({
    page: [{ type: 'pagerduty', routingKey: 'k', url: `${receiver.origin}/pd` }, { type: 'webhook', url: `${receiver.origin}/hang` }],
  }, invalidOption), {
    logger: { info: boom, warn: boom, error: boom },
    reporter: { report: (subsystem: string) => reported.push(subsystem) } as unknown as FailureReporter,
    statsd: { increment: boom } as unknown as Pick<StatsD, 'increment'>,
    scrubber: buildScrubber(),
    limits: { attemptTimeoutMs: 5000, firstRetryDelayMs: 10, maxRetryDelayMs: 20, closeTimeoutMs: 300 },
  })
  dispatch.notify(alertNotice({ severity: 'page' }))
  await until(() => receiver.requests.filter((request) => request.url === '/pd').length === 3)
  await sleep(50)
  t.same(reported, ['statsd'], 'the StatsD failure is reported; the logger\'s has nowhere to go')
  t.equal(receiver.requests[0]!.body.payload.source, hostname(), 'PagerDuty\'s source is the host name by default')
  await dispatch.close()
  t.pass('close() settled with a throwing logger')
})
