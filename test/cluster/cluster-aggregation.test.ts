// A real node:cluster app of three workers on one shared port: with vigie in the primary, every
// worker's snapshot() counts the requests all of them served, exactly, and one worker alone sends
// an alert's notice; without it, each worker counts its own and the app is unaffected.
import t from 'tap'
import { freeTcpPort } from '../helpers/closed-ports.js'
import { startReceiver } from '../helpers/http-receiver.js'
import { spawnBuilt } from '../helpers/run-built.js'
import { startStatsdListener } from '../helpers/statsd-listener.js'
import { until } from '../helpers/until.js'

// Four clusters of three workers, one after the other: about a minute on two cores.
t.setTimeout(180_000)

interface Totals { worker: number, hits: number, timed: number, alerts: Array<{ name: string, state: string }>, sloTotal: number | null }

async function startCluster (t: Tap.Test, env: Record<string, string>, args: string[] = []): Promise<{ origin: string, kill: (worker?: number) => void, output: () => string }> {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const port = await freeTcpPort()
  const child = spawnBuilt([...args, 'test/fixtures/cluster/aggregation.mjs'], { PORT: String(port), STATSD_PORT: String(statsd.port), WORKERS: '3', ...env })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { out += chunk.toString() })
  t.teardown(() => { child.kill('SIGTERM') })
  await until(() => out.split('\n').filter((line) => line.startsWith('ready')).length === 3, 30_000).catch((err: Error) => {
    throw new Error(`${err.message}; the cluster printed:\n${out}`)
  })
  return { origin: `http://127.0.0.1:${port}`, kill: () => child.kill('SIGTERM'), output: () => out }
}

/** Hits /hit `n` times, 10 at a time; the number each worker served. */
async function hit (origin: string, n: number): Promise<Map<number, number>> {
  const served = new Map<number, number>()
  for (let sent = 0; sent < n; sent += 10) {
    const answers = await Promise.all(Array.from({ length: Math.min(10, n - sent) }, async () => {
      const response = await fetch(`${origin}/hit`)
      if (response.status !== 200) throw new Error(`status ${response.status}`)
      return await response.json() as { worker: number }
    }))
    for (const { worker } of answers) served.set(worker, (served.get(worker) ?? 0) + 1)
  }
  return served
}

/** /totals until each of the three workers has answered with `until` true; the last answer of each. */
async function totalsOfEach (origin: string, done: (totals: Totals) => boolean, timeoutMs = 15_000): Promise<Map<number, Totals>> {
  const last = new Map<number, Totals>()
  const settled = new Set<number>()
  const deadline = Date.now() + timeoutMs
  while (settled.size < 3) {
    if (Date.now() > deadline) throw new Error(`workers settled: ${[...settled].join(',')}; last: ${JSON.stringify([...last.values()])}`)
    const totals = await (await fetch(`${origin}/totals`, { headers: { connection: 'close' } })).json() as Totals
    last.set(totals.worker, totals)
    if (done(totals)) settled.add(totals.worker)
    else settled.delete(totals.worker)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return last
}

t.test('with clusterPrimary(): every worker counts every worker\'s requests, exactly', async (t) => {
  const { origin } = await startCluster(t, { PRIMARY: 'code' })
  const served = await hit(origin, 300)
  t.equal(served.size, 3, `the three workers served (${JSON.stringify([...served])})`)
  const totals = await totalsOfEach(origin, (one) => one.hits === 300 && one.timed === 300 && one.sloTotal === 300)
  for (const [worker, one] of totals) {
    t.equal(one.hits, 300, `worker ${worker}: http_request over 5m`)
    t.equal(one.timed, 300, `worker ${worker}: http_request.response_time count over 5m`)
    t.equal(one.sloTotal, 300, `worker ${worker}: the SLO's events`)
  }
  // A second wave lands on top, never counted twice.
  await hit(origin, 60)
  const again = await totalsOfEach(origin, (one) => one.hits >= 360)
  for (const [worker, one] of again) t.equal(one.hits, 360, `worker ${worker} after the second wave`)
})

t.test('with vigie/register in the primary too', async (t) => {
  const { origin } = await startCluster(t, { PRIMARY: 'register' }, ['--import', 'vigie/register'])
  await hit(origin, 90)
  const totals = await totalsOfEach(origin, (one) => one.hits === 90)
  t.same([...totals.values()].map((one) => one.hits), [90, 90, 90])
})

t.test('one notice for the whole app: only the leading worker speaks', async (t) => {
  const webhook = await startReceiver()
  t.teardown(() => webhook.close())
  const { origin } = await startCluster(t, { PRIMARY: 'code', ALERT_ABOVE: '100', WEBHOOK: `${webhook.origin}/hook` })
  // 150 requests: over 100 for the app, while no worker served more than about 50 itself.
  const served = await hit(origin, 150)
  t.ok(Math.max(...served.values()) <= 100, 'no worker alone is over the threshold')
  await until(() => webhook.requests.length > 0, 15_000)
  const totals = await totalsOfEach(origin, (one) => one.alerts.some((alert) => alert.state === 'firing'))
  t.equal(totals.size, 3, 'every worker sees the rule firing')
  // Time for the other workers' notices, had they sent any.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  const firing = webhook.requests.filter((request) => request.body?.status === 'firing')
  t.equal(firing.length, 1, 'one firing notice')
  t.equal(firing[0]?.body.alerts[0].labels.alertname, 'busy')
})

t.test('without vigie in the primary, each worker counts its own and the app is unaffected', async (t) => {
  const { origin } = await startCluster(t, { PRIMARY: 'none' })
  const served = await hit(origin, 120)
  // Past the welcome timeout: each worker has gone on alone.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  const totals = await totalsOfEach(origin, (one) => one.hits === (served.get(one.worker) ?? 0))
  let sum = 0
  for (const [worker, one] of totals) {
    t.equal(one.hits, served.get(worker) ?? 0, `worker ${worker} counts what it served`)
    t.equal(one.sloTotal, served.get(worker) ?? 0, `worker ${worker}: its own SLO events`)
    sum += one.hits
  }
  t.equal(sum, 120)
})
