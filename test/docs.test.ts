// Docs and code must not drift: every error code, every option and every environment variable is
// documented, and the docs name no code and no variable that does not exist.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERROR_CODES } from '../lib/errors.ts'
import { ENV_VARIABLES, ENV_VARIABLE_NAMES } from '../lib/options/environment.ts'
import { OPTION_PATHS } from '../lib/options/option-names.ts'
import { KEY_QUALIFIERS, SENSITIVE_COOKIE_NAME_SNIPPETS, SENSITIVE_KEY_SNIPPETS, SENSITIVE_KEY_WORDS } from '../lib/scrub/sensitive-keys.ts'

const read = (page: string): string => readFileSync(new URL(`../docs/${page}`, import.meta.url), 'utf8')

t.test('docs/errors.md documents exactly the error codes that exist', async (t) => {
  const doc = read('errors.md')
  const codes = Object.values(ERROR_CODES)
  for (const code of codes) {
    t.ok(doc.split(code).length - 1 >= 2, `${code} is in the table of contents and has a section`)
  }
  const documented = new Set(doc.match(/VIGIE_ERR_[A-Z_]+/g))
  t.same([...documented].sort(), [...codes].sort(), 'no code is documented that does not exist')
})

t.test('docs/options.md names every option, and each variable beside the option it sets', async (t) => {
  const doc = read('options.md')
  t.ok(OPTION_PATHS.includes('asyncContext'), 'the list comes from the code, asyncContext included')
  for (const option of OPTION_PATHS) t.ok(doc.includes(`\`${option}\``), `${option} is documented`)
  const rows = doc.split('\n').filter((line) => line.startsWith('|'))
  for (const { name, option } of ENV_VARIABLES) {
    const beside = option === null ? doc.includes(`\`${name}\``) : rows.some((row) => row.startsWith(`| \`${option}\` |`) && row.includes(`\`${name}\``))
    t.ok(beside, option === null ? `${name} is documented` : `${name} is in the row of ${option}`)
  }
  const named = new Set(doc.match(/\b(?:STATSD|VIGIE)_[A-Z_]+\b/g)?.filter((name) => !name.startsWith('VIGIE_ERR_')))
  t.same([...named].filter((name) => !ENV_VARIABLE_NAMES.includes(name)), [], 'no variable is documented that does not exist')
})

t.test('docs/patch-all.md\'s table of variables is the environment table, in its order', async (t) => {
  const doc = read('patch-all.md')
  const rows = doc.split('\n')
    .map((line) => /^\| `((?:STATSD|VIGIE)_[A-Z_]+)` \| (`[^`]+`|\(kill switch\)) \|/.exec(line))
    .filter((match) => match !== null)
    .map((match) => [match[1], match[2] === '(kill switch)' ? null : match[2]!.slice(1, -1)])
  t.same(rows, ENV_VARIABLES.map(({ name, option }) => [name, option]))
})

t.test('docs/scrubbing.md lists every default snippet, word, qualifier and cookie snippet, in order', async (t) => {
  const page = read('scrubbing.md')
  for (const [name, list] of Object.entries({ SENSITIVE_KEY_SNIPPETS, SENSITIVE_KEY_WORDS, KEY_QUALIFIERS, SENSITIVE_COOKIE_NAME_SNIPPETS })) {
    const listed = list.map((entry) => `\`${entry}\``).join(' ')
    t.ok(page.replace(/\s+/g, ' ').includes(listed), `${name}: ${listed}`)
  }
})

t.test('the docs agree with the code: one process-gauge sampler per process, however many apps', async (t) => {
  // The code's side: test/instrument/patch-all.test.ts and test/process-metrics/apps.test.ts.
  for (const page of ['process-metrics.md', 'patch-all.md', 'options.md']) {
    const text = read(page).replace(/\s+/g, ' ')
    t.match(text, /one (?:process-gauge )?sampler runs per process/i, `${page} says one sampler per process`)
    t.notMatch(text, /its own sampler|two samplers|a sampler per app|one sampler per app/i, `${page} says nothing else`)
  }
})
