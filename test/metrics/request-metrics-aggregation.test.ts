import { StatsD } from 'hot-shots'
import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { recordStatsdSends } from '../../lib/aggregate/statsd-recording.ts'
import type { CounterStats, SeriesHandle } from '../../lib/aggregate/types.ts'
import { RequestMetrics, type RequestMetricsOptions } from '../../lib/metrics/request-metrics.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

/** An aggregator whose every series throws when recorded into. */
class BrokenAggregator extends Aggregator {
  override series (): SeriesHandle {
    const broken = (): never => { throw new Error('aggregation broke') }
    return { record: broken, recordAt: broken }
  }
}

const base = {
  tagFormat: 'datadog',
  sampleRate: 1,
  maxControllers: 10,
  onSendError: (err: unknown) => { throw err },
  onControllerOverflow: () => {},
} as const

t.test('fast path: an aggregation failure is reported, and the lines are sent all the same', async (t) => {
  const sent: string[] = []
  const errors: unknown[] = []
  const metrics = new RequestMetrics({
    ...base,
    client: {} as StatsD,
    preformatted: {
      prefix: '',
      globalTags: [],
      add: (head, thousandths, tail) => sent.push(`${Buffer.from(head).toString()}${thousandths / 1000}${Buffer.from(tail).toString()}`),
      close: async () => {},
      dropped: () => ({ dns: 0, socket: 0, queue_full: 0 }),
    },
    aggregator: new BrokenAggregator({ maxSeries: 10 }),
    recording: null,
    onAggregationError: (err) => errors.push(err),
  })
  metrics.recordRequest('/a', 'GET', 200, 1.5)
  t.equal(sent.length, 1)
  t.match(sent[0], /^http_request:1\|c\|#http_status:200/)
  t.match(sent[0], /\nhttp_request\.response_time:1\.5\|ms\|#http_status:200/)
  t.equal(errors.length, 1)
})

t.test('through the client: failures are reported, metrics are sent, the recording is unmuted after each send', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const client = new StatsD({ host: '127.0.0.1', port: statsd.port, maxBufferSize: 0, errorHandler: () => {} })
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())))
  const errors: unknown[] = []
  const options: RequestMetricsOptions = {
    ...base,
    client,
    preformatted: undefined,
    aggregator: new BrokenAggregator({ maxSeries: 10 }),
    recording: recordStatsdSends(client, new Aggregator({ maxSeries: 10 }), () => {}),
    onAggregationError: (err) => errors.push(err),
  }
  const metrics = new RequestMetrics(options)
  metrics.recordRequest('/a', 'GET', 200, 1.5)
  metrics.recordException('/a', 'TypeError')
  metrics.recordClientRequest('api.example.com', 'GET', 503, 12)
  await statsd.waitFor((lines) => lines.length >= 5)
  t.equal(errors.length, 4, 'request (once for both series), exception, client counter and timing')
  t.equal(options.recording?.muted, false)
})

t.test('through the client: vigie\'s own sends are recorded once, through their handles, not again by the recording', async (t) => {
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const client = new StatsD({ host: '127.0.0.1', port: statsd.port, maxBufferSize: 0, errorHandler: () => {} })
  t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())))
  const aggregator = new Aggregator({ maxSeries: 10 })
  const metrics = new RequestMetrics({
    ...base,
    client,
    preformatted: undefined,
    aggregator,
    recording: recordStatsdSends(client, aggregator, () => {}),
    onAggregationError: (err) => { throw err },
  })
  for (let i = 0; i < 3; i++) metrics.recordRequest('/a', 'GET', 200, 1.5)
  metrics.recordException('/a', 'TypeError')
  client.increment('user_metric')
  await statsd.waitFor((lines) => lines.length >= 8)
  const counts = Object.fromEntries(aggregator.snapshot().series.map((s) => [s.name, (s.windows['1m'] as CounterStats).count]))
  t.same(counts, { http_request: 3, 'http_request.response_time': 3, 'http_request.exception': 1, user_metric: 1 })
})
