// The answer of the health endpoints, in the IETF draft's format ("Health Check Response Format
// for HTTP APIs", draft-inadarei-api-health-check-06): `application/health+json`, a top-level
// `status`, and `checks` keyed `"<component>:<measurement>"`, each a list of readings.

import type { EndpointResponse } from '../core/vigie.ts'

/** pass: healthy; warn: healthy, with a concern; fail: unhealthy. */
export type HealthStatus = 'pass' | 'warn' | 'fail'

/** One reading of one check. `output` only when it did not pass: a message, scrubbed and at most 200 characters. */
export interface HealthCheckReading {
  status: HealthStatus
  observedValue: number
  observedUnit: string
  /** When it was read, ISO 8601. */
  time: string
  output?: string
}

/**
 * The body of `<path>/live` and `<path>/ready`. `checks` (ready only) is keyed
 * `"<name>:responseTime"` for each of `health.checks`, and `"eventLoop:delay"`,
 * `"memory:heapUsed"`, `"memory:rss"` for the thresholds set. `output` says why a ready that
 * ran no check failed (`"draining"`).
 */
export interface HealthReport {
  status: HealthStatus
  output?: string
  checks?: Record<string, HealthCheckReading[]>
}

const RANK: Readonly<Record<HealthStatus, number>> = Object.freeze({ pass: 0, warn: 1, fail: 2 })

/** The worse of two statuses. */
export function worse (a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[b] > RANK[a] ? b : a
}

const HEADERS = Object.freeze({
  // The charset as Fastify would add it to a string body: the same header from both frameworks.
  'content-type': 'application/health+json; charset=utf-8',
  // A probe's answer is about now: no cache in between may keep it.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
})

/** 200 for pass and warn, 503 for fail (the draft: 2xx–3xx for pass and warn, 4xx–5xx for fail). */
export function healthResponse (report: HealthReport): EndpointResponse {
  return Object.freeze({ status: report.status === 'fail' ? 503 : 200, headers: HEADERS, body: JSON.stringify(report) })
}

/** A plain-text answer on the health paths (a method other than GET and HEAD). */
export function plainResponse (status: number, text: string, extra: Record<string, string> = {}): EndpointResponse {
  return Object.freeze({ status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra }, body: text })
}
