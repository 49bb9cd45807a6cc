// /metrics of a real node:cluster app of three workers on one shared port: whichever worker a
// scrape lands on, it answers with the whole app's counts, kept by the primary, so counters
// never go down from one scrape to the next; each worker's gauges stay apart under `worker`.
import t from 'tap'
import { WELCOME_TIMEOUT_MS } from '../../lib/cluster/worker-link.ts'
import { answersOfEach, hit, startCluster } from '../helpers/cluster-app.ts'
import { promtoolCheck, samples, sumOf } from '../helpers/prometheus.ts'

t.setTimeout(120_000)

const hits = (exposition: string): number => sumOf(samples(exposition), 'http_requests_total', 'controller="/hit"')
const scrapeText = async (response: Response): Promise<string> => await response.text()
/** The `worker` labels of the process_heap_used series. */
const heapWorkers = (exposition: string): Set<string | undefined> =>
  new Set([...samples(exposition).keys()].filter((key) => key.startsWith('process_heap_used')).map((key) => /worker="([^"]+)"/.exec(key)?.[1]))

t.test('every worker answers /metrics with the whole app\'s counts, and they never go down', async (t) => {
  const { origin } = await startCluster(t, { PRIMARY: 'code', PROMETHEUS: '1' })
  const served = await hit(origin, 240)
  t.equal(served.size, 3, 'the three workers served')
  // The process gauges come every second from each worker: settled once all three are in too.
  const expositions = await answersOfEach(origin, '/metrics', scrapeText, (text) => hits(text) === 240 && heapWorkers(text).size === 3)
  for (const [worker, text] of expositions) {
    t.equal(hits(text), 240, `worker ${worker}: http_requests_total{controller="/hit"}`)
    t.equal(sumOf(samples(text), 'http_request_duration_seconds_count', 'controller="/hit"'), 240, `worker ${worker}: the histogram's count`)
    t.equal(sumOf(samples(text), 'http_request_duration_seconds_bucket', 'controller="/hit"', 'le="+Inf"'), 240, `worker ${worker}: its +Inf bucket`)
  }
  const text = [...expositions.values()][0]!
  const heaps = [...samples(text).keys()].filter((key) => key.startsWith('process_heap_used'))
  t.equal(heapWorkers(text).size, 3, `three heap series, one per worker: ${heaps.join(' ')}`)
  t.notOk(heaps.some((key) => key.includes('instance=')), 'no instance label: Prometheus adds its own')
  const check = await promtoolCheck(text)
  t.equal(check.code, 0, `promtool check metrics: ${check.output}`)

  // Scrapes while traffic flows, each on a fresh connection: never lower than the one before.
  let previous = 240
  let decreases = 0
  const traffic = hit(origin, 300)
  for (let scrape = 0; scrape < 30; scrape++) {
    const now = hits(await (await fetch(`${origin}/metrics`, { headers: { connection: 'close' } })).text())
    if (now < previous) decreases++
    previous = now
  }
  await traffic
  t.equal(decreases, 0, 'the counter never went down between scrapes')
  const settled = await answersOfEach(origin, '/metrics', scrapeText, (body) => hits(body) === 540)
  t.same([...settled.values()].map(hits), [540, 540, 540])
})

t.test('without vigie in the primary, each worker serves its own counts', async (t) => {
  const { origin } = await startCluster(t, { PRIMARY: 'none', PROMETHEUS: '1' })
  const served = await hit(origin, 90)
  // Past the welcome timeout: each worker has gone on alone.
  await new Promise((resolve) => setTimeout(resolve, WELCOME_TIMEOUT_MS + 500))
  const expositions = await answersOfEach(origin, '/metrics', scrapeText, () => true)
  for (const [worker, text] of expositions) t.equal(hits(text), served.get(worker)?.count ?? 0, `worker ${worker}: what it served`)
})
