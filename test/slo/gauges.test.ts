// The SLO gauges as a real UDP listener receives them from a real hot-shots client: names,
// values and the `slo`/`window` tags in both tag formats, the prefix and global tags applied.
import { StatsD } from 'hot-shots'
import t from 'tap'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { trackSlos } from '../helpers/slo.ts'
import { SLO_METRIC_NAMES } from '../../lib/index.ts'

for (const tagFormat of ['datadog', 'telegraf'] as const) {
  t.test(`slo.sli, slo.error_budget_remaining and slo.burn_rate (${tagFormat})`, async (t) => {
    const listener = await startStatsdListener()
    const client = new StatsD({ host: '127.0.0.1', port: listener.port, prefix: 'shop.', globalTags: { env: 'test' }, maxBufferSize: 0, telegraf: tagFormat === 'telegraf' })
    t.teardown(async () => {
      await new Promise((resolve) => client.close(resolve))
      await listener.close()
    })
    const slos = trackSlos(t, [
      { name: 'api', objective: 99, window: '1h', sli: 'availability' },
      { name: 'quiet', objective: 99, window: '30d', sli: 'availability', controllers: ['/never'] },
    ], { statsd: client, tagFormat, gaugeIntervalMs: 50 })
    for (let i = 0; i < 9; i++) slos.end('/a', 200)
    slos.end('/a', 500)
    const tag = (key: string, value: string): string => tagFormat === 'telegraf' ? `${key}=${value}` : `${key}:${value}`
    const line = (name: string, value: string, tags: string[]): string => tagFormat === 'telegraf'
      ? `shop.${name},${tags.join(',')}:${value}|g`
      : `shop.${name}:${value}|g|#${tags.join(',')}`
    // hot-shots puts the global tags first.
    const expected = [
      line('slo.sli', '0.9', [tag('env', 'test'), tag('slo', 'api')]),
      line('slo.error_budget_remaining', '-9', [tag('env', 'test'), tag('slo', 'api')]),
      line('slo.burn_rate', '10', [tag('env', 'test'), tag('slo', 'api'), tag('window', '5m')]),
      line('slo.burn_rate', '10', [tag('env', 'test'), tag('slo', 'api'), tag('window', '1h')]),
      line('slo.error_budget_remaining', '1', [tag('env', 'test'), tag('slo', 'quiet')]),
    ]
    const arrived = await listener.waitFor((lines) => expected.every((l) => lines.includes(l))).then(() => true, () => false)
    t.ok(arrived, `every gauge arrived (the first lines: ${listener.lines.slice(0, 6).join(' ')})`)
    const first = listener.lines.slice(0, listener.lines.indexOf(expected[4]!) + 1)
    t.notOk(first.some((l) => l.includes('window') && l.includes('2h')), 'no burn rate for windows longer than the SLO\'s')
    t.notOk(first.some((l) => l.includes('quiet') && !l.includes('error_budget_remaining')), 'no SLI nor burn rate before any event')
    t.equal(SLO_METRIC_NAMES.burnRate, 'slo.burn_rate')
    await slos.close()
    const sent = listener.lines.length
    await new Promise((resolve) => setTimeout(resolve, 200))
    t.equal(listener.lines.length, sent, 'closed: no more gauges')
  })
}

t.test('a client that throws is reported, and the gauges go on', async (t) => {
  let calls = 0
  const slos = trackSlos(t, [{ name: 'api', objective: 99, window: '1h', sli: 'availability' }], {
    statsd: { gauge: () => { calls++; throw new Error('socket gone') } },
    gaugeIntervalMs: 20,
  })
  slos.end('/a', 200)
  await new Promise((resolve) => setTimeout(resolve, 120))
  t.ok(calls >= 2, `called again after a throw (${calls})`)
  t.match(slos.reports.failures[0], { subsystem: 'slo gauges', err: { message: 'socket gone' } })
})

t.test('the instance tag comes first, before slo and window: two workers keep two series', async (t) => {
  const listener = await startStatsdListener()
  const client = new StatsD({ host: '127.0.0.1', port: listener.port, maxBufferSize: 0 })
  t.teardown(async () => {
    await new Promise((resolve) => client.close(resolve))
    await listener.close()
  })
  const slos = trackSlos(t, [{ name: 'api', objective: 99, window: '1h', sli: 'availability' }], { statsd: client, gaugeIntervalMs: 50, instanceTags: ['instance:web-7'] })
  slos.end('/a', 200)
  await listener.waitFor((lines) => lines.includes('slo.burn_rate:0|g|#instance:web-7,slo:api,window:5m'))
  t.ok(listener.lines.includes('slo.sli:1|g|#instance:web-7,slo:api'))
  t.notOk(listener.lines.some((line) => !line.includes('#instance:web-7,')), 'on every gauge')
  await slos.close()
})
