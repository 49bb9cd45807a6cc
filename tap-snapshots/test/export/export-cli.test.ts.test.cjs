/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/export/export-cli.test.ts > TAP > statsd-exporter-mapping: every vigie metric under the prefix; timings as histograms with /metrics' buckets > vigie export statsd-exporter-mapping 1`] = `
# A prometheus/statsd_exporter mapping for vigie's StatsD lines, written by \`vigie export statsd-exporter-mapping\` from the app's own definitions.
# Generated: edit the definitions, not this file.
defaults:
  observer_type: "histogram"
  histogram_options:
    buckets:
      - 0.005
      - 0.01
      - 0.025
      - 0.05
      - 0.1
      - 0.25
      - 0.5
      - 1
      - 2.5
      - 5
      - 10
mappings:
  - match: "shop.http_request"
    name: "http_requests_total"
  - match: "shop.http_request.exception"
    name: "http_request_exceptions_total"
  - match: "shop.http_client_request"
    name: "http_client_requests_total"
  - match: "shop.db.query"
    name: "db_queries_total"
  - match: "shop.vigie.metrics_dropped"
    name: "vigie_metrics_dropped_total"
  - match: "shop.alert.transition"
    name: "alert_transition_total"
  - match: "shop.alert.notification_failed"
    name: "alert_notification_failed_total"
  - match: "shop.http_request.response_time"
    name: "http_request_duration_seconds"
    observer_type: "histogram"
    histogram_options:
      buckets:
        - 0.005
        - 0.01
        - 0.025
        - 0.05
        - 0.1
        - 0.25
        - 0.5
        - 1
        - 2.5
        - 5
        - 10
  - match: "shop.http_client_request.response_time"
    name: "http_client_request_duration_seconds"
    observer_type: "histogram"
    histogram_options:
      buckets:
        - 0.005
        - 0.01
        - 0.025
        - 0.05
        - 0.1
        - 0.25
        - 0.5
        - 1
        - 2.5
        - 5
        - 10
  - match: "shop.db.query.response_time"
    name: "db_query_duration_seconds"
    observer_type: "histogram"
    histogram_options:
      buckets:
        - 0.005
        - 0.01
        - 0.025
        - 0.05
        - 0.1
        - 0.25
        - 0.5
        - 1
        - 2.5
        - 5
        - 10
  - match: "shop.http_request.db_time"
    name: "http_request_db_time_seconds"
    observer_type: "histogram"
    histogram_options:
      buckets:
        - 0.005
        - 0.01
        - 0.025
        - 0.05
        - 0.1
        - 0.25
        - 0.5
        - 1
        - 2.5
        - 5
        - 10
  - match: "shop.process.event_loop_delay.p50"
    name: "process_event_loop_delay_p50"
  - match: "shop.process.event_loop_delay.p99"
    name: "process_event_loop_delay_p99"
  - match: "shop.process.heap_used"
    name: "process_heap_used"
  - match: "shop.process.rss"
    name: "process_rss"
  - match: "shop.process.cpu_percent"
    name: "process_cpu_percent"
  - match: "shop.process.active_handles"
    name: "process_active_handles"
  - match: "shop.process.gc_pause"
    name: "process_gc_pause"
  - match: "shop.process.disk_free"
    name: "process_disk_free"
  - match: "shop.slo.sli"
    name: "slo_sli"
  - match: "shop.slo.error_budget_remaining"
    name: "slo_error_budget_remaining"
  - match: "shop.slo.burn_rate"
    name: "slo_burn_rate"

`
