import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'
import { finished } from 'node:stream'
import type { Request } from 'express'
import { requestStateOf } from './express-request-state.ts'
import { kFinalHandler, markVigieMiddleware } from './express-symbols.ts'

const CONTENT_HEADERS = ['content-encoding', 'content-language', 'content-range']

/**
 * vigie's final error handler, the last layer of each top-level app vigie adopts
 * (express-app-adoption.ts): keeps errors that no error handler answered away from Express's
 * final handler, which prints the raw, unscrubbed stack to stderr (and, when `env` is
 * `development`, sends it in the body). Only for requests vigie observes: it answers them
 * itself, without a stack, as finalhandler does in production. Any other request's error goes
 * on to Express. A 404 (no error) never reaches it.
 */
export const finalErrorHandler = markVigieMiddleware(function vigieFinalErrorHandler (err: unknown, req: Request, res: ServerResponse, next: (err?: unknown) => void): void {
  if (!answeredUnhandledError(req, res, err)) next(err)
})
Object.defineProperty(finalErrorHandler, kFinalHandler, { value: true })

/** Answers an unhandled error of an observed request; false leaves it to Express. */
function answeredUnhandledError (req: Request, res: ServerResponse, err: unknown): boolean {
  const state = requestStateOf(req)
  if (state === undefined) return false
  try {
    if (state.error === undefined) state.error = err
    state.unhandled = true
    if (res.headersSent) {
      // What finalhandler does too: the answer cannot be completed.
      req.socket?.destroy()
    } else {
      answerError(req, res, err)
    }
    return true
  } catch (failure) {
    state.reporter.report('express final handler', failure)
    return false
  }
}

function answerError (req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const fromError = statusOfError(err)
  const status = fromError ?? (res.statusCode >= 400 && res.statusCode < 600 ? res.statusCode : 500)
  const body = STATUS_CODES[status] ?? 'Error'
  function write (): void {
    res.statusCode = status
    for (const name of CONTENT_HEADERS) res.removeHeader(name)
    if (fromError !== undefined) setErrorHeaders(res, err)
    res.setHeader('content-security-policy', "default-src 'none'")
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('content-type', 'text/plain; charset=utf-8')
    res.setHeader('content-length', Buffer.byteLength(body))
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  if (req.readableEnded) {
    write()
    return
  }
  // Read the rest of the body first, as finalhandler does, so the client is not cut off mid-upload.
  req.unpipe()
  finished(req, write)
  req.resume()
}

/** `err.status` or `err.statusCode` when it is an HTTP error status (http-errors, body-parser). */
function statusOfError (err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined
  for (const key of ['status', 'statusCode'] as const) {
    const value = (err as Record<string, unknown>)[key]
    if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value < 600) return value
  }
  return undefined
}

/** `err.headers` (e.g. `Allow`, `WWW-Authenticate` from http-errors); invalid ones are skipped. */
function setErrorHeaders (res: ServerResponse, err: unknown): void {
  const headers = (err as { headers?: unknown }).headers
  if (headers === null || typeof headers !== 'object') return
  for (const [name, value] of Object.entries(headers)) {
    try {
      res.setHeader(name, value as string | number | readonly string[])
    } catch {
      // Node rejects invalid header names and values; the answer goes out without that one.
    }
  }
}
