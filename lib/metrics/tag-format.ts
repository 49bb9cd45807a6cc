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
