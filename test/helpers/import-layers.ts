import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

/**
 * The layers of lib/, highest first (docs/architecture.md): a module may import a module of its
 * own layer or of a lower one, never one above. In the middle layer, adapters and features are
 * kept apart, and a feature imports another only where FEATURE_DEPENDENCIES says. Adapters are
 * entered from outside only through their front modules.
 */
export const LAYERS: ReadonlyArray<{ readonly layer: string, readonly groups: readonly string[] }> = [
  { layer: 'entry', groups: ['index.ts', 'index.cjs-entry.ts', 'register.esm-entry.ts', 'register.cjs-entry.ts', 'fastify.ts', 'express.ts', 'instrument', 'cli.ts'] },
  { layer: 'composition', groups: ['compose.ts'] },
  { layer: 'adapters and features', groups: ['adapters', 'aggregate', 'dashboard', 'process-metrics', 'propagation', 'health', 'slo', 'alerts', 'database', 'prometheus', 'export', 'cluster'] },
  { layer: 'core', groups: ['core'] },
  { layer: 'leaves', groups: ['context', 'metrics', 'capture', 'scrub', 'logging', 'options', 'options.ts', 'errors.ts', 'types.ts', 'version.ts', 'process-state.ts', 'lazy-dependencies.cjs', 'method-wrapper.ts'] },
]
const ADAPTERS = new Set(['adapters'])
export const ADAPTER_FRONTS: ReadonlySet<string> = new Set(['adapters/fastify.ts', 'adapters/express.ts'])
export const FEATURE_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  dashboard: ['aggregate', 'slo', 'alerts'],
  alerts: ['aggregate', 'slo'],
  health: ['process-metrics'],
  database: ['aggregate'],
  export: ['slo'],
  prometheus: ['dashboard', 'aggregate'],
  cluster: ['aggregate', 'prometheus'],
}

/** The group of a lib-relative path: its first folder, or the file itself at the top. */
export function groupOf (path: string): string {
  return path.split('/')[0]!
}

function rankOf (group: string): number {
  const rank = LAYERS.findIndex(({ groups }) => groups.includes(group))
  if (rank === -1) throw new Error(`lib/${group} is in no layer: add it to LAYERS and docs/architecture.md`)
  return rank
}

/** Why `from` (lib-relative) may not import `to`, or null when it may. */
export function violation (from: string, to: string): string | null {
  const source = groupOf(from)
  const target = groupOf(to)
  if (source === target) return null
  const sourceRank = rankOf(source)
  const targetRank = rankOf(target)
  if (targetRank < sourceRank) return `${LAYERS[sourceRank]!.layer} may not import ${LAYERS[targetRank]!.layer} (it points up)`
  if (ADAPTERS.has(target) && !ADAPTER_FRONTS.has(to)) return `${to} is internal to the adapters: go through ${[...ADAPTER_FRONTS].join(' or ')}`
  if (targetRank === sourceRank && LAYERS[sourceRank]!.layer === 'adapters and features') {
    if (ADAPTERS.has(source) !== ADAPTERS.has(target)) return 'adapters and features never import each other'
    if (FEATURE_DEPENDENCIES[source]?.includes(target) !== true) return `the ${source} feature does not depend on ${target}`
  }
  return null
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s(?:[^'"`]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** Every relative import of every .ts and .cjs module under `libDir`, as lib-relative paths. */
export function libImports (libDir: string): Array<{ from: string, to: string }> {
  const out: Array<{ from: string, to: string }> = []
  for (const file of tsFiles(libDir)) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2]!
      if (!specifier.startsWith('.')) continue
      const target = resolve(dirname(file), specifier)
      out.push({ from: relative(libDir, file), to: relative(libDir, target) })
    }
  }
  return out
}

function tsFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return tsFiles(path)
    return entry.name.endsWith('.ts') || entry.name.endsWith('.cjs') ? [path] : []
  })
}
