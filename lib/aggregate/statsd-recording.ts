import type { StatsD } from 'hot-shots'
import type { MetricRecorder } from '../metrics/metric-recorder.ts'
import type { MetricKind } from './types.ts'

/** StatsD types that are aggregated; sets (`s`) are not. */
const KINDS: ReadonlyMap<unknown, MetricKind> = new Map([['c', 'counter'], ['ms', 'timing'], ['h', 'timing'], ['d', 'timing'], ['g', 'gauge']])
// As hot-shots sanitises a metric name before it goes on the wire.
const NAME_BREAKERS = /[:|\n\r]/g

/** Metrics sent through a StatsD client, recorded (into the aggregator, the Prometheus registry) until restore(). */
export interface StatsdRecording {
  /**
   * While true, sends are not recorded. vigie sets it around its own calls through the client:
   * those are recorded through their series handles, and must not count twice.
   */
  muted: boolean
  /** Puts the client's own `sendStat` back (or, if something wrapped it since, stops recording). */
  restore: () => void
}

/**
 * Records every metric sent through `client` (`increment`, `timing`, `gauge`, `histogram`,
 * `distribution`, `timer`…) by wrapping its `sendStat` instance method, which every one of them
 * goes through once per metric name. The value is recorded before hot-shots samples it, so
 * in-process counts are exact whatever the sample rate. Fail-open: a failure to record is
 * reported and the metric is sent all the same. Returns null for a client without `sendStat`.
 *
 * Not recorded: sets, non-numeric values (gauge deltas such as `'+5'`), metrics sent with a
 * timestamp, and metrics sent through child clients (`childClient()`), which have their own
 * `sendStat`.
 *
 * `sendStat` is not in hot-shots' published types. It is kept over wrappers of the public
 * methods because it is the one place where their overloads (sample rate or options object,
 * tags, callback, arrays of names, timers) arrive normalised; a test in
 * test/aggregate/statsd-recording.test.ts pins its arguments for the installed version.
 */
export function recordStatsdSends (client: StatsD, aggregator: Pick<MetricRecorder, 'record'>, onError: (err: unknown) => void): StatsdRecording | null {
  const target = client as unknown as { sendStat?: unknown }
  const original = target.sendStat
  if (typeof original !== 'function') return null
  const hadOwn = Object.hasOwn(target, 'sendStat')
  let active = true

  const recording: StatsdRecording = {
    muted: false,
    restore () {
      active = false
      if (target.sendStat !== recordingSendStat) return
      if (hadOwn) target.sendStat = original
      else delete target.sendStat
    },
  }

  function recordingSendStat (this: unknown, ...args: unknown[]): unknown {
    if (active && !recording.muted) {
      try {
        recordSend(aggregator, args)
      } catch (err) {
        onError(err)
      }
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args)
  }

  target.sendStat = recordingSendStat
  return recording
}

/** hot-shots' `sendStat(stat, value, type, sampleRate, tags, timestamp, cardinality, callback)`. */
function recordSend (aggregator: Pick<MetricRecorder, 'record'>, [stat, value, type, , tags, timestamp]: unknown[]): void {
  const kind = KINDS.get(type)
  if (kind === undefined || typeof stat !== 'string' || typeof value !== 'number' || timestamp !== undefined) return
  aggregator.record(kind, stat.replace(NAME_BREAKERS, '_'), tagList(tags), value)
}

/** Tags as hot-shots takes them: an array of `'k:v'` strings, or an object. */
function tagList (tags: unknown): string[] {
  if (Array.isArray(tags)) return tags.map(String)
  if (tags !== null && typeof tags === 'object') return Object.entries(tags).map(([key, value]) => `${key}:${String(value)}`)
  return []
}
