import t from 'tap'
import { ERROR_CODES } from '../../lib/errors.ts'
import { OPTION_KEYS, OPTION_PATHS } from '../../lib/options/option-names.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('OPTION_PATHS: every top-level option, then every key of every option object', async (t) => {
  t.same(OPTION_PATHS.slice(0, OPTION_KEYS[''].length), OPTION_KEYS[''])
  t.ok(OPTION_PATHS.includes('asyncContext') && OPTION_PATHS.includes('statsd.client') && OPTION_PATHS.includes('dashboard.token'))
  t.equal(new Set(OPTION_PATHS).size, OPTION_PATHS.length)
  t.ok(Object.isFrozen(OPTION_PATHS) && Object.isFrozen(OPTION_KEYS) && Object.isFrozen(OPTION_KEYS.statsd))
})

t.test('the table is the one resolveOptions() checks names against, at every level', async (t) => {
  for (const [group, keys] of Object.entries(OPTION_KEYS)) {
    const prefix = group === '' ? '' : `${group}.`
    const input = group === '' ? { typo: 1 } : { [group]: { typo: 1 } }
    t.throws(() => resolveOptions(input as never, {}), {
      code: ERROR_CODES.UNKNOWN_OPTION,
      option: `${prefix}typo`,
      message: `vigie: unknown option "${prefix}typo"; known options here are ${keys.map((k) => `"${prefix}${k}"`).join(', ')}`,
    }, group)
  }
})
