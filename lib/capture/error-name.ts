/** The name an error is known by in tags and lines: its `name`, or `NonError` for a thrown non-object. */
export function errorName (err: unknown): string {
  if (err instanceof Error) return err.name || 'Error'
  if (err !== null && typeof err === 'object') {
    const name = (err as { name?: unknown }).name
    if (typeof name === 'string' && name.length > 0) return name
  }
  return 'NonError'
}
