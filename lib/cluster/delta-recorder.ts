import { canonicalTags, seriesKey } from '../aggregate/series-tags.ts'
import { sketchToWire, type SeriesDelta } from '../aggregate/series-delta.ts'
import { addToSketch, newSketch } from '../aggregate/sketch.ts'
import type { MetricRecorder, SeriesHandle } from '../metrics/metric-recorder.ts'
import { BUCKET_BOUNDS_MS, bucketOf } from '../prometheus/prometheus-registry.ts'
import type { MetricKind } from '../types.ts'

/** Intervals a series may go unrecorded before its entry is let go (it comes back on its next record). */
const IDLE_INTERVALS = 60
const BOUNDS = BUCKET_BOUNDS_MS

/**
 * What this worker recorded since the last take(), per series: the deltas it sends to the other
 * workers of its app. At most `maxSeries` series are held; a record into one more is dropped and
 * counted (dropped()). Handles stay good: an entry let go for idleness is taken back on its next
 * record, room permitting.
 */
export class DeltaRecorder implements MetricRecorder {
  readonly #maxSeries: number
  readonly #pending = new Map<string, Pending>()
  #dropped = 0

  constructor (maxSeries: number) {
    this.#maxSeries = maxSeries
  }

  now (): number {
    return Date.now()
  }

  series (kind: MetricKind, name: string, tags: readonly string[]): SeriesHandle {
    const canonical = canonicalTags(tags)
    const key = seriesKey(kind, name, canonical)
    const held = this.#pending.get(key)
    if (held !== undefined) return held
    const pending = kind === 'counter'
      ? new PendingCounter(name, canonical, key, this)
      : kind === 'timing' ? new PendingTiming(name, canonical, key, this) : new PendingGauge(name, canonical, key, this)
    this.reattach(pending)
    return pending
  }

  record (kind: MetricKind, name: string, tags: readonly string[], value: number): void {
    this.series(kind, name, tags).record(value)
  }

  /** Every series recorded into since the last call, as deltas; each starts again from nothing. */
  take (): SeriesDelta[] {
    const deltas: SeriesDelta[] = []
    for (const [key, pending] of this.#pending) {
      if (pending.recorded) {
        deltas.push(pending.take())
        pending.idle = 0
      } else if (++pending.idle >= IDLE_INTERVALS) {
        pending.attached = false
        this.#pending.delete(key)
      }
    }
    return deltas
  }

  /** Records dropped at the series cap. */
  dropped (): number {
    return this.#dropped
  }

  /**
   * Where the records of `pending`, not held, go: the entry held under its key (made again since
   * it was let go), or `pending` itself, held again if there is room; null (dropped) if not.
   */
  reattach (pending: Pending): Pending | null {
    const held = this.#pending.get(pending.key)
    if (held !== undefined) return held
    if (this.#pending.size >= this.#maxSeries) {
      this.#dropped++
      return null
    }
    this.#pending.set(pending.key, pending)
    pending.attached = true
    return pending
  }
}

abstract class Pending implements SeriesHandle {
  attached = false
  idle = 0
  abstract readonly kind: MetricKind
  abstract readonly recorded: boolean

  readonly name: string
  readonly tags: readonly string[]
  readonly key: string
  readonly owner: DeltaRecorder

  constructor (name: string, tags: readonly string[], key: string, owner: DeltaRecorder) {
    this.name = name
    this.tags = tags
    this.key = key
    this.owner = owner
  }

  record (value: number): void {
    const target = this.attached ? this : this.owner.reattach(this)
    target?.add(value)
  }

  recordAt (value: number): void {
    this.record(value)
  }

  protected abstract add (value: number): void
  abstract take (): SeriesDelta
}

class PendingCounter extends Pending {
  readonly kind = 'counter'
  #sum = 0
  #recorded = false

  get recorded (): boolean {
    return this.#recorded
  }

  protected add (value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return
    this.#sum += value
    this.#recorded = true
  }

  take (): SeriesDelta {
    const delta: SeriesDelta = { kind: 'counter', name: this.name, tags: this.tags, sum: this.#sum }
    this.#sum = 0
    this.#recorded = false
    return delta
  }
}

class PendingTiming extends Pending {
  readonly kind = 'timing'
  #sketch = newSketch()
  readonly #buckets = new Array<number>(BOUNDS.length + 1).fill(0)

  get recorded (): boolean {
    return this.#sketch.count > 0
  }

  protected add (value: number): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) return
    addToSketch(this.#sketch, value)
    this.#buckets[bucketOf(value)]!++
  }

  take (): SeriesDelta {
    const delta: SeriesDelta = { kind: 'timing', name: this.name, tags: this.tags, sketch: sketchToWire(this.#sketch), buckets: [...this.#buckets] }
    this.#sketch = newSketch()
    this.#buckets.fill(0)
    return delta
  }
}

class PendingGauge extends Pending {
  readonly kind = 'gauge'
  #last = 0
  #min = Infinity
  #max = -Infinity
  #sum = 0
  #samples = 0

  get recorded (): boolean {
    return this.#samples > 0
  }

  protected add (value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) return
    this.#last = value
    if (value < this.#min) this.#min = value
    if (value > this.#max) this.#max = value
    this.#sum += value
    this.#samples++
  }

  take (): SeriesDelta {
    const delta: SeriesDelta = { kind: 'gauge', name: this.name, tags: this.tags, last: this.#last, min: this.#min, max: this.#max, sum: this.#sum, samples: this.#samples }
    this.#min = Infinity
    this.#max = -Infinity
    this.#sum = 0
    this.#samples = 0
    return delta
  }
}
