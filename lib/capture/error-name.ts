import { scrubText } from '../scrub/free-text.ts'

/** Longer names are cut: a name is a label (a tag, a dashboard cell), not a message. */
const MAX_NAME_LENGTH = 100
/** How far past the cut a name is scrubbed: a secret across the cut must be recognised whole, then cut. */
const SCAN_MARGIN = 4096

/**
 * The name an error is known by in tags and lines: its `name`, or `NonError` for a thrown
 * non-object. Scrubbed like free text, then cut to 100 characters: an app may build a name from
 * request data, and the name reaches the exception line, the dashboard, `snapshot()` and the
 * `exception` tag.
 */
export function errorName (err: unknown): string {
  let name: unknown = 'NonError'
  if (err instanceof Error) name = err.name || 'Error'
  else if (err !== null && typeof err === 'object') name = (err as { name?: unknown }).name
  if (typeof name !== 'string' || name.length === 0) return 'NonError'
  const scrubbed = scrubText(name.length > MAX_NAME_LENGTH + SCAN_MARGIN ? name.slice(0, MAX_NAME_LENGTH + SCAN_MARGIN) : name)
  return scrubbed.length > MAX_NAME_LENGTH ? scrubbed.slice(0, MAX_NAME_LENGTH) : scrubbed
}
