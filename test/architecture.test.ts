// The import rule of docs/architecture.md, enforced: every import in lib/ points down (or stays
// in its group), adapters and features stay apart, and adapters are entered by their fronts.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { LAYERS, groupOf, libImports, violation } from './helpers/import-layers.ts'

const lib = fileURLToPath(new URL('../lib', import.meta.url))

t.test('every import in lib/ follows the rule', async (t) => {
  const imports = libImports(lib)
  t.ok(imports.length > 100, `the imports were found (${imports.length})`)
  const broken = imports.flatMap(({ from, to }) => {
    const why = violation(from, to)
    return why === null ? [] : [`${from} → ${to}: ${why}`]
  })
  t.same(broken, [])
})

t.test('the checker refuses what points up or across', async (t) => {
  t.match(violation('core/request-lifecycle.ts', 'aggregate/aggregator.ts'), /core may not import adapters and features/)
  t.match(violation('scrub/scrubber.ts', 'core/vigie.ts'), /leaves may not import core/)
  t.match(violation('adapters/fastify.ts', 'compose.ts'), /points up/)
  t.match(violation('aggregate/aggregator.ts', 'adapters/express.ts'), /adapters and features never import each other/)
  t.match(violation('propagation/outgoing.ts', 'aggregate/aggregator.ts'), /does not depend on aggregate/)
  t.match(violation('instrument/patch-express.ts', 'adapters/express-symbols.ts'), /internal to the adapters/)
  t.equal(violation('compose.ts', 'aggregate/aggregator.ts'), null)
  t.equal(violation('dashboard/dashboard-data.ts', 'aggregate/types.ts'), null)
  t.equal(violation('adapters/express.ts', 'adapters/express-symbols.ts'), null)
})

t.test('docs/architecture.md names every group of every layer', async (t) => {
  const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8')
  const groups = new Set(libImports(lib).flatMap(({ from, to }) => [groupOf(from), groupOf(to)]))
  for (const { groups: inLayer } of LAYERS) {
    for (const group of inLayer) {
      if (groups.has(group)) t.ok(doc.includes(`\`${/\.(ts|cjs)$/.test(group) ? group : `${group}/`}\``), `${group} is in the page`)
    }
  }
})
