import type { Test } from 'tap'
import { JWT, NOTES } from './planted-secrets.ts'

/** A ready/live answer as a test reads it: status, the headers that matter, the parsed body. */
export interface HealthAnswer {
  status: number
  type: string | null
  cacheControl: string | null
  body: any
  ms: number
}

export async function getHealth (url: string, init?: RequestInit): Promise<HealthAnswer> {
  const start = performance.now()
  const response = await fetch(url, init)
  const text = await response.text()
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    cacheControl: response.headers.get('cache-control'),
    body: text === '' ? undefined : JSON.parse(text),
    ms: performance.now() - start,
  }
}

/** The secrets a failing check's error quotes: none may reach the answer. */
export const CHECK_SECRETS = ['hunter2', JWT, 'pg-pass-42', 'ghp_'] as const

/** An error that quotes a password pair, a bearer token, a connection string and a provider token, with a stack. */
export function leakyError (): Error {
  return new Error(`connect failed: password=hunter2 Authorization: Bearer ${JWT} ${NOTES.slice(0, 120)}`)
}

/** Asserts the shape of one reading of the IETF format. */
export function assertReading (t: Test, reading: any, status: string, unit: string, what: string): void {
  t.equal(reading?.status, status, `${what}: status ${status}`)
  t.equal(reading?.observedUnit, unit, `${what}: unit`)
  t.type(reading?.observedValue, 'number', `${what}: observedValue`)
  t.ok(reading?.observedValue >= 0, `${what}: observedValue ≥ 0`)
  t.equal(new Date(reading?.time).toISOString(), reading?.time, `${what}: time is ISO 8601`)
  if (status === 'pass') t.notOk('output' in reading, `${what}: no output on pass`)
}

/** Asserts that a failing check's output names the failure and holds no secret and no stack. */
export function assertScrubbedOutput (t: Test, output: unknown, what: string): void {
  t.type(output, 'string', `${what}: an output`)
  const text = String(output)
  t.ok(text.length <= 200, `${what}: at most 200 characters (${text.length})`)
  t.match(text, /^connect failed: password=/, `${what}: the message`)
  for (const secret of CHECK_SECRETS.slice(0, 3)) t.notOk(text.includes(secret), `${what}: ${secret.slice(0, 12)}… is masked`)
  t.notMatch(text, /\bat .*\.(?:ts|js):\d+/, `${what}: no stack frame`)
}

/** Blocks the event loop for `ms` without spinning the CPU (a sleep, not a busy-wait). */
export function blockEventLoop (ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}
