import t from 'tap'
import { ERROR_CODES, type VigieError } from '../../lib/errors.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('dashboard: off by default; true uses /_vigie with no token', async (t) => {
  t.equal(resolveOptions({}, {}).dashboard, null)
  t.equal(resolveOptions({ dashboard: false }, {}).dashboard, null)
  t.same(resolveOptions({ dashboard: true }, {}).dashboard, { path: '/_vigie', token: undefined })
  t.same(resolveOptions({ dashboard: {} }, {}).dashboard, { path: '/_vigie', token: undefined })
  const resolved = resolveOptions({ dashboard: { path: '/ops/vigie-1.0', token: 'abc~DEF!123' } }, {}).dashboard
  t.same(resolved, { path: '/ops/vigie-1.0', token: 'abc~DEF!123' })
  t.ok(Object.isFrozen(resolved))
})

t.test('dashboard.path must be a plain absolute path', async (t) => {
  for (const path of ['', '/', '_vigie', '/_vigie/', '//x', '/a//b', '/a b', '/a?b', '/a#b', '/<script>', '/"x', '/../x', '/a/.', 42]) {
    t.throws(() => resolveOptions({ dashboard: { path: path as string } }, {}),
      { code: ERROR_CODES.INVALID_OPTION, message: /option "dashboard\.path" must be a path starting with "\/"/ }, JSON.stringify(path))
  }
})

t.test('dashboard.token: printable ASCII with no spaces; the value is never echoed', async (t) => {
  for (const token of ['', 'has space', 'tab\there', 'é-accent', 'new\nline']) {
    const err = t.throws(() => resolveOptions({ dashboard: { token } }, {}), { code: ERROR_CODES.INVALID_OPTION }) as Error
    t.match(err.message, /option "dashboard\.token" must be a non-empty string of printable ASCII characters without spaces; received a string of \d+ characters \(not shown\)/)
    if (token.length > 3) t.notOk(err.message.includes(token), 'the token is not in the message')
  }
  t.throws(() => resolveOptions({ dashboard: { token: 42 as unknown as string } }, {}), { message: /received 42/ })
})

t.test('dashboard: other values and unknown keys are refused, naming the option', async (t) => {
  t.throws(() => resolveOptions({ dashboard: 'yes' as unknown as boolean }, {}), { code: ERROR_CODES.INVALID_OPTION, message: /option "dashboard" must be a boolean or an object/ })
  t.throws(() => resolveOptions({ dashboard: { port: 1 } as object }, {}), { code: ERROR_CODES.UNKNOWN_OPTION, message: /unknown option "dashboard\.port"/ })
})

t.test('from the environment: VIGIE_DASHBOARD, VIGIE_DASHBOARD_PATH, VIGIE_DASHBOARD_TOKEN', async (t) => {
  t.same(resolveOptions({}, { VIGIE_DASHBOARD: 'true' }).dashboard, { path: '/_vigie', token: undefined })
  t.same(resolveOptions({}, { VIGIE_DASHBOARD: '1', VIGIE_DASHBOARD_PATH: '/ops/vigie', VIGIE_DASHBOARD_TOKEN: 'tok-123' }).dashboard,
    { path: '/ops/vigie', token: 'tok-123' })
  t.same(resolveOptions({}, { VIGIE_DASHBOARD_TOKEN: 'tok-123' }).dashboard, { path: '/_vigie', token: 'tok-123' }, 'a token alone turns it on')
  t.same(resolveOptions({}, { VIGIE_DASHBOARD_PATH: '/ops/vigie' }).dashboard, { path: '/ops/vigie', token: undefined }, 'a path alone too')
  t.equal(resolveOptions({}, { VIGIE_DASHBOARD: 'off', VIGIE_DASHBOARD_PATH: '/ops/vigie' }).dashboard, null, 'false wins')
  t.equal(resolveOptions({}, {}).dashboard, null, 'off by default')
  t.equal(resolveOptions({ dashboard: false }, { VIGIE_DASHBOARD: 'true' }).dashboard, null, 'dashboard: false in code beats VIGIE_DASHBOARD=true')
  const err = t.throws(() => resolveOptions({}, { VIGIE_DASHBOARD_TOKEN: 'bad token' }), { code: ERROR_CODES.INVALID_ENV }) as VigieError
  t.same([err.option, err.variables], ['dashboard.token', ['VIGIE_DASHBOARD_TOKEN']], 'an invalid token is blamed on its variable')
  t.notMatch(err.message, /bad token/, 'and not shown')
})
