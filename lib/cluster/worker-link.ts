import cluster from 'node:cluster'
import type { Aggregator } from '../aggregate/aggregator.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { SharedCounts } from '../core/shared-counts.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import { processWide } from '../process-state.ts'
import type { FleetAnswer, FleetExposition } from '../prometheus/prometheus-endpoint.ts'
import { DeltaRecorder } from './delta-recorder.ts'
import { PROTOCOL, isVigieMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts'

/** How often a worker sends what it recorded: the most another worker's view lags behind. */
export const SEND_INTERVAL_MS = 1000
/** How long a worker waits for the primary's welcome before it goes on alone (no vigie there). */
export const WELCOME_TIMEOUT_MS = 5000
/** How long a scrape waits for the primary's exposition before it answers 503. */
export const SCRAPE_TIMEOUT_MS = 2000
/** Scrapes waiting for the primary at once; past it, more answer 503 at once. */
const MAX_PENDING_SCRAPES = 8

/** One worker app's part in its cluster: see joinCluster(). */
export interface ClusterLink {
  /** Follows every metric the app records, for the other workers. */
  readonly recorder: DeltaRecorder
  /**
   * Whether this worker sends the app's alert notices: the one the primary chose, or this one
   * when it is alone (no vigie in the primary, or the primary gone). False while it waits for the
   * primary's answer.
   */
  leads: () => boolean
  /** Sends what `counts` took with the deltas, under `name`, and merges what the others sent under it. */
  share: (name: string, counts: SharedCounts) => void
  /** The whole app's `/metrics`, from the primary's registry: see FleetExposition. */
  fleetExposition: FleetExposition
  readonly subscriber: LifecycleSubscriber
}

/** Apps composed in this process so far: the next one's key. */
const apps = processWide('clusterApps', () => ({ composed: 0 }))

/**
 * Links one app of a `node:cluster` worker to the same app in the other workers, through a
 * primary running clusterPrimary(): every SEND_INTERVAL_MS the app sends what it recorded since
 * (counter sums, timing sketches, gauge samples: a few KiB; and what share() was given) and
 * merges what the others sent into its own aggregator, which then holds the whole app's traffic.
 * The primary keeps who is there and, for an app that serves `/metrics`, the whole app's
 * Prometheus counts, which fleetExposition() asks it for. Null outside a cluster worker.
 *
 * Fail-open: until the primary's welcome the deltas add up in place; with no welcome within
 * WELCOME_TIMEOUT_MS, or once the primary is gone, the worker goes on with its own traffic only.
 * Sending never throws into the app; while the channel has not written the last deltas, the next
 * add up in place (bounded by the series cap); a malformed delta is ignored.
 */
export function joinCluster (aggregator: Aggregator, maxSeries: number, reporter: FailureReporter, options: { readonly prometheus: boolean }): ClusterLink | null {
  if (!cluster.isWorker || typeof process.send !== 'function') return null
  const app = `app${apps.composed++}`
  const recorder = new DeltaRecorder(maxSeries)
  const shares = new Map<string, SharedCounts>()
  const scrapes = new Map<number, (answer: FleetAnswer) => void>()
  let scrapeId = 0
  let state: 'waiting' | 'joined' | 'alone' = 'waiting'
  let leader = false
  // Messages handed to the channel and not written yet. (send()'s return value says nothing
  // useful here: it is false whenever the cluster has a connection's handle in flight.)
  let unwritten = 0

  function send (message: WorkerMessage): void {
    if (!process.connected || process.send === undefined) return
    try {
      unwritten++
      process.send(message, undefined, undefined, (err: Error | null) => {
        unwritten--
        if (err !== null) reporter.report('cluster', err)
      })
    } catch (err) {
      unwritten--
      reporter.report('cluster', err)
    }
  }

  function flush (): void {
    // Waiting for the primary's welcome: the deltas keep adding up in place (bounded by the series cap).
    if (state === 'waiting') return
    if (state === 'alone') {
      // Nobody to send to: what was recorded is counted here already.
      recorder.take()
      for (const counts of shares.values()) counts.take()
      return
    }
    // The channel has not written the last deltas yet: these keep adding up in place.
    if (unwritten > 1) return
    const deltas = recorder.take()
    let shared: Record<string, unknown[]> | undefined
    for (const [name, counts] of shares) {
      const taken = counts.take()
      if (taken.length > 0) (shared ??= {})[name] = taken
    }
    if (deltas.length > 0 || shared !== undefined) send({ protocol: PROTOCOL, type: 'deltas', app, deltas, shared })
  }

  function onMessage (message: unknown): void {
    if (!isVigieMessage(message) || message.app !== app) return
    const received = message as PrimaryMessage
    switch (received.type) {
      case 'welcome':
        state = 'joined'
        leader = received.leader
        break
      case 'leader':
        leader = received.leader
        break
      case 'exposition':
        scrapes.get(received.id)?.(received.body === null ? { kind: 'local' } : { kind: 'fleet', body: received.body })
        break
      case 'deltas':
        if (state !== 'joined') return
        try {
          for (const delta of received.deltas) aggregator.merge(delta)
          const shared = received.shared
          if (shared !== null && typeof shared === 'object') {
            for (const [name, counts] of shares) {
              const items = shared[name]
              if (Array.isArray(items)) counts.merge(items)
            }
          }
        } catch (err) {
          reporter.report('cluster', err)
        }
        break
    }
  }

  function onDisconnect (): void {
    state = 'alone'
    for (const answer of scrapes.values()) answer({ kind: 'local' })
  }

  const fleetExposition: FleetExposition = async (format) => {
    if (state !== 'joined') return { kind: 'local' }
    if (scrapes.size >= MAX_PENDING_SCRAPES) return { kind: 'unavailable' }
    const id = scrapeId++
    return await new Promise<FleetAnswer>((resolve) => {
      const timer = setTimeout(() => answer({ kind: 'unavailable' }), SCRAPE_TIMEOUT_MS)
      function answer (got: FleetAnswer): void {
        clearTimeout(timer)
        scrapes.delete(id)
        resolve(got)
      }
      scrapes.set(id, answer)
      send({ protocol: PROTOCOL, type: 'scrape', app, id, format })
    })
  }

  process.on('message', onMessage)
  process.on('disconnect', onDisconnect)
  const welcome = setTimeout(() => {
    if (state === 'waiting') state = 'alone'
  }, WELCOME_TIMEOUT_MS)
  welcome.unref()
  const timer = setInterval(flush, SEND_INTERVAL_MS)
  timer.unref()
  send({ protocol: PROTOCOL, type: 'hello', app, ...(options.prometheus ? { prometheus: { maxSeries } } : {}) })

  return {
    recorder,
    leads: () => state === 'alone' || (state === 'joined' && leader),
    share (name, counts) {
      shares.set(name, counts)
    },
    fleetExposition,
    subscriber: {
      name: 'cluster',
      closing () {
        clearTimeout(welcome)
        clearInterval(timer)
        unwritten = 0
        flush()
        if (state === 'joined') send({ protocol: PROTOCOL, type: 'bye', app })
        state = 'alone'
        for (const answer of scrapes.values()) answer({ kind: 'local' })
        process.removeListener('message', onMessage)
        process.removeListener('disconnect', onDisconnect)
      },
    },
  }
}
