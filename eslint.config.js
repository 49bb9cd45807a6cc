import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'bench/node_modules/**', 'bench/.baseline/**', 'coverage/**', '.tap/**', 'test/.artifacts/**', 'lib/dashboard/assets.generated.ts', 'tap-snapshots/**'],
  }),
  {
    languageOptions: { ecmaVersion: 'latest' },
    rules: {
      // `void promise` marks a promise deliberately not awaited (it handles its own failures).
      'no-void': ['error', { allowAsStatement: true }],
    },
  },
  {
    files: ['lib/dashboard/page/**'],
    // The page reads the chart library from `window.uPlot`.
    rules: { 'new-cap': ['error', { properties: false }] },
  },
  {
    files: ['test/**'],
    // A constructor called for its warnings is what some tests check.
    rules: { 'no-new': 'off' },
  },
]
