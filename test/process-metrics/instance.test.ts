// The `instance` tag: one name per process, so that workers and replicas never overwrite each
// other's gauges. The cluster case runs a real node:cluster app and reads a real UDP listener.
import { hostname } from 'node:os'
import t from 'tap'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { defaultInstance } from '../../lib/options/resolve-instance.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { spawnBuilt } from '../helpers/run-built.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { until } from '../helpers/until.ts'

t.test('the default name: the host, with the worker\'s number under PM2; never the pid', async (t) => {
  t.equal(defaultInstance({ HOSTNAME: 'web-1' }), 'web-1')
  t.equal(defaultInstance({ HOSTNAME: 'web-1', NODE_APP_INSTANCE: '3' }), 'web-1-w3')
  t.equal(defaultInstance({ HOSTNAME: 'web 1:eu/x' }), 'web_1_eu_x', 'only letters, digits and ._- pass')
  t.equal(defaultInstance({ HOSTNAME: '' }), defaultInstance({}).length > 0 ? defaultInstance({ HOSTNAME: '' }) : 'localhost')
  t.equal(defaultInstance({}).includes(String(process.pid)) && !hostname().includes(String(process.pid)), false, 'no pid')
  t.equal(defaultInstance({ HOSTNAME: 'h'.repeat(300) }).length, 128, 'cut to 128 characters')
  t.equal(resolveOptions({}, { HOSTNAME: 'api-2' }).instance, 'api-2')
  t.equal(resolveOptions({ instance: 'eu-1.a_b' }, {}).instance, 'eu-1.a_b')
  t.equal(resolveOptions({ instance: false }, {}).instance, null)
  t.equal(resolveOptions({}, { VIGIE_INSTANCE: 'false' }).instance, null)
  t.equal(resolveOptions({}, { VIGIE_INSTANCE: 'blue-7' }).instance, 'blue-7')
  for (const bad of ['', 'two words', 'a:b', 'x'.repeat(129), 7]) {
    t.throws(() => resolveOptions({ instance: bad } as never, {}), { code: 'VIGIE_ERR_INVALID_OPTION', option: 'instance' }, JSON.stringify(bad))
  }
})

t.test('process and SLO gauges carry the tag; counters and timings do not; instance: false drops it', async (t) => {
  const { url, statsd, app } = await startApp(t, {
    vigie: { instance: 'web-7', processMetrics: { intervalMs: 1000 }, slos: [{ name: 'checkout', objective: 0.99, window: '1h', sli: 'availability' }] },
    routes (app) { app.get('/ok', async () => 'ok') },
  })
  t.equal(app.vigie.instance, 'web-7')
  await fetch(`${url}/ok`)
  await until(() => statsd.lines.some((line) => line.startsWith('process.heap_used:')))
  const heap = statsd.lines.find((line) => line.startsWith('process.heap_used:'))
  t.match(heap, /\|g\|#instance:web-7$/, 'a process gauge')
  const request = statsd.lines.find((line) => line.startsWith('http_request:'))
  t.notMatch(request, /instance/, 'a counter has no instance tag')

  const off = await startApp(t, { vigie: { instance: false, processMetrics: { intervalMs: 1000 } } })
  t.equal(off.app.vigie.instance, null)
  await until(() => off.statsd.lines.some((line) => line.startsWith('process.heap_used:')))
  t.match(off.statsd.lines.find((line) => line.startsWith('process.heap_used:')), /^process\.heap_used:\d+(\.\d+)?\|g$/, 'no tag at all')
})

t.test('node:cluster: each worker\'s gauges under its own instance, none overwriting another\'s', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const child = spawnBuilt(['test/fixtures/cluster/gauges.mjs'], { STATSD_PORT: String(statsd.port), WORKERS: '3', HOSTNAME: 'node-a' })
  t.teardown(() => { child.kill('SIGTERM') })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await until(() => out.split('\n').filter((line) => line.startsWith('ready')).length === 3, 20_000)
  const names = out.split('\n').filter((line) => line.startsWith('ready')).map((line) => line.split(' ')[2]).sort()
  t.same(names, ['node-a-w1', 'node-a-w2', 'node-a-w3'], 'the workers\' names')
  const tagsOf = (): Set<string> => new Set(statsd.lines.filter((line) => line.startsWith('process.rss:')).map((line) => line.slice(line.indexOf('#'))))
  await until(() => tagsOf().size === 3, 20_000)
  t.same([...tagsOf()].sort(), ['#instance:node-a-w1', '#instance:node-a-w2', '#instance:node-a-w3'], 'three series of process.rss')
})
