import type { FailureReporter } from '../core/failure-reporter.ts'
import type { Endpoint, EndpointResponse } from '../core/vigie.ts'
import type { ResolvedHealth } from '../options/resolve-options.ts'
import { healthResponse, plainResponse, worse, type HealthCheckReading, type HealthReport, type HealthStatus } from './health-report.ts'
import { ProcessLimits } from './process-limits.ts'
import { TimedCheck } from './timed-check.ts'

const LIVE = healthResponse({ status: 'pass' })
const DRAINING = healthResponse({ status: 'fail', output: 'draining' })
const NOT_FOUND = plainResponse(404, 'Not found')
const METHOD_NOT_ALLOWED = plainResponse(405, 'Method not allowed', { allow: 'GET, HEAD' })

/**
 * The health endpoints, independent of any framework: `<path>/live` answers pass at once and
 * runs nothing; `<path>/ready` runs every check in parallel, each within the time limit, and
 * grades the process readings that have a threshold; once drain() was called it answers fail
 * ("draining") and runs nothing. Never throws; the answer of ready never rejects.
 */
export class HealthHandler implements Endpoint {
  readonly paths: readonly string[]
  readonly #live: string
  readonly #ready: string
  readonly #checks: readonly TimedCheck[]
  readonly #limits: ProcessLimits
  readonly #reporter: Pick<FailureReporter, 'report'>
  #draining = false

  constructor (options: ResolvedHealth, scrubText: (text: string) => string, reporter: Pick<FailureReporter, 'report'>) {
    this.#live = `${options.path}/live`
    this.#ready = `${options.path}/ready`
    this.paths = Object.freeze([this.#live, this.#ready])
    this.#checks = options.checks.map(([name, check]) => new TimedCheck(name, check, options.timeoutMs, scrubText))
    this.#limits = new ProcessLimits(options.thresholds)
    this.#reporter = reporter
  }

  get draining (): boolean {
    return this.#draining
  }

  /** From now on, ready answers fail ("draining"). */
  drain (): void {
    this.#draining = true
  }

  /** Stops what the thresholds hold (the event-loop histogram). */
  close (): void {
    this.#draining = true
    this.#limits.close()
  }

  /** The answer for one of `paths` (see Endpoint#respond): ready's later, the others at once. */
  respond (path: string, method: string): EndpointResponse | Promise<EndpointResponse> {
    if (path !== this.#live && path !== this.#ready) return NOT_FOUND
    if (method !== 'GET' && method !== 'HEAD') return METHOD_NOT_ALLOWED
    if (path === this.#live) return LIVE
    if (this.#draining) return DRAINING
    return this.#readiness()
  }

  async #readiness (): Promise<EndpointResponse> {
    try {
      const readings = await Promise.all(this.#checks.map(async (check) => [check.key, await check.read()] as const))
      if (!this.#limits.empty) readings.push(...this.#limits.read())
      let status: HealthStatus = 'pass'
      const checks: Record<string, HealthCheckReading[]> = {}
      for (const [key, reading] of readings) {
        status = worse(status, reading.status)
        checks[key] = [reading]
      }
      const report: HealthReport = { status, checks }
      return healthResponse(report)
    } catch (err) {
      // Not a check's failure (those are readings): vigie's own. The probe still gets an answer.
      this.#reporter.report('health', err)
      return healthResponse({ status: 'fail', output: 'vigie could not run the checks' })
    }
  }
}
