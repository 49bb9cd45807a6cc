// The registry and its two formats, without a server: names, labels, escaping, collisions, the
// cap, values that cannot be exposed, format negotiation, and the fan-out beside the aggregation.
import t from 'tap'
import { Aggregator } from '../../lib/aggregate/aggregator.ts'
import { fanOut } from '../../lib/metrics/recorder-fan-out.ts'
import type { MetricRecorder } from '../../lib/metrics/metric-recorder.ts'
import { expose, formatFor } from '../../lib/prometheus/exposition.ts'
import { familyNameOf, sanitizeName } from '../../lib/prometheus/metric-names.ts'
import { PrometheusRegistry } from '../../lib/prometheus/prometheus-registry.ts'
import { PROMTOOL, promtoolCheck, samples } from '../helpers/prometheus.ts'
import { needs } from '../helpers/system-packages.ts'

function registry (maxSeries = 100): { registry: PrometheusRegistry, drops: string[] } {
  const drops: string[] = []
  return { registry: new PrometheusRegistry({ maxSeries, onFirstDrop: (reason, detail) => drops.push(`${reason}: ${detail}`) }), drops }
}

t.test('names: vigie\'s own fixed, the others sanitised, with their suffixes once', async (t) => {
  t.same(['http_request', 'http_request.exception', 'db.query', 'http_client_request'].map((name) => familyNameOf('counter', name).name),
    ['http_requests_total', 'http_request_exceptions_total', 'db_queries_total', 'http_client_requests_total'])
  t.same(['http_request.response_time', 'db.query.response_time', 'http_request.db_time', 'http_client_request.response_time'].map((name) => familyNameOf('timing', name).name),
    ['http_request_duration_seconds', 'db_query_duration_seconds', 'http_request_db_time_seconds', 'http_client_request_duration_seconds'])
  t.equal(familyNameOf('counter', 'orders.placed').name, 'orders_placed_total')
  t.equal(familyNameOf('counter', 'jobs_total').name, 'jobs_total', 'not doubled')
  t.equal(familyNameOf('counter', '_total').name, '_total_total', 'a bare suffix is a name, not a suffix')
  t.equal(familyNameOf('timing', 'render-time').name, 'render_time_seconds')
  t.equal(familyNameOf('timing', 'job.duration_seconds').name, 'job_duration_seconds')
  t.equal(familyNameOf('gauge', 'process.heap_used').name, 'process_heap_used')
  t.equal(familyNameOf('gauge', 'http_request').type, 'gauge', 'a gauge is never one of vigie\'s counters')
  t.same(['a.b-c', '9lives', 'ünï/côdé:x', ''].map(sanitizeName), ['a_b_c', '_9lives', '_n__c_d__x', '_'])
})

t.test('labels: sorted, renamed on the http metrics, sanitised, escaped; empty ones left out', async (t) => {
  const { registry: r } = registry()
  r.record('counter', 'http_request', ['http_status:200', 'http_status_class:2xx', 'method:GET', 'controller:/a'], 1)
  r.record('counter', 'http_request', ['controller:/a', 'method:GET', 'http_status_class:2xx', 'http_status:200'], 2)
  r.record('counter', 'orders', ['http_status:200', 'note:say "hi"\\ to\nall', '__meta:x', 'bare', 'empty:', 'note:second', 'dotted.key:1'], 1)
  r.record('timing', 'render', ['le:high'], 7)
  r.record('gauge', 'process.rss', ['instance:web-1', 'kind:x'], 9)
  const text = expose(r, 'text')
  t.match(text, 'http_requests_total{controller="/a",method="GET",status="200",status_class="2xx"} 3\n', 'one series whatever the tags\' order')
  t.match(text, 'orders_total{dotted_key="1",http_status="200",note="say \\"hi\\"\\\\ to\\nall",tag__meta="x"} 1\n',
    'the app\'s tags keep their names; escaped values; first of two same names kept')
  t.match(text, 'render_seconds_bucket{exported_le="high",le="0.01"} 1\n', 'a tag named le on a histogram')
  t.match(text, 'process_rss{kind="x"} 9\n', 'no instance label: Prometheus adds its target\'s')
})

t.test('values: counters summed, histograms in seconds and cumulative, gauges last; the rest counted as invalid', async (t) => {
  const { registry: r } = registry()
  const handle = r.series('timing', 'op', [])
  for (const ms of [1, 5, 5.0001, 30, 900, 20_000]) handle.recordAt(ms, 0)
  r.record('counter', 'hits', [], 2)
  r.record('counter', 'hits', [], 0.5)
  r.record('counter', 'hits', [], -1)
  r.record('counter', 'hits', [], Infinity)
  r.record('timing', 'op', [], -3)
  r.record('timing', 'op', [], NaN)
  r.record('gauge', 'temp', [], 3)
  r.record('gauge', 'temp', [], -2.5)
  r.record('gauge', 'ratio', [], NaN)
  const all = samples(expose(r, 'text'))
  t.equal(all.get('hits_total'), 2.5)
  t.same(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'].map((le) => all.get(`op_seconds_bucket{le="${le}"}`)),
    [2, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6], '5 ms is in le="0.005", 5.0001 ms is not')
  t.equal(all.get('op_seconds_count'), 6)
  t.equal(all.get('op_seconds_sum'), (1 + 5 + 5.0001 + 30 + 900 + 20_000) / 1000)
  t.equal(all.get('temp'), -2.5)
  t.ok(Number.isNaN(all.get('ratio')), 'NaN')
  t.equal(all.get('vigie_prometheus_dropped_total{reason="invalid_value"}'), 4)
})

t.test('a name taken by another metric: the first keeps it, the other is dropped and counted, one report', async (t) => {
  const { registry: r, drops } = registry()
  r.record('counter', 'jobs', [], 1)
  r.record('gauge', 'jobs', [], 5)
  r.record('gauge', 'jobs_total', [], 5)
  r.record('counter', 'jobs_total', [], 1)
  r.record('timing', 'wait', [], 1)
  r.record('gauge', 'wait_seconds_count', [], 1)
  r.record('counter', 'a.b', [], 1)
  r.record('counter', 'a-b', [], 1)
  r.record('gauge', 'vigie_prometheus_dropped', [], 1)
  const all = samples(expose(r, 'text'))
  t.equal(all.get('jobs_total'), 1, 'the counter kept its name')
  t.equal(all.get('a_b_total'), 1, 'the first of two names that sanitise alike')
  t.equal(all.get('vigie_prometheus_dropped_total{reason="name_conflict"}'), 6)
  t.same(drops, ['name_conflict: gauge "jobs"'])
})

t.test('bounded: past maxSeries new series are dropped and counted, the others keep counting; no memory for the flood', async (t) => {
  const { registry: r, drops } = registry(10)
  const kept = r.series('counter', 'http_request', ['controller:/a'])
  for (let i = 0; i < 10_000; i++) r.record('counter', `flood.${i}`, [`n:${i}`], 1)
  kept.record(1)
  t.equal(r.seriesCount, 10)
  t.equal(r.families().length, 10)
  const all = samples(expose(r, 'text'))
  t.equal(all.get('http_requests_total{controller="/a"}'), 1)
  t.equal(all.get('vigie_prometheus_dropped_total{reason="series_cap"}'), 10_000 - 9)
  t.same(drops, ['series_cap: flood_9_total{n="9"}'])
  const again = r.series('counter', 'flood.5000', ['n:5000'])
  again.record(1)
  t.equal(all.size, 10 + 3, 'nothing else exposed')
})

t.test('handles are cached: the same series gives the same handle', async (t) => {
  const { registry: r } = registry()
  t.equal(r.series('counter', 'x', ['a:1']), r.series('counter', 'x', ['a:1']))
})

t.test('both formats; promtool accepts the text one, odd names included', needs(PROMTOOL), async (t) => {
  const { registry: r } = registry()
  r.record('counter', 'http_request', ['http_status:200', 'http_status_class:2xx', 'method:GET', 'controller:/users/:id'], 1)
  r.record('timing', 'http_request.response_time', ['http_status:200', 'http_status_class:2xx', 'method:GET', 'controller:/users/:id'], 12)
  r.record('counter', '9.odd name/ü', ['weird key:v"\\\n'], 1)
  r.record('gauge', 'slo.sli', ['slo:api'], 0.999)
  r.record('timing', 'no.tags', [], 3)
  const text = expose(r, 'text')
  const check = await promtoolCheck(text)
  t.equal(check.code, 0, `promtool: ${check.output}`)
  t.match(text, '# HELP _9_odd_name___total vigie: the counter "9.odd name/ü".\n# TYPE _9_odd_name___total counter\n')
  t.match(text, 'slo_sli{slo="api"} 0.999\n')
  t.match(text, 'no_tags_seconds_bucket{le="+Inf"} 1\nno_tags_seconds_sum 0.003\nno_tags_seconds_count 1\n')
  const om = expose(r, 'openmetrics')
  t.match(om, '# HELP http_requests Requests answered')
  t.match(om, '# TYPE http_requests counter\nhttp_requests_total{')
  t.match(om, 'le="10.0"} 1\n')
  t.match(om, '# TYPE vigie_prometheus_dropped counter\n')
  t.ok(om.endsWith('# EOF\n'))
  t.notOk(text.includes('# EOF'))
})

t.test('the format asked for', async (t) => {
  t.equal(formatFor(undefined), 'text')
  t.equal(formatFor('*/*'), 'text')
  t.equal(formatFor('text/plain;version=0.0.4'), 'text')
  t.equal(formatFor('application/openmetrics-text; version=1.0.0'), 'openmetrics')
  t.equal(formatFor('text/plain;q=0.5, application/openmetrics-text;version=0.0.1;q=0.75'), 'openmetrics')
  t.equal(formatFor('application/openmetrics-text;q=0'), 'text')
  t.equal(formatFor(['text/plain', 'application/openmetrics-text']), 'openmetrics')
})

t.test('fan-out: one recording, both recorders; one failing does not keep the value from the other', async (t) => {
  const aggregator = new Aggregator({ maxSeries: 10 })
  const { registry: r } = registry()
  t.equal(fanOut(null, null), null)
  t.equal(fanOut(aggregator, null), aggregator)
  t.equal(fanOut(null, r), r)
  const both = fanOut(aggregator, r)!
  both.series('counter', 'hits', []).recordAt(2, both.now())
  both.series('counter', 'hits', []).record(1)
  both.record('counter', 'hits', [], 1)
  t.equal(samples(expose(r, 'text')).get('hits_total'), 4)
  t.equal(aggregator.snapshot().series.find((s) => s.name === 'hits')?.windows['1m'].count, 4)

  const broken: MetricRecorder = {
    now: () => 0,
    series: () => ({ record () { throw new Error('broken') }, recordAt () { throw new Error('broken') } }),
    record () { throw new Error('broken') },
  }
  const { registry: other } = registry()
  const half = fanOut(broken, other)!
  t.throws(() => half.series('counter', 'x', []).recordAt(1, 0), { message: 'broken' })
  t.throws(() => half.series('counter', 'x', []).record(1), { message: 'broken' })
  t.throws(() => half.record('counter', 'x', [], 1), { message: 'broken' })
  t.equal(samples(expose(other, 'text')).get('x_total'), 3, 'the registry recorded all three')
})
