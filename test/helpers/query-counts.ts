import type { Snapshot } from '../../lib/index.ts'

/**
 * The `db.query` counts of a snapshot's last minute, keyed `system operation outcome controller`
 * (e.g. `postgresql SELECT ok /pets/:id`): exact, where UDP lines may be lost under load.
 */
export function queryCounts (snapshot: Snapshot | null | undefined): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const series of snapshot?.series ?? []) {
    if (series.name !== 'db.query') continue
    const { db_system: system, db_operation: operation, outcome, controller } = series.tags
    const window = series.windows['1m']
    const count = window !== null && 'count' in window ? window.count : 0
    const key = `${system} ${operation} ${outcome} ${controller}`
    counts[key] = (counts[key] ?? 0) + count
  }
  return counts
}
