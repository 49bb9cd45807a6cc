import type { StatsD } from 'hot-shots'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { LifecycleSubscriber } from '../core/lifecycle-events.ts'
import { acquire, processWide } from '../process-state.ts'
import { FIRST_SAMPLE_DELAY_MS, ProcessSampler } from './process-sampler.ts'

type Gauges = Pick<StatsD, 'gauge'>

/**
 * The process's one sampler and where its gauges go: every app's client. The latest value of
 * each gauge is kept, so an app that joins a running sampler gets them after FIRST_SAMPLE_DELAY_MS
 * rather than at the next interval.
 */
interface Fanout extends Gauges {
  readonly targets: Set<Gauges>
  readonly latest: Map<string, number>
  intervalMs: number
}

const fanout: Fanout = processWide('processGauges', () => {
  const targets = new Set<Gauges>()
  const latest = new Map<string, number>()
  return {
    targets,
    latest,
    intervalMs: 0,
    gauge (name: string, value: number) {
      latest.set(name, value)
      for (const target of targets) target.gauge(name, value)
    },
  } as Fanout
})

/**
 * Sends the process gauges to `client` every `intervalMs`. One sampler runs per process, however
 * many apps ask: it starts with the first and stops with the last; the first app's interval is
 * the one used (a different one is reported once).
 */
export function processGauges (client: Gauges, intervalMs: number, reporter: FailureReporter, tags: readonly string[] = []): LifecycleSubscriber {
  const tagList = tags.length === 0 ? undefined : [...tags]
  const target: Gauges = {
    gauge (name, value) {
      try {
        client.gauge(name, value, tagList)
      } catch (err) {
        reporter.report('process metrics', err)
      }
    },
  }
  const release = acquire(fanout, 'sampler', () => {
    fanout.intervalMs = intervalMs
    fanout.latest.clear()
    const sampler = new ProcessSampler({ statsd: fanout, intervalMs, reporter })
    sampler.start()
    return () => sampler.stop()
  })
  if (fanout.intervalMs !== intervalMs) {
    reporter.warnOnce('process-metrics-interval',
      `vigie: the process gauges are already sampled every ${fanout.intervalMs} ms for another app of this process; processMetrics.intervalMs ${intervalMs} is not used`)
  }
  // Joining a sampler that has sampled already: its latest values, soon, as a first sample.
  const catchUp = fanout.latest.size === 0
    ? null
    : setTimeout(() => {
      for (const [name, value] of fanout.latest) target.gauge(name, value)
    }, Math.min(FIRST_SAMPLE_DELAY_MS, intervalMs))
  catchUp?.unref()
  fanout.targets.add(target)
  return {
    name: 'process metrics',
    closing () {
      if (catchUp !== null) clearTimeout(catchUp)
      fanout.targets.delete(target)
      release()
    },
  }
}
