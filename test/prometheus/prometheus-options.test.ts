import t from 'tap'
import { ERROR_CODES, type VigieError } from '../../lib/errors.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('prometheus: off by default; true serves /metrics on the app, with no token', async (t) => {
  t.equal(resolveOptions({}, {}).prometheus, null)
  t.equal(resolveOptions({ prometheus: false }, {}).prometheus, null)
  t.same(resolveOptions({ prometheus: true }, {}).prometheus, { path: '/metrics', token: undefined, port: null, host: '127.0.0.1' })
  const resolved = resolveOptions({ prometheus: { path: '/ops/metrics', token: 'tok~1', port: 9464, host: '0.0.0.0' } }, {}).prometheus
  t.same(resolved, { path: '/ops/metrics', token: 'tok~1', port: 9464, host: '0.0.0.0' })
  t.ok(Object.isFrozen(resolved))
  t.same(resolveOptions({ prometheus: { port: 0, host: 'metrics.internal' } }, {}).prometheus, { path: '/metrics', token: undefined, port: 0, host: 'metrics.internal' })
  t.equal(resolveOptions({ prometheus: { port: 9464, host: '::1' } }, {}).prometheus?.host, '::1')
})

t.test('bad values: a coded error naming the option', async (t) => {
  const bad: Array<[unknown, string, RegExp]> = [
    [{ path: 'metrics' }, 'prometheus.path', /must be a path starting with "\/"/],
    [{ path: '/metrics/' }, 'prometheus.path', /must be a path/],
    [{ port: -1 }, 'prometheus.port', /must be an integer from 0 to 65535; received -1/],
    [{ port: 65_536 }, 'prometheus.port', /must be an integer from 0 to 65535/],
    [{ port: '9464' }, 'prometheus.port', /must be an integer from 0 to 65535/],
    [{ port: 9464, host: 'two words' }, 'prometheus.host', /must be an IP address or a host name/],
    [{ port: 9464, host: 42 }, 'prometheus.host', /must be an IP address or a host name/],
  ]
  for (const [value, option, message] of bad) {
    const err = t.throws(() => resolveOptions({ prometheus: value as object }, {}), { code: ERROR_CODES.INVALID_OPTION, message }) as VigieError
    t.equal(err.option, option, JSON.stringify(value))
  }
  for (const token of ['', 'has space', 'new\nline']) {
    const err = t.throws(() => resolveOptions({ prometheus: { token } }, {}), { code: ERROR_CODES.INVALID_OPTION }) as VigieError
    t.equal(err.option, 'prometheus.token')
    if (token.length > 3) t.notOk(err.message.includes(token), 'the token is not echoed')
  }
  t.throws(() => resolveOptions({ prometheus: { paths: '/x' } as object }, {}), { code: ERROR_CODES.UNKNOWN_OPTION, message: /unknown option "prometheus\.paths"/ })
  t.throws(() => resolveOptions({ prometheus: 'yes' as unknown as boolean }, {}), { code: ERROR_CODES.INVALID_OPTION, message: /option "prometheus" must be a boolean or an object/ })
})

t.test('conflicts: a host without a port; a path the dashboard or health serves on the app', async (t) => {
  const conflict = (options: object, involved: string[]): void => {
    const err = t.throws(() => resolveOptions(options, {}), { code: ERROR_CODES.CONFLICTING_OPTIONS }) as VigieError
    t.same(err.options, involved, JSON.stringify(options))
  }
  conflict({ prometheus: { host: '0.0.0.0' } }, ['prometheus.host', 'prometheus.port'])
  conflict({ prometheus: { path: '/_vigie' }, dashboard: true }, ['prometheus.path', 'dashboard.path'])
  conflict({ prometheus: { path: '/_vigie/data.json' }, dashboard: true }, ['prometheus.path', 'dashboard.path'])
  conflict({ prometheus: { path: '/_vigie/health/live' }, health: true }, ['prometheus.path', 'health.path'])
  t.ok(resolveOptions({ prometheus: { path: '/_vigie', port: 9464 }, dashboard: true }, {}).prometheus, 'on its own port, any path')
  t.ok(resolveOptions({ prometheus: { path: '/_vigie-metrics' }, dashboard: true, health: true }, {}).prometheus, 'a path beside theirs')
})

t.test('the environment: VIGIE_PROMETHEUS turns it on or off; its sub-variables turn it on', async (t) => {
  t.same(resolveOptions({}, { VIGIE_PROMETHEUS: 'true' }).prometheus, { path: '/metrics', token: undefined, port: null, host: '127.0.0.1' })
  t.same(resolveOptions({}, { VIGIE_PROMETHEUS_PORT: '9464', VIGIE_PROMETHEUS_HOST: '10.0.0.5', VIGIE_PROMETHEUS_PATH: '/m', VIGIE_PROMETHEUS_TOKEN: 'secret-1' }).prometheus,
    { path: '/m', token: 'secret-1', port: 9464, host: '10.0.0.5' })
  t.equal(resolveOptions({}, { VIGIE_PROMETHEUS: 'false', VIGIE_PROMETHEUS_PORT: '9464' }).prometheus, null, 'false wins over the sub-variables')
  t.equal(resolveOptions({ prometheus: false }, { VIGIE_PROMETHEUS: 'true' }).prometheus, null, 'the code wins')
  t.equal(resolveOptions({ prometheus: { path: '/code' } }, { VIGIE_PROMETHEUS_PATH: '/env' }).prometheus?.path, '/code')
  const err = t.throws(() => resolveOptions({}, { VIGIE_PROMETHEUS_HOST: '0.0.0.0' }), { code: ERROR_CODES.CONFLICTING_OPTIONS }) as VigieError
  t.same(err.variables, ['VIGIE_PROMETHEUS_HOST'], 'the variable is named')
})
