// Builds dist/esm (ESM) and dist/cjs (CommonJS) from lib/ with tsc, and marks dist/cjs as
// CommonJS so Node reads it as such inside this "type": "module" package. The dashboard's page
// and chart library are embedded first (lib/dashboard/assets.generated.ts).
//
// With --if-stale (`npm test`, `npm run demo`) it builds only when the inputs differ from those
// of the last build: every file of lib/, the tsconfigs, package.json, this script and the
// TypeScript version, hashed into a stamp kept outside dist/ (which is published).
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const tsc = require.resolve('typescript/bin/tsc')
const stamp = join(root, 'node_modules/.cache/vigie/build-inputs.sha256')
const OUTPUTS = ['dist/esm/index.js', 'dist/esm/register.esm-entry.js', 'dist/cjs/index.cjs-entry.js', 'dist/cjs/register.cjs-entry.js', 'dist/cjs/package.json']

execFileSync(process.execPath, [join(root, 'scripts/embed-dashboard-assets.mjs')], { stdio: 'inherit' })
const inputs = inputsHash()
if (process.argv.includes('--if-stale') && readOr(stamp) === inputs && OUTPUTS.every((file) => existsSync(join(root, file)))) {
  console.log('dist/ is up to date with lib/: not rebuilt (`npm run build` always builds)')
} else {
  rmSync(stamp, { force: true })
  rmSync(join(root, 'dist'), { recursive: true, force: true })
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' })
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.cjs.json')], { stdio: 'inherit' })
  for (const file of filesUnder(join(root, 'dist')).filter((path) => /\.d\.c?ts$/.test(path))) jsSpecifiers(file)
  mkdirSync(join(root, 'dist/cjs'), { recursive: true })
  writeFileSync(join(root, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n')
  mkdirSync(dirname(stamp), { recursive: true })
  writeFileSync(stamp, inputs)
}

/** One hash of every path and content the build reads, and of the compiler's version. */
function inputsHash () {
  const hash = createHash('sha256')
  const files = [...filesUnder(join(root, 'lib')), ...['tsconfig.json', 'tsconfig.cjs.json', 'package.json', 'scripts/build.mjs'].map((file) => join(root, file))]
  for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0')
  hash.update(`typescript ${require('typescript/package.json').version}`)
  return hash.digest('hex')
}

/**
 * lib/ imports its modules by their .ts names (Node runs the tests through its type stripping);
 * tsc rewrites them to .js in the JavaScript it emits but not in declarations: done here, so the
 * published types name the files that are published.
 */
function jsSpecifiers (file) {
  const text = readFileSync(file, 'utf8')
  const rewritten = text.replace(/((?:from |import\()(['"])\.\.?\/[^'"]*)\.ts\2/g, '$1.js$2')
  if (rewritten !== text) writeFileSync(file, rewritten)
}

function filesUnder (dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort()
}

function readOr (file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
