// A real node:cluster app of three workers on one shared port: with vigie in the primary, every
// worker's snapshot() and dashboard count the requests all of them served, exactly, a worker
// killed leaves what it had sent in the others' counts, and one worker alone sends an alert's
// notice; without it, each worker counts its own and the app is unaffected.
import t from 'tap'
import { WELCOME_TIMEOUT_MS } from '../../lib/cluster/worker-link.ts'
import type { DashboardData } from '../../lib/dashboard/dashboard-data.ts'
import { answersOfEach, hit, startCluster, totalsOfEach } from '../helpers/cluster-app.ts'
import { startReceiver } from '../helpers/http-receiver.ts'
import { until } from '../helpers/until.ts'

// Six clusters of three workers, one after the other: about a minute and a half on two cores.
t.setTimeout(240_000)

/** The dashboard's token in the cases that turn it on. */
const TOKEN = 'cluster-dashboard-3f9a27c1'

/** What a worker's dashboard (data.json) counts over its 5 minutes: all requests, and per controller. */
interface DashboardTotals { total: number, controllers: Record<string, number> }

/** The dashboard (the real `/_vigie/data.json`, with the token) of each of `workers` workers, until it counts `total` requests in all. */
async function dashboardsAt (origin: string, total: number, workers = 3): Promise<Map<number, DashboardTotals>> {
  return await answersOfEach(origin, '/_vigie/data.json', async (response) => {
    if (response.status !== 200) throw new Error(`data.json answered ${response.status}`)
    const data = await response.json() as DashboardData
    return { total: data.statusClasses.total, controllers: Object.fromEntries(data.controllers.busiest.map((row) => [row.controller, row.requests])) }
  }, (one) => one.total >= total, { workers, headers: { authorization: `Bearer ${TOKEN}` } })
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

t.test('every worker\'s dashboard totals equal the requests sent to all of them, exactly', async (t) => {
  const { origin } = await startCluster(t, { PRIMARY: 'code', DASHBOARD_TOKEN: TOKEN })
  const denied = await fetch(`${origin}/_vigie/data.json`, { headers: { connection: 'close' } })
  t.equal(denied.status, 401, 'data.json wants the token')
  await denied.arrayBuffer()
  const served = await hit(origin, 180)
  await hit(origin, 90, '/hit/7')
  t.equal(served.size, 3, `the three workers served (${JSON.stringify([...served])})`)
  // Settled on the total alone: a count over 270 is reported by the asserts below, not waited out.
  const dashboards = await dashboardsAt(origin, 270)
  t.same([...dashboards.keys()].sort(), [1, 2, 3], 'each of the three workers answered data.json')
  for (const [worker, one] of dashboards) {
    t.same(one, { total: 270, controllers: { '/hit': 180, '/hit/:item': 90 } }, `worker ${worker}'s dashboard: 270 requests, 180 on /hit and 90 on /hit/:item`)
  }
  // Exceptions captured by any worker are listed by every worker's dashboard.
  const ids = Array.from({ length: 6 }, (_, k) => `cluster-boom-${k}`)
  const failed = await Promise.all(ids.map(async (id) => {
    const response = await fetch(`${origin}/boom`, { headers: { connection: 'close', 'x-request-id': id } })
    await response.arrayBuffer()
    return response.headers.get('x-worker')
  }))
  t.ok(new Set(failed).size > 1, `the failing requests went to more than one worker (${failed.join(',')})`)
  const listed = await answersOfEach(origin, '/_vigie/data.json', async (response) => {
    const data = await response.json() as DashboardData
    return data.exceptions.map((one) => one.correlationId).filter((id) => id.startsWith('cluster-boom-')).sort()
  }, (seen) => seen.length === ids.length, { headers: { authorization: `Bearer ${TOKEN}` } })
  for (const [worker, seen] of listed) t.same(seen, ids, `worker ${worker}'s dashboard lists the six exceptions, wherever they were captured`)
})

t.test('a worker killed loses at most its last second: what it sent stays in the others\' counts', async (t) => {
  const { origin, output } = await startCluster(t, { PRIMARY: 'code', DASHBOARD_TOKEN: TOKEN })
  const served = await hit(origin, 150)
  t.equal(served.size, 3, 'the three workers served')
  const before = await dashboardsAt(origin, 150)
  t.same([...before.values()].map((one) => one.total), [150, 150, 150], 'every dashboard counts the 150 requests')
  // The first wave is in every worker: the one killed had sent its share before it died.
  const [victim, { pid, count }] = [...served].find(([worker]) => worker === 2) ?? [...served][0]
  process.kill(pid, 'SIGKILL')
  await until(() => output().includes(`exit ${victim}`), 10_000)
  const after = await hit(origin, 60)
  t.notOk(after.has(victim), `worker ${victim} (pid ${pid}, ${count} requests served) is gone`)
  const survivors = await dashboardsAt(origin, 210, 2)
  t.notOk(survivors.has(victim), 'no answer from the dead worker')
  for (const [worker, one] of survivors) {
    t.same(one, { total: 210, controllers: { '/hit': 210 } }, `worker ${worker}: the 150 sent before, the dead worker's share included, and the 60 after`)
  }
})

t.test('one notice for the whole app: only the leading worker speaks', async (t) => {
  const webhook = await startReceiver()
  t.teardown(() => webhook.close())
  const { origin } = await startCluster(t, { PRIMARY: 'code', ALERT_ABOVE: '100', WEBHOOK: `${webhook.origin}/hook` })
  // 150 requests: over 100 for the app, while no worker served more than about 50 itself.
  const served = await hit(origin, 150)
  t.ok(Math.max(...[...served.values()].map((one) => one.count)) <= 100, 'no worker alone is over the threshold')
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
  await new Promise((resolve) => setTimeout(resolve, WELCOME_TIMEOUT_MS + 500))
  const totals = await totalsOfEach(origin, (one) => one.hits === (served.get(one.worker)?.count ?? 0))
  let sum = 0
  for (const [worker, one] of totals) {
    t.equal(one.hits, served.get(worker)?.count ?? 0, `worker ${worker} counts what it served`)
    t.equal(one.sloTotal, served.get(worker)?.count ?? 0, `worker ${worker}: its own SLO events`)
    sum += one.hits
  }
  t.equal(sum, 120)
})
