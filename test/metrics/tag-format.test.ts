import { createRequire } from 'node:module'
import t from 'tap'
import { StatsD } from 'hot-shots'
import { formatGlobalTags, formatTag, isWireSafe, normalizePrefix, sanitizeTagKey, sanitizeTagValue, telegrafTag, type TagFormat } from '../../lib/metrics/tag-format.ts'

/** hot-shots' own tag formatting (its lib/helpers.js), to hold vigie's startup check against. */
const hotShots = createRequire(import.meta.url)('hot-shots/lib/helpers.js') as {
  formatTags: (tags: Record<string, string>, telegraf: boolean) => string[]
}

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

t.test('global tags are written as they are, in the order of their keys; the prefix gets its dot', async (t) => {
  t.same(formatGlobalTags({ env: 'prod', region: 'eu:west', 2: 'first' }), ['2:first', 'env:prod', 'region:eu:west'], 'integer-like keys first, as Object.keys has them')
  t.equal(normalizePrefix(''), '')
  t.equal(normalizePrefix('shop'), 'shop.')
  t.equal(normalizePrefix('shop.'), 'shop.')
  t.equal(telegrafTag('env:prod:eu'), 'env=prod:eu', 'the first colon only')
  t.equal(telegrafTag(':empty'), ':empty', 'no key: left as it is')
})

// Every ASCII character, and a few beyond, in each place it could go.
const CHARACTERS = [...Array.from({ length: 128 }, (_, code) => String.fromCharCode(code)), 'é', '\u2028', '\u{1F600}']

t.test('what the startup check lets through, hot-shots writes unchanged: its sanitising never applies', async (t) => {
  for (const format of ['datadog', 'telegraf'] as const) {
    for (const ch of CHARACTERS) {
      const name = `${format}: U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`
      const key = `k${ch}k`
      const value = `v${ch}v`
      const [written] = hotShots.formatTags({ [key]: value }, format === 'telegraf')
      if (isWireSafe(key, 'key', format) && isWireSafe(value, 'value', format)) {
        t.equal(written, `${key}:${value}`, name)
      }
      const [trailing] = hotShots.formatTags({ k: `v${ch}` }, format === 'telegraf')
      if (isWireSafe(`v${ch}`, 'value', format)) t.equal(trailing, `k:v${ch}`, `${name} at the end`)
    }
  }
})

t.test('the check: no control character anywhere, the format\'s delimiters per part, no empty key', async (t) => {
  const expectations: Array<[TagFormat, 'prefix' | 'key' | 'value', string, boolean]> = [
    ['datadog', 'prefix', 'shop.', true],
    ['datadog', 'prefix', '', true],
    ['datadog', 'prefix', 'a=b c', true],
    ['datadog', 'prefix', 'a:b', false],
    ['datadog', 'prefix', 'a\tb', false],
    ['datadog', 'key', '', false],
    ['datadog', 'value', '', true],
    ['datadog', 'value', 'eu:west', true],
    ['datadog', 'value', 'a\u00e9b', true],
    ['datadog', 'value', 'a#b', false],
    ['telegraf', 'value', 'eu:west', false],
    ['telegraf', 'value', 'a b', false],
    ['telegraf', 'key', 'a=b', false],
    ['telegraf', 'prefix', 'my-app_v2/x.', true],
  ]
  for (const [format, part, text, safe] of expectations) t.equal(isWireSafe(text, part, format), safe, `${format} ${part} ${JSON.stringify(text)}`)
})

t.test('hot-shots writes the prefix as it is: only vigie\'s check stands between a bad one and the wire', async (t) => {
  const client = new StatsD({ mock: true, prefix: 'evil:1|c\nshop.' })
  client.increment('m')
  t.same(client.mockBuffer, ['evil:1|c\nshop.m:1|c'])
  t.equal(isWireSafe('evil:1|c\nshop.', 'prefix', 'datadog'), false)
  client.close()
})
