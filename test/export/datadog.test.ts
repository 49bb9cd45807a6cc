// `vigie export datadog`: the SLOs and monitors, as Datadog's API takes them (POST /api/v1/slo,
// POST /api/v1/monitor), over the DogStatsD names vigie sends. Datadog cannot be reached from
// here: the shapes are checked against its documentation (docs/fleet.md#datadog), the output is
// pinned by a snapshot, and the asserts below say what must hold whatever the snapshot.
import t from 'tap'
import { definitionsOf } from '../../lib/export/definitions.ts'
import { exportText } from '../../lib/export/exports.ts'

const SECRETS = [
  'R0UTINGKEY0123456789abcdefSECRET',
  'https://events.pagerduty.example/v2/enqueue',
  'hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/XyZsEcReTsLaCkToKeN123',
  'https://hooks.example.com/alert?token=whsec_9f8e7d6c5b4a',
  'Bearer sk_live_51HxSecretValue',
  'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  'S3cr3tSmtpPassw0rd',
  'smtp.example.com',
]

const CONFIG = {
  service: 'shop',
  statsd: { prefix: 'shop.' },
  slos: [
    { name: 'checkout', objective: 99.9, window: '30d', sli: 'availability', controllers: ['/checkout', '/cart/:id'] },
    { name: 'api', objective: 99.5, window: '14d', sli: 'availability', burnRateAlerts: [{ severity: 'page', factor: 10, longWindow: '1h', shortWindow: '5m' }] },
    { name: 'fast-search', objective: 99, window: '7d', sli: { latency: { thresholdMs: 300 } } },
  ],
  alerts: {
    rules: [
      { name: 'errors', stat: 'errorRatio', window: '5m', above: 0.05, for: '2m', severity: 'page', minCount: 20 },
      { name: 'slow-checkout', metric: 'http_request.response_time', stat: 'p99', tags: { controller: '/checkout' }, window: '5m', above: 500, clear: 400, severity: 'ticket' },
      { name: 'heap', metric: 'process.heap_used', stat: 'max', window: '2m', above: 500000000, severity: 'info' },
    ],
    plans: {
      page: [{ type: 'pagerduty', routingKey: SECRETS[0], url: SECRETS[1] }, { type: 'slack', webhookUrl: `https://${SECRETS[2]}` }],
      ticket: [{ type: 'github', repo: 'acme/shop', token: SECRETS[5] }, { type: 'email', transport: `smtp://ops:${SECRETS[6]}@${SECRETS[7]}:587`, from: 'vigie@example.com', to: ['ops@example.com', 'On call <oncall@example.com>'] }],
      info: [{ type: 'log' }, { type: 'webhook', url: SECRETS[3], headers: { authorization: SECRETS[4] } }],
    },
  },
}

interface Slo { name: string, type: string, query: { numerator: string, denominator: string }, thresholds: Array<{ timeframe: string, target: number }>, tags: string[] }
interface Monitor { name: string, type: string, query: string, message: string, tags: string[], options: { thresholds: Record<string, number> } }
interface Export { _notes: string[], slos: Slo[], monitors: Monitor[] }

function exported (config: Record<string, unknown> = CONFIG): { text: string, json: Export } {
  const text = exportText('datadog', definitionsOf(config))
  return { text, json: JSON.parse(text) as Export }
}

t.test('the snapshot, and the same bytes for the same input', async (t) => {
  const { text } = exported()
  t.equal(exported().text, text)
  t.ok(text.endsWith('}\n'))
  t.matchSnapshot(text, 'vigie export datadog')
})

t.test('SLOs: metric-based, numerator and denominator over the prefixed http_request counter, filtered by the SLO\'s controllers', async (t) => {
  const { json } = exported()
  t.same(Object.keys(json), ['_notes', 'slos', 'monitors'])
  t.same(json.slos.map((slo) => slo.name), ['shop checkout', 'shop api'], 'the availability SLOs; the latency one is left out')
  for (const slo of json.slos) {
    t.equal(slo.type, 'metric')
    for (const side of [slo.query.numerator, slo.query.denominator]) {
      t.match(side, /^sum:shop\.http_request\{.*\}\.as_count\(\)$/, `${slo.name}: the prefixed counter, summed as a count`)
      t.match(side, /NOT http_status:499/, `${slo.name}: 499s left out, as vigie leaves them`)
    }
    t.match(slo.query.numerator, /AND NOT http_status_class:5xx\}/, `${slo.name}: good events are the answers that are not 5xx`)
    t.notMatch(slo.query.denominator, /5xx/)
  }
  const [checkout, api] = json.slos as [Slo, Slo]
  t.ok(checkout.query.numerator.includes('{controller IN (/cart/:id, /checkout) AND ') && checkout.query.denominator.includes('{controller IN (/cart/:id, /checkout) AND '), 'checkout: its controllers')
  t.notMatch(api.query.numerator, /controller/, 'api: every controller')
  t.same(checkout.thresholds, [{ timeframe: '30d', target: 99.9 }], 'a 30-day window is Datadog\'s 30d')
  t.same(api.thresholds, [{ timeframe: '7d', target: 99.5 }], 'a 14-day window: the nearest timeframe')
  t.ok(json._notes.some((note) => note.includes('SLO api: its window (14d) is not a Datadog timeframe (7d, 30d, 90d); the SLO is written over 7d')), 'said in a note')
  t.ok(json._notes.some((note) => note.startsWith('SLO fast-search: a latency SLI')), 'the latency SLO left out, said in a note')
})

t.test('monitors: one burn-rate monitor per line of each table, the threshold rules that map, routed per plan', async (t) => {
  const { json } = exported()
  const definitions = definitionsOf(CONFIG)
  for (const slo of definitions.slos.filter((slo) => slo.sli.kind === 'availability')) {
    const burns = json.monitors.filter((monitor) => monitor.type === 'slo alert' && monitor.query.startsWith(`burn_rate("<SLO_ID:${slo.name}>")`))
    t.equal(burns.length, slo.burnRateAlerts.length, `${slo.name}: a monitor per burn-rate line`)
    slo.burnRateAlerts.forEach((line, i) => {
      t.match(burns[i]!.query, new RegExp(`\\.long_window\\("\\d+[hm]"\\)\\.short_window\\("\\d+[hm]"\\) > ${line.factor}$`))
      t.equal(burns[i]!.options.thresholds.critical, line.factor)
      t.ok(burns[i]!.tags.includes(`severity:${line.severity}`))
    })
  }
  t.equal(json.monitors.filter((monitor) => monitor.type === 'slo alert').length, 5, 'checkout\'s four lines and api\'s one; none for the latency SLO')
  t.match(json.monitors[0]!.query, 'burn_rate("<SLO_ID:checkout>").over("30d").long_window("1h").short_window("5m") > 14.4')
  const rules = Object.fromEntries(json.monitors.filter((monitor) => monitor.type === 'query alert').map((monitor) => [monitor.tags.find((tag) => tag.startsWith('vigie_rule:')), monitor]))
  t.equal(rules['vigie_rule:errors']!.query, 'sum(last_5m):sum:shop.http_request{http_status_class:5xx}.as_count() / sum:shop.http_request{*}.as_count() > 0.05')
  t.equal(rules['vigie_rule:slow-checkout']!.query, 'avg(last_5m):max:shop.http_request.response_time.99percentile{controller:/checkout} > 500')
  t.same(rules['vigie_rule:slow-checkout']!.options.thresholds, { critical: 500, critical_recovery: 400 }, 'clear is the recovery threshold')
  t.equal(rules['vigie_rule:heap']!.query, 'max(last_5m):max:shop.process.heap_used{*} > 500000000', 'a 2-minute window: the next window Datadog offers')
  t.ok(json._notes.some((note) => note.includes('histogram_percentiles')), 'p99 needs the Agent\'s histogram_percentiles: said')
  t.ok(json._notes.some((note) => note.startsWith('rule heap: a monitor evaluates over 5m')))
  // Routing: the page's notifiers on pages, the ticket's on tickets.
  for (const monitor of json.monitors) {
    const severity = monitor.tags.find((tag) => tag.startsWith('severity:'))
    if (severity === 'severity:page') t.match(monitor.message, /\n\n@pagerduty-<PAGERDUTY_SERVICE_PAGE_1> @slack-<SLACK_CHANNEL_PAGE_2>$/, `${monitor.name}: routed to the page plan`)
    if (severity === 'severity:ticket') t.match(monitor.message, /\n\n@webhook-<GITHUB_BRIDGE_TICKET_1> @ops@example\.com @oncall@example\.com$/, `${monitor.name}: routed to the ticket plan`)
    if (severity === 'severity:info') t.match(monitor.message, /\n\n@webhook-<WEBHOOK_NAME_INFO_2>$/, `${monitor.name}: routed to the info plan`)
  }
  t.ok(json._notes.some((note) => note.includes('<PAGERDUTY_SERVICE_PAGE_1>, <SLACK_CHANNEL_PAGE_2>, <GITHUB_BRIDGE_TICKET_1>, <WEBHOOK_NAME_INFO_2>')), 'the placeholders are listed')
})

t.test('no secret of the plans is written, only placeholders', async (t) => {
  const { text } = exported()
  for (const secret of SECRETS) t.notOk(text.includes(secret), `not written: ${secret.slice(0, 12)}…`)
  for (const part of ['R0UTINGKEY', 'sk_live', 'whsec_', 'ghp_', 'hooks.slack.com', 'pagerduty.example', 'Passw0rd']) t.notOk(text.includes(part), `no ${part}`)
  // The check has teeth: a config value that is written (an address) is found.
  t.ok(text.includes('ops@example.com'))
})

t.test('no SLO and no rule: empty lists', async (t) => {
  const { json } = exported({ slos: [] })
  t.same(json.slos, [])
  t.same(json.monitors, [])
  t.equal(json._notes.length, 2, 'the header only')
})
