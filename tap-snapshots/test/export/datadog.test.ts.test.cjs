/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/export/datadog.test.ts > TAP > the snapshot, and the same bytes for the same input > vigie export datadog 1`] = `
{
  "_notes": [
    "Datadog objects over vigie's DogStatsD lines (prefix \\"shop.\\"), written by \`vigie export datadog\` from the app's own definitions. Generated: edit the definitions, not this file.",
    "POST each of \\"slos\\" to /api/v1/slo; replace <SLO_ID:name> in the \\"slo alert\\" monitors with the id Datadog answers; POST each of \\"monitors\\" to /api/v1/monitor. Leave this \\"_notes\\" out.",
    "Replace each placeholder with the name of the handle in Datadog's integration (none of the values is written here): <PAGERDUTY_SERVICE_PAGE_1>, <SLACK_CHANNEL_PAGE_2>, <GITHUB_BRIDGE_TICKET_1>, <WEBHOOK_NAME_INFO_2>.",
    "ticket: Datadog has no GitHub notification; a webhook stands in: point it at a bridge that opens issues in acme/shop",
    "info: the \\"log\\" notifier writes to the app's log; Datadog has nothing to send",
    "SLO api: its window (14d) is not a Datadog timeframe (7d, 30d, 90d); the SLO is written over 7d, the nearest",
    "SLO fast-search: a latency SLI needs a count of requests under 300 ms; vigie sends response times as DogStatsD timings, which the Agent turns into per-flush statistics without one: not exported (nor its burn-rate monitors). Datadog can count under a threshold on a distribution metric with percentiles enabled",
    "rule errors: a metric monitor has no \\"for\\" or \\"keepFiringFor\\"; it fires on the first evaluation past the threshold",
    "rule errors: minCount (20) has no counterpart in one metric monitor; it fires on any count",
    "rule slow-checkout: shop.http_request.response_time.99percentile is written only when the Agent's datadog.yaml lists 0.99 in histogram_percentiles",
    "rule slow-checkout: the Agent computes p99 per flush and per Agent; the monitor reads the highest of them, not the fleet's p99",
    "rule heap: a monitor evaluates over 5m, the first window Datadog offers from 2m up"
  ],
  "slos": [
    {
      "name": "shop checkout",
      "type": "metric",
      "description": "vigie SLO \\"checkout\\": 99.9 % of the answers of /cart/:id, /checkout are not 5xx over 30d (499s left out, as vigie leaves them). Written by vigie export datadog.",
      "query": {
        "numerator": "sum:shop.http_request{controller IN (/cart/:id, /checkout) AND NOT http_status:499 AND NOT http_status_class:5xx}.as_count()",
        "denominator": "sum:shop.http_request{controller IN (/cart/:id, /checkout) AND NOT http_status:499}.as_count()"
      },
      "thresholds": [
        {
          "timeframe": "30d",
          "target": 99.9
        }
      ],
      "tags": [
        "service:shop",
        "slo:checkout",
        "source:vigie"
      ]
    },
    {
      "name": "shop api",
      "type": "metric",
      "description": "vigie SLO \\"api\\": 99.5 % of the answers of every controller are not 5xx over 14d (499s left out, as vigie leaves them). Written by vigie export datadog.",
      "query": {
        "numerator": "sum:shop.http_request{NOT http_status:499 AND NOT http_status_class:5xx}.as_count()",
        "denominator": "sum:shop.http_request{NOT http_status:499}.as_count()"
      },
      "thresholds": [
        {
          "timeframe": "7d",
          "target": 99.5
        }
      ],
      "tags": [
        "service:shop",
        "slo:api",
        "source:vigie"
      ]
    }
  ],
  "monitors": [
    {
      "name": "shop SLO checkout: error budget burning 14.4x over 1h and 5m",
      "type": "slo alert",
      "query": "burn_rate(\\"<SLO_ID:checkout>\\").over(\\"30d\\").long_window(\\"1h\\").short_window(\\"5m\\") > 14.4",
      "message": "SLO checkout: the error budget burns at 14.4x or more over 1h and 5m.\\n\\n@pagerduty-<PAGERDUTY_SERVICE_PAGE_1> @slack-<SLACK_CHANNEL_PAGE_2>",
      "tags": [
        "service:shop",
        "slo:checkout",
        "severity:page",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 14.4
        }
      }
    },
    {
      "name": "shop SLO checkout: error budget burning 6x over 6h and 30m",
      "type": "slo alert",
      "query": "burn_rate(\\"<SLO_ID:checkout>\\").over(\\"30d\\").long_window(\\"6h\\").short_window(\\"30m\\") > 6",
      "message": "SLO checkout: the error budget burns at 6x or more over 6h and 30m.\\n\\n@pagerduty-<PAGERDUTY_SERVICE_PAGE_1> @slack-<SLACK_CHANNEL_PAGE_2>",
      "tags": [
        "service:shop",
        "slo:checkout",
        "severity:page",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 6
        }
      }
    },
    {
      "name": "shop SLO checkout: error budget burning 3x over 24h and 2h",
      "type": "slo alert",
      "query": "burn_rate(\\"<SLO_ID:checkout>\\").over(\\"30d\\").long_window(\\"24h\\").short_window(\\"2h\\") > 3",
      "message": "SLO checkout: the error budget burns at 3x or more over 24h and 2h.\\n\\n@webhook-<GITHUB_BRIDGE_TICKET_1> @ops@example.com @oncall@example.com",
      "tags": [
        "service:shop",
        "slo:checkout",
        "severity:ticket",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 3
        }
      }
    },
    {
      "name": "shop SLO checkout: error budget burning 1x over 72h and 6h",
      "type": "slo alert",
      "query": "burn_rate(\\"<SLO_ID:checkout>\\").over(\\"30d\\").long_window(\\"72h\\").short_window(\\"6h\\") > 1",
      "message": "SLO checkout: the error budget burns at 1x or more over 72h and 6h.\\n\\n@webhook-<GITHUB_BRIDGE_TICKET_1> @ops@example.com @oncall@example.com",
      "tags": [
        "service:shop",
        "slo:checkout",
        "severity:ticket",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 1
        }
      }
    },
    {
      "name": "shop SLO api: error budget burning 10x over 1h and 5m",
      "type": "slo alert",
      "query": "burn_rate(\\"<SLO_ID:api>\\").over(\\"7d\\").long_window(\\"1h\\").short_window(\\"5m\\") > 10",
      "message": "SLO api: the error budget burns at 10x or more over 1h and 5m.\\n\\n@pagerduty-<PAGERDUTY_SERVICE_PAGE_1> @slack-<SLACK_CHANNEL_PAGE_2>",
      "tags": [
        "service:shop",
        "slo:api",
        "severity:page",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 10
        }
      }
    },
    {
      "name": "shop errors: errorRatio above 0.05",
      "type": "query alert",
      "query": "sum(last_5m):sum:shop.http_request{http_status_class:5xx}.as_count() / sum:shop.http_request{*}.as_count() > 0.05",
      "message": "errors: errorRatio over 5m above 0.05.\\n\\n@pagerduty-<PAGERDUTY_SERVICE_PAGE_1> @slack-<SLACK_CHANNEL_PAGE_2>",
      "tags": [
        "service:shop",
        "vigie_rule:errors",
        "severity:page",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 0.05
        },
        "notify_no_data": false,
        "require_full_window": false
      }
    },
    {
      "name": "shop slow-checkout: p99 above 500",
      "type": "query alert",
      "query": "avg(last_5m):max:shop.http_request.response_time.99percentile{controller:/checkout} > 500",
      "message": "slow-checkout: p99 over 5m above 500.\\n\\n@webhook-<GITHUB_BRIDGE_TICKET_1> @ops@example.com @oncall@example.com",
      "tags": [
        "service:shop",
        "vigie_rule:slow-checkout",
        "severity:ticket",
        "controller:/checkout",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 500,
          "critical_recovery": 400
        },
        "notify_no_data": false,
        "require_full_window": false
      }
    },
    {
      "name": "shop heap: max above 500000000",
      "type": "query alert",
      "query": "max(last_5m):max:shop.process.heap_used{*} > 500000000",
      "message": "heap: max over 2m above 500000000.\\n\\n@webhook-<WEBHOOK_NAME_INFO_2>",
      "tags": [
        "service:shop",
        "vigie_rule:heap",
        "severity:info",
        "source:vigie"
      ],
      "options": {
        "thresholds": {
          "critical": 500000000
        },
        "notify_no_data": false,
        "require_full_window": false
      }
    }
  ]
}

`
