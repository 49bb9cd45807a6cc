import { errorName } from './error-name.ts'
import type { Scrubber } from '../scrub/scrubber.ts'

/** An error as it appears in an exception line, with secrets masked in message and stack. */
export interface ErrorRecord {
  type: string
  message: string
  stack?: string
  code?: string | number
  statusCode?: number
  cause?: ErrorRecord | string
}

const MAX_CAUSE_DEPTH = 5

/**
 * Serializes an error and its `cause` chain (bounded, circular-safe). Reads every property
 * inside try/catch: an error with throwing getters still yields a record.
 */
export function buildErrorRecord (err: unknown, scrubber: Scrubber): ErrorRecord {
  return buildRecord(err, scrubber, new Set(), 0)
}

function buildRecord (err: unknown, scrubber: Scrubber, seen: Set<unknown>, depth: number): ErrorRecord {
  if (err === null || typeof err !== 'object') {
    return { type: 'NonError', message: scrubber.text(safeString(err)) }
  }
  seen.add(err)
  const record: ErrorRecord = {
    type: safe(() => errorName(err), 'Error'),
    message: scrubber.text(safe(() => safeString((err as Error).message ?? ''), '')),
  }
  const stack = safe(() => (err as Error).stack, undefined)
  if (typeof stack === 'string') record.stack = scrubber.text(stack)
  const code = safe(() => (err as { code?: unknown }).code, undefined)
  if (typeof code === 'string' || typeof code === 'number') record.code = typeof code === 'string' ? scrubber.text(code) : code
  const statusCode = safe(() => (err as { statusCode?: unknown }).statusCode, undefined)
  if (typeof statusCode === 'number') record.statusCode = statusCode
  const cause = safe(() => (err as { cause?: unknown }).cause, undefined)
  if (cause !== undefined) {
    if (seen.has(cause)) record.cause = '[Circular]'
    else if (depth + 1 >= MAX_CAUSE_DEPTH) record.cause = '[cause chain truncated]'
    else record.cause = buildRecord(cause, scrubber, seen, depth + 1)
  }
  return record
}

function safe<T, F> (read: () => T, fallback: F): T | F {
  try {
    return read()
  } catch {
    return fallback
  }
}

function safeString (value: unknown): string {
  try {
    return String(value)
  } catch {
    return '[unprintable]'
  }
}
