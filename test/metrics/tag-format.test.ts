import t from 'tap'
import { formatGlobalTags, formatTag, normalizePrefix, sanitizeTagKey, sanitizeTagValue, telegrafTag } from '../../lib/metrics/tag-format.js'

t.test('DogStatsD: ":" is kept in values and banned in keys', async (t) => {
  t.equal(formatTag('controller', '/users/:id', 'datadog'), 'controller:/users/:id')
  t.equal(sanitizeTagKey('a:b', 'datadog'), 'a_b')
})

t.test('DogStatsD: protocol characters never pass', async (t) => {
  t.equal(sanitizeTagValue('a|b,c#d@e\rf\ng', 'datadog'), 'a_b_c_d_e_f_g')
  t.equal(sanitizeTagValue('plain-value_1.2', 'datadog'), 'plain-value_1.2')
})

t.test('Telegraf: line-protocol delimiters and StatsD framing are replaced in keys and values', async (t) => {
  t.equal(formatTag('controller', '/users/:id', 'telegraf'), 'controller:/users/_id')
  t.equal(sanitizeTagValue('a b=c,d|e:f\\', 'telegraf'), 'a_b_c_d_e_f_')
  t.equal(sanitizeTagKey('k=ey x', 'telegraf'), 'k_ey_x')
})

t.test('astral characters are kept whole', async (t) => {
  t.equal(sanitizeTagValue('caf\u00e9 \u{1F600}|', 'datadog'), 'caf\u00e9 \u{1F600}_')
})

t.test('global tags and the prefix as hot-shots formats them', async (t) => {
  const tags = { 'a:b|c': 'x|y,z#@:w', 'env@#': 'prod\\', 'k\n': 'v\r', '': 'empty', 2: 'first' }
  t.same(formatGlobalTags(tags, 'datadog'), ['2:first', 'a_b_c:x_y_z__:w', 'env__:prod\\', 'k_:v_', ':empty'], 'keys in object order, integer-like first')
  t.same(formatGlobalTags(tags, 'telegraf'), ['2:first', 'a_b_c:x_y_z#@:w', 'env@#:prod_', 'k_:v_', ':empty'], 'Telegraf: a trailing backslash replaced')
  t.equal(normalizePrefix(''), '')
  t.equal(normalizePrefix('shop'), 'shop.')
  t.equal(normalizePrefix('shop.'), 'shop.')
  t.equal(telegrafTag('env:prod:eu'), 'env=prod:eu', 'the first colon only')
  t.equal(telegrafTag(':empty'), ':empty', 'no key: left as it is')
})
