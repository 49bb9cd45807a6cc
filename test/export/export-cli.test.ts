// `vigie export`: the built CLI, run as users run it, on a config module shaped like an app's;
// its output checked by the real tools (promtool check rules / test rules, amtool check-config).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { DURATION_BUCKETS } from '../../lib/export/prometheus-names.ts'
import { AMTOOL, PROMTOOL } from '../helpers/prometheus.ts'
import { root, WITHOUT_TAP } from '../helpers/run-built.ts'
import { needs } from '../helpers/system-packages.ts'

const SECRETS = ['R0UTINGKEYSECRET', 'SECRETXYZ', 'ghp_secret', 'ops:pw', 'token=abc', 'mail.example.com']

const CONFIG = `
export const service = 'shop'
export const statsd = { prefix: 'shop.', host: '127.0.0.1' }
export const slos = [
  { name: 'checkout', objective: 99.9, window: '30d', sli: 'availability', controllers: ['/checkout', '/cart/:id'] },
  { name: 'fast-search', objective: 99, window: '7d', sli: { latency: { thresholdMs: 300 } } },
]
export const alerts = {
  rules: [
    { name: 'errors', stat: 'errorRatio', window: '5m', above: 0.05, for: '2m', severity: 'page', minCount: 20 },
    { name: 'slow-checkout', metric: 'http_request.response_time', stat: 'p90', tags: { controller: '/checkout' }, window: '5m', above: 500, clear: 400, severity: 'ticket' },
    { name: 'heap', metric: 'process.heap_used', stat: 'max', window: '5m', above: 500000000, severity: 'info' },
  ],
  plans: {
    page: [{ type: 'pagerduty', routingKey: 'R0UTINGKEYSECRET' }, { type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T000/B000/SECRETXYZ' }],
    ticket: [{ type: 'github', repo: 'acme/shop', token: 'ghp_secret' }, { type: 'email', transport: 'smtp://ops:pw@mail.example.com:587', from: 'vigie@example.com', to: ['ops@example.com'] }],
    info: [{ type: 'log' }, { type: 'webhook', url: 'https://hooks.example.com/x?token=abc' }],
  },
}
`

const dir = mkdtempSync(join(tmpdir(), 'vigie-export-'))
const config = join(dir, 'vigie.config.mjs')
writeFileSync(config, CONFIG)

/** Runs the built CLI (dist/esm/cli.js, the package's `bin`). */
function vigie (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const child = spawnSync('env', [...WITHOUT_TAP, process.execPath, join(root, 'dist/esm/cli.js'), ...args], { encoding: 'utf8', timeout: 30_000 })
  return { status: child.status, stdout: child.stdout, stderr: child.stderr }
}

function tool (program: string, args: string[], input?: string): { status: number | null, out: string, stdout: string } {
  const child = spawnSync(program, args, { encoding: 'utf8', input, timeout: 60_000 })
  return { status: child.status, out: `${child.stdout}${child.stderr}`, stdout: child.stdout }
}

t.test('the package names the CLI as its bin', async (t) => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  t.same(pkg.bin, { vigie: './dist/esm/cli.js' })
  t.match(readFileSync(join(root, 'dist/esm/cli.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/)
})

t.test('prometheus-rules: valid for promtool in both flavours, deterministic, and says what it could not keep', needs(PROMTOOL), async (t) => {
  for (const names of ['vigie', 'statsd-exporter']) {
    const first = vigie('export', 'prometheus-rules', '--config', config, '--names', names)
    t.equal(first.status, 0, first.stderr)
    t.equal(vigie('export', 'prometheus-rules', '--config', config, '--names', names).stdout, first.stdout, `${names}: the same bytes twice`)
    const file = join(dir, `rules-${names}.yml`)
    writeFileSync(file, first.stdout)
    const check = tool(PROMTOOL.path, ['check', 'rules', file])
    t.equal(check.status, 0, check.out)
    t.match(check.out, /SUCCESS: 48 rules found/)
    t.match(first.stdout, /latency threshold \(300 ms\) is not a bucket boundary; these rules count a request as fast under 250 ms/)
    t.match(first.stdout, /rule slow-checkout: Prometheus has no hysteresis/)
    const statusLabel = names === 'vigie' ? 'status_class="5xx"' : 'http_status_class="5xx"'
    t.ok(first.stdout.includes(statusLabel), `${names}: the status class label is ${statusLabel}`)
  }
  const rules = vigie('export', 'prometheus-rules', '--config', config).stdout
  for (const record of ['slo:sli_error:ratio_rate5m', 'slo:sli_error:ratio_rate30d', 'slo:objective:ratio', 'slo:error_budget:ratio', 'slo:period_error_budget_remaining:ratio', 'slo:current_burn_rate:ratio', 'sloth_slo_info']) {
    t.ok(rules.includes(`record: "${record}"`), `sloth's ${record}`)
  }
  t.match(rules, /le="0\.25"/, 'the latency SLI reads the histogram bucket')
})

t.test('promtool test rules: the page fires on a burn, not on a healthy service, and resolves once errors stop', needs(PROMTOOL), async (t) => {
  const rules = join(dir, 'rules.yml')
  writeFileSync(rules, vigie('export', 'prometheus-rules', '--config', config).stdout)
  // 100 requests a minute on /checkout; from minute 0 to 70, 10 of them fail (10 %: a burn rate of 100).
  const series = (label: string, perMinute: number[]): string => `      - series: '${label}'\n        values: '${perMinute.join(' ')}'`
  const cumulative = (rates: number[]): number[] => rates.reduce<number[]>((out, rate) => [...out, (out.at(-1) ?? 0) + rate], [0])
  const minutes = 130
  const total = cumulative(Array.from({ length: minutes }, () => 100))
  const errors = cumulative(Array.from({ length: minutes }, (_, m) => m < 70 ? 10 : 0))
  const ok = total.map((v, i) => v - errors[i]!)
  // At 65 min every line of the table burns (10 % errors is a burn rate of 100); at 125 min the
  // short windows of the pages are clean again, those of the tickets still hold errors.
  const burn = (severity: string, long: string, short: string, factor: string): string =>
    `          - exp_labels: { severity: ${severity}, slo: checkout, sloth_id: shop-checkout, sloth_service: shop, sloth_slo: checkout, long_window: ${long}, short_window: ${short} }\n` +
    `            exp_annotations: { summary: "SLO checkout: the error budget burns at ${factor}× or more over ${long} and ${short}", vigie_rule: "slo:checkout:${severity}:${long}/${short}" }`
  const burning = `rule_files:
  - ${rules}
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
${series('http_requests_total{controller="/checkout",method="GET",status="200",status_class="2xx"}', ok)}
${series('http_requests_total{controller="/checkout",method="GET",status="500",status_class="5xx"}', errors)}
    alert_rule_test:
      - eval_time: 65m
        alertname: VigieSloErrorBudgetBurn
        exp_alerts:
${burn('page', '1h', '5m', '14.4')}
${burn('page', '6h', '30m', '6')}
${burn('ticket', '1d', '2h', '3')}
${burn('ticket', '3d', '6h', '1')}
      - eval_time: 125m
        alertname: VigieSloErrorBudgetBurn
        exp_alerts:
${burn('ticket', '1d', '2h', '3')}
${burn('ticket', '3d', '6h', '1')}
  - interval: 1m
    input_series:
${series('http_requests_total{controller="/checkout",method="GET",status="200",status_class="2xx"}', total)}
${series('http_requests_total{controller="/checkout",method="GET",status="500",status_class="5xx"}', total.map(() => 0))}
    alert_rule_test:
      - eval_time: 65m
        alertname: VigieSloErrorBudgetBurn
        exp_alerts: []
`
  const file = join(dir, 'burn.test.yml')
  writeFileSync(file, burning)
  const result = tool(PROMTOOL.path, ['test', 'rules', file])
  t.equal(result.status, 0, result.out)
  t.match(result.out, /SUCCESS/)

  // The same check fails when a page is expected after the errors stopped: the test has teeth.
  writeFileSync(file, burning.replace('      - eval_time: 125m\n        alertname: VigieSloErrorBudgetBurn\n        exp_alerts:\n', `      - eval_time: 125m\n        alertname: VigieSloErrorBudgetBurn\n        exp_alerts:\n${burn('page', '1h', '5m', '14.4')}\n`))
  t.not(tool(PROMTOOL.path, ['test', 'rules', file]).status, 0, 'expecting a page after the errors stopped fails')
})

t.test('alertmanager: routes per severity, placeholders for every secret, valid once they are filled in', needs(AMTOOL), async (t) => {
  const result = vigie('export', 'alertmanager', '--config', config)
  t.equal(result.status, 0, result.stderr)
  for (const secret of SECRETS) t.notOk(result.stdout.includes(secret), `no ${secret}`)
  const placeholders = [...new Set(result.stdout.match(/<[A-Z_0-9]+>/g))]
  t.same(placeholders.sort(), ['<GITHUB_BRIDGE_URL_TICKET_1>', '<PAGERDUTY_ROUTING_KEY_PAGE_1>', '<SLACK_WEBHOOK_URL_PAGE_2>', '<SMTP_PASSWORD_TICKET_2>', '<SMTP_SMARTHOST_TICKET_2>', '<SMTP_USERNAME_TICKET_2>', '<WEBHOOK_URL_INFO_2>'])
  t.match(result.stdout, /Alertmanager has no GitHub receiver/)
  const filled = result.stdout
    .replaceAll(/<[A-Z_]+URL[A-Z_0-9]*>/g, 'https://receiver.example.com/hook')
    .replaceAll('<SMTP_SMARTHOST_TICKET_2>', 'smtp.example.com:587')
    .replaceAll(/<[A-Z_0-9]+>/g, 'filled-in')
  const file = join(dir, 'alertmanager.yml')
  writeFileSync(file, filled)
  const check = tool(AMTOOL.path, ['check-config', file])
  t.equal(check.status, 0, check.out)
  t.match(check.out, /4 receivers/)
  const route = tool(AMTOOL.path, ['config', 'routes', 'test', '--config.file', file, 'severity=page', 'slo=checkout'])
  t.equal(route.stdout.trim(), 'vigie-page', 'a page goes to the page receiver')
  t.equal(tool(AMTOOL.path, ['config', 'routes', 'test', '--config.file', file, 'severity=ticket']).stdout.trim(), 'vigie-ticket')
})

t.test('statsd-exporter-mapping: every vigie metric under the prefix; timings as histograms with /metrics\' buckets', async (t) => {
  const result = vigie('export', 'statsd-exporter-mapping', '--config', config)
  t.equal(result.status, 0, result.stderr)
  const text = result.stdout
  for (const [match, name] of [['shop.http_request', 'http_requests_total'], ['shop.http_request.response_time', 'http_request_duration_seconds'],
    ['shop.db.query', 'db_queries_total'], ['shop.db.query.response_time', 'db_query_duration_seconds'], ['shop.process.heap_used', 'process_heap_used'],
    ['shop.slo.error_budget_remaining', 'slo_error_budget_remaining']]) {
    t.ok(text.includes(`- match: "${match}"\n    name: "${name}"`), `${match} → ${name}`)
  }
  t.equal(text.match(/observer_type: "histogram"/g)?.length, 5, 'the default and the four timings')
  t.notMatch(text, /summary/, 'never a summary')
  t.ok(text.includes(DURATION_BUCKETS.map((b) => `      - ${b}`).join('\n')), 'the buckets')
  t.equal(vigie('export', 'statsd-exporter-mapping', '--config', config, '--prefix', '').stdout.includes('- match: "http_request"'), true, '--prefix overrides')
  // No statsd_exporter here (it is not a Debian package): the whole file is pinned, so a change shows in review.
  t.matchSnapshot(text, 'vigie export statsd-exporter-mapping')
})

t.test('grafana and datadog: JSON, the same bytes twice, no secret', async (t) => {
  for (const [format, names] of [['grafana', 'vigie'], ['grafana', 'statsd-exporter'], ['datadog', 'vigie']]) {
    const first = vigie('export', format!, '--config', config, '--names', names!)
    t.equal(first.status, 0, first.stderr)
    t.equal(vigie('export', format!, '--config', config, '--names', names!).stdout, first.stdout, `${format} ${names}: the same bytes twice`)
    const json = JSON.parse(first.stdout) as Record<string, unknown>
    t.ok(format === 'grafana' ? Array.isArray(json.panels) : Array.isArray(json.monitors), `${format}: the object`)
    for (const secret of SECRETS) t.notOk(first.stdout.includes(secret), `${format}: no ${secret}`)
  }
  t.match(vigie('export', 'datadog', '--config', config).stdout, /"numerator": "sum:shop\.http_request\{controller IN \(\/cart\/:id, \/checkout\)/, 'the prefix of the config module')
})

t.test('errors: a usage error exits 2 with the usage; a bad definition exits 1 naming the option', async (t) => {
  const unknown = vigie('export', 'grafanna', '--config', config)
  t.equal(unknown.status, 2)
  t.match(unknown.stderr, /unknown format "grafanna"/)
  t.match(unknown.stderr, /Formats: prometheus-rules, statsd-exporter-mapping, alertmanager, grafana, datadog\n/)
  const help = vigie('--help')
  t.equal(help.status, 0)
  t.match(help.stdout, /Formats: prometheus-rules, statsd-exporter-mapping, alertmanager, grafana, datadog\n/, '--help lists every format')
  t.equal(vigie('export', 'prometheus-rules').status, 2, 'no --config')
  t.equal(vigie('import', 'prometheus-rules', '--config', config).status, 2)
  const bad = join(dir, 'bad.mjs')
  writeFileSync(bad, 'export const slos = [{ name: "x", objective: 120, window: "30d", sli: "availability" }]\n')
  const invalid = vigie('export', 'prometheus-rules', '--config', bad)
  t.equal(invalid.status, 1)
  t.match(invalid.stderr, /slos\[0\]\.objective/)
  const empty = join(dir, 'empty.mjs')
  writeFileSync(empty, 'export const port = 3000\n')
  t.match(vigie('export', 'alertmanager', '--config', empty).stderr, /exports neither "slos" nor "alerts"/)
  t.equal(vigie('export', 'alertmanager', '--config', join(dir, 'missing.mjs')).status, 1)
  const viaDefault = join(dir, 'default.mjs')
  writeFileSync(viaDefault, 'export default { slos: [{ name: "api", objective: 99, window: "1d", sli: "availability" }] }\n')
  t.match(vigie('export', 'prometheus-rules', '--config', viaDefault).stdout, /sloth_id: "app-api"/, 'a default export, and the default service name')
})
