// One of the user's readiness checks, run with a time limit.

import { checkOutput } from './check-output.ts'
import type { HealthCheckReading } from './health-report.ts'

type Outcome = { readonly passed: true } | { readonly passed: false, readonly err: unknown }

const PASSED: Outcome = Object.freeze({ passed: true })
const TIMED_OUT = Symbol('timed out')

/**
 * A named check: `read()` calls it and waits at most `timeoutMs` for it to return or settle.
 * It passes when it returns (anything but a promise that rejects) or resolves; it fails when it
 * throws, rejects or outlasts the limit. A call still running from an earlier read (it outlasted
 * that read's limit) is not made again: this read waits for that call, within its own limit. So
 * a hanging check is called once, however many probes come, and holds one promise at most.
 */
export class TimedCheck {
  /** Its key in the answer's `checks`. */
  readonly key: string
  readonly #check: () => unknown
  readonly #timeoutMs: number
  readonly #scrubText: (text: string) => string
  #running: Promise<Outcome> | null = null

  constructor (name: string, check: () => unknown, timeoutMs: number, scrubText: (text: string) => string) {
    this.key = `${name}:responseTime`
    this.#check = check
    this.#timeoutMs = timeoutMs
    this.#scrubText = scrubText
  }

  /** Never rejects. */
  async read (): Promise<HealthCheckReading> {
    const start = performance.now()
    const call = this.#running ?? this.#call()
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs, TIMED_OUT)
      // A probe's timer never keeps the process alive.
      timer.unref()
    })
    const outcome = await Promise.race([call, limit])
    clearTimeout(timer)
    const observedValue = Math.round((performance.now() - start) * 1000) / 1000
    const time = new Date().toISOString()
    if (outcome === TIMED_OUT) {
      return { status: 'fail', observedValue, observedUnit: 'ms', time, output: `timed out after ${this.#timeoutMs} ms` }
    }
    if (outcome.passed) return { status: 'pass', observedValue, observedUnit: 'ms', time }
    return { status: 'fail', observedValue, observedUnit: 'ms', time, output: checkOutput(outcome.err, this.#scrubText) }
  }

  #call (): Promise<Outcome> {
    let result: unknown
    try {
      result = this.#check()
      if (!isThenable(result)) return Promise.resolve(PASSED)
    } catch (err) {
      return Promise.resolve({ passed: false, err })
    }
    const running = Promise.resolve(result).then(() => PASSED, (err: unknown): Outcome => ({ passed: false, err }))
    this.#running = running
    running.then(() => { if (this.#running === running) this.#running = null }, () => {})
    return running
  }
}

/** Reading `then` may throw (a proxy, a getter): the caller's try takes it as the check throwing. */
function isThenable (value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
}
