import type { SeriesDelta } from '../aggregate/series-delta.ts'
import type { ExpositionFormat } from '../prometheus/exposition.ts'

/** Marks vigie's messages on the cluster's IPC channel, and their version: other messages are the app's. */
export const PROTOCOL = 'vigie.cluster.1'
/** Longest app key a primary accepts. */
export const MAX_APP_KEY = 64
/** The largest Prometheus registry a primary keeps for an app: aggregation.maxSeries' own limit. */
const MAX_SERIES = 100_000

interface Message<T extends string> {
  readonly protocol: typeof PROTOCOL
  readonly type: T
  /** Which vigie app of the worker (its order of composition: the same code composes in the same order). */
  readonly app: string
}

/**
 * A worker to the primary: joining (with the Prometheus registry's cap, when the app serves
 * `/metrics`), its deltas of the last interval, a scrape to answer, leaving.
 */
export type WorkerMessage = HelloMessage | Message<'bye'> | DeltasMessage | ScrapeMessage

/**
 * The primary to a worker: joined (and whether it sends the app's alert notices), a change of
 * that, the other workers' deltas, the whole app's exposition.
 */
export type PrimaryMessage = (Message<'welcome'> & { readonly leader: boolean }) | (Message<'leader'> & { readonly leader: boolean }) | DeltasMessage | ExpositionMessage

export interface HelloMessage extends Message<'hello'> {
  readonly prometheus?: { readonly maxSeries: number }
}

export interface ScrapeMessage extends Message<'scrape'> {
  readonly id: number
  readonly format: ExpositionFormat
}

export interface ExpositionMessage extends Message<'exposition'> {
  readonly id: number
  /** Null when the primary keeps no registry for the app. */
  readonly body: string | null
}

export interface DeltasMessage extends Message<'deltas'> {
  readonly deltas: readonly SeriesDelta[]
  /** Other counts the app shares (its SLOs'), by name: see ClusterLink#share(). */
  readonly shared?: Readonly<Record<string, readonly unknown[]>>
}

/** Whether `message` is one of vigie's, of a type this version knows the shape of. */
export function isVigieMessage (message: unknown): message is WorkerMessage | PrimaryMessage {
  if (message === null || typeof message !== 'object') return false
  const { protocol, type, app } = message as Partial<Message<string>>
  if (protocol !== PROTOCOL || typeof app !== 'string' || app.length > MAX_APP_KEY) return false
  switch (type) {
    case 'hello': {
      const prometheus = (message as { prometheus?: { maxSeries?: unknown } }).prometheus
      return prometheus === undefined || (prometheus !== null && typeof prometheus === 'object' && isInteger(prometheus.maxSeries, 1, MAX_SERIES))
    }
    case 'bye':
      return true
    case 'scrape': {
      const { id, format } = message as { id?: unknown, format?: unknown }
      return isInteger(id, 0, Number.MAX_SAFE_INTEGER) && (format === 'text' || format === 'openmetrics')
    }
    case 'exposition': {
      const { id, body } = message as { id?: unknown, body?: unknown }
      return isInteger(id, 0, Number.MAX_SAFE_INTEGER) && (body === null || typeof body === 'string')
    }
    case 'welcome':
    case 'leader':
      return typeof (message as { leader?: unknown }).leader === 'boolean'
    case 'deltas': {
      const { deltas, shared } = message as { deltas?: unknown, shared?: unknown }
      return Array.isArray(deltas) && (shared === undefined || (shared !== null && typeof shared === 'object'))
    }
    default:
      return false
  }
}

function isInteger (value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max
}
