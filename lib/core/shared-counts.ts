/**
 * What one app shares with the same app in its cluster's other workers besides its metrics (its
 * SLOs' counts, its recent exceptions, its query fingerprints): what it counted since the last
 * take(), and what the others took, merged in. See cluster/worker-link.ts.
 */
export interface SharedCounts {
  /** What was counted here since the last call, as plain data; empty when nothing was. */
  take: () => unknown[]
  /** Adds what another worker took; an item of another shape is ignored. */
  merge: (items: readonly unknown[]) => void
}
