// The names of every option, level by level: what checkKnownKeys accepts, and the list the docs
// test holds docs/options.md to. One table, so the two cannot drift.

/** The keys known at each level: '' is the top level, the others are option objects. */
export const OPTION_KEYS = Object.freeze({
  '': Object.freeze(['statsd', 'correlationHeader', 'getUser', 'captureClientErrors', 'capture', 'scrub', 'maxControllers', 'instance',
    'cluster', 'ignore', 'asyncContext', 'logInjection', 'propagation', 'aggregation', 'processMetrics', 'dashboard', 'prometheus', 'exceptionLines', 'health', 'slos', 'slo', 'alerts', 'database']),
  statsd: Object.freeze(['host', 'port', 'protocol', 'path', 'prefix', 'globalTags', 'sampleRate', 'tagFormat', 'maxBufferSize',
    'bufferFlushInterval', 'datadog', 'client']),
  capture: Object.freeze(['maxBodyBytes', 'maxDepth', 'maxArrayItems', 'maxTotalKeys']),
  scrub: Object.freeze(['keys', 'replace']),
  propagation: Object.freeze(['targets']),
  aggregation: Object.freeze(['maxSeries']),
  processMetrics: Object.freeze(['intervalMs']),
  dashboard: Object.freeze(['path', 'token']),
  prometheus: Object.freeze(['path', 'token', 'port', 'host']),
  exceptionLines: Object.freeze(['perInterval', 'intervalMs']),
  slo: Object.freeze(['store', 'writeIntervalMs']),
  health: Object.freeze(['path', 'checks', 'timeoutMs', 'thresholds']),
  database: Object.freeze(['slowQueryMs', 'nPlusOne', 'logParameters', 'comment']),
  alerts: Object.freeze(['rules', 'plans', 'evaluationInterval', 'repeatInterval']),
})

/** An option object with keys of its own. */
export type OptionGroup = Exclude<keyof typeof OPTION_KEYS, ''>

/** Every option path (`statsd`, `statsd.host`, …), top-level options first. */
export const OPTION_PATHS: readonly string[] = Object.freeze([
  ...OPTION_KEYS[''],
  ...Object.entries(OPTION_KEYS).flatMap(([group, keys]) => group === '' ? [] : keys.map((key) => `${group}.${key}`)),
])
