import type { StatsD } from 'hot-shots'
import type { IncomingHttpHeaders } from 'node:http'
import type { OutgoingPolicy } from '../context/request-context.ts'
import type { RequestMetrics } from '../metrics/request-metrics.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import type { VigieApi } from '../types.ts'
import type { ExceptionCapture, VigieLogger } from './exception-capture.ts'
import type { FailureReporter } from './failure-reporter.ts'
import type { LifecycleEvents } from './lifecycle-events.ts'

/** A framework-neutral answer: the adapter copies it onto its own response. */
export interface EndpointResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Routes a feature serves on the app (the dashboard, health): never counted, never captured. */
export interface Endpoint {
  /** Every path it answers, exactly. */
  readonly paths: readonly string[]
  /**
   * The answer for one of `paths`, at once or later (health's readiness runs checks); `query` is
   * the raw query string, without `?`; `localAddress` the address the request came in on (its
   * socket's), undefined where there is none (inject(), a Unix socket). Never throws nor rejects;
   * the adapters still answer 500 if it does (endpoint-router.ts).
   */
  respond: (path: string, method: string, query: string, headers: IncomingHttpHeaders, localAddress?: string) => EndpointResponse | Promise<EndpointResponse>
}

/**
 * One app's vigie, as the composition module builds it from the resolved options: the parts of
 * the request lifecycle, the features subscribed to its events, and what the app is given.
 */
export interface Vigie<Request = unknown> {
  readonly options: ResolvedOptions<Request>
  readonly logger: VigieLogger
  readonly reporter: FailureReporter
  /** The hot-shots client the app gets as `app.statsd`. */
  readonly statsd: StatsD
  readonly metrics: RequestMetrics
  readonly capture: ExceptionCapture<Request>
  readonly events: LifecycleEvents
  /** What outgoing calls inside this app's requests need; null when propagation is off. */
  readonly outgoing: OutgoingPolicy | null
  /** True when the app counts database queries: each request's store then says which app and controller it is. */
  readonly countsQueries?: boolean
  /** `app.vigie` / `middleware.vigie`. */
  readonly api: VigieApi
  readonly endpoints: readonly Endpoint[]
  /** Writes the pending exception summaries, tells the features, sends what is buffered, releases what was acquired. Never rejects. */
  close: () => Promise<void>
}

/** Builds an app's vigie: the composition module's job, handed to the adapters. */
export type ComposeVigie = <Request>(options: ResolvedOptions<Request>, logger: VigieLogger) => Vigie<Request>
