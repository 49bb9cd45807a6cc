// The `health` option: defaults, every value checked with a coded error that names the option,
// the clash with the dashboard's path, and unknown names.
import t, { type Test } from 'tap'
import { ERROR_CODES, type VigieError } from '../../lib/errors.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { VigieOptions } from '../../lib/types.ts'

const resolve = (health: unknown, more: object = {}) => resolveOptions({ health, ...more } as VigieOptions, {})

function refused (t: Test, health: unknown, code: string, option: string, message: RegExp, more: object = {}): VigieError {
  const err = t.throws(() => resolve(health, more), { code }, option) as VigieError
  t.equal(err.option, option, `${option} is named`)
  t.match(err.message, message)
  return err
}

t.test('off by default; true gives the defaults', async (t) => {
  t.equal(resolveOptions({}, {}).health, null)
  t.equal(resolve(false).health, null)
  const resolved = resolve(true).health!
  t.same(resolved, { path: '/_vigie/health', checks: [], timeoutMs: 1000, thresholds: { eventLoopDelayMs: null, heapUsedBytes: null, rssBytes: null } })
  t.ok(Object.isFrozen(resolved))
  t.same(resolve({}).health, resolved)
})

t.test('path, checks, timeoutMs and thresholds, as given', async (t) => {
  const db = async (): Promise<void> => {}
  const cache = (): number => 1
  const resolved = resolve({
    path: '/ops/health',
    checks: { db, 'cache.redis-1': cache },
    timeoutMs: 250,
    thresholds: { eventLoopDelayMs: { warn: 50, fail: 200.5 }, heapUsedBytes: { fail: 1e9 }, rssBytes: { warn: 5e8 } },
  }).health!
  t.equal(resolved.path, '/ops/health')
  t.same(resolved.checks.map(([name]) => name), ['db', 'cache.redis-1'])
  t.equal(resolved.checks[0]![1], db)
  t.equal(resolved.timeoutMs, 250)
  t.same(resolved.thresholds, { eventLoopDelayMs: { warn: 50, fail: 200.5 }, heapUsedBytes: { warn: undefined, fail: 1e9 }, rssBytes: { warn: 5e8, fail: undefined } })
  t.equal(resolve({ timeoutMs: 1 }).health!.timeoutMs, 1)
  t.equal(resolve({ timeoutMs: 60_000 }).health!.timeoutMs, 60_000)
})

t.test('bad values: a coded error naming the option', async (t) => {
  const invalid = ERROR_CODES.INVALID_OPTION
  refused(t, 'yes', invalid, 'health', /option "health" must be a boolean or an object/)
  for (const path of ['', '/', 'health', '/health/', '/a//b', '/a b', '/../x', 42]) {
    refused(t, { path }, invalid, 'health.path', /option "health\.path" must be a path starting with "\/"/)
  }
  refused(t, { checks: [() => 1] }, invalid, 'health.checks', /option "health\.checks" must be an object of named functions; received an array/)
  refused(t, { checks: { db: 'select 1' } }, invalid, 'health.checks.db', /option "health\.checks\.db" must be a function; received "select 1" \(string\)/)
  refused(t, { checks: { 'db:primary': () => 1 } }, invalid, 'health.checks.db:primary', /must be under a name of 1 to 64 letters, digits and "\._-"/)
  refused(t, { checks: { 'a\nb': () => 1 } }, invalid, 'health.checks.a\\nb', /option "health\.checks\.a\\nb"/)
  for (const timeoutMs of [0, 60_001, 1.5, '1000', -1]) {
    refused(t, { timeoutMs }, invalid, 'health.timeoutMs', /option "health\.timeoutMs" must be an integer from 1 to 60000/)
  }
  refused(t, { thresholds: 5 }, invalid, 'health.thresholds', /must be an object; received 5/)
  refused(t, { thresholds: { rssBytes: 100 } }, invalid, 'health.thresholds.rssBytes', /must be an object with "warn", "fail" or both; received 100/)
  refused(t, { thresholds: { rssBytes: {} } }, invalid, 'health.thresholds.rssBytes', /must be an object with "warn", "fail" or both/)
  refused(t, { thresholds: { rssBytes: { warn: 1.5 } } }, invalid, 'health.thresholds.rssBytes.warn', /option "health\.thresholds\.rssBytes\.warn" must be a positive integer \(bytes\); received 1\.5/)
  refused(t, { thresholds: { heapUsedBytes: { fail: 0 } } }, invalid, 'health.thresholds.heapUsedBytes.fail', /must be a positive integer \(bytes\); received 0/)
  refused(t, { thresholds: { eventLoopDelayMs: { warn: -5 } } }, invalid, 'health.thresholds.eventLoopDelayMs.warn', /must be a positive number \(ms\); received -5/)
  refused(t, { thresholds: { eventLoopDelayMs: { fail: Infinity } } }, invalid, 'health.thresholds.eventLoopDelayMs.fail', /received Infinity/)
  const order = refused(t, { thresholds: { rssBytes: { warn: 2000, fail: 1000 } } }, invalid, 'health.thresholds.rssBytes.warn',
    /option "health\.thresholds\.rssBytes\.warn" must be at most "health\.thresholds\.rssBytes\.fail" \(1000\); received 2000/)
  t.same(order.options, ['health.thresholds.rssBytes.warn', 'health.thresholds.rssBytes.fail'])
  t.same(resolve({ thresholds: { rssBytes: { warn: 1000, fail: 1000 } } }).health!.thresholds.rssBytes, { warn: 1000, fail: 1000 }, 'warn may equal fail')
})

t.test('unknown names are refused at every level of health', async (t) => {
  const unknown = ERROR_CODES.UNKNOWN_OPTION
  refused(t, { paths: '/x' }, unknown, 'health.paths', /unknown option "health\.paths"; known options here are "health\.path", "health\.checks", "health\.timeoutMs", "health\.thresholds"/)
  refused(t, { thresholds: { cpu: { fail: 90 } } }, unknown, 'health.thresholds.cpu', /known options here are "health\.thresholds\.eventLoopDelayMs", "health\.thresholds\.heapUsedBytes", "health\.thresholds\.rssBytes"/)
  refused(t, { thresholds: { rssBytes: { max: 1 } } }, unknown, 'health.thresholds.rssBytes.max', /known options here are "health\.thresholds\.rssBytes\.warn", "health\.thresholds\.rssBytes\.fail"/)
})

t.test('a health path that lands on the dashboard\'s is a conflict', async (t) => {
  const err = refused(t, { path: '/ops' }, ERROR_CODES.CONFLICTING_OPTIONS, 'health.path',
    /option "health\.path" "\/ops" puts the ready endpoint at "\/ops\/ready", where "dashboard\.path" puts the dashboard/,
    { dashboard: { path: '/ops/ready' } })
  t.same(err.options, ['health.path', 'dashboard.path'])
  refused(t, true, ERROR_CODES.CONFLICTING_OPTIONS, 'health.path', /the live endpoint at "\/_vigie\/health\/live"/, { dashboard: { path: '/_vigie/health/live' } })
  t.equal(resolve(true, { dashboard: true }).health!.path, '/_vigie/health', 'the defaults live side by side')
  t.equal(resolve({ path: '/_vigie' }, { dashboard: true }).health!.path, '/_vigie', 'the same prefix is no clash: /_vigie/live and /_vigie/ready are not the dashboard\'s')
  t.equal(resolve({ path: '/ops' }, { dashboard: { path: '/ops/ready' }, health: false }).health, null)
})

t.test('health is code only: no environment variable turns it on', async (t) => {
  t.equal(resolveOptions({}, { VIGIE_HEALTH: 'true', VIGIE_DASHBOARD: 'true' }).health, null)
  t.equal(resolveOptions({ health: true }, { VIGIE_DISABLED: '1' }).health!.path, '/_vigie/health', 'resolved even when disabled (nothing is mounted then)')
})
