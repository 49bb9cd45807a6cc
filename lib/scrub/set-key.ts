// Writing a user-named key into a fresh copy without touching the copy's prototype.

/** Sets `key` even when it is `__proto__`, which plain assignment would turn into a prototype change. */
export function setKey (target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
