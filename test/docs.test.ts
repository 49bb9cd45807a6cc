// Docs and code must not drift: every error code and every option is documented, and the docs
// name no code that does not exist.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { ERROR_CODES } from '../lib/errors.js'

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

t.test('docs/options.md names every option', async (t) => {
  const doc = read('options.md')
  const options = [
    'statsd', 'statsd.host', 'statsd.port', 'statsd.protocol', 'statsd.path', 'statsd.prefix', 'statsd.globalTags',
    'statsd.sampleRate', 'statsd.tagFormat', 'statsd.maxBufferSize', 'statsd.bufferFlushInterval', 'statsd.datadog',
    'statsd.client', 'correlationHeader', 'getUser', 'captureClientErrors', 'capture.maxBodyBytes', 'capture.maxDepth',
    'capture.maxArrayItems', 'scrub.keys', 'scrub.replace', 'maxControllers', 'ignore', 'propagation', 'propagation.targets', 'processMetrics', 'processMetrics.intervalMs', 'aggregation', 'aggregation.maxSeries', 'dashboard', 'dashboard.path', 'dashboard.token',
    'STATSD_HOST', 'STATSD_PORT', 'VIGIE_DISABLED',
  ]
  for (const option of options) t.ok(doc.includes(`\`${option}\``), `${option} is documented`)
})
