import { errorName } from '../capture/error-name.ts'
import { boundedText } from '../scrub/free-text.ts'

/** The part of a pino-like logger vigie writes its own warnings to. */
export interface WarnLogger {
  warn: (obj: object, msg: string) => void
}

const REPORT_INTERVAL_MS = 60_000
const MAX_MESSAGE_LENGTH = 1000

/**
 * Reports vigie's own failures (StatsD unreachable, a user callback that throws, …) to the app's
 * logger, at most once a minute per subsystem, with the number of failures suppressed since the
 * last report. The error's message is scrubbed: a user callback's error may quote the request.
 * It never throws: observability must not hurt the host app.
 */
export class FailureReporter {
  readonly #logger: WarnLogger
  readonly #lastReport = new Map<string, { at: number, suppressed: number }>()

  constructor (logger: WarnLogger) {
    this.#logger = logger
  }

  report (subsystem: string, err: unknown): void {
    const now = Date.now()
    const last = this.#lastReport.get(subsystem)
    if (last !== undefined && now - last.at < REPORT_INTERVAL_MS) {
      last.suppressed++
      return
    }
    this.#lastReport.set(subsystem, { at: now, suppressed: 0 })
    try {
      this.#logger.warn({
        vigie: { subsystem, suppressed: last?.suppressed ?? 0 },
        err: { type: errorName(err), message: boundedText(err instanceof Error ? String(err.message) : String(err), MAX_MESSAGE_LENGTH) },
      }, `vigie: ${subsystem} failed; the app was not affected`)
    } catch {
      // The logger itself failed: there is nowhere left to report to.
    }
  }

  /** Warns once per key for the life of the app (configuration advice, caps reached). */
  warnOnce (key: string, msg: string, details: object = {}): void {
    if (this.#lastReport.has(`once:${key}`)) return
    this.#lastReport.set(`once:${key}`, { at: Date.now(), suppressed: 0 })
    try {
      this.#logger.warn({ vigie: details }, msg)
    } catch {
      // As above.
    }
  }
}
