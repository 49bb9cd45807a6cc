import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Runs Node in a fresh process at the package root, where `vigie` resolves to the BUILT package
 * (dist/, built by `npm test` first) through its own exports map, the way users load it.
 * tap injects its loaders into every child through NODE_OPTIONS, and its coverage of dist/ would
 * be mapped onto lib/ and muddle the source's own figures: `env -u` drops them just before Node
 * starts. Throws, with stderr, when the process fails.
 */
export function runBuiltOutput (args: string[], env: Record<string, string> = {}): { stdout: string, stderr: string } {
  const child = spawnSync('env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_V8_COVERAGE', process.execPath, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  })
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${child.status ?? child.signal}:\n${child.stderr}`)
  return { stdout: child.stdout, stderr: child.stderr }
}

/** Like runBuiltOutput, returning stdout only. */
export function runBuilt (args: string[], env: Record<string, string> = {}): string {
  return runBuiltOutput(args, env).stdout
}
