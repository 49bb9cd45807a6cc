// A fleet's alerts on real engines: three processes of the fleet app (test/fixtures/fleet/app.mjs,
// each with `prometheus: true` and its own `instance`), scraped every second by a real Prometheus
// (Debian's) that evaluates the rules the BUILT `vigie export prometheus-rules` wrote from the
// app's own config module, and sends its alerts to a real Alertmanager (Debian's) configured from
// `vigie export alertmanager`, whose webhook and Slack receivers are a local HTTP server here.
// Errors on ONE instance burn the fleet's SLO: the page fires, then resolves once they stop.
//
// Knobs changed for a quick test, and only these: the SLO's burn-rate line has the smallest
// windows vigie allows (2m and 1m: SLO counts are kept per minute in each instance, so windows are
// whole minutes); Prometheus scrapes and evaluates every second; the exported route's
// group_wait (30s) and group_interval (5m) become 1s. send_resolved is already in the export, and
// resolve_timeout is not needed: Prometheus sets endsAt on the alerts it sends.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { closedUdpPort } from '../helpers/closed-ports.js'
import { startReceiver, type ReceivedRequest } from '../helpers/http-receiver.js'
import { ALERTMANAGER, PROMETHEUS, startAlertmanager, startPrometheus } from '../helpers/prometheus.js'
import { startRealApp, type RealApp } from '../helpers/real-app.js'
import { root, WITHOUT_TAP } from '../helpers/run-built.js'
import { needs } from '../helpers/system-packages.js'

t.setTimeout(240_000)

const CONFIG = join(root, 'test/fixtures/fleet/vigie.config.mjs')
const APP = 'test/fixtures/fleet/app.mjs'
const INSTANCES = ['shop-a', 'shop-b', 'shop-c'] as const
/** The one instance whose /checkout fails while the flag file exists. */
const FAILING = 'shop-b'
/** Every process the test started, checked gone once its teardown ran. */
const pids: number[] = []

/** The built CLI (the package's `bin`), as users run it. */
function vigieExport (format: string): string {
  const child = spawnSync('env', [...WITHOUT_TAP, process.execPath, join(root, 'dist/esm/cli.js'), 'export', format, '--config', CONFIG], { encoding: 'utf8', timeout: 30_000 })
  if (child.status !== 0) throw new Error(`vigie export ${format} exited with ${child.status}:\n${child.stderr}`)
  return child.stdout
}

/** `text` with `from` replaced by `to`, which must be there. */
function replaced (text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the export no longer holds ${from}`)
  return text.replaceAll(from, to)
}

async function waitFor<T> (what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = await probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

t.test('errors on one of three instances fire the fleet\'s burn-rate page through Prometheus and Alertmanager; it resolves once they stop', { ...needs(PROMETHEUS), ...needs(ALERTMANAGER) }, async (t) => {
  const started = Date.now()
  const dir = mkdtempSync(join(tmpdir(), 'vigie-fleet-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const failFile = join(dir, 'fail')

  const receiver = await startReceiver()
  t.teardown(() => receiver.close())
  const webhooks = (status: string): ReceivedRequest[] => receiver.requests.filter((r) => r.url === '/webhook' && r.body?.status === status)

  const rules = join(dir, 'rules.yml')
  writeFileSync(rules, vigieExport('prometheus-rules'))
  let alertmanagerConfig = vigieExport('alertmanager')
  alertmanagerConfig = replaced(alertmanagerConfig, '"<WEBHOOK_URL_PAGE_1>"', `"${receiver.origin}/webhook"`)
  alertmanagerConfig = replaced(alertmanagerConfig, '"<SLACK_WEBHOOK_URL_PAGE_2>"', `"${receiver.origin}/slack"`)
  alertmanagerConfig = replaced(alertmanagerConfig, 'group_wait: "30s"', 'group_wait: "1s"')
  alertmanagerConfig = replaced(alertmanagerConfig, 'group_interval: "5m"', 'group_interval: "1s"')
  t.notMatch(alertmanagerConfig.replaceAll(/^#.*$/gm, ''), /<[A-Z_0-9]+>/, 'every placeholder filled in (the comments at the top list them)')

  // StatsD goes to a port nothing listens on: this test reads /metrics only.
  const statsdPort = String(await closedUdpPort())
  const apps = new Map<string, RealApp>()
  await Promise.all(INSTANCES.map(async (instance) => {
    const app = await startRealApp([APP], { INSTANCE: instance, PROMETHEUS: '1', STATSD_PORT: statsdPort, ...(instance === FAILING ? { FAIL_FILE: failFile } : {}) })
    apps.set(instance, app)
    pids.push(app.pid)
    t.teardown(() => app.stop())
  }))

  const alertmanager = await startAlertmanager(t, alertmanagerConfig)
  pids.push(alertmanager.pid)
  const targets = INSTANCES.map((instance) => `127.0.0.1:${apps.get(instance)!.port}`)
  const prometheus = await startPrometheus(t, targets, { ruleFiles: [rules], alertmanager: alertmanager.target })
  pids.push(prometheus.pid)

  // Steady traffic on every instance: about 20 requests a second each, until the test ends.
  const stopTraffic = new AbortController()
  const counts = new Map<string, Map<number, number>>(INSTANCES.map((instance) => [instance, new Map()]))
  const traffic = Promise.all(INSTANCES.map(async (instance) => {
    const url = `http://127.0.0.1:${apps.get(instance)!.port}/checkout`
    while (!stopTraffic.signal.aborted) {
      try {
        const res = await fetch(url)
        await res.arrayBuffer()
        const byStatus = counts.get(instance)!
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1)
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }))
  t.teardown(async () => {
    stopTraffic.abort()
    await traffic
  })

  const loaded = await (await fetch(`${prometheus.url}/api/v1/rules?type=alert`)).json() as { data: { groups: Array<{ rules: Array<{ name: string, labels: Record<string, string> }> }> } }
  const alertRules = loaded.data.groups.flatMap((group) => group.rules)
  t.same(alertRules.map((rule) => [rule.name, rule.labels.severity, rule.labels.long_window, rule.labels.short_window]), [['VigieSloErrorBudgetBurn', 'page', '2m', '1m']], 'Prometheus loaded the exported burn-rate alert')

  // Healthy first: every instance scraped, requests counted, and no alert for 10 s.
  await waitFor('three targets up with traffic', 30_000, async () => {
    const up = await prometheus.query('sum(up)')
    const rate = await prometheus.query('count(rate(http_requests_total{controller="/checkout"}[1m]) > 0)')
    return up[0]?.value[1] === '3' && rate[0]?.value[1] === '3' ? true : undefined
  })
  await new Promise((resolve) => setTimeout(resolve, 10_000))
  t.same(await prometheus.query('ALERTS'), [], 'no alert while the fleet is healthy')
  t.same(receiver.requests, [], 'no notification while the fleet is healthy')
  const healthyAt = Date.now()

  writeFileSync(failFile, '')
  const firing = await waitFor('a firing notification', 60_000, () => webhooks('firing')[0])
  const firedAfter = Date.now() - healthyAt
  t.equal(firing.body.alerts.length, 1, 'one alert')
  const alert = firing.body.alerts[0]
  t.equal(alert.status, 'firing')
  t.match(alert.labels, { alertname: 'VigieSloErrorBudgetBurn', slo: 'checkout', severity: 'page', long_window: '2m', short_window: '1m', sloth_service: 'shop' }, 'the SLO\'s page, with its labels')
  t.notOk('instance' in alert.labels, 'fleet-wide: no instance label')
  t.match(alert.annotations.summary, /SLO checkout: the error budget burns at 10× or more over 2m and 1m/)
  const failingTarget = `127.0.0.1:${apps.get(FAILING)!.port}`
  const errorsBy = await prometheus.query('sum by (instance) (increase(http_requests_total{controller="/checkout",status_class="5xx"}[2m])) > 0')
  t.same(errorsBy.map((r) => r.metric.instance), [failingTarget], `the errors come from ${FAILING} alone`)
  const slack = await waitFor('a Slack post', 10_000, () => receiver.requests.find((r) => r.url === '/slack'))
  t.match(JSON.stringify(slack.body), /\[FIRING:1\] VigieSloErrorBudgetBurn/, 'the Slack receiver got the page too')
  t.ok(counts.get(FAILING)!.get(500)! > 0 && counts.get('shop-a')!.get(500) === undefined, 'only the failing instance answered 500')

  unlinkSync(failFile)
  const stoppedAt = Date.now()
  const resolved = await waitFor('a resolved notification', 120_000, () => webhooks('resolved')[0])
  const resolvedAfter = Date.now() - stoppedAt
  t.equal(resolved.body.alerts[0].status, 'resolved')
  t.match(resolved.body.alerts[0].labels, { alertname: 'VigieSloErrorBudgetBurn', slo: 'checkout', severity: 'page' }, 'the same alert resolved')
  t.comment(`fired ${(firedAfter / 1000).toFixed(1)} s after the errors began; resolved ${(resolvedAfter / 1000).toFixed(1)} s after they stopped; ${((Date.now() - started) / 1000).toFixed(1)} s in all`)
})

t.test('no process of the fleet test is left', async (t) => {
  t.equal(pids.length, INSTANCES.length + 2, 'three apps, Alertmanager and Prometheus were started')
  for (const pid of pids) t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`)
})
