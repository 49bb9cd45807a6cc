import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

/** The package root. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * `env` arguments that drop tap's loaders (NODE_OPTIONS) and its coverage (NODE_V8_COVERAGE)
 * from a child process, put before the command (see runBuiltOutput()), and turn Node's compile
 * cache on in it (Node 22.1 and later; Node 20 ignores the variable): the suite starts a few
 * hundred such processes, which then compile Fastify, pino and vigie once per machine. Not in the
 * test processes themselves: with code from the cache, tap's coverage misses functions that ran.
 */
export const WITHOUT_TAP: readonly string[] = ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', `NODE_COMPILE_CACHE=${join(tmpdir(), 'vigie-tests-compile-cache')}`]

/** Starts Node like runBuiltOutput(), without waiting: stdout and stderr are piped. */
export function spawnBuilt (args: string[], env: Record<string, string> = {}): ChildProcessByStdio<null, Readable, Readable> {
  return spawn('env', [...WITHOUT_TAP, process.execPath, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
}

/**
 * Runs Node in a fresh process at the package root, where `vigie` resolves to the BUILT package
 * (dist/, built by `npm test` first) through its own exports map, the way users load it.
 * tap injects its loaders into every child through NODE_OPTIONS, and its coverage of dist/ would
 * be mapped onto lib/ and muddle the source's own figures: `env -u` drops them just before Node
 * starts. Throws, with stderr and the end of stdout, when the process fails or outlasts `timeoutMs`.
 */
export function runBuiltOutput (args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): { stdout: string, stderr: string } {
  const child = spawnSync('env', [...WITHOUT_TAP, process.execPath, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: timeoutMs,
  })
  // The demo reports a failed check on stdout, with its detail in the indented lines below it: those
  // lines and the end of stdout go into the message too.
  if (child.status !== 0) {
    const stdout = child.stdout ?? ''
    const failures = stdout.match(/^ *FAIL .*(?:\n {8}.*)*/gm) ?? []
    throw new Error(`node ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${child.stderr}\n${failures.join('\n')}\n${stdout.slice(-3000)}`)
  }
  return { stdout: child.stdout, stderr: child.stderr }
}

/** Like runBuiltOutput, returning stdout only. */
export function runBuilt (args: string[], env: Record<string, string> = {}): string {
  return runBuiltOutput(args, env).stdout
}
