import { CumulativeBins } from './cumulative-bins.ts'
import type { TimingStats } from './types.ts'

/**
 * Timings are kept in DDSketches (Masson, Rim and Lee, VLDB 2019; the sketch of Datadog's
 * libraries), written here. A value v counts in the bin of key ⌈log_γ v⌉, γ = (1 + a) / (1 − a)
 * with a = RELATIVE_ACCURACY, and bin k reads as 2γ^k / (1 + γ): within a of every value of
 * (γ^(k−1), γ^k]. So a quantile read from the bins is within a of the exact value of that rank.
 *
 * A sketch keeps at most BIN_LIMIT bins. At 2 % a bin covers about 4 % of value, so 256 bins
 * cover a ratio of about 28 000 between the smallest and the largest value of one series in one
 * bucket (0.1 ms to 3 s, or 2 ms to 60 s). Lower values count in the lowest bin kept
 * ("collapsing lowest"): only quantiles that fall among them are overstated; the high ones, which
 * matter for latency, keep their accuracy.
 *
 * The lowest bin kept is never below the highest key seen − (BIN_LIMIT − 1), and values of lower
 * keys all go into it: each value counts in bin max(its key, that floor) whatever the order the
 * values came in. So merging sketches gives exactly the sketch of all their values (bins, count,
 * extremes; only the sum's rounding depends on the order), as merging workers' aggregates needs.
 *
 * Why 2 % and not 1 %: a series keeps up to 90 sketches, and a sketch's memory is its number of
 * bins. 1 % doubles the bins for the same range: a busy timing series measured 141 KiB at 1 %
 * (512 bins) against 91 KiB at 2 %, and 238 against 140 KiB at worst
 * (bench/aggregation-memory.mjs). 2 % of a 100 ms p99 is 2 ms.
 */
export const RELATIVE_ACCURACY = 0.02
export const BIN_LIMIT = 256

const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY)
const LOG_GAMMA = Math.log(GAMMA)
const KEYS_PER_LOG = 1 / LOG_GAMMA
/** Lower values (0, -0, and subnormal doubles, where γ^k loses precision) count as zeros. */
const MIN_MAPPED = 2 ** -1022
/** Bins are allocated this many at a time: a bucket that saw one value holds 128 bytes of them. */
const BIN_CHUNK = 32
/** Bins count in 32 bits, half the memory of doubles, while the sketch holds no more values than this. */
const UINT32_COUNTS = 2 ** 32 - 1
// The key range of a sketch without bins. Keys lie within ±18 000: with integer bounds rather
// than ±Infinity, the engine keeps the arithmetic on keys in integers.
const EMPTY_MIN = 2 ** 30
const EMPTY_MAX = -(2 ** 30)
const NO_BINS = new Uint32Array(0)

/**
 * Count, zero count, sum and extremes, exact, beside the bins: `bins[k - offset]` counts the
 * values of key k, for k in [minKey, maxKey], the lowest and the highest key holding any
 * (EMPTY_MIN and EMPTY_MAX while none does); every other element is 0. Only this module changes it.
 */
class Sketch {
  count = 0
  /** Values below MIN_MAPPED: read as 0. */
  zeroCount = 0
  sum = 0
  min = Infinity
  max = -Infinity
  bins: Uint32Array | Float64Array = NO_BINS
  offset = 0
  minKey = EMPTY_MIN
  maxKey = EMPTY_MAX
}
export type { Sketch }

export function newSketch (): Sketch {
  return new Sketch()
}

/** Adds one value (finite, ≥ 0). */
export function addToSketch (sketch: Sketch, value: number): void {
  if (value >= MIN_MAPPED) {
    let key = Math.ceil(Math.log(value) * KEYS_PER_LOG)
    if (key < sketch.minKey || key > sketch.maxKey) key = Math.max(key, include(sketch, key, key))
    if (sketch.count >= UINT32_COUNTS) widen(sketch)
    sketch.bins[key - sketch.offset]++
  } else {
    sketch.zeroCount++
  }
  sketch.count++
  sketch.sum += value
  if (value < sketch.min) sketch.min = value
  if (value > sketch.max) sketch.max = value
}

/** Adds every value of `source` into `target` (not the same sketch). */
export function mergeIntoSketch (target: Sketch, source: Sketch): void {
  if (source.count === 0) return
  if (source.count > source.zeroCount) {
    const floor = include(target, source.minKey, source.maxKey)
    if (target.count + source.count > UINT32_COUNTS) widen(target)
    const { bins, offset } = target
    for (let key = source.minKey; key <= source.maxKey; key++) bins[Math.max(key, floor) - offset] += source.bins[key - source.offset]
  }
  target.zeroCount += source.zeroCount
  target.count += source.count
  target.sum += source.sum
  if (source.min < target.min) target.min = source.min
  if (source.max > target.max) target.max = source.max
}

/**
 * Extends the sketch's key range to [low, high] for values the caller then adds, keeping it within
 * BIN_LIMIT keys: bins below the highest key − (BIN_LIMIT − 1) are folded into that one. Returns
 * that floor: values of lower keys are to be counted in its bin.
 */
function include (sketch: Sketch, low: number, high: number): number {
  const maxKey = Math.max(sketch.maxKey, high)
  const floor = maxKey - BIN_LIMIT + 1
  let folded = 0
  if (sketch.minKey < floor) {
    const { bins, offset } = sketch
    const end = Math.min(floor - 1, sketch.maxKey)
    for (let key = sketch.minKey; key <= end; key++) {
      folded += bins[key - offset]
      bins[key - offset] = 0
    }
  }
  const minKey = Math.max(Math.min(sketch.minKey, low), floor)
  cover(sketch, minKey, maxKey)
  if (folded > 0) sketch.bins[floor - sketch.offset] += folded
  sketch.minKey = minKey
  sketch.maxKey = maxKey
  return floor
}

/**
 * Makes the array of bins hold keys [minKey, maxKey] (at most BIN_LIMIT), with room on both
 * sides, keeping its counts: every key with a count must lie in that range.
 */
function cover (sketch: Sketch, minKey: number, maxKey: number): void {
  const old = sketch.bins
  const oldOffset = sketch.offset
  if (minKey >= oldOffset && maxKey < oldOffset + old.length) return
  const span = maxKey - minKey + 1
  const length = Math.min(BIN_LIMIT, Math.ceil(span / BIN_CHUNK) * BIN_CHUNK)
  const offset = minKey - ((length - span) >> 1)
  // The keys both arrays hold: every key with a count is among them.
  const from = Math.max(offset, oldOffset)
  const to = Math.min(offset + length, oldOffset + old.length)
  if (length === old.length) {
    // The counts slide within the array (as a sketch at BIN_LIMIT does whenever its highest key rises).
    if (from < to) old.copyWithin(from - offset, from - oldOffset, to - oldOffset)
    old.fill(0, 0, from - offset)
    old.fill(0, Math.max(0, to - offset))
  } else {
    const bins = old instanceof Float64Array ? new Float64Array(length) : new Uint32Array(length)
    if (from < to) bins.set(old.subarray(from - oldOffset, to - oldOffset), from - offset)
    sketch.bins = bins
  }
  sketch.offset = offset
}

/** Counts in doubles from now on: 32 bits could overflow. */
function widen (sketch: Sketch): void {
  if (sketch.bins instanceof Uint32Array) sketch.bins = Float64Array.from(sketch.bins)
}

/** What a timing read keeps beside the bins, summed over the sketches it reads. */
export interface TimingScalars {
  readonly count: number
  readonly zeroCount: number
  readonly min: number
  readonly max: number
  readonly sum: number
}

const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const
const ONE_SKETCH = new CumulativeBins()

/** What the bin of `key` reads as: 2γ^key / (1 + γ). */
export function valueOfKey (key: number): number {
  return Math.exp(key * LOG_GAMMA) * (2 / (1 + GAMMA))
}

/**
 * Timing stats of sketches whose scalars add up to `scalars` and whose bins add up to those of
 * `a`, `b` and `c` (b and c may be null), as one sketch merging them all would give them (the
 * value of the lowest key whose cumulative count exceeds the rank), without building it.
 * `scalars.count` must be above 0.
 *
 * Count, min, max and mean are exact (the sketch keeps them beside its bins); quantiles come from
 * the bins, kept within [min, max], which only brings them closer to the exact value.
 */
export function timingStatsFrom (scalars: TimingScalars, a: CumulativeBins, b: CumulativeBins | null, c: CumulativeBins | null): TimingStats {
  const { count, zeroCount, min, max, sum } = scalars
  let lowest = a.minKey
  let highest = a.maxKey
  if (b !== null && b.count > 0) {
    lowest = Math.min(lowest, b.minKey)
    highest = Math.max(highest, b.maxKey)
  }
  if (c !== null && c.count > 0) {
    lowest = Math.min(lowest, c.minKey)
    highest = Math.max(highest, c.maxKey)
  }
  const cumulative = (key: number): number => a.at(key) + (b === null ? 0 : b.at(key)) + (c === null ? 0 : c.at(key))

  const values = [0, 0, 0, 0]
  for (let q = 0; q < QUANTILES.length; q++) {
    const rank = QUANTILES[q] * (count - 1)
    // Ranks below zeroCount are zeros; the others, ranks among the bins, come in ascending order.
    if (rank < zeroCount) continue
    const inBins = rank - zeroCount
    let high = highest
    if (cumulative(high) > inBins) {
      while (lowest < high) {
        const middle = Math.floor((lowest + high) / 2)
        if (cumulative(middle) > inBins) high = middle
        else lowest = middle + 1
      }
    }
    values[q] = valueOfKey(high)
    lowest = high
  }

  return {
    count,
    min,
    max,
    mean: sum / count,
    median: within(values[0], min, max),
    p90: within(values[1], min, max),
    p95: within(values[2], min, max),
    p99: within(values[3], min, max),
  }
}

/** The timing stats of one sketch. */
export function timingStatsOf (sketch: Sketch): TimingStats {
  ONE_SKETCH.load(sketch)
  return timingStatsFrom(sketch, ONE_SKETCH, null, null)
}

function within (value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
