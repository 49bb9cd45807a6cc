import type { CumulativeBins } from './cumulative-bins.ts'
import { timingStatsFrom, type Sketch, type TimingScalars } from './sketch.ts'
import type { CounterStats, GaugeStats, MetricKind, Stats, TimingStats } from './types.ts'

/**
 * What buckets add up to for one read (a window of one series, or one history point of several
 * series): each kind adds up its own way, and says null when no bucket had anything.
 */
export interface Total {
  /** `seconds`: the time the buckets cover, for rates. */
  stats: (seconds: number) => Stats | null
}

/** Counters are summed. */
export class CounterTotal implements Total {
  #count = 0
  #buckets = 0

  add (count: number): void {
    this.#count += count
    this.#buckets++
  }

  stats (seconds: number): CounterStats | null {
    return this.#buckets === 0 ? null : { count: this.#count, ratePerSecond: this.#count / seconds }
  }
}

/**
 * Timing sketches are merged: their counts, sums and extremes are added up here, in the order the
 * sketches come, and their bins into `bins`, every bin kept whatever their spread. `bins` is the
 * aggregator's scratch: empty before, emptied by stats().
 */
export class TimingTotal implements Total, TimingScalars {
  count = 0
  zeroCount = 0
  min = Infinity
  max = -Infinity
  sum = 0
  readonly #bins: CumulativeBins

  constructor (bins: CumulativeBins) {
    this.#bins = bins
  }

  add (sketch: Sketch): void {
    this.count += sketch.count
    this.zeroCount += sketch.zeroCount
    this.sum += sketch.sum
    if (sketch.min < this.min) this.min = sketch.min
    if (sketch.max > this.max) this.max = sketch.max
    this.#bins.add(sketch)
  }

  stats (): TimingStats | null {
    const stats = this.count === 0 ? null : timingStatsFrom(this, this.#bins, null, null)
    this.#bins.clear(SCRATCH_KEPT)
    return stats
  }
}

/** Gauges are combined: the latest sample, the extremes and the mean of every sample. */
export class GaugeTotal implements Total {
  #last = 0
  #lastAt = -Infinity
  #min = Infinity
  #max = -Infinity
  #sum = 0
  #samples = 0

  add (last: number, lastAt: number, min: number, max: number, sum: number, samples: number): void {
    if (lastAt >= this.#lastAt) {
      this.#last = last
      this.#lastAt = lastAt
    }
    if (min < this.#min) this.#min = min
    if (max > this.#max) this.#max = max
    this.#sum += sum
    this.#samples += samples
  }

  stats (): GaugeStats | null {
    return this.#samples === 0 ? null : { last: this.#last, min: this.#min, max: this.#max, mean: this.#sum / this.#samples, samples: this.#samples }
  }
}

/**
 * The aggregator's scratch bins span whatever a read merges. Past SCRATCH_KEPT keys (far wider
 * than the timings of real requests spread: see WINDOW_SPAN in timing-series.ts), their array is
 * let go after the read rather than kept.
 */
export const SCRATCH_KEPT = 4096

/** `bins`: the aggregator's scratch bins, for timings. */
export function newTotal (kind: MetricKind, bins: CumulativeBins): Total {
  switch (kind) {
    case 'counter': return new CounterTotal()
    case 'timing': return new TimingTotal(bins)
    case 'gauge': return new GaugeTotal()
  }
}
