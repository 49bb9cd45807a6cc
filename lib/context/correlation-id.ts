import { v7 as uuidv7 } from 'uuid'

export const DEFAULT_CORRELATION_HEADER = 'x-request-id'
const MAX_LENGTH = 128

/** True when `c` (a char code) is one of `[A-Za-z0-9._:-]`. */
function isIdChar (c: number): boolean {
  return (c >= 48 && c <= 58) || // 0-9 and ':'
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 45 || c === 46 || c === 95 // - . _
}

/** An incoming correlation ID is kept only if it is 1–128 characters of `[A-Za-z0-9._:-]`. */
export function isValidCorrelationId (value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return false
  for (let i = 0; i < value.length; i++) {
    if (!isIdChar(value.charCodeAt(i))) return false
  }
  return true
}

/**
 * The correlation ID for a request: the incoming header value when it is valid, a fresh
 * time-ordered UUID (v7) otherwise. A repeated header arrives as an array (or, for unknown
 * headers, joined with ", ") and is never valid.
 */
export function resolveCorrelationId (headerValue: string | string[] | undefined): string {
  return isValidCorrelationId(headerValue) ? headerValue : uuidv7()
}
