import type { MetricKind } from './types.ts'

/** Tags in one order whatever order they came in: `a:1,b:2` and `b:2,a:1` are one series. */
export function canonicalTags (tags: readonly string[]): readonly string[] {
  return Object.freeze(tags.length < 2 ? [...tags] : [...tags].sort())
}

/** The map key of a series; `tags` already canonical. */
export function seriesKey (kind: MetricKind, name: string, tags: readonly string[]): string {
  return `${kind}\u0000${name}\u0000${tags.join('\u0000')}`
}

export type TagEntries = ReadonlyArray<readonly [string, string]>

/** `'k:v'` split at the first `:`; a tag without `:` maps to `''`. Kept per series: see tagRecord(). */
export function tagEntries (tags: readonly string[]): TagEntries {
  return Object.freeze(tags.map(splitTag))
}

/** The tags as an object, `{ k: 'v' }`: kept per series, and copied into each snapshot (spread: see snapshot()). */
export function tagRecord (entries: TagEntries): Readonly<Record<string, string>> {
  return Object.freeze(Object.fromEntries(entries))
}

/** The value of tag `key`, or undefined when the series does not have it. */
export function tagValue (entries: TagEntries, key: string): string | undefined {
  for (const [k, v] of entries) {
    if (k === key) return v
  }
  return undefined
}

function splitTag (tag: string): [string, string] {
  const colon = tag.indexOf(':')
  return colon === -1 ? [tag, ''] : [tag.slice(0, colon), tag.slice(colon + 1)]
}
