// Builds dist/esm (ESM) and dist/cjs (CommonJS) from lib/ with tsc, and marks dist/cjs as
// CommonJS so Node reads it as such inside this "type": "module" package. The dashboard's page
// and chart library are embedded first (lib/dashboard/assets.generated.ts).
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
execFileSync(process.execPath, ['scripts/embed-dashboard-assets.mjs'], { stdio: 'inherit' })
rmSync('dist', { recursive: true, force: true })
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' })
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.cjs.json'], { stdio: 'inherit' })
mkdirSync('dist/cjs', { recursive: true })
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n')
