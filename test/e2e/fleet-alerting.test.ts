// A fleet's alerts on real engines: three processes of the fleet app (test/fixtures/fleet/app.mjs,
// each with `prometheus: true` and its own `instance`), scraped every second by a real Prometheus
// (Debian's) that evaluates the rules the BUILT `vigie export prometheus-rules` wrote from the
// app's own config module, and sends its alerts to a real Alertmanager (Debian's) configured from
// `vigie export alertmanager`, whose webhook and Slack receivers are a local HTTP server here.
// Errors on ONE instance burn the fleet's SLO: the page fires, then resolves once they stop.
// Then the same with one node:cluster app of three workers (the same fixture, WORKERS=3), its
// /metrics on one port the workers share, scraped as one target (whichever worker answers, the
// counts are the whole app's, kept by the primary), the errors on one worker only: the page fires
// and resolves too.
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
import { closedUdpPort, freeTcpPort } from '../helpers/closed-ports.ts'
import { startReceiver, type ReceivedRequest } from '../helpers/http-receiver.ts'
import { ALERTMANAGER, PROMETHEUS, startAlertmanager, startPrometheus } from '../helpers/prometheus.ts'
import { startRealApp, type RealApp } from '../helpers/real-app.ts'
import { root, WITHOUT_TAP } from '../helpers/run-built.ts'
import { needs } from '../helpers/system-packages.ts'

// Two cases of about 40 s each on two cores, with room for a loaded machine.
t.setTimeout(300_000)

const CONFIG = join(root, 'test/fixtures/fleet/vigie.config.mjs')
const APP = 'test/fixtures/fleet/app.mjs'
const INSTANCES = ['shop-a', 'shop-b', 'shop-c'] as const
/** The one instance whose /checkout fails while the flag file exists. */
const FAILING = 'shop-b'
/** The cluster case: its workers, and the one whose /checkout fails while the flag file exists. */
const WORKERS = 3
const FAILING_WORKER = 2
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

/** A fleet under test, started by a case: what Prometheus scrapes, and where the traffic goes. */
interface Fleet {
  /** `host:port` of each /metrics. */
  readonly targets: string[]
  /** The target whose /checkout fails while the flag file exists. */
  readonly failingTarget: string
  /** The /checkout URLs: one loop of steady traffic each. */
  readonly checkouts: string[]
  /** A new connection per request: a cluster's workers take turns per connection. */
  readonly closeEach?: boolean
}

/**
 * The fleet `start` gives (its `failFile` and the StatsD port nothing listens on), scraped by a
 * real Prometheus with the exported rules, alerting through a real Alertmanager with the exported
 * config, under steady traffic: healthy for 10 s, then errors on the failing target fire the
 * fleet's burn-rate page, which resolves once they stop. The answers each traffic loop got, by
 * status.
 */
async function pageFiresAndResolves (t: Tap.Test, start: (failFile: string, statsdPort: string) => Promise<Fleet>): Promise<Array<Map<number, number>>> {
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
  const fleet = await start(failFile, String(await closedUdpPort()))

  const alertmanager = await startAlertmanager(t, alertmanagerConfig)
  pids.push(alertmanager.pid)
  const prometheus = await startPrometheus(t, fleet.targets, { ruleFiles: [rules], alertmanager: alertmanager.target })
  pids.push(prometheus.pid)

  // Steady traffic: each loop about 20 requests a second, until the test ends.
  const stopTraffic = new AbortController()
  const counts = fleet.checkouts.map(() => new Map<number, number>())
  const traffic = Promise.all(fleet.checkouts.map(async (url, k) => {
    while (!stopTraffic.signal.aborted) {
      try {
        const res = await fetch(url, fleet.closeEach === true ? { headers: { connection: 'close' } } : {})
        await res.arrayBuffer()
        counts[k].set(res.status, (counts[k].get(res.status) ?? 0) + 1)
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

  // Healthy first: every target scraped, requests counted, and no alert for 10 s.
  const targets = String(fleet.targets.length)
  await waitFor(`${targets} targets up with traffic`, 30_000, async () => {
    const up = await prometheus.query('sum(up)')
    const rate = await prometheus.query('count(rate(http_requests_total{controller="/checkout"}[1m]) > 0)')
    return up[0]?.value[1] === targets && rate[0]?.value[1] === targets ? true : undefined
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
  const errorsBy = await prometheus.query('sum by (instance) (increase(http_requests_total{controller="/checkout",status_class="5xx"}[2m])) > 0')
  t.same(errorsBy.map((r) => r.metric.instance), [fleet.failingTarget], `the errors come from ${fleet.failingTarget} alone`)
  const slack = await waitFor('a Slack post', 10_000, () => receiver.requests.find((r) => r.url === '/slack'))
  t.match(JSON.stringify(slack.body), /\[FIRING:1\] VigieSloErrorBudgetBurn/, 'the Slack receiver got the page too')

  unlinkSync(failFile)
  const stoppedAt = Date.now()
  const resolved = await waitFor('a resolved notification', 120_000, () => webhooks('resolved')[0])
  const resolvedAfter = Date.now() - stoppedAt
  t.equal(resolved.body.alerts[0].status, 'resolved')
  t.match(resolved.body.alerts[0].labels, { alertname: 'VigieSloErrorBudgetBurn', slo: 'checkout', severity: 'page' }, 'the same alert resolved')
  t.comment(`fired ${(firedAfter / 1000).toFixed(1)} s after the errors began; resolved ${(resolvedAfter / 1000).toFixed(1)} s after they stopped; ${((Date.now() - started) / 1000).toFixed(1)} s in all`)
  return counts
}

t.test('errors on one of three instances fire the fleet\'s burn-rate page through Prometheus and Alertmanager; it resolves once they stop', { ...needs(PROMETHEUS), ...needs(ALERTMANAGER) }, async (t) => {
  const ports = new Map<string, number>()
  const counts = await pageFiresAndResolves(t, async (failFile, statsdPort) => {
    await Promise.all(INSTANCES.map(async (instance) => {
      const app = await startRealApp([APP], { INSTANCE: instance, PROMETHEUS: '1', STATSD_PORT: statsdPort, ...(instance === FAILING ? { FAIL_FILE: failFile } : {}) })
      ports.set(instance, app.port)
      pids.push(app.pid)
      t.teardown(() => app.stop())
    }))
    return {
      targets: INSTANCES.map((instance) => `127.0.0.1:${ports.get(instance)!}`),
      failingTarget: `127.0.0.1:${ports.get(FAILING)!}`,
      checkouts: INSTANCES.map((instance) => `http://127.0.0.1:${ports.get(instance)!}/checkout`),
    }
  })
  const answers = new Map(INSTANCES.map((instance, k) => [instance, counts[k]]))
  t.ok(answers.get(FAILING)!.get(500)! > 0 && answers.get('shop-a')!.get(500) === undefined, 'only the failing instance answered 500')
})

t.test('the same through one node:cluster app of three workers, scraped as one target; errors on one worker', { ...needs(PROMETHEUS), ...needs(ALERTMANAGER) }, async (t) => {
  const metricsPort = await freeTcpPort()
  let app: RealApp | undefined
  const counts = await pageFiresAndResolves(t, async (failFile, statsdPort) => {
    app = await startRealApp([APP], { WORKERS: String(WORKERS), PROMETHEUS_PORT: String(metricsPort), STATSD_PORT: statsdPort, FAIL_FILE: failFile, FAIL_WORKER: String(FAILING_WORKER) })
    pids.push(app.pid)
    t.teardown(() => app?.stop())
    return {
      // Whichever worker takes a scrape answers for the whole app (the primary keeps the counts).
      targets: [`127.0.0.1:${metricsPort}`],
      failingTarget: `127.0.0.1:${metricsPort}`,
      // Three loops on the app's one port, a connection per request: the workers take turns.
      checkouts: Array.from({ length: WORKERS }, () => `http://127.0.0.1:${app!.port}/checkout`),
      closeEach: true,
    }
  })
  const all = (status: number): number => counts.reduce((sum, byStatus) => sum + (byStatus.get(status) ?? 0), 0)
  t.ok(all(500) > 0 && all(200) > all(500), `the app answered 500 (${all(500)}) and, more often, 200 (${all(200)})`)
  // The primary exits once its workers have: their pids, for the last test.
  const { lines } = await app!.stop()
  const workers = lines.filter((line) => line.json.fixture === 'worker').map((line) => line.json.pid as number)
  t.equal(workers.length, WORKERS, 'each worker said its pid')
  pids.push(...workers)
})

t.test('no process of the fleet test is left', async (t) => {
  t.equal(pids.length, INSTANCES.length + 1 + WORKERS + 2 * 2, 'three apps, the cluster\'s primary and its workers, and twice Alertmanager and Prometheus were started')
  for (const pid of pids) t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`)
})
