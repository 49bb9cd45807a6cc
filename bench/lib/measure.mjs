// Timing loop shared by the micro-benchmarks: median nanoseconds per call, functions sampled in
// turn so that load from elsewhere on the machine lands on all of them alike.

let sink = 0 // keeps results alive so the calls cannot be optimised away
function consume (r) { sink += typeof r === 'string' ? r.length : r === undefined ? 0 : 1 }

/** Calls per sample so that one sample of fn() lasts about minSampleNs; warms fn() up on the way. */
function calibrate (fn, minSampleNs) {
  let t0 = process.hrtime.bigint()
  let calls = 0
  while (calls < 5 || Number(process.hrtime.bigint() - t0) < minSampleNs) { consume(fn()); calls++ }
  t0 = process.hrtime.bigint()
  consume(fn())
  return Math.max(1, Math.ceil(minSampleNs / Math.max(Number(process.hrtime.bigint() - t0), 1)))
}

/**
 * Median nanoseconds per call of each function. The functions are sampled in turn (round-robin,
 * the starting one rotating), so a burst of load from elsewhere on the machine or a GC lands on
 * all of them alike rather than on one of them.
 */
export function measureAll (fns, { samples, minSampleNs }) {
  const reps = fns.map((fn) => calibrate(fn, minSampleNs))
  const times = fns.map(() => [])
  for (let s = 0; s < samples; s++) {
    for (let k = 0; k < fns.length; k++) {
      const i = (k + s) % fns.length
      const fn = fns[i]
      const start = process.hrtime.bigint()
      for (let r = 0; r < reps[i]; r++) consume(fn())
      times[i].push(Number(process.hrtime.bigint() - start) / reps[i])
    }
  }
  if (sink === -1) process.stdout.write('')
  return times.map((xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)])
}
