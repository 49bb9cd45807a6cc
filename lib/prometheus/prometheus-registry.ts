import type { MetricRecorder, SeriesHandle } from '../metrics/metric-recorder.ts'
import { isSeriesDelta, type SeriesDelta } from '../aggregate/series-delta.ts'
import type { MetricKind } from '../types.ts'
import { familyNameOf, labelNameOf, reservedNames, type FamilyName, type FamilyType } from './metric-names.ts'

/** The upper bounds of the histogram buckets, in ms: 5 ms to 10 s, then `+Inf` (docs/prometheus.md). */
export const BUCKET_BOUNDS_MS: readonly number[] = Object.freeze([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000])

/** Why a value was not exposed: the label of `vigie_prometheus_dropped_total`. */
export type DropReason = 'series_cap' | 'name_conflict' | 'invalid_value'

/** The registry's own counter of the values it did not expose. */
export const DROPPED_METRIC = 'vigie_prometheus_dropped_total'

/** One series: its labels as written (`a="1",b="2"`, `''` without any) and its values, cumulative since start. */
export interface PrometheusSeries {
  readonly labels: string
  /** A counter's sum, a gauge's last value. */
  value: number
  /** A histogram's count per bucket (not cumulative), `+Inf` last. */
  readonly buckets: Float64Array | null
  /** A histogram's sum, in ms. */
  sumMs: number
  count: number
}

export interface PrometheusFamily extends FamilyName {
  readonly series: Map<string, PrometheusSeries>
}

export interface PrometheusRegistryOptions {
  /** Most series kept (all families together); past it, new series are dropped and counted. */
  readonly maxSeries: number
  /** Called the first time a value is dropped for `reason`. */
  readonly onFirstDrop: (reason: Exclude<DropReason, 'invalid_value'>, detail: string) => void
  /**
   * The label the `instance` tag is exposed under; by default it is left out, since Prometheus
   * adds its target's. A cluster's registry, one target for every worker, keeps it as `worker`.
   */
  readonly instanceLabel?: string
}

// A plain copy of the bounds for the hot path (a frozen array is slower to read in V8).
const BOUNDS: number[] = [...BUCKET_BOUNDS_MS]

/**
 * Every metric vigie records, as Prometheus expects it: counters summed and histograms of the
 * timings cumulative since start, gauges at their last value. Bounded: at most `maxSeries`
 * series; past it a new series is dropped (its values counted in `dropped`), never one in use
 * evicted, since a counter that starts over reads as a reset to `rate()`. Two metrics whose
 * Prometheus names collide: the first keeps the name, the other is dropped and counted.
 * Handles are kept by the callers (RequestMetrics) or cached here, so recording a value costs a
 * map lookup at most.
 */
export class PrometheusRegistry implements MetricRecorder {
  readonly #maxSeries: number
  readonly #onFirstDrop: PrometheusRegistryOptions['onFirstDrop']
  /** Families by `kind\0vigie name`; null for a name that lost a collision. */
  readonly #families = new Map<string, PrometheusFamily | null>()
  /** Families in the order they were created: the exposition's order. */
  readonly #ordered: PrometheusFamily[] = []
  /** Which family owns each sample name. */
  readonly #owners = new Map<string, PrometheusFamily | null>()
  /** Handles by `kind\0name\0tags`, for record(). */
  readonly #handles = new Map<string, SeriesHandle>()
  readonly #dropped: Record<DropReason, number> = { series_cap: 0, name_conflict: 0, invalid_value: 0 }
  readonly #droppedHandles: Readonly<Record<DropReason, SeriesHandle>>
  readonly #warned = new Set<DropReason>()
  readonly #instanceLabel: string | null
  #seriesCount = 0

  constructor (options: PrometheusRegistryOptions) {
    this.#maxSeries = options.maxSeries
    this.#onFirstDrop = options.onFirstDrop
    this.#instanceLabel = options.instanceLabel ?? null
    this.#owners.set(DROPPED_METRIC, null)
    this.#owners.set(DROPPED_METRIC.slice(0, -'_total'.length), null)
    const dropped = this.#dropped
    const droppedHandle = (reason: DropReason): SeriesHandle => ({
      record () { dropped[reason]++ },
      recordAt () { dropped[reason]++ },
    })
    this.#droppedHandles = Object.freeze({
      series_cap: droppedHandle('series_cap'),
      name_conflict: droppedHandle('name_conflict'),
      invalid_value: droppedHandle('invalid_value'),
    })
  }

  /** The handle of one series, created on first use; a series past the cap or under a taken name gets one that only counts what it drops. */
  series (kind: MetricKind, name: string, tags: readonly string[]): SeriesHandle {
    const key = `${kind}\u0000${name}\u0000${tags.join('\u0000')}`
    const cached = this.#handles.get(key)
    if (cached !== undefined) return cached
    const handle = this.#newHandle(kind, name, tags)
    // Only live series are cached, and only so many: a flood of dropped names costs no memory.
    if (handle !== this.#droppedHandles.series_cap && handle !== this.#droppedHandles.name_conflict && this.#handles.size < this.#maxSeries * 4) {
      this.#handles.set(key, handle)
    }
    return handle
  }

  /** The registry keeps no time: values are cumulative, and Prometheus stamps each scrape. */
  now (): number {
    return 0
  }

  record (kind: MetricKind, name: string, tags: readonly string[], value: number): void {
    this.series(kind, name, tags).record(value)
  }

  /**
   * Adds what a worker of a cluster recorded over an interval: a counter's sum, a histogram's
   * buckets, a gauge's latest value. A delta of the wrong shape is dropped and counted.
   */
  merge (delta: SeriesDelta): void {
    if (!isSeriesDelta(delta)) {
      this.#dropped.invalid_value++
      return
    }
    switch (delta.kind) {
      case 'counter':
        this.series('counter', delta.name, delta.tags).record(delta.sum)
        break
      case 'gauge':
        if (delta.samples > 0) this.series('gauge', delta.name, delta.tags).record(delta.last)
        break
      case 'timing': {
        const { buckets, sketch } = delta
        if (!Array.isArray(buckets) || buckets.length !== BOUNDS.length + 1 || !buckets.every((n) => Number.isInteger(n) && n >= 0) ||
          sketch === null || typeof sketch !== 'object' || !Number.isFinite(sketch.sum) || sketch.count !== buckets.reduce((a, b) => a + b, 0)) {
          this.#dropped.invalid_value++
          return
        }
        const series = this.#seriesOf('timing', delta.name, delta.tags)
        if (typeof series === 'string') {
          this.#drop(series, `timing "${delta.name}"`).record(0)
          return
        }
        for (let i = 0; i < buckets.length; i++) series.buckets![i]! += buckets[i]!
        series.sumMs += sketch.sum
        series.count += sketch.count
        break
      }
    }
  }

  /** The families, in the order they were first recorded into. */
  families (): readonly PrometheusFamily[] {
    return this.#ordered
  }

  /** Values not exposed so far, by reason. */
  dropped (): Readonly<Record<DropReason, number>> {
    return { ...this.#dropped }
  }

  get seriesCount (): number {
    return this.#seriesCount
  }

  #newHandle (kind: MetricKind, name: string, tags: readonly string[]): SeriesHandle {
    const family = this.#familyOf(kind, name)
    if (family === null) return this.#drop('name_conflict', `${kind} "${name}"`)
    const series = this.#seriesIn(family, tags)
    return series === null ? this.#drop('series_cap', `${family.name}{${labelText(family, tags, this.#instanceLabel)}}`) : handleOf(family.type, series, this.#dropped)
  }

  /** The series of a metric, created on first use; why not, when it cannot be. */
  #seriesOf (kind: MetricKind, name: string, tags: readonly string[]): PrometheusSeries | 'series_cap' | 'name_conflict' {
    const family = this.#familyOf(kind, name)
    if (family === null) return 'name_conflict'
    return this.#seriesIn(family, tags) ?? 'series_cap'
  }

  /** The series of `family` with `tags`, created on first use; null past the cap. */
  #seriesIn (family: PrometheusFamily, tags: readonly string[]): PrometheusSeries | null {
    const labels = labelText(family, tags, this.#instanceLabel)
    let series = family.series.get(labels)
    if (series === undefined) {
      if (this.#seriesCount >= this.#maxSeries) return null
      series = { labels, value: 0, buckets: family.type === 'histogram' ? new Float64Array(BUCKET_BOUNDS_MS.length + 1) : null, sumMs: 0, count: 0 }
      family.series.set(labels, series)
      this.#seriesCount++
    }
    return series
  }

  /** The family of a metric, created on first use; null when its names are taken by another family (or past the cap, not remembered). */
  #familyOf (kind: MetricKind, name: string): PrometheusFamily | null {
    const key = `${kind}\u0000${name}`
    const known = this.#families.get(key)
    if (known !== undefined) return known
    const family: PrometheusFamily = { ...familyNameOf(kind, name), series: new Map() }
    const names = reservedNames(family)
    if (names.some((sample) => this.#owners.has(sample))) {
      // Remembered while few: a flood of colliding names must not grow the map.
      if (this.#families.size < this.#maxSeries * 2) this.#families.set(key, null)
      return null
    }
    if (this.#seriesCount >= this.#maxSeries) return family
    for (const sample of names) this.#owners.set(sample, family)
    this.#families.set(key, family)
    this.#ordered.push(family)
    return family
  }

  #drop (reason: 'series_cap' | 'name_conflict', detail: string): SeriesHandle {
    if (!this.#warned.has(reason)) {
      this.#warned.add(reason)
      this.#onFirstDrop(reason, detail)
    }
    return this.#droppedHandles[reason]
  }
}

function handleOf (type: FamilyType, series: PrometheusSeries, dropped: Record<DropReason, number>): SeriesHandle {
  let record: (value: number) => void
  if (type === 'counter') {
    // A counter never goes down (a StatsD decrement would read as a reset): negative values are dropped.
    record = (value) => {
      if (value >= 0 && value < Infinity) series.value += value
      else dropped.invalid_value++
    }
  } else if (type === 'histogram') {
    const buckets = series.buckets!
    record = (ms) => {
      if (!(ms >= 0 && ms < Infinity)) {
        dropped.invalid_value++
        return
      }
      buckets[bucketOf(ms)]!++
      series.sumMs += ms
      series.count++
    }
  } else {
    record = (value) => {
      if (typeof value === 'number') series.value = value
      else dropped.invalid_value++
    }
  }
  return { record, recordAt: record }
}

/**
 * The labels of one series as written, sorted by name: tags without a value (or with an empty
 * one, which Prometheus reads as no label) are left out, and so is the `instance` tag, which
 * Prometheus adds itself (its target's), unless `instanceLabel` names the label it goes under; of
 * two tags whose names come out the same, the first is kept.
 */
function labelText (family: FamilyName, tags: readonly string[], instanceLabel: string | null): string {
  if (tags.length === 0) return ''
  const pairs: Array<[string, string]> = []
  for (const tag of tags) {
    const colon = tag.indexOf(':')
    if (colon === -1 || colon === tag.length - 1) continue
    let name = labelNameOf(tag.slice(0, colon), family)
    if (name === 'instance') {
      if (instanceLabel === null) continue
      name = instanceLabel
    }
    if (pairs.some(([n]) => n === name)) continue
    pairs.push([name, tag.slice(colon + 1)])
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')
}

/** The index of the histogram bucket a value of `ms` (≥ 0) counts in: the first bound at or above it, else +Inf's. */
export function bucketOf (ms: number): number {
  const last = BOUNDS.length
  let i = 0
  while (i < last && ms > BOUNDS[i]!) i++
  return i
}

/** A label value as the text formats take it: `\`, `"` and line feeds escaped. */
export function escapeLabelValue (value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value
}
