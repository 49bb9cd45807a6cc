// Scrubber micro-benchmark: throughput on realistic JSON bodies (MB/s) and time on adversarial
// inputs of growing size (each doubling's time ratio; linear means ≈ 2×, the target is ≤ 2.5×).
// Imports the built package (run `npm run build` first). Writes nothing but the tables on stdout.
//
//   node bench/scrubber.mjs            full run (about a minute)
//   node bench/scrubber.mjs --quick    fewer samples, for a smoke test

import os from 'node:os'
import { buildScrubber, scrub } from '../dist/esm/index.js'
import { big, checkout, list, lorem, luhnCard, profile } from './lib/bodies.mjs'
import { measureAll as measure } from './lib/measure.mjs'

const QUICK = process.argv.includes('--quick')
const SAMPLES = QUICK ? 3 : 11 // timed samples per case; the median is reported
const MIN_SAMPLE_NS = QUICK ? 2e6 : 5e6 // each sample repeats the call until it lasts this long
const RATIO_TARGET = 2.5

const scrubber = buildScrubber()
const text = (s) => scrubber.text(s)
const measureAll = (fns) => measure(fns, { samples: SAMPLES, minSampleNs: MIN_SAMPLE_NS })
const realistic = [
  ['checkout (nested, card)', checkout],
  ['user profile (tokens)', profile],
  ['list of 50 items', list],
  ['~8 KiB support ticket', big],
]

// ---------------------------------------------------------------------------------------------
// Adversarial inputs: [name, call, sizes, build(size)]

const DOUBLINGS = [1e4, 2e4, 4e4, 8e4, 1.6e5, 3.2e5]
const MIB = 1 << 20
const cardGroup = '4111 1111 1111 1111 '
const adversarial = [
  ['digit run, scrub()', (x) => scrub(x), DOUBLINGS, (n) => ({ note: '7'.repeat(n) })],
  ['digit run, text()', text, DOUBLINGS, (n) => '7'.repeat(n)],
  ['digit groups "1234 ", text()', text, DOUBLINGS, (n) => '1234 '.repeat(n / 5)],
  ['card groups (Luhn ok), text()', text, DOUBLINGS, (n) => cardGroup.repeat(n / cardGroup.length)],
  ['"Bearer " repeats, text()', text, DOUBLINGS, (n) => 'Bearer '.repeat(Math.round(n / 7))],
  ['"Bearer x " repeats, text()', text, DOUBLINGS, (n) => 'Bearer x '.repeat(Math.round(n / 9))],
  ['dotted run eyJa.a.a…, text()', text, DOUBLINGS, (n) => 'eyJa.' + 'a.'.repeat(n / 2)],
  ['JWTs space-separated, text()', text, DOUBLINGS, (n) => 'eyJhbGci.eyJzdWIi.c2ln '.repeat(Math.round(n / 23))],
  ['huge string, text()', text, [MIB, 2 * MIB, 4 * MIB, 8 * MIB], (n) => lorem.repeat(Math.ceil(n / lorem.length)).slice(0, n)],
  ['huge string, scrub() (cut)', (x) => scrub(x), [MIB, 2 * MIB, 4 * MIB, 8 * MIB], (n) => ({ body: lorem.repeat(Math.ceil(n / lorem.length)).slice(0, n) })],
  ['deep nesting (depth), scrub()', (x) => scrub(x), [1e3, 2e3, 4e3, 8e3, 1.6e4, 3.2e4], deepObject],
  ['deep array text "[[[…", text()', text, DOUBLINGS, (n) => '['.repeat(n) + ']'.repeat(n)],
]

function deepObject (depth) {
  let o = { leaf: 'x', card: luhnCard }
  for (let i = 0; i < depth; i++) o = { level: i, child: o, items: [i, { n: i }] }
  return o
}

// ---------------------------------------------------------------------------------------------

const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)
function human (n) {
  if (n >= MIB && n % (MIB / 4) === 0) return `${n / MIB} MiB`
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`
  return String(n)
}

console.log(`vigie scrubber bench — ${os.cpus()[0].model}, ${os.cpus().length} cpus, Node ${process.version}; median of ${SAMPLES} samples of ≥${MIN_SAMPLE_NS / 1e6} ms each`)
console.log('')
console.log(`${pad('realistic body (scrub())', 30)}${lpad('bytes', 8)}${lpad('µs/call', 10)}${lpad('MB/s', 9)}`)
const realisticNs = measureAll(realistic.map(([, body]) => () => scrub(body)))
for (const [k, [name, body]] of realistic.entries()) {
  const bytes = Buffer.byteLength(JSON.stringify(body))
  const ns = realisticNs[k]
  console.log(`${pad(name, 30)}${lpad(bytes, 8)}${lpad((ns / 1e3).toFixed(1), 10)}${lpad((bytes / ns * 1e3).toFixed(1), 9)}`)
}
console.log('(MB/s = bytes of the body\'s JSON ÷ time of scrub() on the parsed object; target ≥ 50)')

console.log('')
console.log(`${pad('adversarial input', 32)}${lpad('size', 9)}${lpad('ms/call', 10)}${lpad('×prev', 7)}${lpad('slope', 7)}`)
let worst = 0
for (const [name, fn, sizes, build] of adversarial) {
  const inputs = sizes.map(build)
  const times = measureAll(inputs.map((input) => () => fn(input)))
  let prev = 0
  for (const [k, size] of sizes.entries()) {
    const ns = times[k]
    const ratio = prev === 0 ? '' : (ns / prev).toFixed(2)
    if (prev !== 0) worst = Math.max(worst, ns / prev)
    // On the last row: the exponent k of time ∝ size^k fitted between the first and last sizes (1 = linear).
    const slope = k === sizes.length - 1 ? (Math.log(ns / times[0]) / Math.log(size / sizes[0])).toFixed(2) : ''
    console.log(`${pad(prev === 0 ? name : '', 32)}${lpad(human(size), 9)}${lpad((ns / 1e6).toFixed(3), 10)}${lpad(ratio, 7)}${lpad(slope, 7)}${ratio !== '' && ns / prev > RATIO_TARGET ? '  > target' : ''}`)
    prev = ns
  }
}
console.log(`(size = characters, or nesting depth; ×prev = time ÷ time at half the size, target ≤ ${RATIO_TARGET}, worst ${worst.toFixed(2)}; slope = k in time ∝ size^k over the series, 1 = linear)`)
