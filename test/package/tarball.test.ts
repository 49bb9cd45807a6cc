// What the tarball holds (as `npm pack --dry-run --json` lists it): the licence, both builds
// with their declarations and no source maps (their sources are not shipped), and markdown whose
// every link resolves inside the tarball or is an absolute URL (a link to examples/, bench/ or
// test/, not shipped, is dead on npm and in an installed copy).
import { readFileSync } from 'node:fs'
import { posix } from 'node:path'
import t from 'tap'
import { npmPack, root } from '../helpers/npm-pack.ts'

/** The text outside fenced code blocks and inline code spans, where a link is a link. */
function proseOf (markdown: string): string {
  let fenced = false
  const kept: string[] = []
  for (const line of markdown.split('\n')) {
    if (/^\s*(?:```|~~~)/.test(line)) {
      fenced = !fenced
      continue
    }
    if (!fenced) kept.push(line.split('`').filter((_, i) => i % 2 === 0).join(' '))
  }
  return kept.join('\n')
}

/** The targets of inline links and images (`[text](target "title")`) and of reference definitions. */
function linkTargets (markdown: string): string[] {
  const prose = proseOf(markdown)
  const targets: string[] = []
  for (let at = prose.indexOf(']('); at !== -1; at = prose.indexOf('](', at + 2)) {
    const end = prose.indexOf(')', at + 2)
    if (end === -1) break
    const inside = prose.slice(at + 2, end).trim()
    targets.push(inside.startsWith('<') ? inside.slice(1, inside.indexOf('>')) : inside.split(/\s/)[0]!)
  }
  for (const line of prose.split('\n')) {
    const definition = /^ {0,3}\[[^\]]+\]:\s*(\S+)/.exec(line)
    if (definition !== null) targets.push(definition[1]!)
  }
  return targets
}

/** Where a relative target points, from the packed file `from`; null for a URL or an anchor of the same page. */
function packedPath (from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return null
  const path = decodeURIComponent(target.split('#')[0]!.split('?')[0]!)
  return posix.normalize(path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(from), path))
}

const report = await npmPack()
const packed = report.files.map((file) => file.path)

t.test('the tarball: the licence and both builds, without source maps or sources', async (t) => {
  for (const path of ['LICENSE', 'package.json', 'dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.cjs-entry.js', 'dist/cjs/index.cjs-entry.d.ts', 'dist/cjs/package.json']) {
    t.ok(packed.includes(path), path)
  }
  t.same(packed.filter((path) => path.endsWith('.map') || path.startsWith('lib/')), [], 'no source map, no source')
  const declarations = report.files.filter((file) => file.path.endsWith('.d.ts'))
  t.ok(declarations.length > 50, `declarations: ${declarations.length}`)
  // types.d.ts, the public API with its documentation, is the largest by design; the others stay small.
  t.same(declarations.filter((file) => file.size > (file.path.endsWith('/types.d.ts') ? 60_000 : 20_000)).map((file) => file.path), [], 'no declaration over 20 kB but the public types (the embedded dashboard assets are typed `string`)')
  t.ok(declarations.filter((file) => file.path.includes('assets.generated')).every((file) => file.size < 2000), 'the dashboard assets\' declarations hold no asset')
})

t.test('every relative link in a packed markdown file resolves to a packed file', async (t) => {
  const pages = packed.filter((path) => path.endsWith('.md'))
  t.ok(pages.includes('README.md') && pages.includes('CHANGELOG.md') && pages.includes('docs/options.md'), `pages: ${pages.join(', ')}`)

  const broken: string[] = []
  let relative = 0
  for (const page of pages) {
    for (const target of linkTargets(readFileSync(`${root}/${page}`, 'utf8'))) {
      const path = packedPath(page, target)
      if (path === null) continue
      relative++
      if (!packed.includes(path) && !packed.some((file) => file.startsWith(`${path.replace(/\/$/, '')}/`))) broken.push(`${page}: ${target}`)
    }
  }
  t.ok(relative >= 20, `the relative links were found (${relative})`)
  t.same(broken, [], 'links to files outside the tarball must be absolute URLs (https://github.com/vigie-js/vigie/blob/main/...)')
})

t.test('the link reader sees inline links, images and reference definitions, not code', async (t) => {
  const page = [
    'See [options](docs/options.md#statsd "title"), ![shot](images/a.png) and [b][ref].',
    '`[not](a-link.md)` and',
    '```js',
    "const link = '[not](either.md)'",
    '```',
    '[ref]: ../bench/RESULTS.md',
  ].join('\n')
  t.same(linkTargets(page), ['docs/options.md#statsd', 'images/a.png', '../bench/RESULTS.md'])
  t.equal(packedPath('docs/express.md', '../examples/express-app/server.mjs'), 'examples/express-app/server.mjs')
  t.equal(packedPath('docs/a.md', 'https://github.com/vigie-js/vigie/blob/main/bench/RESULTS.md'), null)
  t.equal(packedPath('docs/a.md', '#options'), null)
})
