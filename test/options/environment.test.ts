import t from 'tap'
import { ERROR_CODES, type VigieError } from '../../lib/errors.ts'
import { ENV_VARIABLES, ENV_VARIABLE_NAMES, isDisabled, readEnvironment } from '../../lib/options/environment.ts'
import { OPTION_PATHS } from '../../lib/options/option-names.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('every variable sets its option', async (t) => {
  const { options, sources, disabled } = readEnvironment({
    STATSD_HOST: 'stats.internal',
    STATSD_PORT: '9125',
    VIGIE_STATSD_PREFIX: 'shop.',
    VIGIE_STATSD_GLOBAL_TAGS: 'env:prod, team:core',
    VIGIE_STATSD_SAMPLE_RATE: '0.25',
    VIGIE_STATSD_DATADOG: 'off',
    VIGIE_CORRELATION_HEADER: 'x-correlation-id',
    VIGIE_CAPTURE_CLIENT_ERRORS: 'yes',
    VIGIE_CAPTURE_MAX_BODY_BYTES: '4096',
    VIGIE_CAPTURE_MAX_DEPTH: '4',
    VIGIE_CAPTURE_MAX_TOTAL_KEYS: '200',
    VIGIE_SCRUB_KEYS: 'iban, tenant',
    VIGIE_MAX_CONTROLLERS: '50',
    VIGIE_IGNORE: '/health,/ready',
    VIGIE_PROPAGATION_TARGETS: '.example.com,api.partner.io',
  })
  t.equal(disabled, false)
  t.same(options, {
    statsd: { host: 'stats.internal', port: 9125, prefix: 'shop.', globalTags: { env: 'prod', team: 'core' }, sampleRate: 0.25, datadog: false },
    correlationHeader: 'x-correlation-id',
    captureClientErrors: true,
    capture: { maxBodyBytes: 4096, maxDepth: 4, maxTotalKeys: 200 },
    scrub: { keys: ['iban', 'tenant'] },
    maxControllers: 50,
    ignore: ['/health', '/ready'],
    propagation: { targets: ['.example.com', 'api.partner.io'] },
  })
  t.same(sources.get('statsd.port'), { variable: 'STATSD_PORT', text: '9125' })
  t.same([...sources.keys()].slice(0, 3), ['statsd.host', 'statsd.port', 'statsd.prefix'], 'in the table\'s order')
})

t.test('the table: one entry per variable, each setting a known option (the kill switch aside)', async (t) => {
  t.equal(new Set(ENV_VARIABLE_NAMES).size, ENV_VARIABLES.length)
  t.ok(ENV_VARIABLE_NAMES.every((name) => /^(STATSD|VIGIE)_[A-Z_]+$/.test(name)))
  for (const { name, option } of ENV_VARIABLES) {
    if (option === null) t.equal(name, 'VIGIE_DISABLED')
    else t.ok(OPTION_PATHS.includes(option), `${name} sets ${option}, a known option`)
  }
  t.ok(Object.isFrozen(ENV_VARIABLES) && Object.isFrozen(ENV_VARIABLES[0]))
})

t.test('VIGIE_ASYNC_CONTEXT=false runs requests without async context', async (t) => {
  t.same(readEnvironment({ VIGIE_ASYNC_CONTEXT: 'false' }).options, { asyncContext: false })
  t.same(readEnvironment({ VIGIE_ASYNC_CONTEXT: 'on' }).options, { asyncContext: true })
})

t.test('VIGIE_PROPAGATION=false wins over targets, and the targets no longer count as set', async (t) => {
  const off = readEnvironment({ VIGIE_PROPAGATION: 'false', VIGIE_PROPAGATION_TARGETS: '.example.com' })
  t.same(off.options, { propagation: false })
  t.same([...off.sources], [['propagation', { variable: 'VIGIE_PROPAGATION', text: 'false' }]])
  t.same(readEnvironment({ VIGIE_PROPAGATION: 'true' }).options, {}, '"true" changes nothing')
  t.same(readEnvironment({ VIGIE_PROPAGATION: 'true' }).sources.size, 0)
})

t.test('the dashboard: "true" turns it on, a path or token too, "false" wins', async (t) => {
  t.same(readEnvironment({ VIGIE_DASHBOARD: 'true' }).options, { dashboard: true })
  t.same(readEnvironment({ VIGIE_DASHBOARD: '1', VIGIE_DASHBOARD_PATH: '/ops/vigie', VIGIE_DASHBOARD_TOKEN: 'tok-123' }).options,
    { dashboard: { path: '/ops/vigie', token: 'tok-123' } })
  t.same(readEnvironment({ VIGIE_DASHBOARD_TOKEN: 'tok-123' }).options, { dashboard: { token: 'tok-123' } })
  t.same(readEnvironment({ VIGIE_DASHBOARD: 'off', VIGIE_DASHBOARD_PATH: '/ops/vigie' }).options, { dashboard: false })
})

t.test('empty variables are unset', async (t) => {
  t.same(readEnvironment({ STATSD_HOST: '', VIGIE_IGNORE: '  ', VIGIE_DISABLED: ' ' }), { disabled: false, options: {}, sources: new Map() })
})

t.test('skip: a variable whose option is decided elsewhere is not read, nor parsed', async (t) => {
  const { options, sources } = readEnvironment({ STATSD_PORT: 'eighty', STATSD_HOST: 'h' }, (option) => option === 'statsd.port')
  t.same(options, { statsd: { host: 'h' } })
  t.same([...sources.keys()], ['statsd.host'])
})

t.test('isDisabled: the kill switch alone, never throwing (for code that runs at load time)', async (t) => {
  t.same(['1', ' TRUE ', 'on', 'yes'].map((value) => isDisabled({ VIGIE_DISABLED: value })), [true, true, true, true])
  t.same(['0', 'off', '', 'maybe'].map((value) => isDisabled({ VIGIE_DISABLED: value })), [false, false, false, false])
  t.equal(isDisabled({}), false)
})

t.test('VIGIE_DISABLED: nothing else is read', async (t) => {
  const { disabled, options } = readEnvironment({ VIGIE_DISABLED: 'yes', STATSD_PORT: 'eighty', VIGIE_STATSD_PREFIX: 'x.' })
  t.equal(disabled, true)
  t.same(options, {})
})

// A value each variable refuses: text that cannot be parsed, or a value out of range.
const BAD_VALUES: Record<string, [raw: string, option: string, expected: string]> = {
  VIGIE_DISABLED: ['maybe', 'disabled', 'must be 1, true, yes, on, 0, false, no or off; received "maybe" (string)'],
  STATSD_PORT: ['eighty', 'statsd.port', 'which must be an integer; received "eighty" (string)'],
  VIGIE_STATSD_PROTOCOL: ['http', 'statsd.protocol', 'which must be one of "udp", "tcp", "uds"; received "http" (string)'],
  VIGIE_STATSD_PREFIX: ['shop\nx:1|c', 'statsd.prefix', 'which must be a string without control characters or any of ":", "|", ",", "#", "@" (tagFormat "datadog"); received "shop\\nx:1|c" (string)'],
  VIGIE_STATSD_GLOBAL_TAGS: ['nocolon', 'statsd.globalTags', 'which must be comma-separated key:value pairs; received "nocolon" (string)'],
  VIGIE_STATSD_SAMPLE_RATE: ['2', 'statsd.sampleRate', 'which must be a number greater than 0 and at most 1; received "2" (string)'],
  VIGIE_STATSD_TAG_FORMAT: ['influx', 'statsd.tagFormat', 'which must be one of "datadog", "telegraf"; received "influx" (string)'],
  VIGIE_STATSD_MAX_BUFFER_SIZE: ['65508', 'statsd.maxBufferSize', 'which must be an integer from 0 to 65507; received "65508" (string)'],
  VIGIE_STATSD_BUFFER_FLUSH_INTERVAL: ['0', 'statsd.bufferFlushInterval', 'which must be a positive integer; received "0" (string)'],
  VIGIE_STATSD_DATADOG: ['sometimes', 'statsd.datadog', 'which must be 1, true, yes, on, 0, false, no or off; received "sometimes" (string)'],
  VIGIE_CORRELATION_HEADER: ['bad header', 'correlationHeader', 'which must be a valid HTTP header name; received "bad header" (string)'],
  VIGIE_CAPTURE_CLIENT_ERRORS: ['2', 'captureClientErrors', 'which must be 1, true, yes, on, 0, false, no or off; received "2" (string)'],
  VIGIE_CAPTURE_MAX_BODY_BYTES: ['1.5', 'capture.maxBodyBytes', 'which must be an integer; received "1.5" (string)'],
  VIGIE_CAPTURE_MAX_DEPTH: ['65', 'capture.maxDepth', 'which must be an integer from 1 to 64; received "65" (string)'],
  VIGIE_CAPTURE_MAX_ARRAY_ITEMS: ['0', 'capture.maxArrayItems', 'which must be an integer from 1 to 10000; received "0" (string)'],
  VIGIE_CAPTURE_MAX_TOTAL_KEYS: ['0', 'capture.maxTotalKeys', 'which must be an integer from 1 to 100000; received "0" (string)'],
  VIGIE_SCRUB_KEYS: ['iban,-', 'scrub.keys[1]', 'which must be a string with a character other than "-", "_", "." and space; received "-" (string)'],
  VIGIE_INSTANCE: ['web 1', 'instance', 'which must be false, or 1 to 128 letters, digits and "._-"; received "web 1" (string)'],
  VIGIE_MAX_CONTROLLERS: ['many', 'maxControllers', 'which must be an integer; received "many" (string)'],
  VIGIE_IGNORE: ['health', 'ignore', 'which must be an array of paths starting with "/" or a function; received "health" (string)'],
  VIGIE_ASYNC_CONTEXT: ['nope', 'asyncContext', 'which must be 1, true, yes, on, 0, false, no or off; received "nope" (string)'],
  VIGIE_LOG_INJECTION: ['nope', 'logInjection', 'which must be 1, true, yes, on, 0, false, no or off; received "nope" (string)'],
  VIGIE_PROPAGATION: ['sure', 'propagation', 'which must be 1, true, yes, on, 0, false, no or off; received "sure" (string)'],
  VIGIE_PROCESS_METRICS_INTERVAL_MS: ['500', 'processMetrics.intervalMs', 'which must be an integer from 1000 to 3600000; received "500" (string)'],
  VIGIE_PROCESS_METRICS: ['often', 'processMetrics', 'which must be 1, true, yes, on, 0, false, no or off; received "often" (string)'],
  VIGIE_AGGREGATION_MAX_SERIES: ['100001', 'aggregation.maxSeries', 'which must be an integer from 1 to 100000; received "100001" (string)'],
  VIGIE_CLUSTER: ['both', 'cluster', 'which must be 1, true, yes, on, 0, false, no or off; received "both" (string)'],
  VIGIE_AGGREGATION: ['lots', 'aggregation', 'which must be 1, true, yes, on, 0, false, no or off; received "lots" (string)'],
  VIGIE_DATABASE_SLOW_QUERY_MS: ['0', 'database.slowQueryMs', 'which must be an integer from 1 to 3600000; received "0" (string)'],
  VIGIE_DATABASE_COMMENT: ['perhaps', 'database.comment', 'which must be 1, true, yes, on, 0, false, no or off; received "perhaps" (string)'],
  VIGIE_DATABASE: ['sometimes', 'database', 'which must be 1, true, yes, on, 0, false, no or off; received "sometimes" (string)'],
  VIGIE_DASHBOARD_PATH: ['ops', 'dashboard.path', 'which must be a path starting with "/", of letters, digits and "._~-", with no trailing "/"; received "ops" (string)'],
  VIGIE_DASHBOARD_TOKEN: ['two words', 'dashboard.token', 'which must be a non-empty string of printable ASCII characters without spaces; received a string of 9 characters (not shown)'],
  VIGIE_DASHBOARD: ['please', 'dashboard', 'which must be 1, true, yes, on, 0, false, no or off; received "please" (string)'],
  VIGIE_PROMETHEUS_PATH: ['/metrics/', 'prometheus.path', 'which must be a path starting with "/", of letters, digits and "._~-", with no trailing "/"; received "/metrics/" (string)'],
  VIGIE_PROMETHEUS_TOKEN: ['two words', 'prometheus.token', 'which must be a non-empty string of printable ASCII characters without spaces; received a string of 9 characters (not shown)'],
  VIGIE_PROMETHEUS_PORT: ['65536', 'prometheus.port', 'which must be an integer from 0 to 65535; received "65536" (string)'],
  VIGIE_PROMETHEUS_HOST: ['not a host', 'prometheus.host', 'which must be an IP address or a host name; received "not a host" (string)'],
  VIGIE_PROMETHEUS: ['maybe', 'prometheus', 'which must be 1, true, yes, on, 0, false, no or off; received "maybe" (string)'],
  VIGIE_EXCEPTION_LINES_PER_INTERVAL: ['10001', 'exceptionLines.perInterval', 'which must be an integer from 1 to 10000; received "10001" (string)'],
  VIGIE_EXCEPTION_LINES_INTERVAL_MS: ['1m', 'exceptionLines.intervalMs', 'which must be an integer; received "1m" (string)'],
}
// Any non-empty text is a valid host, socket path or list of propagation targets.
const ALWAYS_VALID = ['STATSD_HOST', 'VIGIE_STATSD_PATH', 'VIGIE_PROPAGATION_TARGETS']

t.test('a bad variable refuses the configuration: VIGIE_ERR_INVALID_ENV, naming the variable and the option', async (t) => {
  t.same([...Object.keys(BAD_VALUES), ...ALWAYS_VALID].sort(), [...ENV_VARIABLE_NAMES].sort(), 'every variable is covered')
  for (const [name, [raw, option, expected]] of Object.entries(BAD_VALUES)) {
    const err = t.throws(() => resolveOptions({}, { [name]: raw }), { name: 'VigieError', code: ERROR_CODES.INVALID_ENV }, name) as VigieError
    t.same([err.option, err.options, err.variables], [option, [option], [name]], `${name}: option and variable`)
    const sets = option === 'disabled' ? '' : ` sets option "${option}",`
    t.equal(err.message, `vigie: environment variable ${name}${sets} ${expected}`, `${name}: message`)
  }
})

t.test('the same variable in code is not an error: the code wins', async (t) => {
  const code = { statsd: { port: 1, protocol: 'tcp' as const }, capture: { maxDepth: 3 }, dashboard: false }
  t.doesNotThrow(() => resolveOptions(code, { STATSD_PORT: 'eighty', VIGIE_STATSD_PROTOCOL: 'http', VIGIE_CAPTURE_MAX_DEPTH: '65', VIGIE_DASHBOARD: 'please' }))
})
