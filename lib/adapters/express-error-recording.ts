import type { ErrorHandle } from './express-internals.ts'
import { requestStateOf } from './express-request-state.ts'
import { isVigieMiddleware, kRecordsErrors } from './express-symbols.ts'

/**
 * The app's own error handler, recording the error it is given on a request vigie observes
 * before it runs: the exception line then has the error (type, message, stack), as with
 * expressErrorHandler(), in apps that answer errors themselves. Its four parameters keep it an
 * error handler for Express; it keeps `fn`'s name and inherits its properties. vigie's own
 * handlers, and handlers already recording, are returned as they are.
 */
export function recordingErrorHandler (fn: ErrorHandle): ErrorHandle {
  if (isVigieMiddleware(fn) || (fn as { [kRecordsErrors]?: boolean })[kRecordsErrors] === true) return fn
  const handler = function (err: unknown, req: object, res: unknown, next: (err?: unknown) => void): unknown {
    const state = requestStateOf(req)
    if (state !== undefined) state.error ??= err
    return fn(err, req, res, next)
  }
  Object.defineProperty(handler, 'name', { value: fn.name })
  Object.setPrototypeOf(handler, fn)
  Object.defineProperty(handler, kRecordsErrors, { value: true })
  return handler
}
