// Preloaded (`node --import`) into every benchmark server, bare ones included: keeps one
// process.nextTick() tick object alive, as vigie does when it loads, with vigie's own
// pinTickObject() (lib/context/tick-object-pin.ts; that module alone, not vigie). Without it, a
// full garbage collection that happens to run at start-up while no tick is pending leaves V8's
// feedback for Node's tick-object literal megamorphic for good, and that process then pays
// 12–15 µs more per Fastify request whatever it serves: a lottery drawn once per process, which
// made any variant, bare Fastify or a peer, read high in some runs. `--no-tick-pin`
// (plugin-cpu.mjs, plugin-instructions.mjs) or BENCH_TICK_PIN=0 (side-by-side) leaves it out.
import { pinTickObject } from '../../dist/esm/context/tick-object-pin.js'

globalThis[Symbol.for('vigie.bench.tickObject')] = pinTickObject()
