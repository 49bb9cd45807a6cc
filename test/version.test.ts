// The version that keys vigie's process-wide state is the package's own.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { VERSION } from '../lib/version.ts'

t.test('lib/version.ts says the version package.json says', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  t.equal(VERSION, pkg.version)
})
