// What a failed check's reading says of its error: the message, never a stack, scrubbed, short.

import { scanWindow } from '../scrub/free-text.ts'

/** The longest `output`, in characters. */
export const MAX_OUTPUT = 200

// The start of a stack trace's frames, as V8 writes them: a line that starts with "at ".
const FRAME = /\n\s*at\s/

/**
 * The `output` of a check that threw or rejected with `err`: its message (an Error's, or the
 * string thrown), cut where a stack trace would start, with secrets masked by `scrubText`, then
 * cut to MAX_OUTPUT characters (`…` marks the cut). Never throws.
 */
export function checkOutput (err: unknown, scrubText: (text: string) => string): string {
  let text: string
  try {
    text = messageOf(err)
  } catch {
    text = 'failed (its error could not be read)'
  }
  const frame = text.search(FRAME)
  if (frame !== -1) text = text.slice(0, frame)
  return cut(scrubText(scanWindow(text, MAX_OUTPUT)).trim(), MAX_OUTPUT)
}

function messageOf (err: unknown): string {
  if (typeof err === 'string') return err === '' ? 'failed' : err
  if (err instanceof Error) {
    const message = typeof err.message === 'string' ? err.message : ''
    return message === '' ? `failed (${String(err.name)})` : message
  }
  return `failed (rejected with ${err === null ? 'null' : typeof err}, not an Error)`
}

/** At most `max` characters, the last one `…` when cut; never splits a surrogate pair. */
export function cut (text: string, max: number): string {
  if (text.length <= max) return text
  let end = max - 1
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}…`
}
