import type { MetricKind, Stats } from './types.ts'

/**
 * Most histories (name, resolution, grouping) whose closed points are kept (the dashboard reads
 * about a dozen); past it, the one read least recently goes.
 */
const MAX_HISTORIES = 16
/**
 * Most groups kept per history: further groups (a grouping by a tag of many values) are merged
 * afresh on each call. With MAX_HISTORIES, at most 16 × 32 × 60 stats objects are kept.
 */
const MAX_GROUPS = 32

/**
 * The points of one history whose buckets are closed, kept from one call to the next, until
 * clear(). Once time has moved past a bucket, its stats are final: no record can reach it again
 * (the clock never goes back), its counter rate is over its full length, and a series created
 * since has nothing in it (it was created after, on the same clock). A series evicted since is
 * not taken out: what it had recorded there was real. A group seen for the first time has
 * nothing kept yet.
 */
class PointsMemo {
  readonly #size: number
  readonly #groups = new Map<string, { index: Float64Array, stats: Array<Stats | null> }>()

  constructor (size: number) {
    this.#size = size
  }

  /** The stats of bucket `index` of `group`, or undefined when not kept. */
  get (group: string, index: number): Stats | null | undefined {
    const kept = this.#groups.get(group)
    const slot = index % this.#size
    return kept !== undefined && kept.index[slot] === index ? kept.stats[slot] : undefined
  }

  set (group: string, index: number, stats: Stats | null): void {
    let kept = this.#groups.get(group)
    if (kept === undefined) {
      if (this.#groups.size >= MAX_GROUPS) return
      kept = { index: new Float64Array(this.#size).fill(-1), stats: new Array<Stats | null>(this.#size).fill(null) }
      this.#groups.set(group, kept)
    }
    const slot = index % this.#size
    kept.index[slot] = index
    kept.stats[slot] = stats
  }
}

/** The closed points of the histories read last, MAX_HISTORIES of them at most. */
export class HistoryMemos {
  readonly #memos = new Map<string, PointsMemo>()

  /**
   * The memo of one history (`size` points), empty the first time. By kind too: a name sent as
   * two kinds is read as the kind of its first series, which changes if that one is evicted.
   */
  of (name: string, kind: MetricKind, resolution: string, groupByTag: string | undefined, size: number): PointsMemo {
    const key = JSON.stringify([name, kind, resolution, groupByTag === undefined ? null : String(groupByTag)])
    let memo = this.#memos.get(key)
    // Deleted and set again: the Map's order is then from the least recently read to the most.
    this.#memos.delete(key)
    if (memo === undefined) {
      if (this.#memos.size >= MAX_HISTORIES) this.#memos.delete(this.#memos.keys().next().value as string)
      memo = new PointsMemo(size)
    }
    this.#memos.set(key, memo)
    return memo
  }

  clear (): void {
    this.#memos.clear()
  }
}

export type { PointsMemo }
