import { LineBudget, MAX_KINDS, type LineLimits, type LineSummary } from '../logging/line-budget.ts'

export { MAX_KINDS, MAX_SAMPLE_IDS } from '../logging/line-budget.ts'

export type FloodLimits = LineLimits

/** One kind of failure: where, what, which status. */
export interface FailureKind {
  readonly controller: string
  /** The error's name, or `http_<status>` for an answer without an error (as the `exception` tag). */
  readonly errorType: string
  readonly statusCode: number
}

/** The failures of one kind whose lines were not written in one interval. */
export type FloodSummary = LineSummary<FailureKind>

/** The budget of full exception lines, per kind of failure (LineBudget). */
export class ExceptionFlood {
  readonly #budget: LineBudget<FailureKind>

  /** `write` is called once per summary and must not throw. */
  constructor (limits: FloodLimits, write: (summary: FloodSummary) => void) {
    this.#budget = new LineBudget(limits, write)
  }

  /** Whether this failure gets its full line. Counts it either way. After close(), every failure does. */
  admit (kind: FailureKind, correlationId: string): boolean {
    return this.#budget.admit(`${kind.statusCode}\u0000${kind.errorType}\u0000${kind.controller}`, kind, correlationId)
  }

  /** Writes the summaries pending now and stops the timer; failures after it are all admitted. */
  close (): void {
    this.#budget.close()
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
