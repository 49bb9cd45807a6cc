import type { RequestDetails } from '../capture/exception-record.ts'
import type { OutgoingPolicy, RequestStore } from '../context/request-context.ts'

export type { RequestDetails }

/**
 * The facts of one framework that the request lifecycle reads: an adapter implements this once,
 * as plain functions over the framework's own request and response. None of them may throw
 * (the lifecycle guards them all the same), and none changes what the framework does.
 */
export interface FrameworkFacts<Request, Response, State> {
  /** The ID a hook of vigie's made before the lifecycle started (Fastify's genReqId()), if any. */
  readonly presetCorrelationId: ((request: Request) => string | undefined) | null
  /** The raw value of an incoming header (lower-case name). */
  readonly header: (request: Request, name: string) => string | string[] | undefined
  /** Sets the response header that echoes the correlation ID. */
  readonly echo: (response: Response, name: string, id: string) => void
  /**
   * The request's state: the core's fields with these values (error undefined, flags false),
   * plus the adapter's own. null leaves the request unobserved (it already is).
   */
  readonly createState: (request: Request, response: Response, correlationId: string, start: number, outgoing: OutgoingPolicy | null) => State | null
  readonly method: (request: Request) => string
  /**
   * The `controller` tag: the route's pattern (or its configured name), NOT_FOUND_CONTROLLER when
   * no route matched; null when the route opted out of metrics.
   */
  readonly controller: (request: Request, state: State) => string | null
  /** Path and query as received. */
  readonly url: (request: Request) => string
  readonly statusCode: (response: Response) => number
  /**
   * The response's duration in ms, where the framework times every response itself from before
   * the lifecycle started (Fastify with its logger on: `reply.elapsedTime`): the lifecycle then
   * reads no clock of its own. Absent: the lifecycle times the request from start() to end().
   */
  readonly elapsedMs?: (response: Response) => number
  /** Read when an exception line is written. */
  readonly details: (request: Request, state: State) => RequestDetails
  /** True for vigie's own endpoints (the dashboard): never captured. Read when an exception is about to be. */
  readonly isEndpoint: (request: Request) => boolean
}

/** The core's fields of a request's state, which is also its async-context store. */
export interface RequestState extends RequestStore {
  correlationId: string
  readonly outgoing: OutgoingPolicy | null
  /** `performance.now()` when the lifecycle started; 0 when the framework times the response (FrameworkFacts#elapsedMs). */
  readonly start: number
  /** The error the app failed with, as the framework passed it on. */
  error: unknown
  /** The error reached the framework's last resort, and vigie answered it (Express). */
  unhandled: boolean
  /** Set once the lifecycle ended. */
  ended: boolean
}
