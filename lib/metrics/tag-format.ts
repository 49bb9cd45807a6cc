export type TagFormat = 'datadog' | 'telegraf'

/**
 * Characters that break each wire format, replaced by `_`:
 * - DogStatsD (`name:1|c|#k:v,k2:v2`): `|` separates fields, `,` tags, `#` and `@` introduce
 *   tags and sample rates, CR/LF end the line; `:` separates key from value, so it is banned in
 *   keys and kept in values (`controller:/users/:id`).
 * - Telegraf (`name,k=v,k2=v2:1|c`): tags use line-protocol syntax, where `,` `=` and space are
 *   delimiters, and the StatsD framing splits the line on `:` and `|`; a trailing `\` would escape
 *   the next delimiter. None of these is kept, in keys or in values.
 */
const DATADOG_KEY = new Set(':|,#@\r\n')
const DATADOG_VALUE = new Set('|,#@\r\n')
const TELEGRAF = new Set(':|,#@=\\ \r\n')

function replaceChars (value: string, banned: ReadonlySet<string>): string {
  let out = ''
  let changed = false
  for (const ch of value) {
    if (banned.has(ch)) {
      out += '_'
      changed = true
    } else {
      out += ch
    }
  }
  return changed ? out : value
}

export function sanitizeTagKey (key: string, format: TagFormat): string {
  return replaceChars(key, format === 'telegraf' ? TELEGRAF : DATADOG_KEY)
}

export function sanitizeTagValue (value: string, format: TagFormat): string {
  return replaceChars(value, format === 'telegraf' ? TELEGRAF : DATADOG_VALUE)
}

/** `key:value` with both parts made safe; hot-shots turns `:` into `=` for Telegraf. */
export function formatTag (key: string, value: string, format: TagFormat): string {
  return `${sanitizeTagKey(key, format)}:${sanitizeTagValue(value, format)}`
}

/*
 * `statsd.globalTags` and `statsd.prefix` as hot-shots (17.x) formats them for the client vigie
 * creates (`formatTags` and `normalizePrefix` in its lib/helpers.js), so that vigie's own request
 * lines carry them byte for byte as `app.statsd` sends them: its ban lists, and for Telegraf a
 * trailing `\` replaced too.
 */
const HOT_SHOTS_DATADOG_KEY = new Set(':|@,#\n\r')
const HOT_SHOTS_DATADOG_VALUE = new Set('|@,#\n\r')
const HOT_SHOTS_TELEGRAF_KEY = new Set(':|,\n\r')
const HOT_SHOTS_TELEGRAF_VALUE = new Set('|,\n\r')

function hotShotsSanitize (text: string, banned: ReadonlySet<string>, format: TagFormat): string {
  const sanitized = replaceChars(text, banned)
  return format === 'telegraf' && sanitized.endsWith('\\') ? `${sanitized.slice(0, -1)}_` : sanitized
}

/** `key:value` global tags, in the order of the object's keys. */
export function formatGlobalTags (tags: Readonly<Record<string, string>>, format: TagFormat): string[] {
  const telegraf = format === 'telegraf'
  return Object.keys(tags).map((key) =>
    `${hotShotsSanitize(key, telegraf ? HOT_SHOTS_TELEGRAF_KEY : HOT_SHOTS_DATADOG_KEY, format)}:` +
    hotShotsSanitize(tags[key], telegraf ? HOT_SHOTS_TELEGRAF_VALUE : HOT_SHOTS_DATADOG_VALUE, format))
}

/** The prefix with a trailing dot, unless empty or already there. */
export function normalizePrefix (prefix: string): string {
  return prefix === '' || prefix.endsWith('.') ? prefix : `${prefix}.`
}

/** A `key:value` tag as Telegraf lines carry it, `key=value`; one without a key stays as it is. */
export function telegrafTag (tag: string): string {
  const colon = tag.indexOf(':')
  return colon < 1 ? tag : `${tag.slice(0, colon)}=${tag.slice(colon + 1)}`
}
