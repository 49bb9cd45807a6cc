// `vigie export grafana`: the dashboard's structure (what Grafana needs to import it and what
// every panel reads), and every PromQL expression run by a real Prometheus (Debian's) that
// scrapes a real Fastify app's /metrics and evaluates the rules of `vigie export prometheus-rules`.
// Grafana itself is no Debian package: the dashboard is not loaded into one here.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { definitionsOf } from '../../lib/export/definitions.ts'
import { exportText } from '../../lib/export/exports.ts'
import { dashboardUid, GRAFANA_SCHEMA_VERSION } from '../../lib/export/grafana-dashboard.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { PROMETHEUS, startPrometheus } from '../helpers/prometheus.ts'
import { needs } from '../helpers/system-packages.ts'

const CONFIG = {
  service: 'shop',
  slos: [
    { name: 'checkout', objective: 99.9, window: '30d', sli: 'availability', controllers: ['/checkout', '/cart/:id'] },
    { name: 'fast-search', objective: 99, window: '7d', sli: { latency: { thresholdMs: 250 } } },
  ],
  alerts: { rules: [{ name: 'errors', stat: 'errorRatio', window: '5m', above: 0.05, severity: 'page' }] },
}
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } // eslint-disable-line no-template-curly-in-string

interface Target { refId: string, datasource: unknown, expr: string }
interface Panel { id: number, type: string, title: string, datasource?: unknown, gridPos: { h: number, w: number, x: number, y: number }, targets?: Target[] }
interface Dashboard { uid: string, title: string, schemaVersion: number, panels: Panel[], templating: { list: Array<Record<string, unknown>> }, description: string }

function dashboard (names: 'vigie' | 'statsd-exporter' = 'vigie', config: Record<string, unknown> = CONFIG): { text: string, json: Dashboard } {
  const text = exportText('grafana', definitionsOf(config), { names })
  return { text, json: JSON.parse(text) as Dashboard }
}

/** The expressions of every panel, by panel title, `$__rate_interval` and the variables filled in. */
function expressions (json: Dashboard, values: { controller: string, instance: string }): Array<[string, string]> {
  return json.panels.flatMap((panel) => (panel.targets ?? []).map((target): [string, string] => [
    `${panel.title} ${target.refId}`,
    target.expr.replaceAll('$__rate_interval', '1m').replaceAll('$controller', values.controller).replaceAll('$instance', values.instance),
  ]))
}

t.test('structure: JSON Grafana imports, every panel and target on the datasource variable, unique ids, a place for each panel, the variables', async (t) => {
  for (const names of ['vigie', 'statsd-exporter'] as const) {
    const { text, json } = dashboard(names)
    t.equal(dashboard(names).text, text, `${names}: the same bytes twice`)
    t.ok(text.endsWith('}\n'), 'one JSON document and a final line feed')
    t.equal(json.schemaVersion, GRAFANA_SCHEMA_VERSION)
    t.equal(json.schemaVersion, 39)
    t.equal(json.uid, 'vigie-shop', 'the uid comes from the service name')
    t.equal(json.title, 'shop (vigie)')
    const ids = json.panels.map((panel) => panel.id)
    t.equal(new Set(ids).size, ids.length, 'unique panel ids')
    const places = new Set<string>()
    for (const panel of json.panels) {
      const { h, w, x, y } = panel.gridPos
      t.ok([h, w, x, y].every(Number.isInteger) && h > 0 && w > 0 && x + w <= 24, `${panel.title}: gridPos set, within 24 columns`)
      t.notOk(places.has(`${x},${y}`), `${panel.title}: a place of its own`)
      places.add(`${x},${y}`)
      if (panel.type === 'row') continue
      t.same(panel.datasource, DATASOURCE, `${panel.title}: the panel reads \${datasource}`)
      t.ok(panel.targets !== undefined && panel.targets.length > 0, `${panel.title}: has targets`)
      for (const target of panel.targets ?? []) t.same(target.datasource, DATASOURCE, `${panel.title} ${target.refId}: the target reads \${datasource}`)
    }
    const variables = Object.fromEntries(json.templating.list.map((variable) => [variable.name, variable]))
    t.match(variables.datasource, { type: 'datasource', query: 'prometheus' })
    t.match(variables.controller, { type: 'query', datasource: DATASOURCE, query: 'label_values(http_requests_total, controller)', includeAll: true, allValue: '.*' })
    t.match(variables.instance, { type: 'query', datasource: DATASOURCE, query: 'label_values(process_heap_used, instance)' })
    const titles = json.panels.map((panel) => panel.title)
    for (const title of ['Requests per second, by controller', 'Answers per second, by status class', 'Response time percentiles', 'Exceptions per second, by exception',
      'Queries per second, by system and operation', 'Query time p99, by system', 'SLO checkout: 99.9 % over 30d', 'SLO fast-search: 99 % over 7d',
      'Heap used', 'Resident set size', 'Event-loop delay']) {
      t.ok(titles.includes(title), `a panel "${title}"`)
    }
    t.equal(titles.filter((title) => title === 'Burn rate, by window').length, 2, 'a burn-rate panel per SLO')
    const exprs = expressions(json, { controller: '$controller', instance: '$instance' }).map(([, expr]) => expr)
    const rates = json.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr).filter((expr) => expr.includes('rate('))
    t.ok(rates.length >= 7 && rates.every((expr) => /rate\([^[]*\[\$__rate_interval\]\)/.test(expr)), 'every rate() is over $__rate_interval')
    const statusClass = names === 'vigie' ? 'sum by (status_class)' : 'sum by (http_status_class)'
    t.ok(exprs.some((expr) => expr.startsWith(statusClass)), `${names}: ${statusClass}`)
  }
  t.match(dashboard('statsd-exporter').json.description, /honor_labels: true/, 'the statsd_exporter flavour says how to keep the instance label')
  t.equal(dashboardUid('a'.repeat(64)).length, 40, 'a long service name: a hashed uid of Grafana\'s longest')
  t.equal(dashboardUid('a'.repeat(64)), dashboardUid('a'.repeat(64)))
  t.not(dashboardUid('a'.repeat(64)), dashboardUid(`${'a'.repeat(63)}b`))
  t.equal(dashboardUid('shop.eu'), 'vigie-shop-eu')
  t.equal(dashboard('vigie', { ...CONFIG, slos: undefined }).json.panels.filter((panel) => panel.title.startsWith('SLO ')).length, 0, 'no SLO, no SLO row')
})

t.test('every expression runs on a real Prometheus that scrapes a Fastify app and evaluates the exported rules', needs(PROMETHEUS), async (t) => {
  const app = await startApp(t, {
    vigie: { prometheus: true, processMetrics: { intervalMs: 1000 } },
    routes: (app) => {
      app.get('/checkout', async () => 'ok')
      app.get('/cart/:id', async (request) => {
        // Some errors under the SLO: with none, the error ratio's numerator has no series and the ratio none either.
        if ((request.params as { id: string }).id === 'bad') throw new Error('bad cart')
        return 'ok'
      })
      app.get('/broken', async () => { throw new Error('broken') })
    },
  })
  const dir = mkdtempSync(join(tmpdir(), 'vigie-grafana-'))
  const rules = join(dir, 'rules.yml')
  writeFileSync(rules, exportText('prometheus-rules', definitionsOf(CONFIG)))
  const prometheus = await startPrometheus(t, [new URL(app.url).host], { ruleFiles: [rules] })
  const raw = async (promql: string): Promise<{ status: string, error?: string, data?: { result: unknown[] } }> =>
    await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json() as { status: string }

  // Traffic for a few scrapes: rate() needs two samples that saw it.
  const deadline = Date.now() + 30_000
  let requests: unknown[] = []
  let burn: unknown[] = []
  const { json } = dashboard()
  const all = expressions(json, { controller: '.*', instance: '.*' })
  const requestsExpr = all.find(([title]) => title.startsWith('Requests per second'))![1]
  const burnExpr = all.find(([title]) => title.startsWith('Burn rate'))![1]
  while (Date.now() < deadline) {
    for (const path of ['/checkout', '/cart/1', '/cart/2', '/cart/bad', '/broken']) await (await fetch(`${app.url}${path}`)).arrayBuffer()
    requests = (await raw(requestsExpr)).data?.result ?? []
    burn = (await raw(burnExpr)).data?.result ?? []
    if (requests.length > 0 && burn.length > 0) break
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  t.ok(requests.length >= 2, `the requests panel has a series per controller (${requests.length})`)
  t.ok(burn.length > 0, 'the burn-rate panel reads the recording rules the exported rules evaluate')

  for (const [name, expr] of all) {
    const answer = await raw(expr)
    t.equal(answer.status, 'success', `${name}: ${answer.error ?? 'accepted'}`)
  }
  for (const [name, expr] of expressions(json, { controller: '/checkout', instance: new URL(app.url).host })) {
    t.equal((await raw(expr)).status, 'success', `${name}, with a real controller and instance`)
  }
  const heap = all.find(([title]) => title.startsWith('Heap used'))![1]
  t.ok(((await raw(heap)).data?.result ?? []).length > 0, 'the heap panel reads the process gauge')
  for (const names of ['statsd-exporter'] as const) {
    for (const [name, expr] of expressions(dashboard(names).json, { controller: '.*', instance: '.*' })) {
      t.equal((await raw(expr)).status, 'success', `${names}: ${name}`)
    }
  }
  // Grafana's label_values() is not PromQL: what it asks Prometheus for, the label values API.
  const controllers = await (await fetch(`${prometheus.url}/api/v1/label/controller/values?match[]=http_requests_total`)).json() as { data: string[] }
  t.ok(controllers.data.includes('/checkout') && controllers.data.includes('/cart/:id'), 'label_values(http_requests_total, controller) lists the controllers')
  // A typo is refused: the status check has teeth.
  t.equal((await raw('sum by (controller) (rate(http_requests_total[$__rate_interval]))')).status, 'error', 'an expression with a Grafana variable left in is refused')
})
