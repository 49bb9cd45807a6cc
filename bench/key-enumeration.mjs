// What a wide object costs a scrubbed copy: V8 lists every own key of an object before the first
// step of any enumeration, so a copy that keeps 50 keys still pays for all of them. Times
// Object.keys, for-in stopped after 50 keys, Reflect.ownKeys and scrub() on objects of 250,000
// and 1,000,000 keys, built by JSON.parse (a parsed body) and by assignment (an app's object);
// then scrub() on a 50 × 50 × 50 tree, where maxTotalKeys bounds the copy.
// Imports the built package (run `npm run build` first). Writes nothing but the tables on stdout.
//
//   node bench/key-enumeration.mjs            7 calls per case (2 to 4 minutes)
//   node bench/key-enumeration.mjs --quick    3 calls per case

import os from 'node:os'
import { scrub } from '../dist/esm/index.js'
import { measureAll } from './lib/measure.mjs'

const QUICK = process.argv.includes('--quick')
const SAMPLES = QUICK ? 3 : 7
const SIZES = [250_000, 1_000_000]

function parsed (n) {
  const parts = []
  for (let i = 0; i < n; i++) parts.push(`"k${i}":${i}`)
  return JSON.parse(`{${parts.join(',')}}`)
}

function assigned (n) {
  const o = {}
  for (let i = 0; i < n; i++) o[`k${i}`] = i
  return o
}

const methods = [
  ['Object.keys', (o) => Object.keys(o).length],
  ['for-in, break at 50', (o) => {
    const keys = []
    for (const key in o) {
      keys.push(key)
      if (keys.length === 50) break
    }
    return keys.length
  }],
  ['Reflect.ownKeys', (o) => Reflect.ownKeys(o).length],
  ['scrub()', (o) => scrub(o)],
]

const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/**
 * Median wall and CPU ms of one call of each method on `object`, the methods taking turns. Each
 * call lasts long enough for process CPU time to be read; it moves less than wall time when
 * neighbours load the machine.
 */
function timeMethods (object) {
  const wall = methods.map(() => [])
  const cpu = methods.map(() => [])
  for (const [, fn] of methods) fn(object)
  for (let s = 0; s < SAMPLES; s++) {
    for (let k = 0; k < methods.length; k++) {
      const i = (k + s) % methods.length
      const c0 = cpuMs()
      const w0 = performance.now()
      methods[i][1](object)
      wall[i].push(performance.now() - w0)
      cpu[i].push(cpuMs() - c0)
    }
  }
  return methods.map((_, i) => ({ wall: median(wall[i]), cpu: median(cpu[i]) }))
}

const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)

console.log(`vigie key-enumeration bench — ${os.cpus()[0].model}, ${os.cpus().length} cpus, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}; median of ${SAMPLES} calls`)
console.log('')
console.log(`${pad('object', 24)}${pad('enumeration', 22)}${lpad('wall ms', 9)}${lpad('CPU ms', 9)}${lpad('CPU ms per 1M keys', 20)}`)
for (const [name, build] of [['JSON.parse', parsed], ['assigned', assigned]]) {
  for (const size of SIZES) {
    const times = timeMethods(build(size))
    for (const [k, [method]] of methods.entries()) {
      const { wall, cpu } = times[k]
      console.log(`${pad(k === 0 ? `${name}, ${size / 1000}k keys` : '', 24)}${pad(method, 22)}${lpad(wall.toFixed(0), 9)}${lpad(cpu.toFixed(0), 9)}${lpad((cpu / (size / 1e6)).toFixed(0), 20)}`)
    }
  }
}
console.log('(for-in cannot stop V8 early: it lists the keys before its first step, as Object.keys does)')

function tree (width, depth) {
  if (depth === 0) return 'leaf'
  const node = {}
  for (let i = 0; i < width; i++) node[`k${i}`] = tree(width, depth - 1)
  return node
}
const fanOut = tree(50, 3)
const [treeNs] = measureAll([() => scrub(fanOut)], { samples: SAMPLES * 2, minSampleNs: 5e6 })
console.log('')
console.log(`scrub() of a 50 × 50 × 50 tree (127,550 keys, 2551 objects): ${(treeNs / 1e6).toFixed(2)} ms; 1000 keys copied (maxTotalKeys)`)
console.log(`load ${os.loadavg()[0].toFixed(1)} at the end`)
