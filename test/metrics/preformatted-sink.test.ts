import t from 'tap'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { createPreformattedSink } from '../../lib/metrics/preformatted-sink.ts'
import { closeStatsdClient, createStatsdClient } from '../../lib/metrics/statsd-client.ts'
import { telegrafTag } from '../../lib/metrics/tag-format.ts'
import type { PreformattedSink } from '../../lib/metrics/request-metrics.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { startTcpCollector } from '../helpers/tcp-server.ts'
import type { VigieOptions } from '../../lib/types.ts'

// Tags at the edge of what each format's startup check lets through (tag-format.ts); what hot-shots
// would still change is refused there. The DogStatsD ones are ASCII: hot-shots writes TCP text as ASCII.
const EDGE_TAGS = {
  datadog: { env: 'prod', region: 'eu:west', 'build id': 'a b\\', 'k=ey': 'v=1' },
  telegraf: { env: 'prod', version: '1.2.3', path: '/a/b', team: 'caf\u00e9' },
}

/** One counter line written through the sink as RequestMetrics writes its lines. */
function addCounter (sink: PreformattedSink, format: 'datadog' | 'telegraf'): void {
  if (format === 'telegraf') {
    sink.add(Buffer.from(`${sink.prefix}m,${sink.globalTags.map(telegrafTag).join(',')}:`), 1000, Buffer.from('|c'))
  } else {
    sink.add(Buffer.from(`${sink.prefix}m:`), 1000, Buffer.from(`|c|#${sink.globalTags.join(',')}`))
  }
}

for (const format of ['datadog', 'telegraf'] as const) {
  t.test(`${format}, UDP: the prefix and global tags are on the wire byte for byte as hot-shots puts them`, async (t) => {
    const listener = await startStatsdListener()
    t.teardown(() => listener.close())
    const options = resolveOptions({ statsd: { host: '127.0.0.1', port: listener.port, prefix: 'shop', globalTags: EDGE_TAGS[format], tagFormat: format, maxBufferSize: 0 } }).statsd
    const client = createStatsdClient(options, (err) => t.error(err))
    const sink = createPreformattedSink(options, (err) => t.error(err))!
    client.increment('m')
    await listener.waitFor((lines) => lines.length === 1)
    addCounter(sink, format)
    await listener.waitFor((lines) => lines.length === 2)
    t.equal(listener.lines[1], listener.lines[0])
    t.match(listener.lines[0], /^shop\.m/)
    await Promise.all([sink.close(), closeStatsdClient(client)])
  })
}

t.test('TCP: the same bytes as hot-shots, each write ended by a newline', async (t) => {
  const server = await startTcpCollector(t)
  const options = resolveOptions({ statsd: { host: '127.0.0.1', port: server.port, protocol: 'tcp', prefix: 'shop.', globalTags: EDGE_TAGS.datadog, maxBufferSize: 0 } }).statsd
  const client = createStatsdClient(options, (err) => t.error(err))
  const sink = createPreformattedSink(options, (err) => t.error(err))!
  client.increment('m')
  await new Promise((resolve) => setTimeout(resolve, 100))
  addCounter(sink, 'datadog')
  await Promise.all([sink.close(), closeStatsdClient(client)])
  const [fromHotShots, fromVigie, rest] = server.received().split('\n')
  t.equal(fromVigie, fromHotShots)
  t.equal(rest, '', 'nothing after the final newline')
})

t.test('hot-shots writes the lines itself for a Unix socket, sampling, Datadog mode and a client of your own', async (t) => {
  const { StatsD } = await import('hot-shots')
  const client = new StatsD({ mock: true })
  const cases: Array<VigieOptions['statsd']> = [
    { protocol: 'uds', path: '/tmp/vigie-statsd.sock' },
    { sampleRate: 0.5 },
    { datadog: true },
    { client },
  ]
  for (const statsd of cases) {
    t.equal(createPreformattedSink(resolveOptions({ statsd }).statsd, () => {}), undefined, JSON.stringify(Object.keys(statsd ?? {})))
  }
  client.close()
})

t.test('batches follow maxBufferSize; close() sends the last one and reports what was dropped', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const options = resolveOptions({ statsd: { host: '127.0.0.1', port: listener.port, maxBufferSize: 64, bufferFlushInterval: 60_000 } }).statsd
  const sink = createPreformattedSink(options, (err) => t.error(err))!
  for (let i = 0; i < 10; i++) sink.add(Buffer.from('req:'), i * 1000, Buffer.from('|ms'))
  await sink.close()
  await listener.waitFor((lines) => lines.length === 10)
  t.same(listener.lines, Array.from({ length: 10 }, (_, i) => `req:${i}|ms`))
  t.ok(listener.datagramSizes.every((size) => size <= 64))
  t.same(sink.dropped(), { dns: 0, socket: 0, queue_full: 0 })
})
