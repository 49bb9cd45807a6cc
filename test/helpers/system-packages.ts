import { existsSync } from 'node:fs'

/** A program some tests run that comes from a Debian package, not from npm: .ci/run installs it. */
export interface SystemProgram {
  readonly path: string
  readonly debianPackage: string
}

export const CHROMIUM: SystemProgram = { path: '/usr/bin/chromium', debianPackage: 'chromium' }

/** CI sets `CI` (GitHub Actions, GitLab and the like to `true`): there nothing is skipped. */
export function inCi (env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase()
  return value !== undefined && value !== '' && value !== '0' && value !== 'false'
}

/** What to do when `program` is missing. */
export function missingMessage (program: SystemProgram): string {
  return `${program.path} is missing: install the Debian package ${program.debianPackage} ` +
    `(apt-get install ${program.debianPackage}; .ci/run does it in CI)`
}

/**
 * The options of a test that runs `program`. On a developer's machine without it the test is
 * skipped, saying which package to install; in CI it runs, and fails saying the same
 * ({@link assertInstalled}).
 */
export function needs (program: SystemProgram, env: NodeJS.ProcessEnv = process.env): { skip?: string } {
  return existsSync(program.path) || inCi(env) ? {} : { skip: missingMessage(program) }
}

/** Throws {@link missingMessage} when `program` is missing. */
export function assertInstalled (program: SystemProgram): void {
  if (!existsSync(program.path)) throw new Error(missingMessage(program))
}
