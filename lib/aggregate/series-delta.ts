import { BIN_LIMIT, newSketch, type Sketch } from './sketch.ts'
import type { MetricKind } from './types.ts'

/**
 * What one process recorded into one series over a short interval, in a form that crosses a
 * process boundary (structured-clone or JSON: plain numbers and arrays). A counter's increments
 * add up; a timing's values travel as their DDSketch, which merges exactly (sketch.ts); a
 * gauge's samples as their latest value, extremes, sum and number.
 */
export type SeriesDelta = CounterDelta | TimingDelta | GaugeDelta

interface DeltaOf<K extends MetricKind> {
  readonly kind: K
  readonly name: string
  /** Canonical `key:value` tags. */
  readonly tags: readonly string[]
}

export interface CounterDelta extends DeltaOf<'counter'> {
  readonly sum: number
}

export interface TimingDelta extends DeltaOf<'timing'> {
  readonly sketch: WireSketch
  /** The same values counted in the Prometheus histogram's buckets (BUCKET_BOUNDS_MS, then +Inf), exactly. */
  readonly buckets: readonly number[]
}

export interface GaugeDelta extends DeltaOf<'gauge'> {
  readonly last: number
  readonly min: number
  readonly max: number
  readonly sum: number
  readonly samples: number
}

/** A sketch's exact scalars and its bins from `minKey` up, one count per key. */
export interface WireSketch {
  readonly count: number
  readonly zeroCount: number
  readonly sum: number
  readonly min: number
  readonly max: number
  readonly minKey: number
  readonly bins: readonly number[]
}

/** Whether `delta`, from another process, names a series of a known kind: a string name and string tags. */
export function isSeriesDelta (delta: unknown): delta is SeriesDelta {
  if (delta === null || typeof delta !== 'object') return false
  const { kind, name, tags } = delta as Partial<Record<'kind' | 'name' | 'tags', unknown>>
  return (kind === 'counter' || kind === 'timing' || kind === 'gauge') && typeof name === 'string' &&
    Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')
}

export function sketchToWire (sketch: Sketch): WireSketch {
  const bins: number[] = []
  for (let key = sketch.minKey; key <= sketch.maxKey; key++) bins.push(sketch.bins[key - sketch.offset])
  return { count: sketch.count, zeroCount: sketch.zeroCount, sum: sketch.sum, min: sketch.min, max: sketch.max, minKey: sketch.minKey, bins }
}

/** The sketch a wire form describes; null for one that no sketch could have written. */
export function sketchFromWire (wire: WireSketch): Sketch | null {
  const { count, zeroCount, sum, min, max, minKey, bins } = wire
  if (!Array.isArray(bins) || bins.length > BIN_LIMIT || !Number.isInteger(minKey) || !isCount(count) || !isCount(zeroCount) ||
    typeof sum !== 'number' || typeof min !== 'number' || typeof max !== 'number') return null
  let binned = 0
  for (const bin of bins) {
    if (!isCount(bin)) return null
    binned += bin
  }
  if (binned + zeroCount !== count || (bins.length === 0) !== (binned === 0)) return null
  const sketch = newSketch()
  if (bins.length > 0) {
    sketch.bins = Float64Array.from(bins)
    sketch.offset = sketch.minKey = minKey
    sketch.maxKey = minKey + bins.length - 1
  }
  sketch.count = count
  sketch.zeroCount = zeroCount
  sketch.sum = sum
  sketch.min = min
  sketch.max = max
  return sketch
}

/** A whole number of things: an integer ≥ 0. */
export function isCount (value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}
