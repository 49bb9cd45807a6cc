// The readiness thresholds on process readings, like @fastify/under-pressure's: event-loop delay,
// heap used, RSS. Only the readings that have a limit are taken.

import type { ResolvedHealth, ResolvedLimit } from '../options/resolve-options.ts'
import { EventLoopDelayMeter } from '../process-metrics/event-loop-delay.ts'
import type { HealthCheckReading, HealthStatus } from './health-report.ts'

/** The keys of the readings in the answer's `checks`. */
export const LIMIT_KEYS = Object.freeze({ eventLoopDelayMs: 'eventLoop:delay', heapUsedBytes: 'memory:heapUsed', rssBytes: 'memory:rss' })

/**
 * Takes the readings that have a limit and grades each one. The event-loop delay is the p99 of
 * Node's `monitorEventLoopDelay` histogram since the previous read (that is, since the previous
 * readiness probe; the first one since the app registered vigie), so a stall between two probes
 * is seen by the next one. The histogram, a fixed-size one, exists only when that limit is set,
 * and is stopped by close(). Memory is read from `process.memoryUsage()` (RSS alone from
 * `process.memoryUsage.rss()`, which is cheaper).
 */
export class ProcessLimits {
  readonly #limits: ResolvedHealth['thresholds']
  readonly #meter: EventLoopDelayMeter | null
  /** The last delay read: a second probe within one tick of Node's probe (20 ms) finds no new sample. */
  #lastDelayMs = 0

  constructor (limits: ResolvedHealth['thresholds']) {
    this.#limits = limits
    this.#meter = limits.eventLoopDelayMs === null ? null : new EventLoopDelayMeter()
    this.#meter?.start()
  }

  get empty (): boolean {
    return this.#limits.eventLoopDelayMs === null && this.#limits.heapUsedBytes === null && this.#limits.rssBytes === null
  }

  /** Each reading with a limit, graded, under its key. */
  read (): Array<readonly [string, HealthCheckReading]> {
    const out: Array<readonly [string, HealthCheckReading]> = []
    const time = new Date().toISOString()
    const { eventLoopDelayMs, heapUsedBytes, rssBytes } = this.#limits
    if (this.#meter !== null && eventLoopDelayMs !== null) {
      const delay = this.#meter.read()?.p99 ?? this.#lastDelayMs
      this.#lastDelayMs = delay
      out.push([LIMIT_KEYS.eventLoopDelayMs, graded(delay, 'ms', eventLoopDelayMs, time)])
    }
    if (heapUsedBytes !== null) {
      const memory = process.memoryUsage()
      out.push([LIMIT_KEYS.heapUsedBytes, graded(memory.heapUsed, 'bytes', heapUsedBytes, time)])
      if (rssBytes !== null) out.push([LIMIT_KEYS.rssBytes, graded(memory.rss, 'bytes', rssBytes, time)])
    } else if (rssBytes !== null) {
      out.push([LIMIT_KEYS.rssBytes, graded(process.memoryUsage.rss(), 'bytes', rssBytes, time)])
    }
    return out
  }

  close (): void {
    this.#meter?.stop()
  }
}

function graded (value: number, unit: string, limit: ResolvedLimit, time: string): HealthCheckReading {
  const status: HealthStatus = limit.fail !== undefined && value > limit.fail ? 'fail' : limit.warn !== undefined && value > limit.warn ? 'warn' : 'pass'
  if (status === 'pass') return { status, observedValue: value, observedUnit: unit, time }
  const over = status === 'fail' ? limit.fail : limit.warn
  return { status, observedValue: value, observedUnit: unit, time, output: `over the ${status} threshold of ${over} ${unit}` }
}
