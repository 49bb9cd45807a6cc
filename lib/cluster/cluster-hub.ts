import cluster, { type Worker } from 'node:cluster'
import { processWide } from '../process-state.js'
import { PROTOCOL, isVigieMessage, type PrimaryMessage } from './messages.js'

/** Most distinct apps the primary relays for: each worker app is one, keyed by its order of composition. */
const MAX_APPS = 32

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
 * A worker whose channel is full misses the deltas of that interval rather than queue them.
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
  /** Workers whose last relay found the channel full. */
  const full = new Set<number>()

  function send (worker: Worker, message: PrimaryMessage): void {
    if (!worker.isConnected()) return
    try {
      const sent = worker.send(message, undefined, undefined, () => {})
      if (sent) full.delete(worker.id)
      else full.add(worker.id)
    } catch {
      // A worker going away: its 'exit' removes it.
    }
  }

  function leaderOf (members: Map<number, Worker>): Worker | undefined {
    return members.values().next().value
  }

  function onMessage (worker: Worker, message: unknown): void {
    if (!isVigieMessage(message)) return
    let members = apps.get(message.app)
    switch (message.type) {
      case 'hello':
        if (members === undefined) {
          if (apps.size >= MAX_APPS) return
          apps.set(message.app, members = new Map())
        }
        members.set(worker.id, worker)
        send(worker, { protocol: PROTOCOL, type: 'welcome', app: message.app, leader: leaderOf(members) === worker })
        break
      case 'deltas':
        if (members === undefined || !members.has(worker.id)) return
        for (const other of members.values()) {
          if (other === worker) continue
          if (full.has(other.id)) {
            // Skipped once: the channel may have drained by the next one.
            full.delete(other.id)
            continue
          }
          send(other, { protocol: PROTOCOL, type: 'deltas', app: message.app, deltas: message.deltas, shared: message.shared })
        }
        break
      case 'bye':
        if (members !== undefined) leave(message.app, members, worker)
        break
    }
  }

  function leave (app: string, members: Map<number, Worker>, worker: Worker): void {
    const led = leaderOf(members) === worker
    if (!members.delete(worker.id)) return
    if (members.size === 0) {
      apps.delete(app)
      return
    }
    const next = leaderOf(members)
    if (led && next !== undefined) send(next, { protocol: PROTOCOL, type: 'leader', app, leader: true })
  }

  function onExit (worker: Worker): void {
    full.delete(worker.id)
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
  }
  hub.stop = stop
  return stop
}
