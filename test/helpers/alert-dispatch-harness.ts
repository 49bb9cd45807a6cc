import { StatsD } from 'hot-shots'
import pino from 'pino'
import type { Test } from 'tap'
import type { AlertDispatch } from '../../lib/alerts/alert-notice.ts'
import { createAlertDispatch } from '../../lib/alerts/alert-dispatch.ts'
import type { DeliveryLimits } from '../../lib/alerts/delivery-queue.ts'
import { resolvePlans } from '../../lib/options/resolve-plans.ts'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import { invalidOption } from '../../lib/errors.ts'
import { buildScrubber } from '../../lib/scrub/scrubber.ts'
import { createLogSink, type LogSink } from './log-sink.ts'
import { startStatsdListener, type StatsdListener } from './statsd-listener.ts'

/**
 * Short enough for tests over real sockets: 3 attempts, retries after 20–40 ms. Attempts get 2 s,
 * so that a slow exchange on a busy machine is not retried (and sent twice); the tests of time
 * limits set 300 ms.
 */
export const TEST_LIMITS: Partial<DeliveryLimits> = { attemptTimeoutMs: 2000, firstRetryDelayMs: 20, maxRetryDelayMs: 100, closeTimeoutMs: 2000 }

export interface Harness {
  readonly dispatch: AlertDispatch
  /** Real pino output, parsed. */
  readonly log: LogSink
  /** A real UDP StatsD listener the dispatch's hot-shots client sends to. */
  readonly statsd: StatsdListener
}

/**
 * `createAlertDispatch()` over plans resolved as at startup, a real pino logger writing JSON to a
 * sink, and a real hot-shots client sending to a real StatsD listener. Closed with the test.
 */
export async function dispatchHarness (t: Test, plans: unknown, limits: Partial<DeliveryLimits> = {}): Promise<Harness> {
  const statsd = await startStatsdListener()
  const client = new StatsD({ host: '127.0.0.1', port: statsd.port, maxBufferSize: 0, errorHandler: () => {} })
  const log = createLogSink()
  const logger = pino({ level: 'info' }, log.stream)
  const dispatch = createAlertDispatch(resolvePlans(plans, invalidOption), {
    logger,
    reporter: new FailureReporter(logger),
    statsd: client,
    scrubber: buildScrubber(),
    hostname: 'web-1',
    limits: { ...TEST_LIMITS, ...limits },
  })
  t.teardown(async () => {
    await dispatch.close()
    await new Promise<void>((resolve) => client.close(() => resolve()))
    await statsd.close()
  })
  return { dispatch, log, statsd }
}
