import t from 'tap'
import { COPY_LIMIT_CEILINGS, DEFAULT_COPY_LIMITS, resolveLimits } from '../../lib/scrub/copy-limits.ts'

t.test('resolveLimits(): defaults, fallbacks and ceilings', async (t) => {
  t.equal(resolveLimits(undefined), DEFAULT_COPY_LIMITS)
  t.strictSame(resolveLimits({ maxDepth: 2 }), { ...DEFAULT_COPY_LIMITS, maxDepth: 2 })
  t.strictSame(resolveLimits({ maxDepth: -1, maxArrayItems: 1.5, maxStringLength: Number.NaN, maxTotalKeys: '5' as unknown as number }), DEFAULT_COPY_LIMITS,
    'a limit that is not an integer ≥ 0 takes its default')
  t.strictSame(resolveLimits({ maxDepth: 1e9, maxArrayItems: 1e9, maxStringLength: 1e9, maxTotalKeys: 1e9 }), COPY_LIMIT_CEILINGS)
  t.strictSame(resolveLimits({ maxTotalKeys: 20 }), { ...DEFAULT_COPY_LIMITS, maxTotalKeys: 20 })
  t.equal(DEFAULT_COPY_LIMITS.maxTotalKeys, 1000)
  t.equal(COPY_LIMIT_CEILINGS.maxTotalKeys, 100_000)
  t.strictSame(resolveLimits({ maxDepth: 0 }), { ...DEFAULT_COPY_LIMITS, maxDepth: 0 }, '0 is a limit, not a fallback')
})
