// A kept window's instructions per request, split into V8's compilers, the garbage collector and
// the rest: reads the dumps `plugin-instructions.mjs --keep=<dir>` keeps. A window where V8
// recompiles or collects reads thousands higher than the next; "rest" (the request's own code,
// in whatever tier it runs) moves much less, and is what two builds are compared on when their
// windows disagree. The split is by function name (patterns below): a rough guide, not a count.
//
//   node bench/callgrind-steady.mjs /tmp/cg/vigie-log.*.callgrind --requests=2000
//
// Needs callgrind_annotate (valgrind).

import { execFileSync } from 'node:child_process'

const requests = Number(process.argv.find((a) => a.startsWith('--requests='))?.slice('--requests='.length) ?? 2000)
const COMPILER = /compiler::|maglev::|turboshaft|interpreter::|Zone::|ZoneVector|Assembler|RelocIterator|Deoptimizer|Builtins_CompileLazy|Compiler::|Parser|Scanner|BytecodeArray|FeedbackVector|JSHeapBroker|std::_Rb_tree|std::map|absl::|IdentityMap|SourcePosition|GraphReducer|Reducer|RegExpCompiler|JIT \(unnamed\)/
const GC = /Scavenger|Sweeper|Heap::|MarkCompact|MarkingVisitor|Marking|Evacuat|Page::|SlotSet|RememberedSet|heap::base|MemoryChunk|Space::|WriteBarrier|RootScavenge|MinorMark|ConcurrentMarking|IterateObjectCache|GlobalHandles|FreeList|LargeObject|ArrayBufferSweeper|_int_free|malloc_consolidate|Builtins_RecordWrite/
const perRequest = (x) => Math.round(x / requests).toLocaleString('en-US').padStart(9)

for (const file of process.argv.slice(2).filter((a) => !a.startsWith('--'))) {
  const text = execFileSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 1 << 28 })
  let total = 0
  let compiler = 0
  let gc = 0
  for (const line of text.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line)
    if (match === null) continue
    const count = Number(match[1].replaceAll(',', ''))
    if (match[2].includes('PROGRAM TOTALS')) total = count
    else if (COMPILER.test(match[2])) compiler += count
    else if (GC.test(match[2])) gc += count
  }
  console.log(`${file}: total ${perRequest(total)}   compilers ${perRequest(compiler)}   GC ${perRequest(gc)}   rest ${perRequest(total - compiler - gc)}`)
}
