// The HTTP notifiers against local stand-ins. Slack, PagerDuty, GitHub and the receivers of
// Alertmanager's webhook are services that cannot run here: each stand-in is a real HTTP server
// on 127.0.0.1 that checks every request against the format the service publishes (cited
// beside each check) and answers as the service does.
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import type { AlertNotice } from '../../lib/alerts/alert-notice.ts'
import { alertNotice, resolvedNotice } from '../helpers/alert-notices.ts'
import { dispatchHarness } from '../helpers/alert-dispatch-harness.ts'
import { startReceiver, type ReceivedRequest } from '../helpers/http-receiver.ts'
import { until } from '../helpers/until.ts'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

function keys (value: object): string[] {
  return Object.keys(value).sort()
}

function isStringMap (value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')
}

/**
 * Alertmanager's webhook payload, version 4, field by field as
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config publishes it.
 */
function checkAlertmanagerV4 (t: Test, request: ReceivedRequest, notice: AlertNotice): void {
  t.equal(request.method, 'POST')
  t.match(request.headers['content-type'], /^application\/json/)
  const body = request.body
  t.same(keys(body), ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version'])
  t.equal(body.version, '4')
  t.equal(body.status, notice.status)
  t.type(body.groupKey, 'string')
  t.type(body.receiver, 'string')
  t.type(body.externalURL, 'string')
  t.equal(body.truncatedAlerts, 0)
  for (const map of ['groupLabels', 'commonLabels', 'commonAnnotations']) t.ok(isStringMap(body[map]), `${map}: string values`)
  t.equal(body.alerts.length, 1)
  const [alert] = body.alerts
  t.same(keys(alert), ['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status'])
  t.equal(alert.status, notice.status)
  t.same(alert.labels, { alertname: notice.rule, severity: notice.severity, controller: '/checkout' }, '`alertname` is the rule, with its severity and tags')
  t.same(alert.annotations, notice.annotations)
  t.match(alert.startsAt, RFC3339)
  t.equal(Date.parse(alert.startsAt), notice.startsAt)
  if (notice.status === 'firing') {
    t.equal(alert.endsAt, '0001-01-01T00:00:00Z', 'the zero time while firing')
  } else {
    t.match(alert.endsAt, RFC3339)
    t.equal(Date.parse(alert.endsAt), notice.endsAt)
  }
  t.equal(alert.fingerprint, notice.fingerprint)
}

t.test('webhook: the Alertmanager v4 payload, firing then resolved, with custom headers', async (t) => {
  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const { dispatch, log } = await dispatchHarness(t, {
    ticket: [{ type: 'webhook', url: `${receiver.origin}/alerts`, headers: { Authorization: 'Bearer hook-secret-1', 'X-Team': 'shop' } }],
  })
  const firing = alertNotice()
  const resolved = resolvedNotice()
  dispatch.notify(firing)
  dispatch.notify(resolved)
  await until(() => receiver.requests.length === 2)
  const [first, second] = receiver.requests
  t.equal(first!.url, '/alerts')
  t.equal(first!.headers.authorization, 'Bearer hook-secret-1', 'custom headers are sent')
  t.equal(first!.headers['x-team'], 'shop')
  t.test('firing', async (t) => checkAlertmanagerV4(t, first!, firing))
  t.test('resolved, after', async (t) => checkAlertmanagerV4(t, second!, resolved))
  t.equal(first!.body.groupKey, second!.body.groupKey, 'one group for both')
  await dispatch.close()
  t.same(log.lines, [], 'delivered: no line beyond the engine\'s own')
})

t.test('Slack: an incoming-webhook message with text and blocks', async (t) => {
  const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }))
  t.teardown(() => receiver.close())
  const { dispatch } = await dispatchHarness(t, { page: [{ type: 'slack', webhookUrl: `${receiver.origin}/services/T000/B000/slacksecret` }] })
  dispatch.notify(alertNotice({ severity: 'page', annotations: { summary: 'p90 <above> 500 & rising' } }))
  dispatch.notify(resolvedNotice({ severity: 'page' }))
  await until(() => receiver.requests.length === 2)
  // https://api.slack.com/messaging/webhooks and https://api.slack.com/reference/block-kit/blocks
  for (const [i, request] of receiver.requests.entries()) {
    t.equal(request.method, 'POST')
    t.match(request.headers['content-type'], /^application\/json/)
    t.same(keys(request.body), ['blocks', 'text'])
    t.type(request.body.text, 'string')
    const blocks = request.body.blocks as Array<Record<string, any>>
    t.same(blocks.map((block) => block.type), ['header', 'section', 'context'])
    t.equal(blocks[0]!.text.type, 'plain_text')
    t.ok(blocks[0]!.text.text.length <= 150, 'a header holds 150 characters at most')
    t.equal(blocks[1]!.text.type, 'mrkdwn')
    t.ok(blocks[1]!.text.text.length <= 3000, 'a section holds 3000 characters at most')
    t.match(blocks[0]!.text.text, i === 0 ? '[FIRING] slow-checkout (page)' : '[RESOLVED] slow-checkout (page)')
  }
  t.match(receiver.requests[0]!.body.text, 'p90 &lt;above&gt; 500 &amp; rising', 'mrkdwn control characters are escaped')
  t.match(receiver.requests[0]!.body.blocks[1].text.text, 'Value: 612.5 (threshold 500)')
})

t.test('PagerDuty: Events API v2, trigger then resolve with the same dedup_key, severity mapped', async (t) => {
  const receiver = await startReceiver(() => ({ status: 202, body: { status: 'success', message: 'Event processed', dedup_key: 'x' } }))
  t.teardown(() => receiver.close())
  const url = `${receiver.origin}/v2/enqueue`
  const routingKey = 'R0UTINGKEYsecret0123456789abcdef'
  const { dispatch } = await dispatchHarness(t, {
    page: [{ type: 'pagerduty', routingKey, url }],
    ticket: [{ type: 'pagerduty', routingKey, url }],
    info: [{ type: 'pagerduty', routingKey, url }],
  })
  dispatch.notify(alertNotice({ severity: 'page', annotations: { summary: 'x'.repeat(2000) } }))
  await until(() => receiver.requests.length === 1)
  dispatch.notify(alertNotice({ severity: 'ticket', fingerprint: 'b2' }))
  dispatch.notify(alertNotice({ severity: 'info', fingerprint: 'c3' }))
  await until(() => receiver.requests.length === 3)
  dispatch.notify(resolvedNotice({ severity: 'page' }))
  await until(() => receiver.requests.length === 4)

  // https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
  const [trigger, ticket, info, resolve] = receiver.requests.map((request) => request.body)
  t.equal(receiver.requests[0]!.url, '/v2/enqueue')
  t.same(keys(trigger), ['client', 'dedup_key', 'event_action', 'payload', 'routing_key'])
  t.same([trigger.routing_key, trigger.event_action, trigger.dedup_key], [routingKey, 'trigger', '3f2a9c0d11e4b5a6'])
  t.same(keys(trigger.payload), ['class', 'component', 'custom_details', 'severity', 'source', 'summary', 'timestamp'])
  t.ok(trigger.payload.summary.length < 1024, `summary under 1024 characters (${trigger.payload.summary.length})`)
  t.match(trigger.payload.summary, /^\[FIRING\] slow-checkout \(page\): x+…$/)
  t.equal(trigger.payload.source, 'web-1', 'the host')
  t.match(trigger.payload.timestamp, RFC3339)
  t.same([trigger.payload.severity, ticket.payload.severity, info.payload.severity], ['critical', 'warning', 'info'], 'page → critical, ticket → warning, info → info')
  t.same(trigger.payload.custom_details.labels, { alertname: 'slow-checkout', severity: 'page', controller: '/checkout' })
  t.equal(trigger.payload.custom_details.value, 612.5)
  // https://developer.pagerduty.com/docs/events-api-v2/resolve-events/
  t.same(resolve, { routing_key: routingKey, event_action: 'resolve', dedup_key: '3f2a9c0d11e4b5a6' }, 'resolve: the same dedup_key')
})

/**
 * GitHub's issues REST API, as much of it as the notifier uses
 * (https://docs.github.com/en/rest/issues/issues, .../issues/comments): list open issues by
 * label, create one, comment, close. Each request's auth and headers are checked.
 */
async function githubStandIn (t: Test, token: string) {
  const issues: Array<{ number: number, title: string, body: string, labels: string[], state: string, comments: string[] }> = []
  const receiver = await startReceiver((request) => {
    const url = new URL(request.url, 'http://x')
    const ok = request.headers.authorization === `Bearer ${token}` && request.headers.accept === 'application/vnd.github+json' &&
      request.headers['user-agent'] !== undefined && request.headers['x-github-api-version'] === '2022-11-28'
    if (!ok) return { status: 401, body: { message: 'Bad credentials' } }
    const path = url.pathname.replace(/^\/api\/v3/, '')
    if (request.method === 'GET' && path === '/repos/acme/shop/issues') {
      t.equal(url.searchParams.get('state'), 'open')
      const label = url.searchParams.get('labels')
      return { status: 200, body: issues.filter((issue) => issue.state === 'open' && issue.labels.includes(label!)).map(({ number, title }) => ({ number, title })) }
    }
    if (request.method === 'POST' && path === '/repos/acme/shop/issues') {
      t.same(keys(request.body), ['body', 'labels', 'title'])
      const issue = { number: issues.length + 1, title: request.body.title, body: request.body.body, labels: request.body.labels, state: 'open', comments: [] }
      issues.push(issue)
      return { status: 201, body: { number: issue.number } }
    }
    const comment = /^\/repos\/acme\/shop\/issues\/(\d+)\/comments$/.exec(path)
    if (request.method === 'POST' && comment !== null) {
      issues[Number(comment[1]) - 1]!.comments.push(request.body.body)
      return { status: 201, body: {} }
    }
    const issue = /^\/repos\/acme\/shop\/issues\/(\d+)$/.exec(path)
    if (request.method === 'PATCH' && issue !== null) {
      t.same(request.body, { state: 'closed', state_reason: 'completed' })
      issues[Number(issue[1]) - 1]!.state = request.body.state
      return { status: 200, body: {} }
    }
    return { status: 404, body: { message: 'Not Found' } }
  })
  t.teardown(() => receiver.close())
  return { receiver, issues }
}

t.test('GitHub: an issue labelled with the fingerprint, found again, commented and closed on resolve', async (t) => {
  const token = 'ghp_stand1nTokenSecret000000000000000'
  const { receiver, issues } = await githubStandIn(t, token)
  const { dispatch, log } = await dispatchHarness(t, { ticket: [{ type: 'github', repo: 'acme/shop', token, apiUrl: `${receiver.origin}/api/v3/` }] })

  dispatch.notify(alertNotice())
  await until(() => issues.length === 1)
  t.same(issues[0]!.labels, ['vigie-alert-3f2a9c0d11e4b5a6'])
  t.equal(issues[0]!.title, '[FIRING] slow-checkout (ticket)')
  t.match(issues[0]!.body, 'Value: 612.5 (threshold 500)')

  dispatch.notify(alertNotice()) // a second firing notice (a restart, say): the open issue is found, none opened
  dispatch.notify(alertNotice({ repeat: true }))
  await until(() => issues[0]!.comments.length === 1)
  t.equal(issues.length, 1, 'no second issue')
  t.match(issues[0]!.comments[0], /^Still firing/)

  dispatch.notify(alertNotice({ fingerprint: 'other' }))
  await until(() => issues.length === 2)
  dispatch.notify(resolvedNotice())
  await until(() => issues[0]!.state === 'closed')
  t.match(issues[0]!.comments[1], /^Resolved at 2026-12-03T07:20:00.000Z/)
  t.equal(issues[1]!.state, 'open', 'another alert\'s issue stays open')
  t.ok(receiver.requests.every((request) => request.url.startsWith('/api/v3/')), 'apiUrl\'s path is kept (GitHub Enterprise)')
  await dispatch.close()
  t.same(log.lines, [])
})

t.test('GitHub: a wrong token is a 401, not retried, logged once without the token', async (t) => {
  const { receiver } = await githubStandIn(t, 'the-right-token')
  const { dispatch, log, statsd } = await dispatchHarness(t, { ticket: [{ type: 'github', repo: 'acme/shop', token: 'ghp_wrongTokenSecret', apiUrl: receiver.origin }] })
  dispatch.notify(alertNotice())
  await until(() => log.lines.length === 1)
  await sleep(100)
  t.equal(receiver.requests.length, 1, 'one request: a 4xx is not retried')
  t.equal(log.lines.length, 1)
  t.match(log.lines[0], { level: 50, vigie: { notifier: { type: 'github', option: 'alerts.plans.ticket[0]' }, attempts: 1, error: { type: 'PermanentFailure', message: 'answered 401' } } })
  t.notMatch(log.text(), 'ghp_wrongTokenSecret')
  await statsd.waitFor((lines) => lines.some((line) => line.startsWith('alert.notification_failed:1|c')))
})
