import { DDSketch } from '@datadog/sketches-js'
import { CumulativeBins, type Store } from './cumulative-bins.js'
import type { TimingStats } from './types.js'

/**
 * Timings are kept in DDSketches (Datadog's mergeable quantile sketch, the one dd-trace uses):
 * a quantile read from one is within RELATIVE_ACCURACY of the exact value of that rank.
 *
 * The sketch of one time bucket keeps at most BIN_LIMIT bins. At 2 % accuracy a bin covers about
 * 4 % of value, so 256 bins cover a ratio of about 28 000 between the smallest and the largest
 * value of one series in one bucket (0.002 ms to 60 s, or 0.1 ms to 3 s). Values lower than
 * that are counted in the lowest bin kept ("collapsing lowest"): only quantiles that fall among
 * them are overstated; the high ones, which matter for latency, keep their accuracy.
 *
 * Why 2 % and not 1 %: a series keeps up to 90 sketches (30 of 10 s, 60 of 1 minute), and a
 * dense sketch's memory is its number of bins. 1 % doubles the bins for the same range: a busy
 * timing series measured 339 KiB at 1 % (512 bins) against 210 KiB at 2 %, and 594 against
 * 328 KiB at worst (bench/aggregation-memory.mjs). 2 % of a 100 ms p99 is 2 ms.
 *
 * The library's own bin-limited sketches (LogCollapsingLowestDenseDDSketch and its store, in
 * @datadog/sketches-js 2.1.1) count some values twice when they collapse: their sumOfRange()
 * includes the end of the range that is then added again (the bins then hold more than
 * `count`, and every quantile drifts low: p99 of 1000 values spread over 10^9 read as 36 instead
 * of 812 662). So buckets use the plain DDSketch, whose store never collapses, and
 * addToSketch()/mergeIntoSketch() keep its range within BIN_LIMIT with the store's own add().
 *
 * Reads do not use the library's merge either: DenseStore.merge() reads `secondKey || key` when
 * it extends its range, so a store whose highest key is 0 (values from 0.98 to 1) merged into one
 * whose keys are all lower puts bins past the range it keeps (p90 of 0.001, 0.5 and 1 ms read as
 * 0.5 instead of 1). Reads sum the bins themselves (cumulative-bins.ts, timingStatsFrom()).
 */
export const RELATIVE_ACCURACY = 0.02
export const BIN_LIMIT = 256
/**
 * Bins are added this many at a time (the library's default is 128: 1 KiB of bins for a bucket
 * that saw one value); a smaller step keeps quiet buckets small.
 */
const BIN_CHUNK = 32

export type Sketch = DDSketch

export function newSketch (): Sketch {
  const sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY })
  sketch.store.chunkSize = BIN_CHUNK
  return sketch
}

/** Adds one value (finite, ≥ 0), as DDSketch.accept() does, keeping the bins within BIN_LIMIT. */
export function addToSketch (sketch: Sketch, value: number): void {
  if (value > sketch.mapping.minPossible) {
    const store = sketch.store
    let key = sketch.mapping.key(value)
    if (store.count > 0) {
      const lowest = store.maxKey - BIN_LIMIT + 1
      if (key < lowest) key = lowest
      else if (key - BIN_LIMIT + 1 > store.minKey) raiseFloor(store, key - BIN_LIMIT + 1)
    }
    store.add(key, 1)
  } else {
    sketch.zeroCount += 1
  }
  sketch.count += 1
  sketch.sum += value
  if (value < sketch.min) sketch.min = value
  if (value > sketch.max) sketch.max = value
}

/** Adds every value of `source` into `target`, keeping `target`'s bins within BIN_LIMIT. */
export function mergeIntoSketch (target: Sketch, source: Sketch): void {
  if (source.count === 0) return
  const from = source.store
  const to = target.store
  if (from.count > 0) {
    const floor = Math.max(from.maxKey, to.count > 0 ? to.maxKey : -Infinity) - BIN_LIMIT + 1
    if (to.count > 0 && to.minKey < floor) raiseFloor(to, floor)
    // Highest first: the store then grows downwards only, a chunk at a time.
    for (let key = from.maxKey; key >= from.minKey; key--) {
      const count = from.bins[key - from.offset]
      if (count > 0) to.add(Math.max(key, floor), count)
    }
  }
  target.zeroCount += source.zeroCount
  target.count += source.count
  target.sum += source.sum
  if (source.min < target.min) target.min = source.min
  if (source.max > target.max) target.max = source.max
}

/** Folds the bins below `floor` into bin `floor`: the store is rebuilt with its own add(). */
function raiseFloor (store: Store, floor: number): void {
  const { bins, offset, minKey, maxKey } = store
  // The state of a new store (DenseStore's constructor).
  store.bins = []
  store.count = 0
  store.minKey = Infinity
  store.maxKey = -Infinity
  store.offset = 0
  let folded = 0
  for (let key = maxKey; key >= minKey; key--) {
    const count = bins[key - offset]
    if (key < floor) folded += count
    else if (count > 0) store.add(key, count)
  }
  if (folded > 0) store.add(floor, folded)
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
const MAPPING = newSketch().mapping
/** MAPPING.value() of keys -1024 to 1023 (values from 10^-18 to 10^17), each computed on first use. */
const KEY_VALUES = new Float64Array(2048).fill(NaN)
const ONE_SKETCH = new CumulativeBins()

/**
 * Timing stats of sketches whose scalars add up to `scalars` and whose bins add up to those of
 * `a`, `b` and `c` (b and c may be null), as one sketch merging them all would give them
 * (DDSketch.getValueAtQuantile(), then DenseStore.keyAtRank(): the lowest key whose cumulative
 * count exceeds the rank), without building it. `scalars.count` must be above 0.
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
  ONE_SKETCH.load(sketch.store)
  return timingStatsFrom(sketch, ONE_SKETCH, null, null)
}

function valueOfKey (key: number): number {
  const at = key + 1024
  if (at < 0 || at >= KEY_VALUES.length) return MAPPING.value(key)
  const value = KEY_VALUES[at]
  return value === value ? value : (KEY_VALUES[at] = MAPPING.value(key))
}

function within (value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
