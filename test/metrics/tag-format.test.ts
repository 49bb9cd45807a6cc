import t from 'tap'
import { formatTag, sanitizeTagKey, sanitizeTagValue } from '../../lib/metrics/tag-format.js'

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
