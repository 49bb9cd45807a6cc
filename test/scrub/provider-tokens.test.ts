import t from 'tap'
import { maskProviderTokens } from '../../lib/scrub/provider-tokens.ts'

// Tokens are built from parts so that no whole credential-shaped string sits in the repository.
const alnum = (n: number): string => 'aB3'.repeat(n).slice(0, n)
const upper = (n: number): string => 'Q7X'.repeat(n).slice(0, n)

t.test('each published shape keeps its prefix and loses the rest (every prefix, so the gate misses none)', async (t) => {
  const cases: Array<[string, string]> = [
    ['AKIA' + upper(16), 'AKIA'],
    ['ASIA' + upper(16), 'ASIA'],
    ['ABIA' + upper(16), 'ABIA'],
    ['ACCA' + upper(16), 'ACCA'],
    ['rk_test_' + alnum(24), 'rk_test_'],
    ['xoxa-' + alnum(30), 'xoxa-'],
    ['xoxr-' + alnum(30), 'xoxr-'],
    ['xoxs-' + alnum(30), 'xoxs-'],
    ['ghp_' + alnum(36), 'ghp_'],
    ['gho_' + alnum(36), 'gho_'],
    ['ghu_' + alnum(36), 'ghu_'],
    ['ghs_' + alnum(36), 'ghs_'],
    ['ghr_' + alnum(76), 'ghr_'],
    ['github_pat_' + alnum(22) + '_' + alnum(59), 'github_pat_'],
    ['glpat-' + alnum(20), 'glpat-'],
    ['sk_live_' + alnum(24), 'sk_live_'],
    ['rk_live_' + alnum(99), 'rk_live_'],
    ['sk_test_' + alnum(24), 'sk_test_'],
    ['xoxb-' + '1234567890-1234567890-' + alnum(24), 'xoxb-'],
    ['xoxp-' + alnum(40), 'xoxp-'],
    ['AIza' + alnum(30) + '-_abc', 'AIza'],
    ['npm_' + alnum(36), 'npm_'],
  ]
  for (const [token, prefix] of cases) {
    t.equal(maskProviderTokens(token), `${prefix}[REDACTED]`, prefix)
    t.equal(maskProviderTokens(`key "${token}", next`), `key "${prefix}[REDACTED]", next`, `${prefix} inside text`)
  }
})

t.test('look-alikes are left alone', async (t) => {
  const kept = [
    'AKIA' + upper(15), // one short
    'AKIA' + upper(17), // an ID is exactly 20 characters
    'XAKIA' + upper(16), // inside a word
    'my_ghp_' + alnum(36),
    'ghp_' + alnum(35),
    'sk_live_short',
    'pk_live_' + alnum(24), // publishable keys are public
    'xoxb-short',
    'AIza' + alnum(34),
    'npm_' + alnum(37),
    'a GitHub token starts with ghp_ and AKIA is an AWS prefix',
  ]
  for (const text of kept) t.equal(maskProviderTokens(text), text, text)
})

t.test('several tokens in one text', async (t) => {
  const text = `aws=AKIA${upper(16)} gh=ghp_${alnum(36)} end`
  t.equal(maskProviderTokens(text), 'aws=AKIA[REDACTED] gh=ghp_[REDACTED] end')
})

t.test('adversarial inputs complete (linear scan)', async (t) => {
  const ids = `AIza-${'AIza-'.repeat(200_000)}`
  t.equal(maskProviderTokens(ids), ids, 'many prefixes, each body too short')
  const long = ` AKIA${'Q'.repeat(1_000_000)}`
  t.equal(maskProviderTokens(long), long, 'an exact shape looks one character past its length')
  const npm = ` npm_${'a '.repeat(500_000)}`
  t.equal(maskProviderTokens(npm), npm)
})
