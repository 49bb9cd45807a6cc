import { scrubText } from '../scrub/free-text.js'

/** Longer names are cut: a name is a label (a tag, a dashboard cell), not a message. */
const MAX_NAME_LENGTH = 100

/**
 * The name an error is known by in tags and lines: its `name`, or `NonError` for a thrown
 * non-object. Scrubbed like free text and cut to 100 characters: an app may build a name from
 * request data, and the name reaches the exception line, the dashboard, `snapshot()` and the
 * `exception` tag.
 */
export function errorName (err: unknown): string {
  let name: unknown = 'NonError'
  if (err instanceof Error) name = err.name || 'Error'
  else if (err !== null && typeof err === 'object') name = (err as { name?: unknown }).name
  if (typeof name !== 'string' || name.length === 0) return 'NonError'
  return scrubText(name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name)
}
