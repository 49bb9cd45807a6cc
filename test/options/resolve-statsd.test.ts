// statsd.prefix and statsd.globalTags are checked against the wire format at startup: what could
// break a line or add a tag is refused, naming the option (or the variable that set it).
import t, { type Test } from 'tap'
import { ERROR_CODES, type VigieError } from '../../lib/errors.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import type { StatsdOptions } from '../../lib/types.ts'

const DATADOG_RULE = 'without control characters or any of ":", "|", ",", "#", "@" (tagFormat "datadog")'
const TELEGRAF_RULE = 'without control characters or any of ":", "|", ",", "#", "@", "=", "\\", space (tagFormat "telegraf")'

function refused (t: Test, statsd: StatsdOptions, env: Record<string, string> = {}): VigieError {
  return t.throws(() => resolveOptions({ statsd }, env), { name: 'VigieError' }) as VigieError
}

t.test('prefixes that cannot break a line are kept as given, in either format', async (t) => {
  for (const prefix of ['', 'shop', 'shop.', 'my-app_v2.', 'team/app.', 'café.', '日本.']) {
    for (const tagFormat of ['datadog', 'telegraf'] as const) {
      t.equal(resolveOptions({ statsd: { prefix, tagFormat } }, {}).statsd.prefix, prefix, `${JSON.stringify(prefix)}, ${tagFormat}`)
    }
  }
  t.equal(resolveOptions({ statsd: { prefix: 'a=b c.' } }, {}).statsd.prefix, 'a=b c.', 'DogStatsD names may hold "=" and spaces')
})

t.test('a prefix that would write lines of its own or add tags is refused, naming statsd.prefix', async (t) => {
  const err = refused(t, { prefix: 'shop.\nevil:1|c' })
  t.same([err.code, err.option, err.options, err.variables], [ERROR_CODES.INVALID_OPTION, 'statsd.prefix', ['statsd.prefix'], []])
  t.equal(err.message, `vigie: option "statsd.prefix" must be a string ${DATADOG_RULE}; received "shop.\\nevil:1|c" (string)`)
  for (const prefix of ['a\rb', 'a:1|c', 'a|b', 'a,b', 'a#b', 'a@b', 'a\tb', 'a\u0000b', 'a\u007fb']) {
    t.equal(refused(t, { prefix }).option, 'statsd.prefix', JSON.stringify(prefix))
  }
  for (const prefix of ['shop,env=evil.', 'a=b', 'a b', 'a\\', 'a:b']) {
    const telegraf = refused(t, { prefix, tagFormat: 'telegraf' })
    t.equal(telegraf.option, 'statsd.prefix', `telegraf: ${JSON.stringify(prefix)}`)
    t.match(telegraf.message, TELEGRAF_RULE)
  }
})

t.test('global tags: each key and value is checked against the format, the tag named', async (t) => {
  t.same(resolveOptions({ statsd: { globalTags: { env: 'prod', region: 'eu:west-1', 'build id': 'a b', shard: 3 } } }, {}).statsd.globalTags,
    { env: 'prod', region: 'eu:west-1', 'build id': 'a b', shard: '3' }, 'DogStatsD: ":" in values and spaces are fine')
  t.same(resolveOptions({ statsd: { tagFormat: 'telegraf', globalTags: { env: 'prod', version: '1.2.3', path: '/a/b' } } }, {}).statsd.globalTags,
    { env: 'prod', version: '1.2.3', path: '/a/b' })

  const value = refused(t, { globalTags: { env: 'prod,admin:true' } })
  t.same([value.code, value.option, value.variables], [ERROR_CODES.INVALID_OPTION, 'statsd.globalTags.env', []])
  t.equal(value.message, `vigie: option "statsd.globalTags.env" must be a tag value ${DATADOG_RULE.replace('":", ', '')}; received "prod,admin:true" (string)`)

  const key = refused(t, { globalTags: { 'a|b': 'x' } })
  t.equal(key.option, 'statsd.globalTags.a|b')
  t.equal(key.message, `vigie: option "statsd.globalTags.a|b" must be under a non-empty key ${DATADOG_RULE}; received "a|b" (string)`)
  t.equal(refused(t, { globalTags: { '': 'x' } }).option, 'statsd.globalTags.', 'an empty key')
  t.equal(refused(t, { globalTags: { 'a\nb': 'x' } }).option, 'statsd.globalTags.a\\nb', 'a control character in a key is escaped in the path')
  for (const bad of ['a|b', 'a#b', 'a@b', 'a\nb', 'a\rb', 'a\u0000']) {
    t.equal(refused(t, { globalTags: { env: bad } }).option, 'statsd.globalTags.env', `value ${JSON.stringify(bad)}`)
  }
  for (const bad of ['eu:west', 'a=b', 'a b', 'a,b', 'trailing\\']) {
    const err = refused(t, { tagFormat: 'telegraf', globalTags: { env: bad } })
    t.equal(err.option, 'statsd.globalTags.env', `telegraf value ${JSON.stringify(bad)}`)
    t.match(err.message, TELEGRAF_RULE)
  }
  t.equal(refused(t, { tagFormat: 'telegraf', globalTags: { 'k=v': 'x' } }).option, 'statsd.globalTags.k=v')
})

t.test('set by the environment: VIGIE_ERR_INVALID_ENV, naming the variable and the option', async (t) => {
  const prefix = refused(t, {}, { VIGIE_STATSD_PREFIX: 'shop|x' })
  t.same([prefix.code, prefix.option, prefix.variables], [ERROR_CODES.INVALID_ENV, 'statsd.prefix', ['VIGIE_STATSD_PREFIX']])
  t.equal(prefix.message, `vigie: environment variable VIGIE_STATSD_PREFIX sets option "statsd.prefix", which must be a string ${DATADOG_RULE}; received "shop|x" (string)`)

  const tag = refused(t, {}, { VIGIE_STATSD_TAG_FORMAT: 'telegraf', VIGIE_STATSD_GLOBAL_TAGS: 'env:prod,region:eu west' })
  t.same([tag.code, tag.option, tag.variables], [ERROR_CODES.INVALID_ENV, 'statsd.globalTags.region', ['VIGIE_STATSD_GLOBAL_TAGS']])
  t.match(tag.message, /^vigie: environment variable VIGIE_STATSD_GLOBAL_TAGS sets option "statsd\.globalTags\.region", which must be a tag value .*; received "eu west" \(string\)$/,
    'the bad part of the variable')

  const fromCode = refused(t, { prefix: 'a=b.' }, { VIGIE_STATSD_TAG_FORMAT: 'telegraf' })
  t.same([fromCode.code, fromCode.variables], [ERROR_CODES.INVALID_OPTION, []], 'a prefix from code is the code\'s, whatever set the format')
  t.equal(resolveOptions({ statsd: { prefix: 'shop.' } }, { VIGIE_STATSD_PREFIX: 'bad|prefix' }).statsd.prefix, 'shop.', 'a variable the code overrides is not checked')
})
