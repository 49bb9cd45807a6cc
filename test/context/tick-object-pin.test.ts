// Loading vigie keeps one process.nextTick() tick object alive, so that a full garbage collection
// with no tick pending cannot send V8's feedback for the sites that build tick objects megamorphic
// (tick-object-pin.ts). The state is read from V8 itself, with %DebugPrint of the function that
// builds them: up to Node 24 process.nextTick, whose literal defines four properties on Node 20 and
// five from Node 22 (its async context frame); from Node 26 the TickObject class, whose constructor
// stores the same five. Node 20 and 22 go megamorphic after that collection without the pin;
// Node 24 and 26 keep them monomorphic, so vigie pins nothing there; nor when VIGIE_DISABLED is set.
import t from 'tap'
import { runBuilt } from '../helpers/run-built.ts'
import { installTickObjectPin, pinTickObject } from '../../lib/context/tick-object-pin.ts'
import { VERSION } from '../../lib/version.ts'

const NODE_MAJOR = Number(process.versions.node.split('.')[0])
const counted = pinTickObject()
await new Promise((resolve) => process.nextTick(resolve))
/** The properties of a tick object as this Node builds it: one definition site each. */
const DEFINITIONS = Reflect.ownKeys(counted.object ?? {}).length
/** A literal's sites are its property definitions; a constructor's are its stores into `this`. */
const DEFINITION_SITE = counted.object?.constructor === Object
  ? /DefineKeyedOwnPropertyInLiteral (\w+)/g
  : /slot #\d+ (?:StoreKeyedStrict|SetNamedStrict) (\w+)/g

/**
 * In a fresh process: warms process.nextTick() up (V8 allocates its feedback), lets the queue
 * drain, runs one full collection with no tick object alive, ticks again, and returns the state
 * of each property definition site of whatever builds tick objects (the literal in
 * process.nextTick, or the class whose constructor it calls).
 */
function definitionStatesAfterIdleCollection (prelude: string, env: Record<string, string> = {}): string[] {
  const stdout = runBuilt(['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', `
    import { executionAsyncResource } from 'node:async_hooks'
    ${prelude}
    const tick = () => new Promise((resolve) => process.nextTick(resolve))
    for (let i = 0; i < 2000; i++) await tick()
    await new Promise((resolve) => setTimeout(resolve, 10))
    globalThis.gc()
    await new Promise((resolve) => setTimeout(resolve, 1))
    for (let i = 0; i < 100; i++) await tick()
    // The builder, never a tick object itself: keeping one would be the pin under test.
    const builder = await new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource().constructor)))
    const nextTick = process.nextTick
    if (builder === Object) eval('%DebugPrint(nextTick)')
    else eval('%DebugPrint(builder)')
  `], env)
  return [...stdout.matchAll(DEFINITION_SITE)].map((match) => match[1]!)
}

t.test('without vigie, one idle full collection leaves the tick-object definitions megamorphic before Node 24', async (t) => {
  const states = definitionStatesAfterIdleCollection('')
  t.ok(DEFINITIONS >= 4, `a tick object has both async ID symbols, callback and args (${DEFINITIONS} properties)`)
  t.equal(states.length, DEFINITIONS, 'one definition site per property')
  if (NODE_MAJOR < 24) t.ok(states.includes('MEGAMORPHIC'), `the state vigie guards against (${states.join(', ')})`)
})

t.test('with vigie loaded, the definitions stay monomorphic through the same collection', async (t) => {
  const states = definitionStatesAfterIdleCollection("await import('vigie')")
  t.same(states, Array(DEFINITIONS).fill('MONOMORPHIC'))
})

t.test('loading vigie pins a tick object before Node 24 only, and never with VIGIE_DISABLED', async (t) => {
  // The process's pin, as vigie keeps it in its process-wide state (process-state.ts).
  const pinOf = (env: Record<string, string>): string => runBuilt(['--input-type=module', '-e', `
    await import('vigie')
    await new Promise((resolve) => process.nextTick(resolve))
    const pin = globalThis[Symbol.for(${JSON.stringify(`vigie@${VERSION}`)})].slots.get('tickObjectPin')
    console.log(pin === null ? 'none' : typeof pin.object?.callback)
  `], env).trim()
  t.equal(pinOf({}), NODE_MAJOR < 24 ? 'function' : 'none')
  t.equal(pinOf({ VIGIE_DISABLED: '1' }), 'none')
})

t.test('the process\'s pin is one of Node\'s tick objects before Node 24, and there is none from Node 24', async (t) => {
  const pin = installTickObjectPin(false)
  t.equal(installTickObjectPin(false), pin, 'one per process')
  await new Promise((resolve) => process.nextTick(resolve))
  if (NODE_MAJOR >= 24) {
    t.equal(pin, null)
    return
  }
  const pinned = pin?.object as Record<string, unknown> | null | undefined
  t.ok(pinned != null)
  t.type(pinned?.callback, 'function')
  t.ok(Object.getOwnPropertySymbols(pinned).some((symbol) => symbol.description === 'async_id_symbol'))
})
