import t from 'tap'
import { setKey } from '../../lib/scrub/set-key.ts'

t.test('setKey(): __proto__ becomes an own key, the prototype is untouched', async (t) => {
  const out: Record<string, unknown> = {}
  setKey(out, '__proto__', { polluted: true })
  setKey(out, 'a', 1)
  t.equal(Object.getPrototypeOf(out), Object.prototype)
  t.strictSame(Object.keys(out), ['__proto__', 'a'])
  t.strictSame(Object.getOwnPropertyDescriptor(out, '__proto__'), { value: { polluted: true }, enumerable: true, writable: true, configurable: true })
  t.equal((out as { polluted?: unknown }).polluted, undefined)
})
