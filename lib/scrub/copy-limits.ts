// The caps on a scrubbed copy: their defaults, their ceilings, and how a caller's limits resolve.

export interface CopyLimits {
  maxDepth: number
  /** items kept per array or Set, keys per object or Map */
  maxArrayItems: number
  maxStringLength: number
  /** keys and items copied in one copy, all levels together */
  maxTotalKeys: number
}

export const DEFAULT_COPY_LIMITS: Readonly<CopyLimits> = Object.freeze({ maxDepth: 6, maxArrayItems: 50, maxStringLength: 8192, maxTotalKeys: 1000 })

/** Larger limits are clamped to these, so a copy stays bounded and its recursion shallow. */
export const COPY_LIMIT_CEILINGS: Readonly<CopyLimits> = Object.freeze({ maxDepth: 64, maxArrayItems: 10_000, maxStringLength: 1_048_576, maxTotalKeys: 100_000 })

function resolveLimit (value: unknown, fallback: number, ceiling: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? Math.min(value, ceiling) : fallback
}

/** Each limit that is not an integer ≥ 0 takes its default; each one above its ceiling, the ceiling. */
export function resolveLimits (limits: Partial<CopyLimits> | undefined): Readonly<CopyLimits> {
  if (limits === undefined || limits === null) return DEFAULT_COPY_LIMITS
  return {
    maxDepth: resolveLimit(limits.maxDepth, DEFAULT_COPY_LIMITS.maxDepth, COPY_LIMIT_CEILINGS.maxDepth),
    maxArrayItems: resolveLimit(limits.maxArrayItems, DEFAULT_COPY_LIMITS.maxArrayItems, COPY_LIMIT_CEILINGS.maxArrayItems),
    maxStringLength: resolveLimit(limits.maxStringLength, DEFAULT_COPY_LIMITS.maxStringLength, COPY_LIMIT_CEILINGS.maxStringLength),
    maxTotalKeys: resolveLimit(limits.maxTotalKeys, DEFAULT_COPY_LIMITS.maxTotalKeys, COPY_LIMIT_CEILINGS.maxTotalKeys),
  }
}
