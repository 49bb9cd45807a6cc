import type { SeriesDelta } from '../aggregate/series-delta.js'

/** Marks vigie's messages on the cluster's IPC channel, and their version: other messages are the app's. */
export const PROTOCOL = 'vigie.cluster.1'
/** Longest app key a primary accepts. */
export const MAX_APP_KEY = 64

interface Message<T extends string> {
  readonly protocol: typeof PROTOCOL
  readonly type: T
  /** Which vigie app of the worker (its order of composition: the same code composes in the same order). */
  readonly app: string
}

/** A worker to the primary: joining, its deltas of the last interval, leaving. */
export type WorkerMessage = Message<'hello'> | Message<'bye'> | DeltasMessage

/** The primary to a worker: joined (and whether it sends the app's alert notices), a change of that, the other workers' deltas. */
export type PrimaryMessage = (Message<'welcome'> & { readonly leader: boolean }) | (Message<'leader'> & { readonly leader: boolean }) | DeltasMessage

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
    case 'hello':
    case 'bye':
      return true
    case 'welcome':
    case 'leader':
      return typeof (message as { leader?: unknown }).leader === 'boolean'
    case 'deltas':
      return Array.isArray((message as { deltas?: unknown }).deltas)
    default:
      return false
  }
}
