import type { IncomingHttpHeaders } from 'node:http'
import type { Scrubber } from '../scrub/scrubber.ts'
import { buildCurlCommand } from './curl-command.ts'
import { buildErrorRecord, type ErrorRecord } from './error-record.ts'
import { maskSensitiveParams } from './masked-path.ts'
import { captureBody, type BodyLimits } from './request-body.ts'

/** What an exception line reads of a request from its framework; read only when one is written. */
export interface RequestDetails {
  readonly protocol: string
  readonly host: string | undefined
  /** Path and query exactly as received. */
  readonly url: string
  /** The route pattern, or undefined when no route matched. */
  readonly route: string | undefined
  readonly headers: IncomingHttpHeaders
  readonly query: unknown
  readonly params: unknown
  readonly body: unknown
  readonly remoteAddress: string | undefined
}

/** What the request lifecycle knows about a failed request; every field is read as-is, never mutated. */
export interface FailureFacts extends RequestDetails {
  readonly correlationId: string
  readonly error: unknown
  readonly method: string
  readonly statusCode: number
  readonly responseTime: number
  /** The request's database queries, when it sent any. */
  readonly db?: RequestDbFacts | undefined
}

/** What a request's exception line says of its queries. */
export interface RequestDbFacts {
  readonly queries: number
  readonly totalMs: number
  /** The last query that failed in the request (its fields as in the `query failed` line). */
  readonly failed?: Readonly<Record<string, unknown>> | undefined
}

/** Everything an exception line is built from: the failure and who made the request. */
export interface FailedRequestFacts extends FailureFacts {
  readonly user: unknown
}

/** The one structured line written per exception (see docs/exception-capture.md). */
export interface ExceptionRecord {
  correlationId: string
  err?: ErrorRecord
  req: {
    method: string
    url: string
    route?: string
    headers: Record<string, unknown>
    query?: unknown
    params?: unknown
    body?: unknown
    remoteAddress?: string
  }
  user?: unknown
  res: { statusCode: number }
  responseTime: number
  db?: { queries: number, totalMs: number, failed?: Readonly<Record<string, unknown>> }
  repro: string
}

/** Builds the exception record: everything scrubbed and bounded, whatever the input. */
export function buildExceptionRecord (facts: FailedRequestFacts, scrubber: Scrubber, limits: BodyLimits): ExceptionRecord {
  const headers = scrubber.headers(facts.headers)
  const target = maskSensitiveParams(facts.url, facts.route, facts.params, scrubber.isSensitiveKey)
  // An absolute-form target (`GET http://host/path`, as sent to a proxy) is the URL already.
  const url = scrubber.url(target.startsWith('/') ? `${facts.protocol}://${facts.host ?? 'localhost'}${target}` : target)
  const body = captureBody(facts.body, facts.headers, limits, scrubber)
  const valueLimits = { maxDepth: limits.maxDepth, maxArrayItems: limits.maxArrayItems, maxTotalKeys: limits.maxTotalKeys }
  const req: ExceptionRecord['req'] = { method: facts.method, url, headers }
  if (facts.route !== undefined) req.route = facts.route
  if (facts.query !== undefined) req.query = scrubber.value(facts.query, valueLimits)
  if (facts.params !== undefined) req.params = scrubber.value(facts.params, valueLimits)
  if (body !== undefined) req.body = body
  if (facts.remoteAddress !== undefined) req.remoteAddress = facts.remoteAddress

  const record: ExceptionRecord = {
    correlationId: facts.correlationId,
    req,
    res: { statusCode: facts.statusCode },
    responseTime: Math.round(facts.responseTime * 1000) / 1000,
    repro: buildCurlCommand(facts.method, url, headers, body),
  }
  if (facts.error !== undefined) record.err = buildErrorRecord(facts.error, scrubber)
  if (facts.user !== undefined) record.user = scrubber.value(facts.user, valueLimits)
  if (facts.db !== undefined) {
    record.db = { queries: facts.db.queries, totalMs: Math.round(facts.db.totalMs * 1000) / 1000 }
    if (facts.db.failed !== undefined) record.db.failed = facts.db.failed
  }
  return record
}

/** The line's `msg`: the scrubbed error message, or the status when there was no error. */
export function exceptionMessage (record: ExceptionRecord): string {
  return record.err !== undefined
    ? `exception: ${record.err.type}: ${record.err.message}`
    : `exception: HTTP ${record.res.statusCode}`
}
