/**
 * Puts `wrapper` in place of `target[key]` (`original`), with `original`'s name and length and
 * marked with `marker` (how a second install sees the first). Returns what puts `original` back,
 * unless something else replaced the wrapper since.
 */
export function installWrapper (target: Record<PropertyKey, unknown>, key: PropertyKey, original: Function, wrapper: Function, marker: symbol): () => void {
  Object.defineProperties(wrapper, {
    name: { value: original.name, configurable: true },
    length: { value: original.length, configurable: true },
    [marker]: { value: true },
  })
  target[key] = wrapper
  return function restore () {
    if (target[key] === wrapper) target[key] = original
  }
}
