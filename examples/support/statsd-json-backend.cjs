'use strict'
// Etsy StatsD backend that forwards every flush to the parent process as one JSON line over
// the IPC channel (the daemon must be spawned with stdio 'ipc', see statsd-daemon.mjs).

exports.init = function (startupTime, config, events, logger) {
  if (typeof process.send !== 'function') {
    logger.log('statsd-json-backend: no IPC channel to the parent process', 'ERROR')
    return false
  }
  // The parent is gone (even if it was SIGKILLed): do not linger as an orphan daemon.
  process.on('disconnect', () => process.exit(0))

  events.on('flush', (timestamp, metrics) => {
    if (!process.connected) return
    const sets = {}
    for (const [key, set] of Object.entries(metrics.sets)) sets[key] = set.values()
    // Serialised synchronously: statsd clears its counters right after the flush listeners run.
    // The raw `timers` arrays are left out; `timer_data` holds their aggregates.
    const line = JSON.stringify({
      timestamp,
      counters: metrics.counters,
      counter_rates: metrics.counter_rates,
      timer_data: metrics.timer_data,
      timer_counters: metrics.timer_counters,
      gauges: metrics.gauges,
      sets,
      pctThreshold: metrics.pctThreshold
    })
    process.send(line, () => {}) // a send racing the parent's exit is not worth crashing over
  })
  return true
}
