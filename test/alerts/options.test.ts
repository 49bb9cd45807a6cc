import Fastify from 'fastify'
import t from 'tap'
import { ERROR_CODES, expressObservability, observability } from '../../lib/index.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { ThresholdRule } from '../../lib/types.ts'

const RULE: ThresholdRule = {
  name: 'slow-checkout',
  metric: 'http_request.response_time',
  stat: 'p90',
  tags: { controller: '/checkout' },
  window: '5m',
  above: 500,
  clear: 400,
  for: '2m',
  severity: 'ticket',
}

const resolve = (rules: unknown[], more: Record<string, unknown> = {}): ReturnType<typeof resolveOptions> =>
  resolveOptions({ alerts: { rules, ...more } } as never, {})

t.test('alerts resolve with their defaults: no rule, evaluated every 10 s, repeated every 4 h', async (t) => {
  const none = resolveOptions({}, {}).alerts
  t.same(none, { rules: [], plans: { page: [], ticket: [], info: [] }, evaluationIntervalMs: 10_000, repeatIntervalMs: 4 * 3_600_000 })
  t.ok(Object.isFrozen(none))
  const plans = { page: [{ type: 'log' }] }
  const alerts = resolveOptions({ alerts: { rules: [RULE], plans, evaluationInterval: '30s', repeatInterval: '1h' } } as never, {}).alerts
  t.same(alerts.plans, { page: [{ type: 'log', option: 'alerts.plans.page[0]', severity: 'page' }], ticket: [], info: [] }, 'plans are resolved with the other options')
  t.throws(() => resolveOptions({ alerts: { plans: { page: [{ type: 'webhook' }] } } } as never, {}), { code: 'VIGIE_ERR_INVALID_OPTION', options: ['alerts.plans.page[0].url'] }, 'a bad plan fails at startup')
  t.equal(alerts.evaluationIntervalMs, 30_000)
  t.equal(alerts.repeatIntervalMs, 3_600_000)
  t.match(alerts.rules[0], {
    name: 'slow-checkout',
    stat: 'p90',
    source: { type: 'stat', metric: 'http_request.response_time', tags: [['controller', '/checkout']] },
    window: '5m',
    windowMs: 300_000,
    direction: 'above',
    threshold: 500,
    clear: 400,
    forMs: 120_000,
    keepFiringForMs: 0,
    minCount: 0,
    severity: 'ticket',
    labels: { controller: '/checkout' },
  })
  t.ok(Object.isFrozen(alerts.rules[0]))
})

t.test('errorRatio is 5xx http_request over all http_request, with the rule\'s tags on both sides', async (t) => {
  const [rule] = resolve([{ name: 'errors', stat: 'errorRatio', tags: { controller: '/pay' }, window: '1m', above: 0.05, severity: 'page' }]).alerts.rules
  t.same(rule!.source, {
    type: 'ratio',
    numerator: { metric: 'http_request', tags: [['controller', '/pay'], ['http_status_class', '5xx']] },
    denominator: { metric: 'http_request', tags: [['controller', '/pay']] },
  })
  const [ratio] = resolve([{ name: 'r', stat: 'ratio', numerator: { metric: 'orders.failed' }, denominator: { metric: 'orders', tags: { channel: 'web' } }, window: '10m', below: 0.5, clear: 0.6, severity: 'info' }]).alerts.rules
  t.same(ratio!.source, { type: 'ratio', numerator: { metric: 'orders.failed', tags: [] }, denominator: { metric: 'orders', tags: [['channel', 'web']] } })
  t.equal(ratio!.direction, 'below')
  t.equal(ratio!.clear, 0.6)
})

t.test('each bad rule throws a coded error naming the field', async (t) => {
  const base = { name: 'r', metric: 'orders', stat: 'count', window: '5m', above: 1, severity: 'page' }
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['unknown stat', { stat: 'p999' }, 'alerts.rules[0].stat', 'one of "count", "rate"'],
    ['a counter has no p99', { metric: 'http_request', stat: 'p99' }, 'alerts.rules[0].stat', 'a statistic of a counter ("http_request" is one): "count", "rate"'],
    ['a timing has no rate', { metric: 'http_request.response_time', stat: 'rate' }, 'alerts.rules[0].stat', 'a statistic of a timing'],
    ['a gauge has no count', { metric: 'process.rss', stat: 'count' }, 'alerts.rules[0].stat', 'a statistic of a gauge ("process.rss" is one): "mean", "min", "max", "last"'],
    ['no metric', { metric: undefined }, 'alerts.rules[0].metric', 'a metric name'],
    ['window too short', { window: '5s' }, 'alerts.rules[0].window', 'from 10s to 1h'],
    ['window too long', { window: '61m' }, 'alerts.rules[0].window', 'from 10s to 1h'],
    ['window not a duration', { window: 300 }, 'alerts.rules[0].window', 'a duration'],
    ['window shorter than for', { window: '1m', for: '2m' }, 'alerts.rules[0].window', 'at least the rule\'s "for" (2m)'],
    ['neither above nor below', { above: undefined }, 'alerts.rules[0].above', 'exactly one of "above" and "below"'],
    ['both above and below', { below: 0 }, 'alerts.rules[0].below', 'exactly one of "above" and "below"'],
    ['threshold not a number', { above: '1' }, 'alerts.rules[0].above', 'a finite number'],
    ['clear above an above threshold', { above: 10, clear: 11 }, 'alerts.rules[0].clear', 'at most the threshold (above: 10)'],
    ['clear below a below threshold', { above: undefined, below: 10, clear: 9 }, 'alerts.rules[0].clear', 'at least the threshold (below: 10)'],
    ['bad severity', { severity: 'critical' }, 'alerts.rules[0].severity', 'one of "page", "ticket", "info"'],
    ['no severity', { severity: undefined }, 'alerts.rules[0].severity', 'one of "page"'],
    ['bad name', { name: 'a b' }, 'alerts.rules[0].name', 'letters, digits and "._-"'],
    ['a name like a burn-rate rule\'s', { name: 'slo:x' }, 'alerts.rules[0].name', 'letters, digits'],
    ['minCount 0', { minCount: 0 }, 'alerts.rules[0].minCount', 'a positive integer'],
    ['keepFiringFor not a duration', { keepFiringFor: '1w' }, 'alerts.rules[0].keepFiringFor', 'a duration'],
    ['a tag that is not a string', { tags: { controller: 1 } }, 'alerts.rules[0].tags.controller', 'a string'],
    ['ratio without denominator', { metric: undefined, stat: 'ratio', numerator: { metric: 'a' } }, 'alerts.rules[0].denominator', 'a ratio needs a numerator and a denominator'],
    ['ratio without numerator', { metric: undefined, stat: 'ratio', denominator: { metric: 'a' } }, 'alerts.rules[0].numerator', 'a ratio needs a numerator and a denominator'],
    ['ratio with a metric', { stat: 'ratio', numerator: { metric: 'a' }, denominator: { metric: 'b' } }, 'alerts.rules[0].metric', 'absent for stat "ratio"'],
    ['ratio of a gauge', { metric: undefined, stat: 'ratio', numerator: { metric: 'process.rss' }, denominator: { metric: 'b' } }, 'alerts.rules[0].numerator.metric', 'a counter or a timing'],
    ['numerator without ratio', { numerator: { metric: 'a' } }, 'alerts.rules[0].numerator', 'absent'],
    ['errorRatio on another metric', { stat: 'errorRatio', metric: 'orders' }, 'alerts.rules[0].metric', '"http_request" or absent'],
    ['a typo in one of vigie\'s metrics', { metric: 'http_requests', stat: 'count' }, 'alerts.rules[0].metric', 'one of vigie\'s metrics (names starting with "http_request" are vigie\'s): "http_request", "http_request.response_time"'],
    ['a process gauge vigie does not send', { metric: 'process.heap', stat: 'last' }, 'alerts.rules[0].metric', 'one of vigie\'s metrics (names starting with "process." are vigie\'s)'],
    ['errorRatio above a percentage', { stat: 'errorRatio', metric: undefined, above: 5 }, 'alerts.rules[0].above', 'a ratio from 0 to 1 (0.05 for 5 %)'],
    ['errorRatio clearing at a percentage', { stat: 'errorRatio', metric: undefined, above: 0.05, clear: -1 }, 'alerts.rules[0].clear', 'a ratio from 0 to 1'],
    ['ratio with rule tags', { metric: undefined, stat: 'ratio', tags: { a: 'b' }, numerator: { metric: 'a' }, denominator: { metric: 'b' } }, 'alerts.rules[0].tags', 'absent for stat "ratio"'],
    ['tags not an object', { tags: ['controller:/'] }, 'alerts.rules[0].tags', 'an object of at most 20 tags'],
    ['too many tags', { tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'alerts.rules[0].tags', 'an object of at most 20 tags'],
  ]
  for (const [what, change, option, expected] of cases) {
    const rule = { ...base, ...change }
    for (const key of Object.keys(rule)) if ((rule as Record<string, unknown>)[key] === undefined) delete (rule as Record<string, unknown>)[key]
    t.throws(() => resolve([rule]), { name: 'VigieError', code: ERROR_CODES.INVALID_OPTION, option, message: new RegExp(`option "${option.replace(/[[\].]/g, '\\$&')}" must be .*${expected.replace(/[()[\].*+?"]/g, '\\$&')}`) }, what)
  }
  t.throws(() => resolve([base, { ...base, name: 'other' }, { ...base }]), {
    code: ERROR_CODES.INVALID_OPTION, option: 'alerts.rules[2].name', message: /a name no other rule has \(alerts\.rules\[0\] is named so too\)/,
  }, 'duplicate names')
  t.throws(() => resolve([{ ...base, treshold: 1 }]), { code: ERROR_CODES.UNKNOWN_OPTION, option: 'alerts.rules[0].treshold' }, 'a typo in a rule')
  t.throws(() => resolve([{ ...base, metric: undefined, stat: 'ratio', numerator: { metric: 'a', tag: {} }, denominator: { metric: 'b' } }]), { code: ERROR_CODES.UNKNOWN_OPTION, option: 'alerts.rules[0].numerator.tag' })
  t.throws(() => resolve([base, 'rule']), { code: ERROR_CODES.INVALID_OPTION, option: 'alerts.rules[1]' })
  t.throws(() => resolveOptions({ alerts: { rules: base } } as never, {}), { code: ERROR_CODES.INVALID_OPTION, option: 'alerts.rules' })
  t.throws(() => resolveOptions({ alerts: { rule: [] } } as never, {}), { code: ERROR_CODES.UNKNOWN_OPTION, option: 'alerts.rule' })
  t.throws(() => resolveOptions({ alerts: true } as never, {}), { code: ERROR_CODES.INVALID_OPTION, option: 'alerts' })
})

t.test('bad intervals are refused, naming them', async (t) => {
  t.throws(() => resolve([], { evaluationInterval: '500ms' }), { code: ERROR_CODES.INVALID_OPTION, option: 'alerts.evaluationInterval' })
  t.throws(() => resolve([], { evaluationInterval: '11m' }), { code: ERROR_CODES.INVALID_OPTION, option: 'alerts.evaluationInterval', message: /from 1s to 10m/ })
  t.throws(() => resolve([], { repeatInterval: '30s' }), { code: ERROR_CODES.INVALID_OPTION, option: 'alerts.repeatInterval', message: /from 1m to 30d/ })
})

t.test('rules without the aggregation fail at startup, naming alerts.rules', async (t) => {
  t.throws(() => resolveOptions({ aggregation: false, alerts: { rules: [RULE] } }, {}), {
    code: ERROR_CODES.CONFLICTING_OPTIONS, option: 'alerts.rules', options: ['alerts.rules', 'aggregation'],
  })
  t.throws(() => resolveOptions({ alerts: { rules: [RULE] } }, { VIGIE_AGGREGATION: 'false' }), {
    code: ERROR_CODES.CONFLICTING_OPTIONS, option: 'alerts.rules', variables: ['VIGIE_AGGREGATION'],
  }, 'the variable that turned it off is named')
  t.equal(resolveOptions({ aggregation: false, alerts: { rules: [], repeatInterval: '1h' } }, {}).alerts.repeatIntervalMs, 3_600_000, 'no rule, no conflict')

  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => {
    await app.register(observability, { statsd: { port: 9 }, alerts: { rules: [{ ...RULE, stat: 'p42' as never }] } })
  }, {
    code: ERROR_CODES.INVALID_OPTION, option: 'alerts.rules[0].stat',
  }, 'registering the plugin rejects')
})

t.test('VIGIE_DISABLED: no rule is evaluated, alerts() is []', async (t) => {
  const rules = [{ ...RULE, name: 'always', metric: 'http_request', stat: 'count' as const, above: -1, for: undefined, clear: undefined }]
  const middleware = expressObservability({ statsd: { port: 9 }, alerts: { rules } })
  t.teardown(() => middleware.close())
  t.match(middleware.vigie.alerts(), [{ name: 'always', state: 'ok', value: null }], 'on: the rule is there')
  const previous = process.env.VIGIE_DISABLED
  process.env.VIGIE_DISABLED = '1'
  t.teardown(() => {
    if (previous === undefined) delete process.env.VIGIE_DISABLED
    else process.env.VIGIE_DISABLED = previous
  })
  const disabled = expressObservability({ statsd: { port: 9 }, alerts: { rules } })
  t.teardown(() => disabled.close())
  t.same(disabled.vigie.alerts(), [])
})
