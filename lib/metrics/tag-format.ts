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

/**
 * What `statsd.prefix` and `statsd.globalTags` may hold, checked once at startup (resolve-statsd.ts)
 * rather than replaced: hot-shots (17.x) writes the prefix as it is (it sanitises the metric name
 * after it, never the prefix), so a newline or `:1|c` in a prefix writes lines of its own; and it
 * sanitises global tags only in part (for Telegraf, neither `=` nor space, nor `:` in values).
 * A prefix and a tag key may hold what {@link sanitizeTagKey} keeps, a tag value what
 * {@link sanitizeTagValue} keeps, none of them a control character, and a key is not empty.
 * Everything hot-shots would replace is refused here too, so it writes them as they are.
 */
export type ConfiguredText = 'prefix' | 'key' | 'value'

/** C0 controls (CR and LF among them) and DEL. */
function isControl (ch: string): boolean {
  const code = ch.charCodeAt(0)
  return code < 0x20 || code === 0x7f
}

function bannedIn (part: ConfiguredText, format: TagFormat): ReadonlySet<string> {
  if (format === 'telegraf') return TELEGRAF
  return part === 'value' ? DATADOG_VALUE : DATADOG_KEY
}

/** Whether `text` may be a prefix, tag key or tag value in `format`. */
export function isWireSafe (text: string, part: ConfiguredText, format: TagFormat): boolean {
  if (part === 'key' && text === '') return false
  const banned = bannedIn(part, format)
  for (const ch of text) if (isControl(ch) || banned.has(ch)) return false
  return true
}

/** What {@link isWireSafe} asks of a `part`, for error messages: `without control characters or any of ":", "|"…`. */
export function wireSafeRule (part: ConfiguredText, format: TagFormat): string {
  const chars = [...bannedIn(part, format)]
    .filter((ch) => !isControl(ch))
    .map((ch) => (ch === ' ' ? 'space' : `"${ch}"`))
  return `without control characters or any of ${chars.join(', ')} (tagFormat "${format}")`
}

/** `key:value` global tags, in the order of the object's keys: checked at startup, they need no sanitising. */
export function formatGlobalTags (tags: Readonly<Record<string, string>>): string[] {
  return Object.keys(tags).map((key) => `${key}:${tags[key]}`)
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
