import { aggregation, followSends } from './aggregate/aggregation-feature.ts'
import { alertEngine, type AlertEngine } from './alerts/alert-engine.ts'
import { createAlertDispatch } from './alerts/alert-dispatch.ts'
import { ExceptionCapture, type VigieLogger } from './core/exception-capture.ts'
import { FailureReporter } from './core/failure-reporter.ts'
import { LifecycleEvents } from './core/lifecycle-events.ts'
import type { Endpoint, Vigie } from './core/vigie.ts'
import { dashboard } from './dashboard/dashboard-feature.ts'
import { databaseFeature, type DatabaseFeature } from './database/database-feature.ts'
import { emptyTopQueries } from './database/fingerprint-table.ts'
import { health as healthEndpoints, type Health } from './health/health-feature.ts'
import { RequestMetrics } from './metrics/request-metrics.ts'
import { createPreformattedSink } from './metrics/preformatted-sink.ts'
import { fanOut } from './metrics/recorder-fan-out.ts'
import { closeStatsdClient, createDisabledStatsdClient, createStatsdClient, flushStatsdClient } from './metrics/statsd-client.ts'
import type { ResolvedOptions } from './options/resolve-options.ts'
import { DEFAULTS } from './options/defaults.ts'
import { processGauges } from './process-metrics/process-gauges.ts'
import { prometheus } from './prometheus/prometheus-feature.ts'
import { propagation } from './propagation/propagation-feature.ts'
import { buildScrubber } from './scrub/scrubber.ts'
import { joinCluster } from './cluster/worker-link.ts'
import { formatTag } from './metrics/tag-format.ts'
import { sloFeature } from './slo/slo-feature.ts'

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
  // The tag of the gauges that describe this one process (process.*, slo.*).
  const instanceTags: readonly string[] = options.instance === null ? [] : [formatTag('instance', options.instance, options.statsd.tagFormat)]

  const aggregator = on && options.aggregation !== null ? aggregation(options.aggregation.maxSeries, reporter) : null
  const serveMetrics = on && options.prometheus !== null
  // A cluster worker's aggregation also holds what the app's other workers recorded, and its /metrics is the primary's.
  const link = on && options.cluster && aggregator !== null ? joinCluster(aggregator, options.aggregation!.maxSeries, reporter, { prometheus: serveMetrics }) : null
  if (link !== null) events.subscribe(link.subscriber)
  const exposition = serveMetrics
    ? prometheus(options.prometheus!, options.aggregation?.maxSeries ?? DEFAULTS.aggregationMaxSeries, logger, reporter, scrubber.text, link?.fleetExposition)
    : null
  if (exposition !== null) events.subscribe(exposition.subscriber)
  // Every metric is measured once, and recorded into the aggregation, the Prometheus registry, and what goes to the other workers.
  const recorder = fanOut(fanOut(aggregator, exposition?.registry ?? null), link?.recorder ?? null)
  const followed = recorder === null ? null : followSends(statsd, recorder, reporter)
  if (followed !== null) events.subscribe(followed.subscriber)

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
    aggregator: recorder,
    recording: followed?.recording ?? null,
    onAggregationError: (err) => reporter.report('aggregation', err),
  })
  const capture = new ExceptionCapture<Request>({ options, scrubber, reporter, logger, metrics, events })

  const slos = on && options.slos.length > 0
    ? sloFeature(options.slos, { statsd, tagFormat: options.statsd.tagFormat, reporter, store: options.slo, instanceTags })
    : null
  if (slos !== null) {
    events.subscribe(slos.subscriber)
    link?.share('slos', slos.sharing())
  }
  // Threshold rules read the aggregation (resolveOptions() refuses rules without it); burn-rate
  // rules come with the SLOs.
  const burnSources = slos?.burnSources ?? []
  let alerts: AlertEngine | null = null
  if (on && (options.alerts.rules.length > 0 || burnSources.length > 0)) {
    const engine = alertEngine(options.alerts, {
      aggregator,
      burnSources,
      dispatch: createAlertDispatch(options.alerts.plans, { logger, reporter, statsd, scrubber }),
      logger,
      statsd,
      tagFormat: options.statsd.tagFormat,
      reporter,
      leads: link?.leads,
    })
    alerts = engine
    events.subscribe({ name: 'alerts', closing: () => engine.close() })
  }

  const endpoints: Endpoint[] = []
  if (on && options.dashboard !== null) {
    const page = dashboard(options.dashboard, aggregator, () => metrics.dropped(), reporter,
      { slos: () => slos?.statuses() ?? [], alerts: () => alerts?.statuses() ?? [], queries: () => database?.queries() ?? emptyTopQueries() })
    endpoints.push(page.endpoint)
    events.subscribe(page.subscriber)
    link?.share('exceptions', page.sharing())
  }
  if (exposition?.endpoint != null) endpoints.push(exposition.endpoint)
  let health: Health | null = null
  if (on && options.health !== null) {
    health = healthEndpoints(options.health, scrubber.text, reporter)
    endpoints.push(health.endpoint)
    events.subscribe(health.subscriber)
  }
  if (on && options.processMetrics !== null) events.subscribe(processGauges(statsd, options.processMetrics.intervalMs, reporter, instanceTags))
  let outgoing = null
  if (on && options.propagation !== null) {
    const propagated = propagation(options.correlationHeader, options.propagation.allows, metrics)
    outgoing = propagated.policy
    events.subscribe(propagated.subscriber)
  }

  const countsQueries = on && options.database !== null
  let database: DatabaseFeature | null = null

  let closing: Promise<void> | undefined
  const vigie: Vigie<Request> = {
    options,
    logger,
    reporter,
    statsd,
    metrics,
    capture,
    events,
    outgoing,
    countsQueries,
    api: Object.freeze({
      snapshot () {
        const snapshot = aggregator?.snapshot()
        return snapshot === undefined ? null : { ...snapshot, metricsDropped: metrics.dropped() }
      },
      slos () {
        return slos?.statuses() ?? []
      },
      drain () {
        health?.drain()
      },
      alerts () {
        return alerts?.statuses() ?? []
      },
      queries () {
        return database?.queries() ?? emptyTopQueries()
      },
      instance: options.instance,
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
  // The owner of this app's requests' stores (request-lifecycle.ts): the vigie object itself.
  if (countsQueries && options.database !== null) {
    database = databaseFeature(vigie, options.database, { metrics, reporter, logger, scrubber })
    events.subscribe(database.subscriber)
    link?.share('queries', database.sharing())
  }
  return vigie
}
