import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import type { Test } from 'tap'

/**
 * Starts a real server program (`program` `args`) for a test, its output kept for error
 * messages; with the test, it is stopped (SIGTERM, SIGKILL after 10 s) and `dir`, its private
 * files, removed. The caller waits until it is ready, its own way.
 */
export function spawnDaemon (t: Test, dir: string, program: string, args: string[]): { child: ChildProcess, log: () => string } {
  let log = ''
  const child: ChildProcess = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString() })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  })
  return { child, log: () => log }
}
