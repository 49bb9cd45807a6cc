import { aggregation } from './aggregate/aggregation-feature.js'
import { alertEngine, type AlertEngine } from './alerts/alert-engine.js'
import type { AlertDispatch } from './alerts/alert-notice.js'
import { ExceptionCapture, type VigieLogger } from './core/exception-capture.js'
import { FailureReporter } from './core/failure-reporter.js'
import { LifecycleEvents } from './core/lifecycle-events.js'
import type { Endpoint, Vigie } from './core/vigie.js'
import { dashboard } from './dashboard/dashboard-feature.js'
import { RequestMetrics } from './metrics/request-metrics.js'
import { createPreformattedSink } from './metrics/preformatted-sink.js'
import { closeStatsdClient, createDisabledStatsdClient, createStatsdClient, flushStatsdClient } from './metrics/statsd-client.js'
import type { ResolvedOptions } from './options/resolve-options.js'
import { processGauges } from './process-metrics/process-gauges.js'
import { propagation } from './propagation/propagation-feature.js'
import { buildScrubber } from './scrub/scrubber.js'

/**
 * Builds one app's vigie from its resolved options: the parts of the request lifecycle (the
 * StatsD client, request metrics, exception capture), and each feature that is on, subscribed
 * to the lifecycle's events. A feature that is off is not built, and costs nothing per request.
 * With `VIGIE_DISABLED`, nothing is built but a client that sends nothing.
 */
export function composeVigie<Request> (options: ResolvedOptions<Request>, logger: VigieLogger): Vigie<Request> {
  const reporter = new FailureReporter(logger)
  const scrubber = buildScrubber(options.scrub)
  const events = new LifecycleEvents(reporter)
  const onStatsdError = (err: unknown): void => reporter.report('statsd', err)
  const ownsClient = options.statsd.client === undefined
  const statsd = options.disabled
    ? createDisabledStatsdClient()
    : options.statsd.client ?? createStatsdClient(options.statsd, onStatsdError)
  const on = !options.disabled

  const aggregated = on && options.aggregation !== null ? aggregation(options.aggregation.maxSeries, statsd, reporter) : null
  if (aggregated !== null) events.subscribe(aggregated.subscriber)

  const metrics = new RequestMetrics({
    client: statsd,
    preformatted: on ? createPreformattedSink(options.statsd, onStatsdError) : undefined,
    tagFormat: options.statsd.tagFormat,
    sampleRate: options.statsd.sampleRate,
    maxControllers: options.maxControllers,
    onSendError: onStatsdError,
    onControllerOverflow: (controller, max) => reporter.warnOnce('controller-overflow',
      `vigie: more than ${max} distinct controller tags in use; new ones are counted as "other" until some go unused for an hour (raise maxControllers if routes really are that many)`,
      { firstOverflow: scrubber.text(controller), maxControllers: max }),
    aggregator: aggregated?.aggregator ?? null,
    recording: aggregated?.recording ?? null,
    onAggregationError: (err) => reporter.report('aggregation', err),
  })
  const capture = new ExceptionCapture<Request>({ options, scrubber, reporter, logger, metrics, events })

  const endpoints: Endpoint[] = []
  if (on && options.dashboard !== null) {
    const page = dashboard(options.dashboard, aggregated?.aggregator ?? null, () => metrics.dropped(), reporter)
    endpoints.push(page.endpoint)
    events.subscribe(page.subscriber)
  }
  if (on && options.processMetrics !== null) events.subscribe(processGauges(statsd, options.processMetrics.intervalMs, reporter))
  let outgoing = null
  if (on && options.propagation !== null) {
    const propagated = propagation(options.correlationHeader, options.propagation.allows, metrics)
    outgoing = propagated.policy
    events.subscribe(propagated.subscriber)
  }

  let alerts: AlertEngine | null = null
  // Burn-rate rules come with the SLOs (none yet), threshold rules read the aggregator (resolveOptions()
  // refuses rules without it).
  const burnSources: [] = []
  if (on && (options.alerts.rules.length > 0 || burnSources.length > 0)) {
    const engine = alertEngine(options.alerts, {
      aggregator: aggregated?.aggregator ?? null,
      burnSources,
      dispatch: DROPPED_NOTICES,
      logger,
      statsd,
      tagFormat: options.statsd.tagFormat,
      reporter,
    })
    alerts = engine
    events.subscribe({ name: 'alerts', closing: () => engine.close() })
  }

  let closing: Promise<void> | undefined
  return {
    options,
    logger,
    reporter,
    statsd,
    metrics,
    capture,
    events,
    outgoing,
    api: Object.freeze({
      snapshot () {
        const snapshot = aggregated?.aggregator.snapshot()
        return snapshot === undefined ? null : { ...snapshot, metricsDropped: metrics.dropped() }
      },
      alerts: () => alerts?.statuses() ?? [],
    }),
    endpoints,
    close () {
      closing ??= (async () => {
        capture.close()
        await events.closing()
        await Promise.all([metrics.close(), ownsClient ? closeStatsdClient(statsd) : flushStatsdClient(statsd)])
      })()
      return closing
    },
  }
}

/**
 * FOR THE LEAD TO REPLACE when merging the notifiers (lib/alerts/alert-dispatch.ts): the
 * dispatch of `options.alerts.plans`. Until then notices are dropped; the lines and the
 * `alert.transition` counter are written all the same.
 */
const DROPPED_NOTICES: AlertDispatch = Object.freeze({
  notify () {},
  close: async () => {},
})
