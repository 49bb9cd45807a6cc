import { performance } from 'node:perf_hooks'
import { outsideRequestContext } from '../context/request-context.ts'

/** Most kinds of line tracked in one interval; lines of further kinds share one overflow kind. */
export const MAX_KINDS = 1000
/** Correlation IDs kept per kind from the lines not written, for its summary. */
export const MAX_SAMPLE_IDS = 5

export interface LineLimits {
  /** Full lines per kind and interval. */
  readonly perInterval: number
  readonly intervalMs: number
}

/** The lines of one kind that were not written in one interval. */
export interface LineSummary<Kind> {
  /** null for the overflow kind: every kind met after MAX_KINDS others in the interval. */
  readonly kind: Kind | null
  readonly suppressed: number
  /** The first MAX_SAMPLE_IDS of them. */
  readonly correlationIds: readonly string[]
}

interface Tally<Kind> {
  readonly kind: Kind | null
  seen: number
  suppressed: number
  readonly ids: string[]
}

/**
 * A budget of log lines per kind: the first `perInterval` lines of each kind in an interval are
 * admitted, the others only tallied. At the end of an interval in which a kind was refused,
 * `write` gets one summary for it. The interval starts with the first line after the previous one
 * ended. One unref'd timer, armed only while a refusal awaits its summary; memory bounded by
 * MAX_KINDS + 1 tallies of MAX_SAMPLE_IDS IDs each.
 */
export class LineBudget<Kind> {
  readonly #limits: LineLimits
  readonly #write: (summary: LineSummary<Kind>) => void
  readonly #tallies = new Map<string, Tally<Kind>>()
  #overflow: Tally<Kind> | null = null
  #intervalStart = Number.NEGATIVE_INFINITY
  #timer: NodeJS.Timeout | null = null
  #closed = false

  /** `write` is called once per summary and must not throw. */
  constructor (limits: LineLimits, write: (summary: LineSummary<Kind>) => void) {
    this.#limits = limits
    this.#write = write
  }

  /**
   * Whether this line of kind `key` may be written in full. Counts it either way. `kind` describes
   * the kind in its summary (kept as given the first time the kind is met in an interval). After
   * close(), every line is admitted.
   */
  admit (key: string, kind: Kind, correlationId: string | undefined): boolean {
    if (this.#closed) return true
    const now = performance.now()
    // While a timer is armed the interval lasts until it fires, even when the event loop is late:
    // its summary is written by the timer alone.
    if (this.#timer === null && now - this.#intervalStart >= this.#limits.intervalMs) {
      this.#tallies.clear()
      this.#overflow = null
      this.#intervalStart = now
    }
    const tally = this.#tallyOf(key, kind)
    tally.seen++
    if (tally.seen <= this.#limits.perInterval) return true
    tally.suppressed++
    if (correlationId !== undefined && tally.ids.length < MAX_SAMPLE_IDS) tally.ids.push(correlationId)
    if (this.#timer === null) this.#arm(this.#intervalStart + this.#limits.intervalMs - now)
    return false
  }

  /** Writes the summaries pending now and stops the timer; lines after it are all admitted. */
  close (): void {
    this.#closed = true
    this.#endInterval()
  }

  #tallyOf (key: string, kind: Kind): Tally<Kind> {
    let tally = this.#tallies.get(key)
    if (tally !== undefined) return tally
    if (this.#tallies.size >= MAX_KINDS) {
      this.#overflow ??= { kind: null, seen: 0, suppressed: 0, ids: [] }
      return this.#overflow
    }
    tally = { kind, seen: 0, suppressed: 0, ids: [] }
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
