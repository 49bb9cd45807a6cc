// Loading vigie keeps one process.nextTick() tick object alive, so that a full garbage collection
// with no tick pending cannot send V8's feedback for Node's tick-object literal megamorphic
// (tick-object-pin.ts). The state is read from V8 itself: %DebugPrint of process.nextTick lists
// the feedback of the literal's property definitions: four on Node 20, five from Node 22 (its
// async context frame). Node 20 and 22 go megamorphic after that collection without the pin;
// Node 24's V8 keeps them monomorphic.
import t from 'tap'
import { runBuilt } from '../helpers/run-built.js'
import { shared } from '../../lib/shared-state.js'

const DEFINITION_SITE = /DefineKeyedOwnPropertyInLiteral (\w+)/g
const NODE_MAJOR = Number(process.versions.node.split('.')[0])
await new Promise((resolve) => process.nextTick(resolve))
/** The properties of a tick object as this Node builds it (vigie's pinned one): one definition each in the literal. */
const DEFINITIONS = Reflect.ownKeys(shared.tickObject.object ?? {}).length

/**
 * In a fresh process: warms process.nextTick() up (V8 allocates its feedback), lets the queue
 * drain, runs one full collection with no tick object alive, ticks again, and returns the state
 * of each property definition of the tick-object literal.
 */
function definitionStatesAfterIdleCollection (prelude: string): string[] {
  const stdout = runBuilt(['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', `
    ${prelude}
    const tick = () => new Promise((resolve) => process.nextTick(resolve))
    for (let i = 0; i < 2000; i++) await tick()
    await new Promise((resolve) => setTimeout(resolve, 10))
    globalThis.gc()
    await new Promise((resolve) => setTimeout(resolve, 1))
    for (let i = 0; i < 100; i++) await tick()
    eval('%DebugPrint(process.nextTick)')
  `])
  return [...stdout.matchAll(DEFINITION_SITE)].map((match) => match[1]!)
}

t.test('without vigie, one idle full collection leaves the tick-object literal megamorphic before Node 24', async (t) => {
  const states = definitionStatesAfterIdleCollection('')
  t.ok(DEFINITIONS >= 4, `a tick object has both async ID symbols, callback and args (${DEFINITIONS} properties)`)
  t.equal(states.length, DEFINITIONS, 'one definition per property')
  if (NODE_MAJOR < 24) t.ok(states.includes('MEGAMORPHIC'), `the state vigie guards against (${states.join(', ')})`)
})

t.test('with vigie loaded, the literal stays monomorphic through the same collection', async (t) => {
  const states = definitionStatesAfterIdleCollection("await import('vigie')")
  t.same(states, Array(DEFINITIONS).fill('MONOMORPHIC'))
})

t.test('the pinned object is one of Node\'s tick objects, filled in once a tick has run', async (t) => {
  await new Promise((resolve) => process.nextTick(resolve))
  const pinned = shared.tickObject.object as Record<string, unknown> | null
  t.ok(pinned !== null)
  t.type(pinned?.callback, 'function')
  t.ok(Object.getOwnPropertySymbols(pinned).some((symbol) => symbol.description === 'async_id_symbol'))
})
