// Where the instructions of one variant go, against another: reads two windows kept by
// `plugin-instructions.mjs --keep=<dir>`, names the JIT code in them from V8's maps (the servers
// ran with --perf-basic-prof; callgrind alone sees only addresses) and prints the functions whose
// own (exclusive) instructions per request differ most. Needs callgrind_annotate (valgrind).
//
//   node bench/plugin-instructions.mjs --keep=/tmp/cg --windows=2 && VARIANTS=als,vigie …
//   node bench/callgrind-diff.mjs /tmp/cg als vigie --window=2 --requests=2000 --top=40
//
// A function inlined into another counts in the one it was inlined into; a function compiled
// twice (the names carry V8's tier: `*` optimised, `^` baseline) is summed under one name.

import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const [dir, base, variant] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
if (variant === undefined) {
  console.error('usage: node bench/callgrind-diff.mjs <keep dir> <base variant> <variant> [--window=2] [--requests=2000] [--top=40]')
  process.exit(1)
}
const option = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback)
const window = option('window', 2)
const requests = option('requests', 2000)
const top = option('top', 40)

/** V8's code map: [start, end, name], sorted by start. */
function codeMap (file) {
  const entries = []
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line)
    if (match !== null) entries.push([parseInt(match[1], 16), parseInt(match[1], 16) + parseInt(match[2], 16), match[3]])
  }
  return entries.sort((a, b) => a[0] - b[0])
}

/** The name of the code at `address`: the latest entry that covers it (code space is reused). */
function nameAt (entries, address) {
  let low = 0
  let high = entries.length - 1
  while (low < high) {
    const middle = (low + high + 1) >> 1
    if (entries[middle][0] <= address) low = middle
    else high = middle - 1
  }
  for (let i = low; i >= 0 && i > low - 50; i--) {
    if (entries[i][0] <= address && address < entries[i][1]) return entries[i][2]
  }
  return 'JIT (unnamed)'
}

/** Exclusive instructions per function name. */
function costs (name) {
  const entries = codeMap(path.join(dir, `${name}.perf.map`))
  const text = execFileSync('callgrind_annotate', ['--threshold=100', path.join(dir, `${name}.${window}.callgrind`)], { encoding: 'utf8', maxBuffer: 1 << 28 })
  const byName = new Map()
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line)
    if (match === null || match[2].includes('PROGRAM TOTALS')) continue
    let fn = match[2].replace(/\s*\[[^\]]*\]\s*$/, '')
    const address = /^\?\?\?:0x([0-9a-f]+)/.exec(fn)
    if (address !== null) fn = nameAt(entries, parseInt(address[1], 16)).replace(/^JS:[*+^~]/, 'JS:')
    fn = fn.replace(/^\?\?\?:/, '')
    byName.set(fn, (byName.get(fn) ?? 0) + Number(match[1].replaceAll(',', '')))
  }
  return byName
}

const a = costs(base)
const b = costs(variant)
const rows = [...new Set([...a.keys(), ...b.keys()])].map((fn) => [((b.get(fn) ?? 0) - (a.get(fn) ?? 0)) / requests, fn])
rows.sort((x, y) => y[0] - x[0])
const total = rows.reduce((sum, [d]) => sum + d, 0)
console.log(`${variant} − ${base}, window ${window}: ${Math.round(total).toLocaleString('en-US')} instructions per request; the functions that differ most (exclusive, per request):`)
for (const [d, fn] of rows.slice(0, top)) console.log(`${Math.round(d).toLocaleString('en-US').padStart(8)}  ${fn.slice(0, 150)}`)
console.log('   …')
for (const [d, fn] of rows.slice(-5)) console.log(`${Math.round(d).toLocaleString('en-US').padStart(8)}  ${fn.slice(0, 150)}`)
