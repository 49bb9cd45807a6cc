import cluster, { type Worker } from 'node:cluster'
import { expose } from '../prometheus/exposition.ts'
import { PrometheusRegistry } from '../prometheus/prometheus-registry.ts'
import { processWide } from '../process-state.ts'
import { PROTOCOL, isVigieMessage, type PrimaryMessage, type WorkerMessage } from './messages.ts'

/** Most distinct apps the primary relays for: each worker app is one, keyed by its order of composition. */
const MAX_APPS = 32
/** Messages to one worker not yet written past which its relays are skipped: a minute of deltas from a dozen workers. */
const MAX_UNWRITTEN = 1000

/** Stops relaying: workers still linked go on alone once they see the primary gone. */
export type StopClusterPrimary = () => void

const hub = processWide('clusterHub', () => ({ stop: null as StopClusterPrimary | null }))

/**
 * Makes this process, the primary of a `node:cluster` app, the relay between its workers' vigie
 * apps (option `cluster`, on by default): each worker's deltas go to the same app in every other
 * worker, so each one's aggregation holds the whole app's traffic. The primary keeps no metrics,
 * only which workers joined, and chooses one worker per app (the oldest) to send its alert
 * notices. Call it once in the primary, before or after forking; later calls return the same
 * stop function. `patchAll()` and `vigie/register` call it themselves. Does nothing in a worker.
 *
 * A worker that never loaded vigie is never waited for: nothing is asked of workers, they send.
 * A worker that stopped reading its channel misses the deltas past MAX_UNWRITTEN rather than
 * have them queue here.
 *
 * @example
 * import cluster from 'node:cluster'
 * import { clusterPrimary } from 'vigie'
 * if (cluster.isPrimary) {
 *   clusterPrimary()
 *   for (let i = 0; i < 4; i++) cluster.fork()
 * }
 */
export function clusterPrimary (): StopClusterPrimary {
  if (hub.stop !== null) return hub.stop
  if (!cluster.isPrimary) return () => {}
  /** Per app, its workers by id, oldest first (ids only grow). */
  const apps = new Map<string, Map<number, Worker>>()
  /** Per app that serves `/metrics`, the whole app's counts since this primary started. */
  const registries = new Map<string, PrometheusRegistry>()
  /** Per worker, the messages handed to its channel and not written yet. */
  const unwritten = new Map<number, number>()

  function send (worker: Worker, message: PrimaryMessage): void {
    if (!worker.isConnected()) return
    const id = worker.id
    unwritten.set(id, (unwritten.get(id) ?? 0) + 1)
    const written = (): void => {
      const left = (unwritten.get(id) ?? 1) - 1
      if (left > 0) unwritten.set(id, left)
      else unwritten.delete(id)
    }
    try {
      worker.send(message, undefined, undefined, written)
    } catch {
      // A worker going away: its 'exit' removes it.
      written()
    }
  }

  function leaderOf (members: Map<number, Worker>): Worker | undefined {
    return members.values().next().value
  }

  function onMessage (worker: Worker, message: unknown): void {
    if (!isVigieMessage(message)) return
    try {
      relay(worker, message as WorkerMessage)
    } catch {
      // Never into the primary: at worst this one message is lost.
    }
  }

  function relay (worker: Worker, message: WorkerMessage): void {
    let members = apps.get(message.app)
    switch (message.type) {
      case 'hello':
        if (members === undefined) {
          if (apps.size >= MAX_APPS) return
          apps.set(message.app, members = new Map())
        }
        members.set(worker.id, worker)
        if (message.prometheus !== undefined && !registries.has(message.app) && registries.size < MAX_APPS) {
          // Counters that never go down, whichever worker Prometheus reaches: they live here.
          registries.set(message.app, new PrometheusRegistry({ maxSeries: message.prometheus.maxSeries, instanceLabel: 'worker', onFirstDrop: () => {} }))
        }
        send(worker, { protocol: PROTOCOL, type: 'welcome', app: message.app, leader: leaderOf(members) === worker })
        break
      case 'scrape': {
        const registry = registries.get(message.app)
        send(worker, { protocol: PROTOCOL, type: 'exposition', app: message.app, id: message.id, body: registry === undefined ? null : expose(registry, message.format) })
        break
      }
      case 'deltas': {
        if (members === undefined || !members.has(worker.id)) return
        const registry = registries.get(message.app)
        if (registry !== undefined) {
          for (const delta of message.deltas) registry.merge(delta)
        }
        for (const other of members.values()) {
          // A worker that stopped reading (its event loop blocked) misses deltas rather than have them pile up here.
          if (other === worker || (unwritten.get(other.id) ?? 0) >= MAX_UNWRITTEN) continue
          send(other, { protocol: PROTOCOL, type: 'deltas', app: message.app, deltas: message.deltas, shared: message.shared })
        }
        break
      }
      case 'bye':
        if (members !== undefined) leave(message.app, members, worker)
        break
    }
  }

  function leave (app: string, members: Map<number, Worker>, worker: Worker): void {
    const led = leaderOf(members) === worker
    if (!members.delete(worker.id)) return
    // The registry stays: a worker forked again goes on counting from where the app was.
    if (members.size === 0) {
      apps.delete(app)
      return
    }
    const next = leaderOf(members)
    if (led && next !== undefined) send(next, { protocol: PROTOCOL, type: 'leader', app, leader: true })
  }

  function onExit (worker: Worker): void {
    unwritten.delete(worker.id)
    for (const [app, members] of apps) leave(app, members, worker)
  }

  cluster.on('message', onMessage)
  cluster.on('exit', onExit)
  const stop: StopClusterPrimary = () => {
    if (hub.stop !== stop) return
    hub.stop = null
    cluster.removeListener('message', onMessage)
    cluster.removeListener('exit', onExit)
    apps.clear()
    registries.clear()
  }
  hub.stop = stop
  return stop
}
