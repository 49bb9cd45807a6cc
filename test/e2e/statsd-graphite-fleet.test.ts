// A fleet's StatsD on real engines: two processes of the fleet app (test/fixtures/fleet/app.mjs,
// instances shop-a and shop-b) send their metrics to the real Etsy StatsD daemon (npm statsd),
// whose own graphite backend writes into a real Graphite carbon (Debian's graphite-carbon). In
// carbon's whisper files, read back with whisper-fetch: the two instances' http_request counts add
// up in ONE series (counters carry no instance tag), and their process.heap_used gauges stay two
// series, one per instance, each with its own value (shop-b holds 64 MB more on its heap).
import t from 'tap'
import { startStatsdDaemon } from '../../examples/support/statsd-daemon.mjs'
import { CARBON_CACHE, startCarbon, taggedPath, WHISPER_FETCH } from '../helpers/carbon.ts'
import { startRealApp } from '../helpers/real-app.ts'
import { needs } from '../helpers/system-packages.ts'

t.setTimeout(180_000)

const APP = 'test/fixtures/fleet/app.mjs'
const SENT = { 'shop-a': 30, 'shop-b': 50 } as const
const BALLAST_MB = 64
const pids: number[] = []

async function waitFor<T> (what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = probe()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)

t.test('two instances through a real StatsD daemon into Graphite carbon: counters add up in one series, heap gauges stay two', { ...needs(CARBON_CACHE), ...needs(WHISPER_FETCH) }, async (t) => {
  const started = Date.now()
  const carbon = await startCarbon(t)
  pids.push(carbon.pid)
  // Flushes 2 s apart: each lands on its own second of the 1 s whisper archive.
  const statsd = await startStatsdDaemon({ flushInterval: 2000, graphitePort: carbon.port })
  t.teardown(() => statsd.stop())

  const instances = Object.keys(SENT) as Array<keyof typeof SENT>
  const apps = await Promise.all(instances.map(async (instance) => {
    const app = await startRealApp([APP], { INSTANCE: instance, STATSD_PORT: String(statsd.port), ...(instance === 'shop-b' ? { HEAP_BALLAST_MB: String(BALLAST_MB) } : {}) })
    pids.push(app.pid)
    t.teardown(() => app.stop())
    return app
  }))
  for (const [i, instance] of instances.entries()) {
    for (let n = 0; n < SENT[instance]; n++) await apps[i]!.send(instance, '/checkout')
  }
  t.same(apps.map((app) => app.exchanges.filter((exchange) => exchange.status === 200).length), [SENT['shop-a'], SENT['shop-b']], 'every request answered 200')
  const total = SENT['shop-a'] + SENT['shop-b']

  // The daemon got them all (its own view), then carbon stored them.
  await waitFor('the daemon counting every request', 20_000, () => {
    const counted = Object.entries(statsd.counters()).filter(([name]) => name.startsWith('http_request;')).reduce((a, [, v]) => a + (v as number), 0)
    return counted === total ? true : undefined
  })
  const countSeries = (): string[] => [...carbon.series().keys()].filter((name) => name.startsWith('stats.counters.http_request.count;'))
  const stored = await waitFor('carbon storing every request', 30_000, () => {
    const names = countSeries()
    return names.length > 0 && sum(names.flatMap((name) => carbon.points(name))) === total ? names : undefined
  })
  t.equal(stored.length, 1, `one counter series for both instances: ${stored.join(', ')}`)
  const [series] = stored as [string]
  t.match(series, /;controller=-checkout(;|$)/)
  t.notMatch(series, /instance=/, 'counters carry no instance tag')
  t.equal(sum(carbon.points(series)), total, `${SENT['shop-a']} + ${SENT['shop-b']} requests add up in carbon`)
  t.ok(carbon.series().get(series)!.endsWith(taggedPath(series)), 'stored where carbon keeps a tagged series (_tagged/<sha256>)')

  // Process gauges: one series per instance, each keeping its own reading.
  const heap = await waitFor('both instances\' heap gauges in carbon', 30_000, () => {
    const names = [...carbon.series().keys()].filter((name) => name.startsWith('stats.gauges.process.heap_used;')).sort()
    return names.length === 2 && names.every((name) => carbon.points(name).length > 0) ? names : undefined
  })
  t.same(heap, ['stats.gauges.process.heap_used;instance=shop-a', 'stats.gauges.process.heap_used;instance=shop-b'], 'two series, tagged by instance')
  const heapA = Math.max(...carbon.points(heap[0]!))
  const heapB = Math.max(...carbon.points(heap[1]!))
  t.ok(heapB - heapA > (BALLAST_MB / 2) * 1024 * 1024, `each keeps its own reading: shop-b ${(heapB / 2 ** 20).toFixed(1)} MB, shop-a ${(heapA / 2 ** 20).toFixed(1)} MB`)
  t.comment(`${((Date.now() - started) / 1000).toFixed(1)} s in all`)
})

t.test('no process of the StatsD test is left', async (t) => {
  t.equal(pids.length, 3, 'carbon and two apps were started (the daemon is checked by its own helper)')
  for (const pid of pids) t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`)
})
