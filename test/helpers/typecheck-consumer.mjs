// Type-checks a consumer app (test/package/consumer-types.test.ts) as `tsc --strict --noEmit
// --skipLibCheck false --target es2022` does, once with module nodenext (app.mts and app.cts) and
// once with moduleResolution bundler (app.mts), with the TypeScript given. It reports what tsc
// would report in the app's files and in vigie's declarations, and exits 1 if there is any.
// The other packages' declarations are read and used, but not reported on: their errors are
// theirs, and checking all of them takes seconds per run. Both runs share the parsed files.
// Usage: node typecheck-consumer.mjs <app directory> <path of typescript.js>
import { createRequire } from 'node:module'
import { sep } from 'node:path'

const [app, typescript] = process.argv.slice(2)
const ts = createRequire(import.meta.url)(typescript)
process.chdir(app)

const base = { strict: true, noEmit: true, skipLibCheck: false, target: ts.ScriptTarget.ES2022 }
const modes = [
  { name: 'module nodenext', files: ['app.mts', 'app.cts'], options: { module: ts.ModuleKind.NodeNext } },
  { name: 'moduleResolution bundler', files: ['app.mts'], options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler } },
]
const parsed = new Map()
const vigie = `${sep}node_modules${sep}vigie${sep}`
let failed = false
for (const mode of modes) {
  const options = { ...base, ...mode.options }
  const host = ts.createCompilerHost(options)
  const read = host.getSourceFile.bind(host)
  host.getSourceFile = (fileName, language, ...rest) => {
    const key = `${fileName} ${JSON.stringify(language)}`
    if (!parsed.has(key)) parsed.set(key, read(fileName, language, ...rest))
    return parsed.get(key)
  }
  const program = ts.createProgram(mode.files, options, host)
  const ours = program.getSourceFiles().filter((file) => file.fileName.includes(vigie) || !file.fileName.includes(`${sep}node_modules${sep}`))
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ]
  const checked = ours.filter((file) => file.fileName.includes(vigie)).length
  console.log(`${mode.name}: ${diagnostics.length} errors in ${ours.length} files (${checked} of vigie's)`)
  if (diagnostics.length > 0) {
    failed = true
    console.log(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => app, getNewLine: () => '\n' }))
  }
}
process.exitCode = failed ? 1 : 0
