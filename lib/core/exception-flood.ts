import { performance } from 'node:perf_hooks'
import { outsideRequestContext } from '../context/request-context.js'

/** Most kinds of failure tracked in one interval; failures of further kinds share one overflow kind. */
export const MAX_KINDS = 1000
/** Correlation IDs kept per kind from the failures whose lines were not written, for its summary. */
export const MAX_SAMPLE_IDS = 5

export interface FloodLimits {
  /** Full lines per kind and interval. */
  readonly perInterval: number
  readonly intervalMs: number
}

/** One kind of failure: where, what, which status. */
export interface FailureKind {
  readonly controller: string
  /** The error's name, or `http_<status>` for an answer without an error (as the `exception` tag). */
  readonly errorType: string
  readonly statusCode: number
}

/** The failures of one kind whose lines were not written in one interval. */
export interface FloodSummary {
  /** null for the overflow kind: every kind met after MAX_KINDS others in the interval. */
  readonly kind: FailureKind | null
  readonly suppressed: number
  /** The first MAX_SAMPLE_IDS of them. */
  readonly correlationIds: readonly string[]
}

interface Tally {
  readonly kind: FailureKind | null
  seen: number
  suppressed: number
  readonly ids: string[]
}

/**
 * The budget of full exception lines: the first `perInterval` failures of each kind in an
 * interval are admitted, the others only tallied. At the end of an interval in which a kind was
 * refused, `write` gets one summary for it. The interval starts with the first failure after the
 * previous one ended. One unref'd timer, armed only while a refusal awaits its summary; memory
 * bounded by MAX_KINDS + 1 tallies of MAX_SAMPLE_IDS IDs each.
 */
export class ExceptionFlood {
  readonly #limits: FloodLimits
  readonly #write: (summary: FloodSummary) => void
  readonly #tallies = new Map<string, Tally>()
  #overflow: Tally | null = null
  #intervalStart = Number.NEGATIVE_INFINITY
  #timer: NodeJS.Timeout | null = null
  #closed = false

  /** `write` is called once per summary and must not throw. */
  constructor (limits: FloodLimits, write: (summary: FloodSummary) => void) {
    this.#limits = limits
    this.#write = write
  }

  /** Whether this failure gets its full line. Counts it either way. After close(), every failure does. */
  admit (kind: FailureKind, correlationId: string): boolean {
    if (this.#closed) return true
    const now = performance.now()
    // While a timer is armed the interval lasts until it fires, even when the event loop is late:
    // its summary is written by the timer alone.
    if (this.#timer === null && now - this.#intervalStart >= this.#limits.intervalMs) {
      this.#tallies.clear()
      this.#overflow = null
      this.#intervalStart = now
    }
    const tally = this.#tallyOf(kind)
    tally.seen++
    if (tally.seen <= this.#limits.perInterval) return true
    tally.suppressed++
    if (tally.ids.length < MAX_SAMPLE_IDS) tally.ids.push(correlationId)
    if (this.#timer === null) this.#arm(this.#intervalStart + this.#limits.intervalMs - now)
    return false
  }

  /** Writes the summaries pending now and stops the timer; failures after it are all admitted. */
  close (): void {
    this.#closed = true
    this.#endInterval()
  }

  #tallyOf (kind: FailureKind): Tally {
    const key = `${kind.statusCode}\u0000${kind.errorType}\u0000${kind.controller}`
    let tally = this.#tallies.get(key)
    if (tally !== undefined) return tally
    if (this.#tallies.size >= MAX_KINDS) {
      this.#overflow ??= { kind: null, seen: 0, suppressed: 0, ids: [] }
      return this.#overflow
    }
    tally = { kind: { controller: kind.controller, errorType: kind.errorType, statusCode: kind.statusCode }, seen: 0, suppressed: 0, ids: [] }
    this.#tallies.set(key, tally)
    return tally
  }

  #arm (delayMs: number): void {
    // Outside the request that armed it: the timer must not keep that request's context alive,
    // nor lend its correlation ID to the summaries.
    this.#timer = outsideRequestContext(() => setTimeout(() => this.#endInterval(), Math.max(0, delayMs)))
    this.#timer.unref()
  }

  #endInterval (): void {
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    const tallies = [...this.#tallies.values()]
    if (this.#overflow !== null) tallies.push(this.#overflow)
    this.#tallies.clear()
    this.#overflow = null
    this.#intervalStart = Number.NEGATIVE_INFINITY
    for (const { kind, suppressed, ids } of tallies) {
      if (suppressed > 0) this.#write({ kind, suppressed, correlationIds: ids })
    }
  }
}

/** The summary's line: its fields and its `msg`. */
export function summaryLine (summary: FloodSummary, intervalMs: number): { fields: Record<string, unknown>, msg: string } {
  const { kind, suppressed, correlationIds } = summary
  const exceptions = suppressed === 1 ? 'exception' : 'exceptions'
  const within = `in the last ${intervalMs / 1000} s`
  if (kind === null) {
    return {
      fields: { vigie: 'exception-summary', overflow: true, suppressed, intervalMs, correlationIds },
      msg: `${suppressed} more ${exceptions} of other kinds (past ${MAX_KINDS} kinds) ${within}`,
    }
  }
  return {
    fields: { vigie: 'exception-summary', controller: kind.controller, errorType: kind.errorType, statusCode: kind.statusCode, suppressed, intervalMs, correlationIds },
    msg: `${suppressed} more ${exceptions} like '${kind.errorType}' on ${kind.controller} (${kind.statusCode}) ${within}`,
  }
}
