// A real node:cluster app of three workers on one shared port: with vigie in the primary, every
// worker's snapshot() counts the requests all of them served, exactly, and one worker alone sends
// an alert's notice; without it, each worker counts its own and the app is unaffected.
import t from 'tap'
import { hit, startCluster, totalsOfEach } from '../helpers/cluster-app.js'
import { startReceiver } from '../helpers/http-receiver.js'
import { until } from '../helpers/until.js'

// Four clusters of three workers, one after the other: about a minute on two cores.
t.setTimeout(180_000)

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
