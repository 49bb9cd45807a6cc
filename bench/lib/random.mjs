// Deterministic pseudo-random numbers (mulberry32), so that every run and every implementation
// measures the same data.

/** A function returning numbers in [0, 1), the same sequence for the same seed. */
export function random (seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}
