import t from 'tap'
import { ERROR_CODES } from '../lib/errors.js'
import { DEFAULTS, resolveOptions } from '../lib/options.js'

t.test('defaults', async (t) => {
  const resolved = resolveOptions(undefined, {})
  t.equal(resolved.disabled, false)
  t.equal(resolved.correlationHeader, 'x-request-id')
  t.same(resolved.statsd, {
    host: '127.0.0.1', port: 8125, protocol: 'udp', path: undefined, prefix: '', globalTags: {}, sampleRate: 1,
    tagFormat: 'datadog', maxBufferSize: 8192, bufferFlushInterval: 1000, datadog: false, client: undefined,
  })
  t.same(resolved.capture, { maxBodyBytes: DEFAULTS.maxBodyBytes, maxDepth: 6, maxArrayItems: 50 })
  t.equal(resolved.maxControllers, 500)
  t.ok(Object.isFrozen(resolved) && Object.isFrozen(resolved.statsd) && Object.isFrozen(resolved.capture))
})

t.test('host and port: option, then STATSD_HOST / STATSD_PORT, then the default', async (t) => {
  const env = { STATSD_HOST: 'stats.internal', STATSD_PORT: '9125' }
  t.match(resolveOptions({}, env).statsd, { host: 'stats.internal', port: 9125 })
  t.match(resolveOptions({ statsd: { host: 'explicit', port: 1 } }, env).statsd, { host: 'explicit', port: 1 })
  t.match(resolveOptions({}, { STATSD_PORT: '' }).statsd, { port: 8125 })
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

t.test('VIGIE_DISABLED accepts the usual truthy spellings', async (t) => {
  for (const value of ['1', 'true', 'TRUE', 'yes', 'on']) t.equal(resolveOptions({}, { VIGIE_DISABLED: value }).disabled, true, value)
  for (const value of ['0', 'false', '', 'no']) t.equal(resolveOptions({}, { VIGIE_DISABLED: value }).disabled, false, value)
})

t.test('the caller\'s object is never mutated', async (t) => {
  const input = { statsd: { port: 1234 }, capture: {}, ignore: ['/health'] }
  const copy = structuredClone(input)
  resolveOptions(input, {})
  t.same(input, copy)
})

t.test('0 is a value, not a missing option', async (t) => {
  t.equal(resolveOptions({ statsd: { maxBufferSize: 0 } }, {}).statsd.maxBufferSize, 0)
})

t.test('statsd.client conflicts with transport options', async (t) => {
  const client = { increment () {}, timing () {} } as never
  t.throws(() => resolveOptions({ statsd: { client, host: 'x' } }, {}), {
    code: ERROR_CODES.CONFLICTING_OPTIONS,
    message: 'vigie: option "statsd.host" cannot be used with "statsd.client": configure the client itself',
  })
  t.equal(resolveOptions({ statsd: { client, sampleRate: 0.5 } }, {}).statsd.sampleRate, 0.5)
})

t.test('asyncContext: false turns propagation off by default, and conflicts with turning it on', async (t) => {
  t.equal(resolveOptions({}, {}).asyncContext, true)
  const without = resolveOptions({ asyncContext: false }, {})
  t.equal(without.asyncContext, false)
  t.equal(without.propagation, null)
  t.equal(resolveOptions({ asyncContext: false, propagation: false }, {}).propagation, null)
  for (const propagation of [true, { targets: ['api.example.com'] }]) {
    t.throws(() => resolveOptions({ asyncContext: false, propagation }, {}), {
      code: ERROR_CODES.CONFLICTING_OPTIONS,
      message: 'vigie: option "propagation" cannot be used with "asyncContext": false; outgoing calls find their request in the async context (set propagation: false, or leave asyncContext on)',
    })
  }
  t.throws(() => resolveOptions({ asyncContext: 'no' as never }, {}), {
    code: ERROR_CODES.INVALID_OPTION,
    message: 'vigie: option "asyncContext" must be a boolean; received "no" (string)',
  })
})

t.test('with a client, its own tag format applies and the environment is not read', async (t) => {
  const telegrafClient = { increment () {}, timing () {}, telegraf: true } as never
  t.equal(resolveOptions({ statsd: { client: telegrafClient } }, { STATSD_PORT: 'nonsense' }).statsd.tagFormat, 'telegraf')
})

t.test('with VIGIE_DISABLED, a bad STATSD_PORT does not stop the app', async (t) => {
  t.equal(resolveOptions({}, { VIGIE_DISABLED: '1', STATSD_PORT: 'nonsense' }).disabled, true)
})

t.test('uds needs a path', async (t) => {
  t.throws(() => resolveOptions({ statsd: { protocol: 'uds' } }, {}), { code: ERROR_CODES.INVALID_OPTION, message: /"statsd\.path"/ })
})

t.test('options must be an object', async (t) => {
  t.throws(() => resolveOptions('x' as never, {}), { code: ERROR_CODES.INVALID_OPTION, message: 'vigie: option "options" must be an object; received "x" (string)' })
  t.throws(() => resolveOptions({ statsd: { globalTags: { env: {} } } } as never, {}), { message: /"statsd\.globalTags\.env" must be a string or a number; received an object/ })
})
