import type { StatsD } from 'hot-shots'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import type { SharedCounts } from '../core/shared-counts.ts'
import type { TagFormat } from '../metrics/tag-format.ts'
import type { ResolvedSlo, ResolvedSloStore } from '../options/resolve-options.ts'
import type { SloStatus } from '../types.ts'
import type { BurnSource } from './burn-source.ts'
import { sloGaugeSender } from './slo-gauges.ts'
import { encodeStore, maxStoreBytes, readStore, setAside, writeStore } from './slo-store.ts'
import { MINUTE_MS, SloTracker } from './slo-tracker.ts'

/** Time between two sends of the SLO gauges. */
export const SLO_GAUGE_INTERVAL_MS = 10_000

export interface SloFeatureOptions {
  /** Where the gauges go: the app's client. */
  readonly statsd: Pick<StatsD, 'gauge'>
  readonly tagFormat: TagFormat
  readonly reporter: Pick<FailureReporter, 'report' | 'warnOnce'>
  readonly store: ResolvedSloStore
  /** Tags every gauge carries: the `instance` tag, or none. */
  readonly instanceTags?: readonly string[]
  /** The clock, epoch ms (Date.now by default). */
  readonly now?: () => number
  /** Time between two sends of the gauges (SLO_GAUGE_INTERVAL_MS by default). */
  readonly gaugeIntervalMs?: number
}

/** The SLOs, as the composition module wires them. */
export interface SloFeature {
  /** Counts every request that ended, and closes (last store write) with the app. */
  readonly subscriber: LifecycleSubscriber
  /** `app.vigie.slos()`. Never throws. */
  statuses: () => SloStatus[]
  /** One per SLO with a burn-rate table (none for `burnRateAlerts: false`): for the alert engine. */
  readonly burnSources: readonly BurnSource[]
  /** Stops the timers and writes the store one last time. Idempotent; never rejects. */
  close: () => Promise<void>
  /** The SLOs' counts, shared with the app's other workers in a cluster (items of SLOs this app does not have are ignored). */
  sharing: () => SharedCounts
}

/** One SLO's events counted by one worker over an interval. */
interface SloDelta {
  /** The SLO's identity (SloTracker#identity): workers with other definitions do not mix their counts. */
  readonly slo: string
  readonly good: number
  readonly total: number
}

/**
 * Tracks `slos` (at least one) from the requests that end: per-minute counts over each window,
 * their status, gauges every SLO_GAUGE_INTERVAL_MS, and the store (read back now, written every
 * `store.writeIntervalMs` and on close). Nothing here throws into the app.
 */
export function sloFeature (slos: readonly ResolvedSlo[], options: SloFeatureOptions): SloFeature {
  const now = options.now ?? Date.now
  const minuteNow = (): number => Math.floor(now() / MINUTE_MS)
  const { reporter } = options
  const trackers = slos.map((slo) => new SloTracker(slo, minuteNow()))
  const path = options.store.store
  if (path !== null) restore(path, trackers, now(), reporter)

  // The minute requests end in: the clock is read once a minute, at its turn, not per request
  // (a clock read costs about 100 ns on some virtual machines). A request that ends between the
  // turn and the timer's call counts in the minute before.
  let minute = minuteNow()
  let turn: NodeJS.Timeout | null = null
  const nextTurn = (): void => {
    const at = now()
    minute = Math.floor(at / MINUTE_MS)
    turn = setTimeout(nextTurn, (minute + 1) * MINUTE_MS - at).unref()
  }
  nextTurn()

  const statuses = (): SloStatus[] => {
    try {
      const minute = minuteNow()
      return trackers.map((tracker) => tracker.status(minute))
    } catch (err) {
      reporter.report('slo', err)
      return []
    }
  }

  const sendGauges = sloGaugeSender(options.statsd, options.tagFormat, options.instanceTags)
  const gauges = setInterval(() => {
    try {
      sendGauges(statuses())
    } catch (err) {
      reporter.report('slo gauges', err)
    }
  }, options.gaugeIntervalMs ?? SLO_GAUGE_INTERVAL_MS).unref()

  let writing: Promise<void> | null = null
  const save = (): Promise<void> => {
    if (path === null) return Promise.resolve()
    if (writing !== null) return writing
    let bytes: Buffer
    try {
      const minute = minuteNow()
      bytes = encodeStore(trackers.map(({ identity, counts }) => {
        counts.advance(minute, true)
        return { identity, head: counts.head, good: counts.good, total: counts.total, seen: counts.seen }
      }), now())
    } catch (err) {
      reporter.report('slo store', err)
      return Promise.resolve()
    }
    writing = writeStore(path, bytes)
      .catch((err: unknown) => reporter.report('slo store', err))
      .finally(() => { writing = null })
    return writing
  }
  const writes = path === null ? null : setInterval(() => { save() }, options.store.writeIntervalMs).unref()

  let closing: Promise<void> | null = null
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(gauges)
      if (turn !== null) clearTimeout(turn)
      if (writes !== null) clearInterval(writes)
      await writing
      await save()
    })()
    return closing
  }

  return {
    subscriber: {
      name: 'slo',
      requestEnded (controller, _method, statusCode, durationMs) {
        for (let i = 0; i < trackers.length; i++) trackers[i]!.record(minute, controller, statusCode, durationMs)
      },
      closing: close,
    },
    statuses,
    burnSources: Object.freeze(trackers.filter(({ slo }) => slo.burnRateAlerts.length > 0).map((tracker) => tracker.burnSource(minuteNow))),
    close,
    sharing: () => sharedCounts(trackers, minuteNow),
  }
}

function sharedCounts (trackers: readonly SloTracker[], minuteNow: () => number): SharedCounts {
  const byIdentity = new Map(trackers.map((tracker) => [tracker.identity, tracker]))
  return {
    take () {
      const deltas: SloDelta[] = []
      for (const tracker of trackers) {
        const { good, total } = tracker.takeUnshared()
        if (total > 0) deltas.push({ slo: tracker.identity, good, total })
      }
      return deltas
    },
    merge (items) {
      const minute = minuteNow()
      for (const item of items) {
        const { slo, good, total } = (item ?? {}) as Partial<SloDelta>
        const tracker = typeof slo === 'string' ? byIdentity.get(slo) : undefined
        if (tracker === undefined || !isCount(good) || !isCount(total) || good > total) continue
        tracker.counts.addMany(minute, good, total)
      }
    },
  }
}

function isCount (value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

/**
 * Lays the stored counts of each SLO whose identity the store holds over its rings, then moves
 * them to now (the minutes in between unseen: the process was down). A store that is corrupt,
 * foreign, or written for other SLOs (some restored or not) is set aside, with one warning.
 */
function restore (path: string, trackers: readonly SloTracker[], now: number, reporter: SloFeatureOptions['reporter']): void {
  const minute = Math.floor(now / MINUTE_MS)
  const read = readStore(path, maxStoreBytes(trackers.map(({ counts }) => counts.minutes)), minute)
  if (read.kind === 'missing') return
  if (read.kind === 'unreadable') {
    reporter.warnOnce('slo-store', `vigie: the SLO store could not be read (${read.reason}); the SLOs start fresh`, { store: path, reason: read.reason })
    return
  }
  if (read.kind !== 'ok') {
    const aside = setAside(path, read.kind, now)
    reporter.warnOnce('slo-store',
      `vigie: the SLO store is ${read.kind} (${read.reason}) and was set aside${aside === null ? ' (the rename failed)' : ''}; the SLOs start fresh`,
      { store: path, setAsideAs: aside, reason: read.reason })
    return
  }
  const stored = new Map(read.slos.map((slo) => [slo.identity, slo]))
  const fresh: string[] = []
  for (const tracker of trackers) {
    const slo = stored.get(tracker.identity)
    if (slo === undefined || slo.seen.length !== tracker.counts.minutes) {
      fresh.push(tracker.slo.name)
      continue
    }
    stored.delete(tracker.identity)
    tracker.counts.restore(slo.head, slo.good, slo.total, slo.seen)
    tracker.counts.advance(minute, false)
  }
  if (fresh.length === 0 && stored.size === 0) return
  // Written for other SLOs: kept beside, so that going back to those definitions loses nothing.
  const aside = setAside(path, 'foreign', now)
  reporter.warnOnce('slo-store',
    `vigie: the SLO store was written for other SLO definitions and was set aside${aside === null ? ' (the rename failed)' : ''}; ${fresh.length === 0 ? 'every SLO was restored' : `${fresh.join(', ')} start${fresh.length === 1 ? 's' : ''} fresh`}`,
    { store: path, setAsideAs: aside, fresh })
}
