import t from 'tap'
import { ERROR_CODES, VigieError } from '../../lib/errors.ts'
import { DEFAULTS, resolveHeaderName, resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('defaults', async (t) => {
  const resolved = resolveOptions(undefined, {})
  t.equal(resolved.disabled, false)
  t.equal(resolved.correlationHeader, 'x-request-id')
  t.same(resolved.statsd, {
    host: '127.0.0.1',
    port: 8125,
    protocol: 'udp',
    path: undefined,
    prefix: '',
    globalTags: {},
    sampleRate: 1,
    tagFormat: 'datadog',
    maxBufferSize: 8192,
    bufferFlushInterval: 1000,
    datadog: false,
    client: undefined,
  })
  t.same(resolved.capture, { maxBodyBytes: DEFAULTS.maxBodyBytes, maxDepth: 6, maxArrayItems: 50, maxTotalKeys: 1000 })
  t.equal(resolved.maxControllers, 500)
  t.equal(resolved.asyncContext, true)
  t.equal(resolved.captureClientErrors, false)
  t.same(resolved.aggregation, { maxSeries: 500 })
  t.same(resolved.processMetrics, { intervalMs: 10_000 })
  t.equal(resolved.dashboard, null)
  t.ok(Object.isFrozen(resolved) && Object.isFrozen(resolved.statsd) && Object.isFrozen(resolved.capture))
})

t.test('DEFAULTS is one frozen table, bounds included', async (t) => {
  t.ok(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.statsdPortBounds) && Object.isFrozen(DEFAULTS.processMetricsIntervalBounds))
  t.same(DEFAULTS.processMetricsIntervalBounds, { min: 1000, max: 3_600_000 })
  t.equal(DEFAULTS.dashboardPath, '/_vigie')
  t.equal(resolveOptions({ dashboard: true }, {}).dashboard?.path, DEFAULTS.dashboardPath)
})

t.test('host and port: option, then STATSD_HOST / STATSD_PORT, then the default', async (t) => {
  const env = { STATSD_HOST: 'stats.internal', STATSD_PORT: '9125' }
  t.match(resolveOptions({}, env).statsd, { host: 'stats.internal', port: 9125 })
  t.match(resolveOptions({ statsd: { host: 'explicit', port: 1 } }, env).statsd, { host: 'explicit', port: 1 })
  t.match(resolveOptions({}, { STATSD_PORT: '' }).statsd, { port: 8125 })
})

t.test('precedence: code, then the environment, then the default, key by key inside option objects', async (t) => {
  const env = { STATSD_HOST: 'stats.internal', STATSD_PORT: '9125', VIGIE_STATSD_PREFIX: 'env.', VIGIE_CAPTURE_MAX_DEPTH: '4', VIGIE_MAX_CONTROLLERS: '50' }
  const resolved = resolveOptions({ statsd: { port: 1 }, capture: { maxBodyBytes: 100 }, maxControllers: 7 }, env)
  t.match(resolved.statsd, { host: 'stats.internal', port: 1, prefix: 'env.' }, 'statsd.port from code, host and prefix from the environment')
  t.same(resolved.capture, { maxBodyBytes: 100, maxDepth: 4, maxArrayItems: 50, maxTotalKeys: 1000 }, 'code, environment, default')
  t.equal(resolved.maxControllers, 7, 'code beats the environment')
  t.equal(resolveOptions({}, env).maxControllers, 50, 'the environment beats the default')
  t.match(resolveOptions({ statsd: { port: undefined } }, env).statsd, { port: 9125 }, 'undefined in code is unset')
})

t.test('a variable the code overrides is not read at all', async (t) => {
  t.equal(resolveOptions({ statsd: { port: 1 } }, { STATSD_PORT: 'eighty' }).statsd.port, 1)
  t.equal(resolveOptions({ dashboard: false }, { VIGIE_DASHBOARD_PATH: 'no slash' }).dashboard, null, 'a feature off in code: its variables are moot')
})

t.test('features: code beats the environment both ways', async (t) => {
  t.equal(resolveOptions({ dashboard: false }, { VIGIE_DASHBOARD: 'true' }).dashboard, null, 'dashboard: false beats VIGIE_DASHBOARD=true')
  t.same(resolveOptions({ dashboard: true }, { VIGIE_DASHBOARD: 'false' }).dashboard, { path: '/_vigie', token: undefined })
  t.same(resolveOptions({}, { VIGIE_DASHBOARD: 'true' }).dashboard, { path: '/_vigie', token: undefined })
  t.same(resolveOptions({ dashboard: true }, { VIGIE_DASHBOARD_TOKEN: 'tok-1' }).dashboard, { path: '/_vigie', token: 'tok-1' }, 'true takes sub-options from the environment')
  t.same(resolveOptions({ dashboard: { path: '/ops' } }, { VIGIE_DASHBOARD_PATH: '/env', VIGIE_DASHBOARD_TOKEN: 'tok-1' }).dashboard, { path: '/ops', token: 'tok-1' })
  t.same(resolveOptions({ propagation: true }, { VIGIE_PROPAGATION: 'false' }).propagation !== null, true, 'propagation: true beats VIGIE_PROPAGATION=false')
  t.equal(resolveOptions({}, { VIGIE_PROPAGATION: 'false' }).propagation, null)
  t.same(resolveOptions({ processMetrics: true }, { VIGIE_PROCESS_METRICS_INTERVAL_MS: '30000' }).processMetrics, { intervalMs: 30_000 })
  t.equal(resolveOptions({}, { VIGIE_PROCESS_METRICS: 'off', VIGIE_PROCESS_METRICS_INTERVAL_MS: '30000' }).processMetrics, null)
  t.same(resolveOptions({ aggregation: { maxSeries: 10 } }, { VIGIE_AGGREGATION: 'off' }).aggregation, { maxSeries: 10 })
  const allows = resolveOptions({}, { VIGIE_PROPAGATION_TARGETS: '.example.com' }).propagation?.allows
  t.same([allows?.(new URL('https://api.example.com/')), allows?.(new URL('https://other.io/'))], [true, false])
})

t.test('every other option from the environment', async (t) => {
  const resolved = resolveOptions({}, {
    VIGIE_STATSD_PROTOCOL: 'tcp',
    VIGIE_STATSD_GLOBAL_TAGS: 'env:prod,team:core',
    VIGIE_STATSD_SAMPLE_RATE: '0.5',
    VIGIE_STATSD_TAG_FORMAT: 'telegraf',
    VIGIE_STATSD_MAX_BUFFER_SIZE: '512',
    VIGIE_STATSD_BUFFER_FLUSH_INTERVAL: '50',
    VIGIE_CORRELATION_HEADER: 'X-Correlation-Id',
    VIGIE_CAPTURE_CLIENT_ERRORS: 'yes',
    VIGIE_SCRUB_KEYS: 'iban, tenant',
    VIGIE_IGNORE: '/health,/ready',
    VIGIE_ASYNC_CONTEXT: 'false',
  })
  t.match(resolved.statsd, { protocol: 'tcp', globalTags: { env: 'prod', team: 'core' }, sampleRate: 0.5, tagFormat: 'telegraf', maxBufferSize: 512, bufferFlushInterval: 50 })
  t.equal(resolved.correlationHeader, 'x-correlation-id')
  t.equal(resolved.captureClientErrors, true)
  t.same(resolved.scrub.keys, ['iban', 'tenant'])
  t.same([...resolved.ignore.paths], ['/health', '/ready'])
  t.equal(resolved.asyncContext, false)
  t.equal(resolved.propagation, null, 'off with asyncContext: false')
})

t.test('maxBufferSize: one network datagram for UDP to another host, 8192 bytes on loopback, UDS and TCP', async (t) => {
  const size = (statsd: object): number => resolveOptions({ statsd }, {}).statsd.maxBufferSize
  t.equal(size({ host: 'stats.internal' }), DEFAULTS.maxBufferSizeNetwork)
  t.equal(size({ host: '10.0.0.7' }), 1400)
  t.equal(size({ host: '127.0.0.1' }), 8192)
  t.equal(size({ host: '127.1.2.3' }), 8192)
  t.equal(size({ host: 'localhost' }), 8192)
  t.equal(size({ host: '::1' }), 8192)
  t.equal(size({ host: '127.example.com' }), 1400, 'a name that only starts like a loopback address is not one')
  t.equal(size({ host: 'stats.internal', protocol: 'tcp' }), 8192)
  t.equal(size({ protocol: 'uds', path: '/var/run/statsd.sock' }), 8192)
  t.equal(size({ host: 'stats.internal', maxBufferSize: 512 }), 512, 'an explicit size wins')
  t.equal(resolveOptions({}, { STATSD_HOST: 'stats.internal' }).statsd.maxBufferSize, 1400, 'the host from STATSD_HOST counts too')
  t.equal(size({ maxBufferSize: 65_507 }), 65_507, 'the largest UDP payload')
  t.throws(() => size({ maxBufferSize: 65_508 }), { code: ERROR_CODES.INVALID_OPTION, message: /"statsd\.maxBufferSize" must be an integer from 0 to 65507/ },
    'a UDP datagram that large could never be sent')
  t.equal(size({ protocol: 'tcp', maxBufferSize: 1_000_000 }), 1_000_000, 'TCP has no datagram limit')
})

t.test('hot-shots Datadog variables do not leak in', async (t) => {
  t.match(resolveOptions({}, { DD_AGENT_HOST: 'dd', DD_DOGSTATSD_PORT: '1' }).statsd, { host: '127.0.0.1', port: 8125, datadog: false })
})

t.test('VIGIE_DISABLED: the usual spellings; nothing else is read when set', async (t) => {
  for (const value of ['1', 'true', 'TRUE', 'yes', 'on']) t.equal(resolveOptions({}, { VIGIE_DISABLED: value }).disabled, true, value)
  for (const value of ['0', 'false', '', 'no', 'OFF']) t.equal(resolveOptions({}, { VIGIE_DISABLED: value }).disabled, false, value)
  const disabled = resolveOptions({}, { VIGIE_DISABLED: '1', STATSD_PORT: 'nonsense', VIGIE_STATSD_PREFIX: 'env.' })
  t.match(disabled, { disabled: true, statsd: { port: 8125, prefix: '' } }, 'a bad STATSD_PORT does not stop the app, and no variable applies')
  t.throws(() => resolveOptions({ statsd: { port: 'x' as never } }, { VIGIE_DISABLED: '1' }), { code: ERROR_CODES.INVALID_OPTION },
    'options given in code are still checked')
})

t.test('the caller\'s object is never mutated', async (t) => {
  const input = { statsd: { port: 1234 }, capture: {}, ignore: ['/health'], dashboard: true }
  const copy = structuredClone(input)
  resolveOptions(input, { STATSD_HOST: 'stats.internal', VIGIE_CAPTURE_MAX_DEPTH: '3', VIGIE_DASHBOARD_TOKEN: 'tok' })
  t.same(input, copy)
})

t.test('0 is a value, not a missing option', async (t) => {
  t.equal(resolveOptions({ statsd: { maxBufferSize: 0 } }, {}).statsd.maxBufferSize, 0)
  t.equal(resolveOptions({}, { VIGIE_STATSD_MAX_BUFFER_SIZE: '0' }).statsd.maxBufferSize, 0)
})

t.test('statsd.client conflicts with transport options', async (t) => {
  const client = { increment () {}, timing () {} } as never
  const err = t.throws(() => resolveOptions({ statsd: { client, host: 'x' } }, {}), {
    code: ERROR_CODES.CONFLICTING_OPTIONS,
    message: 'vigie: option "statsd.host" cannot be used with "statsd.client": configure the client itself',
  }) as VigieError
  t.same([err.option, err.options, err.variables], ['statsd.host', ['statsd.host', 'statsd.client'], []])
  t.equal(resolveOptions({ statsd: { client, sampleRate: 0.5 } }, {}).statsd.sampleRate, 0.5)
})

t.test('with a client, the variables of what the client owns are not read', async (t) => {
  const client = { increment () {}, timing () {} } as never
  const telegrafClient = { increment () {}, timing () {}, telegraf: true } as never
  t.equal(resolveOptions({ statsd: { client: telegrafClient } }, { STATSD_PORT: 'nonsense' }).statsd.tagFormat, 'telegraf')
  const resolved = resolveOptions({ statsd: { client } }, { STATSD_HOST: 'h', VIGIE_STATSD_PREFIX: 'env.', VIGIE_STATSD_SAMPLE_RATE: '0.25' })
  t.match(resolved.statsd, { host: '127.0.0.1', prefix: '', sampleRate: 0.25, client }, 'no conflict; the sample rate still applies')
})

t.test('asyncContext: false turns propagation off by default, and conflicts with turning it on', async (t) => {
  t.equal(resolveOptions({}, {}).asyncContext, true)
  const without = resolveOptions({ asyncContext: false }, {})
  t.equal(without.asyncContext, false)
  t.equal(without.propagation, null)
  t.equal(resolveOptions({ asyncContext: false, propagation: false }, {}).propagation, null)
  for (const propagation of [true, { targets: ['api.example.com'] }]) {
    const err = t.throws(() => resolveOptions({ asyncContext: false, propagation }, {}), {
      code: ERROR_CODES.CONFLICTING_OPTIONS,
      message: 'vigie: option "propagation" cannot be used with "asyncContext": false; outgoing calls find their request in the async context (set propagation: false, or leave asyncContext on)',
    }) as VigieError
    t.same([err.option, err.options, err.variables], ['propagation', ['propagation', 'asyncContext'], []], 'both options, no variable')
  }
  t.throws(() => resolveOptions({ asyncContext: 'no' as never }, {}), {
    code: ERROR_CODES.INVALID_OPTION,
    message: 'vigie: option "asyncContext" must be a boolean; received "no" (string)',
  })
})

t.test('a conflict the environment is part of names the variables behind both options', async (t) => {
  const err = t.throws(() => resolveOptions({}, { VIGIE_ASYNC_CONTEXT: 'false', VIGIE_PROPAGATION_TARGETS: 'example.com', VIGIE_IGNORE: '/x' }), {
    code: ERROR_CODES.CONFLICTING_OPTIONS,
    message: /^vigie: option "propagation" cannot be used with "asyncContext": false; .* \(set by environment variables VIGIE_ASYNC_CONTEXT, VIGIE_PROPAGATION_TARGETS\)$/,
  }) as VigieError
  t.same([err.option, err.options, err.variables], ['propagation', ['propagation', 'asyncContext'], ['VIGIE_ASYNC_CONTEXT', 'VIGIE_PROPAGATION_TARGETS']])
  const mixed = t.throws(() => resolveOptions({ propagation: true }, { VIGIE_ASYNC_CONTEXT: 'false' })) as VigieError
  t.same([mixed.options, mixed.variables], [['propagation', 'asyncContext'], ['VIGIE_ASYNC_CONTEXT']], 'one side from code, one from the environment')
  t.match(mixed.message, / \(set by environment variable VIGIE_ASYNC_CONTEXT\)$/)
  const datadog = t.throws(() => resolveOptions({ statsd: { datadog: true } }, { VIGIE_STATSD_TAG_FORMAT: 'telegraf' })) as VigieError
  t.same([datadog.code, datadog.options, datadog.variables], [ERROR_CODES.CONFLICTING_OPTIONS, ['statsd.datadog', 'statsd.tagFormat'], ['VIGIE_STATSD_TAG_FORMAT']])
})

t.test('uds needs a path', async (t) => {
  const err = t.throws(() => resolveOptions({ statsd: { protocol: 'uds' } }, {}), {
    code: ERROR_CODES.INVALID_OPTION,
    message: 'vigie: option "statsd.path" must be a socket path when "statsd.protocol" is "uds"; received undefined',
  }) as VigieError
  t.same([err.options, err.variables], [['statsd.path', 'statsd.protocol'], []])
  const fromEnv = t.throws(() => resolveOptions({}, { VIGIE_STATSD_PROTOCOL: 'uds' }), { message: /received undefined \(set by environment variable VIGIE_STATSD_PROTOCOL\)$/ }) as VigieError
  t.same(fromEnv.variables, ['VIGIE_STATSD_PROTOCOL'])
})

t.test('options must be an object', async (t) => {
  t.throws(() => resolveOptions('x' as never, {}), { code: ERROR_CODES.INVALID_OPTION, message: 'vigie: option "options" must be an object; received "x" (string)' })
  t.throws(() => resolveOptions({ statsd: { globalTags: { env: {} } } } as never, {}), { message: /"statsd\.globalTags\.env" must be a string or a number; received an object/ })
})

t.test('an error from code carries its option and no variable', async (t) => {
  const err = t.throws(() => resolveOptions({ capture: { maxDepth: 65 } }, { VIGIE_CAPTURE_MAX_DEPTH: '3' })) as VigieError
  t.ok(err instanceof VigieError)
  t.same([err.code, err.option, err.options, err.variables], [ERROR_CODES.INVALID_OPTION, 'capture.maxDepth', ['capture.maxDepth'], []])
  t.throws(() => resolveOptions({ capture: { maxTotalKeys: 100_001 } }, {}),
    { code: ERROR_CODES.INVALID_OPTION, message: 'vigie: option "capture.maxTotalKeys" must be an integer from 1 to 100000; received 100001 (number)' })
  t.equal(resolveOptions({ capture: { maxTotalKeys: 100_000 } }, {}).capture.maxTotalKeys, 100_000)
  t.ok(Object.isFrozen(err.options) && Object.isFrozen(err.variables))
  const unknown = t.throws(() => resolveOptions({ statsd: { prot: 1 } } as never, {})) as VigieError
  t.same([unknown.code, unknown.option], [ERROR_CODES.UNKNOWN_OPTION, 'statsd.prot'])
})

t.test('resolveHeaderName (genReqId): the value given, then VIGIE_CORRELATION_HEADER, then x-request-id; nothing else read', async (t) => {
  const env = { VIGIE_CORRELATION_HEADER: 'X-Correlation-Id', STATSD_PORT: 'eighty' }
  t.equal(resolveHeaderName('X-Trace', env), 'x-trace')
  t.equal(resolveHeaderName(undefined, env), 'x-correlation-id')
  t.equal(resolveHeaderName(undefined, {}), 'x-request-id')
  t.throws(() => resolveHeaderName('bad header', {}), { code: ERROR_CODES.INVALID_OPTION, variables: [] })
  t.throws(() => resolveHeaderName(undefined, { VIGIE_CORRELATION_HEADER: 'bad header' }),
    { code: ERROR_CODES.INVALID_ENV, option: 'correlationHeader', variables: ['VIGIE_CORRELATION_HEADER'] })
})
