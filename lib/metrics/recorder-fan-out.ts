import type { MetricRecorder, SeriesHandle } from './metric-recorder.ts'

/**
 * One recorder that records into both `first` and `second` (the in-process aggregation and the
 * Prometheus registry), so that each metric is measured once and followed by both; the one
 * present when the other is null; null when neither is. The clock is the first's (the readings
 * go to the first's handles; the second's record without one). A failure of one does not keep
 * the value from the other: it is thrown after both were called.
 */
export function fanOut (first: MetricRecorder | null, second: MetricRecorder | null): MetricRecorder | null {
  if (first === null) return second
  if (second === null) return first
  return {
    now: () => first.now(),
    series (kind, name, tags) {
      return bothHandles(first.series(kind, name, tags), second.series(kind, name, tags))
    },
    record (kind, name, tags, value) {
      try {
        first.record(kind, name, tags, value)
      } finally {
        second.record(kind, name, tags, value)
      }
    },
  }
}

function bothHandles (first: SeriesHandle, second: SeriesHandle): SeriesHandle {
  return {
    record (value) {
      try {
        first.record(value)
      } finally {
        second.record(value)
      }
    },
    recordAt (value, time) {
      try {
        first.recordAt(value, time)
      } finally {
        second.record(value)
      }
    },
  }
}
