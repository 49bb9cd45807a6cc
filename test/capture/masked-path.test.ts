import t from 'tap'
import { maskSensitiveParams } from '../../lib/capture/masked-path.ts'
import { buildScrubber } from '../../lib/scrub/scrubber.ts'

const { isSensitiveKey } = buildScrubber()

t.test('the segment under a sensitive param of the pattern is masked', async (t) => {
  t.equal(maskSensitiveParams('/reset/abc-123?lang=fr', '/reset/:token', undefined, isSensitiveKey), '/reset/[REDACTED]?lang=fr')
  t.equal(maskSensitiveParams('/users/7/keys/k-1', '/users/:id/keys/:apiKey(\\w+)', undefined, isSensitiveKey), '/users/7/keys/[REDACTED]')
  t.equal(maskSensitiveParams('/users/7', '/users/:id', undefined, isSensitiveKey), '/users/7', 'an ordinary param is kept')
  t.equal(maskSensitiveParams('/reset/a/b', '/reset/:token', undefined, isSensitiveKey), '/reset/a/b', 'pattern and path not aligned: the pattern says nothing')
  t.equal(maskSensitiveParams('http://u@h:1/reset/abc#x', '/reset/:token', undefined, isSensitiveKey), 'http://u@h:1/reset/[REDACTED]#x', 'absolute form')
})

t.test('segments equal to a sensitive param\'s value, written or decoded, and values across segments', async (t) => {
  const params = Object.assign(Object.create(null), { token: 'a b', id: '7' })
  t.equal(maskSensitiveParams('/x/a%20b/7', undefined, params, isSensitiveKey), '/x/[REDACTED]/7')
  t.equal(maskSensitiveParams('/files/s3cr/et/more', undefined, { secret: 's3cr/et' }, isSensitiveKey), '/files/[REDACTED]/more')
  t.equal(maskSensitiveParams('/x/7', undefined, { id: '7', token: '' }, isSensitiveKey), '/x/7')
})

t.test('hostile params leave the target as it is', async (t) => {
  const hostile = new Proxy({}, { ownKeys () { throw new Error('no') } })
  t.equal(maskSensitiveParams('/reset/abc', undefined, hostile, isSensitiveKey), '/reset/abc')
  const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v']))
  t.equal(maskSensitiveParams('/v', undefined, many, isSensitiveKey), '/v')
})
