// The vigie dashboard page: polls data.json every 2 s and draws it with uPlot.
// Every name and message from the app is written with textContent (never as HTML), so a route
// name or an exception message cannot add markup or run script. The page's Content-Security-Policy
// allows no inline script either.
(function dashboard () {
  'use strict'

  const POLL_MS = 2000
  const CLASSES = ['2xx', '3xx', '4xx', '5xx']
  const GAUGES = [
    ['process.heap_used', 'Heap used', 'bytes'],
    ['process.rss', 'RSS', 'bytes'],
    ['process.cpu_percent', 'CPU', 'percent'],
    ['process.event_loop_delay.p50', 'Event-loop delay p50', 'ms'],
    ['process.event_loop_delay.p99', 'Event-loop delay p99', 'ms'],
    ['process.gc_pause', 'GC pause (last interval)', 'ms'],
    ['process.active_handles', 'Active handles', 'count'],
    ['process.disk_free', 'Free disk (working dir)', 'bytes'],
  ]

  const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d']
  // The page thresholds of the default burn-rate table (docs/slo.md), for a 30-day SLO: 14.4 over
  // 5m and 1h, 6 over 30m and 6h. They scale with the SLO's window, as the alerts do.
  const PAGE_BURN = { '5m': 14.4, '1h': 14.4, '30m': 6, '6h': 6 }
  const DAY_SECONDS = 86400
  const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: DAY_SECONDS }
  // Budget points kept per SLO for its chart: 10 minutes of polls.
  const MAX_BUDGET_POINTS = 300
  const SYSTEM_NAMES = { postgresql: 'PostgreSQL', mysql: 'MySQL / MariaDB' }

  const script = document.currentScript
  const dataUrl = new URL('../data.json', script.src)
  const token = new URLSearchParams(window.location.search).get('token')
  const css = window.getComputedStyle(document.documentElement)
  const color = (name) => css.getPropertyValue(name).trim()
  const $ = (id) => document.getElementById(id)
  /** Chart key → { chart, element }. */
  const charts = {}
  /** SLO name → its card's elements and its budget history (kept from the polls). */
  const sloCards = new Map()
  let sloCardCount = 0
  let updates = 0

  function text (tag, content, className) {
    const element = document.createElement(tag)
    element.textContent = content
    if (className) element.className = className
    return element
  }

  function row (cells) {
    const tr = document.createElement('tr')
    for (const [content, className] of cells) tr.appendChild(text('td', content, className))
    return tr
  }

  function emptyRow (columns, message) {
    const td = text('td', message, 'empty')
    td.colSpan = columns
    const tr = document.createElement('tr')
    tr.appendChild(td)
    return tr
  }

  function formatNumber (value, digits) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '–'
    return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
  }

  function formatBytes (value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '–'
    const units = ['B', 'KB', 'MB', 'GB', 'TB']
    let unit = 0
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024
      unit++
    }
    return `${formatNumber(value, unit === 0 ? 0 : 1)} ${units[unit]}`
  }

  function formatGauge (value, unit) {
    if (unit === 'bytes') return formatBytes(value)
    if (unit === 'ms') return `${formatNumber(value, 2)} ms`
    if (unit === 'percent') return `${formatNumber(value, 1)} %`
    return formatNumber(value, 0)
  }

  function percent (part, whole) {
    return whole > 0 ? `${formatNumber((100 * part) / whole, 1)} %` : '–'
  }

  const pad = (n) => String(n).padStart(2, '0')

  /** Local time, 24 h: `14:05`, or `14:05:30` off the minute. */
  function timeLabels (_u, splits) {
    return splits.map((seconds) => {
      const date = new Date(seconds * 1000)
      const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`
      return date.getSeconds() === 0 ? hm : `${hm}:${pad(date.getSeconds())}`
    })
  }

  function chartWidth (element) {
    return Math.max(200, element.clientWidth)
  }

  /** Creates the chart on first use, then only replaces its data. */
  function draw (id, height, series, data, yLabel) {
    drawIn(id, $(id), height, series, data, yLabel, true)
  }

  function drawIn (key, element, height, series, data, yLabel, legend) {
    if (charts[key] === undefined) {
      const chart = new window.uPlot({
        width: chartWidth(element),
        height,
        scales: { x: { time: true } },
        legend: { show: legend, live: false },
        cursor: { drag: { x: false, y: false } },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.width ?? 1.5, dash: s.dash, fill: s.fill, spanGaps: s.spanGaps ?? false, points: { show: s.points === true, size: 5, fill: s.stroke } }))],
        axes: [
          { stroke: color('--muted'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') }, space: 70, values: timeLabels },
          { stroke: color('--muted'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') }, size: 56, space: height < 200 ? 18 : 30, label: yLabel, labelSize: yLabel ? 18 : 0 },
        ],
      }, data, element)
      charts[key] = { chart, element }
    } else {
      charts[key].chart.setData(data)
    }
  }

  function forget (key) {
    if (charts[key] === undefined) return
    charts[key].chart.destroy()
    delete charts[key]
  }

  function resize () {
    for (const { chart, element } of Object.values(charts)) {
      chart.setSize({ width: chartWidth(element), height: chart.height })
    }
  }

  function showRequests (data) {
    const timeline = data.timeline
    const rates = timeline.requestsPerSecond
    draw('chart-requests', 220, [
      { label: 'all', stroke: color('--text'), width: 2, fill: 'rgba(29, 36, 48, 0.06)' },
      { label: '2xx', stroke: color('--c2xx') },
      { label: '3xx', stroke: color('--c3xx') },
      { label: '4xx', stroke: color('--c4xx') },
      { label: '5xx', stroke: color('--c5xx'), width: 2 },
    ], [timeline.time, rates.total, rates['2xx'], rates['3xx'], rates['4xx'], rates['5xx']], 'req/s')

    const latency = timeline.responseTimeMs
    draw('chart-latency', 220, [
      // Points too: a bucket between two empty ones would otherwise draw nothing.
      { label: 'p50', stroke: color('--c3xx'), width: 2, points: true },
      { label: 'p90', stroke: color('--c4xx'), points: true },
      { label: 'p99', stroke: color('--c5xx'), points: true },
    ], [timeline.time, latency.p50, latency.p90, latency.p99], 'ms')
  }

  function showStatusClasses (data) {
    const { total, counts } = data.statusClasses
    $('total-requests').textContent = `${formatNumber(total, 0)} requests`
    const bar = $('share-bar')
    bar.replaceChildren()
    const rows = []
    for (const name of CLASSES) {
      const count = counts[name] ?? 0
      if (total > 0 && count > 0) {
        const part = document.createElement('span')
        part.className = `c${name}`
        part.style.width = `${(100 * count) / total}%`
        part.title = `${name}: ${percent(count, total)}`
        bar.appendChild(part)
      }
      const tr = document.createElement('tr')
      const label = document.createElement('td')
      label.appendChild(text('span', '', `swatch c${name}`))
      label.appendChild(document.createTextNode(name))
      tr.appendChild(label)
      tr.appendChild(text('td', formatNumber(count, 0), 'num'))
      tr.appendChild(text('td', percent(count, total), 'num'))
      rows.push(tr)
    }
    $('share-rows').replaceChildren(...rows)
  }

  function showControllers (data) {
    const { busiest, failing } = data.controllers
    $('busiest-rows').replaceChildren(...(busiest.length === 0
      ? [emptyRow(5, 'No requests yet')]
      : busiest.map((c) => row([
        [c.controller, 'name'],
        [formatNumber(c.requests, 0), 'num'],
        [formatNumber(c.perSecond, 2), 'num'],
        [formatNumber(c.clientErrors, 0), 'num'],
        [formatNumber(c.serverErrors, 0), 'num'],
      ]))))
    $('failing-rows').replaceChildren(...(failing.length === 0
      ? [emptyRow(4, 'No 5xx answers')]
      : failing.map((c) => row([
        [c.controller, 'name'],
        [formatNumber(c.serverErrors, 0), 'num'],
        [formatNumber(c.requests, 0), 'num'],
        [percent(c.serverErrors, c.requests), 'num'],
      ]))))
  }

  function showExceptions (data) {
    const rows = data.exceptions.map((e) => row([
      [new Date(e.at).toLocaleTimeString('en-GB'), 'mono'],
      [e.correlationId, 'mono'],
      [e.method, ''],
      [e.controller, 'name'],
      [String(e.status), 'num'],
      [e.name, 'error-name'],
      [e.message, 'message'],
    ]))
    $('exception-rows').replaceChildren(...(rows.length === 0 ? [emptyRow(7, 'No exceptions captured')] : rows))
  }

  function showProcess (data) {
    const latest = data.process.latest
    const list = $('gauges')
    const items = []
    const known = new Set()
    for (const [name, label, unit] of GAUGES) {
      known.add(name)
      if (!(name in latest)) continue
      items.push(text('dt', label), text('dd', formatGauge(latest[name], unit)))
    }
    for (const [name, value] of Object.entries(latest)) {
      if (!known.has(name)) items.push(text('dt', name), text('dd', formatGauge(value, 'count')))
    }
    if (items.length === 0) items.push(text('dt', 'No process gauges yet (sent every few seconds)'), text('dd', ''))
    list.replaceChildren(...items)

    const timeline = data.process.timeline
    const mb = (values) => values.map((v) => (v === null ? null : v / (1024 * 1024)))
    draw('chart-memory', 130, [
      { label: 'heap', stroke: color('--c3xx'), spanGaps: true, points: true },
      { label: 'RSS', stroke: color('--c2xx'), spanGaps: true, points: true },
    ], [timeline.time, mb(timeline.heapUsedBytes), mb(timeline.rssBytes)])
    draw('chart-event-loop', 130, [
      { label: 'p99', stroke: color('--c4xx'), spanGaps: true, points: true },
    ], [timeline.time, timeline.eventLoopDelayP99Ms])
  }

  function systemName (system) {
    return Object.hasOwn(SYSTEM_NAMES, system) ? SYSTEM_NAMES[system] : String(system)
  }

  function figuresRow (label, figures) {
    const latency = figures.responseTimeMs
    return row([
      [label, 'name'],
      [formatNumber(figures.queries, 0), 'num'],
      [formatNumber(figures.perSecond, 2), 'num'],
      [formatNumber(figures.errors, 0), figures.errors > 0 ? 'num failed' : 'num'],
      [formatNumber(latency.p50, 2), 'num'],
      [formatNumber(latency.p90, 2), 'num'],
      [formatNumber(latency.p99, 2), 'num'],
    ])
  }

  /** Hidden until the app has sent a query; the figures need the aggregation, the slowest queries do not. */
  function showDatabase (data) {
    const database = data.database
    const section = $('database')
    if (!database) {
      section.hidden = true
      return
    }
    const { all, bySystem, slowestQueries, other } = database
    section.hidden = all.queries === 0 && slowestQueries.length === 0 && other.count === 0
    if (section.hidden) return

    $('db-figures').hidden = !data.aggregation
    $('db-rate').textContent = `${formatNumber(all.perSecond, 2)} queries/s`
    // One system: its row alone says it all.
    const rows = bySystem.length === 1
      ? [figuresRow(systemName(bySystem[0].system), bySystem[0])]
      : [figuresRow('All', all), ...bySystem.map((s) => figuresRow(systemName(s.system), s))]
    $('db-rows').replaceChildren(...rows)

    $('query-rows').replaceChildren(...(slowestQueries.length === 0
      ? [emptyRow(8, 'No query fingerprint yet')]
      : slowestQueries.map((q) => {
        const tr = row([
          [q.fingerprint, 'statement'],
          [systemName(q.system), 'system'],
          [formatNumber(q.count, 0), 'num'],
          [formatNumber(q.totalMs, 1), 'num'],
          [formatNumber(q.meanMs, 2), 'num'],
          [formatNumber(q.p90Ms, 2), 'num'],
          [formatNumber(q.errors, 0), q.errors > 0 ? 'num failed' : 'num'],
          [formatNumber(q.rows, 0), 'num'],
        ])
        tr.firstElementChild.title = `max ${formatNumber(q.maxMs, 2)} ms`
        return tr
      })))
    const omitted = $('queries-omitted')
    omitted.hidden = !(other.fingerprints > 0 || other.count > 0)
    omitted.textContent = omitted.hidden
      ? ''
      : `${formatNumber(other.fingerprints, 0)} more fingerprints not listed: ${formatNumber(other.count, 0)} queries, ${formatNumber(other.totalMs, 1)} ms in all`
  }

  /** `'30d'` → 30 (days); null when it does not parse. */
  function windowDays (window) {
    const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(String(window))
    return match === null ? null : (Number(match[1]) * UNIT_SECONDS[match[2]]) / DAY_SECONDS
  }

  /** The SLI (a ratio) as a percentage with enough digits to tell it from a 99.9 objective. */
  function formatSli (sli) {
    if (sli === null || sli === undefined || !Number.isFinite(sli)) return '–'
    return `${formatNumber(100 * sli, 3)} %`
  }

  function budgetText (remaining) {
    if (remaining === null || remaining === undefined || !Number.isFinite(remaining)) return 'Error budget: no events yet'
    if (remaining < 0) return `Error budget overspent: ${formatNumber(100 * remaining, 1)} % (${formatNumber(100 * (1 - remaining), 1)} % of it used)`
    if (remaining === 0) return 'Error budget spent: 0 % left'
    return `Error budget left: ${formatNumber(100 * remaining, 1)} %`
  }

  function budgetLevel (remaining) {
    if (remaining === null || remaining === undefined || !Number.isFinite(remaining)) return 'none'
    if (remaining <= 0) return 'spent'
    return remaining < 0.25 ? 'low' : 'ok'
  }

  /** One SLO's card: built once per name, then only updated (its chart keeps its history). */
  function sloCard (name) {
    let card = sloCards.get(name)
    if (card !== undefined) return card
    const n = ++sloCardCount
    const root = document.createElement('article')
    root.className = 'slo'
    const title = text('h3', name, 'slo-name')
    title.id = `slo-title-${n}`
    root.setAttribute('aria-labelledby', title.id)
    const sli = text('p', '', 'slo-sli')
    const bar = document.createElement('div')
    bar.className = 'budget-bar'
    bar.setAttribute('aria-hidden', 'true')
    const fill = document.createElement('span')
    bar.appendChild(fill)
    const budget = text('p', '', 'budget-text')
    const burn = document.createElement('table')
    burn.className = 'burn'
    const head = document.createElement('tr')
    head.appendChild(text('th', 'Burn rate', 'burn-label'))
    for (const window of BURN_WINDOWS) head.appendChild(text('th', window, 'num'))
    const values = document.createElement('tr')
    values.appendChild(text('th', '× budget', 'burn-label'))
    const cells = BURN_WINDOWS.map(() => values.appendChild(text('td', '–', 'num')))
    const thead = document.createElement('thead')
    thead.appendChild(head)
    const tbody = document.createElement('tbody')
    tbody.appendChild(values)
    burn.append(thead, tbody)
    const coverage = text('p', '', 'coverage')
    const chart = document.createElement('div')
    chart.className = 'chart tiny'
    chart.setAttribute('role', 'img')
    chart.setAttribute('aria-label', 'Error budget left (%) over the last minutes, one point per poll')
    root.append(title, sli, bar, budget, burn, coverage, chart)
    card = { key: `slo-chart-${n}`, root, sli, fill, budget, cells, coverage, chart, time: [], remaining: [] }
    sloCards.set(name, card)
    return card
  }

  function showSlos (data) {
    const slos = data.slos ?? []
    const seen = new Set()
    const roots = []
    for (const slo of slos) {
      if (seen.has(slo.name)) continue
      seen.add(slo.name)
      const card = sloCard(slo.name)
      roots.push(card.root)
      card.sli.textContent = `SLI ${formatSli(slo.sli)} vs objective ${formatNumber(slo.objective, 3)} % · ${slo.window} window · ${formatNumber(slo.good, 0)} good of ${formatNumber(slo.total, 0)}`
      const remaining = slo.errorBudget ? slo.errorBudget.remaining : null
      const level = budgetLevel(remaining)
      card.fill.className = `budget-fill ${level}`
      card.fill.style.width = level === 'none' ? '0%' : level === 'spent' ? '100%' : `${Math.min(100, Math.round(1000 * remaining) / 10)}%`
      card.budget.textContent = budgetText(remaining)
      card.budget.className = `budget-text ${level}`

      const days = windowDays(slo.window)
      BURN_WINDOWS.forEach((window, i) => {
        const rate = slo.burnRates ? slo.burnRates[window] : null
        const cell = card.cells[i]
        const page = PAGE_BURN[window] === undefined || days === null ? null : PAGE_BURN[window] * days / 30
        const isNumber = rate !== null && rate !== undefined && Number.isFinite(rate)
        const overPage = isNumber && page !== null && rate > page
        const over = isNumber && rate > 1
        cell.className = overPage ? 'num burn-page' : over ? 'num burn-over' : 'num'
        cell.textContent = isNumber ? formatNumber(rate, rate < 10 ? 2 : 1) : '–'
        if (overPage) cell.appendChild(text('span', ' (above the page threshold)', 'sr-only'))
        else if (over) cell.appendChild(text('span', ' (above 1)', 'sr-only'))
        cell.title = page === null ? `${window}: 1 spends the budget exactly over the window` : `${window}: page threshold ${formatNumber(page, 2)}`
      })
      const covered = Number.isFinite(slo.coverage) ? slo.coverage : 0
      card.coverage.textContent = `Coverage: the counts cover ${formatNumber(100 * covered, 1)} % of the ${slo.window} window`
      card.coverage.className = covered < 1 ? 'coverage partial' : 'coverage'

      // The chart: one point per poll, the oldest dropped past MAX_BUDGET_POINTS.
      card.time.push(data.at / 1000)
      card.remaining.push(level === 'none' ? null : Math.round(10000 * remaining) / 100)
      if (card.time.length > MAX_BUDGET_POINTS) {
        card.time.shift()
        card.remaining.shift()
      }
    }
    for (const [name, card] of sloCards) {
      if (!seen.has(name)) {
        forget(card.key)
        sloCards.delete(name)
      }
    }
    $('slo-list').replaceChildren(...roots)
    $('slos-empty').hidden = roots.length > 0
    // Charts are drawn once their card is in the page (uPlot reads its width).
    for (const name of seen) {
      const card = sloCards.get(name)
      drawIn(card.key, card.chart, 120, [
        { label: 'budget left', stroke: color('--c3xx'), width: 2, spanGaps: true, points: true },
        { label: 'spent', stroke: color('--c5xx'), width: 1, dash: [4, 4] },
      ], [card.time, card.remaining, card.time.map(() => 0)], '%', false)
    }
    showOmitted('slos-omitted', data.omitted ? data.omitted.slos : 0, `the page lists the first ${slos.length} SLOs`)
  }

  function showOmitted (id, count, why) {
    const element = $(id)
    element.hidden = !(count > 0)
    element.textContent = count > 0 ? `${formatNumber(count, 0)} more not shown (${why})` : ''
  }

  /** `ms` as `42 s ago`, `3 min ago`, `2 h 5 min ago`, `3 d 4 h ago`. */
  function ago (ms) {
    if (!Number.isFinite(ms)) return '–'
    const seconds = Math.max(0, Math.round(ms / 1000))
    if (seconds < 60) return `${seconds} s ago`
    const minutes = Math.floor(seconds / 60)
    if (minutes < 60) return `${minutes} min ago`
    const hours = Math.floor(minutes / 60)
    if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`
    const days = Math.floor(hours / 24)
    return hours % 24 === 0 ? `${days} d ago` : `${days} d ${hours % 24} h ago`
  }

  function showAlerts (data) {
    const alerts = data.alerts ?? []
    const rows = alerts.map((a) => {
      const tr = document.createElement('tr')
      tr.className = `alert-${a.state}`
      tr.appendChild(text('td', a.name, 'name'))
      const state = document.createElement('td')
      state.appendChild(text('span', a.state, `state state-${a.state}`))
      tr.appendChild(state)
      tr.appendChild(text('td', a.severity, `severity severity-${a.severity}`))
      tr.appendChild(text('td', formatNumber(a.value, 3), 'num'))
      // Relative to the data's own clock: a skewed browser clock does not shift it.
      const since = text('td', ago(data.at - a.since), 'since')
      since.title = new Date(a.since).toLocaleString('en-GB')
      tr.appendChild(since)
      return tr
    })
    $('alert-rows').replaceChildren(...rows)
    $('alerts-table').hidden = rows.length === 0
    $('alerts-empty').hidden = rows.length > 0
    showOmitted('alerts-omitted', data.omitted ? data.omitted.alerts : 0, `the page lists ${alerts.length}, firing first`)
  }

  function showFooter (data) {
    const parts = [`${data.series.count} series (cap ${data.series.maxSeries})`]
    if (data.series.evictedSeries > 0) parts.push(`${data.series.evictedSeries} series evicted at the cap`)
    const lost = data.metricsDropped
    if (lost !== null && lost.dns + lost.socket + lost.queue_full > 0) {
      parts.push(`${lost.dns + lost.socket + lost.queue_full} StatsD lines dropped (DNS ${lost.dns}, socket ${lost.socket}, queue full ${lost.queue_full})`)
    }
    parts.push(`polled every ${POLL_MS / 1000} s`)
    $('footer').textContent = parts.join(' · ')
  }

  function setStatus (message, isError) {
    const status = $('status')
    status.textContent = message
    status.className = isError ? 'status error' : 'status'
  }

  function render (data) {
    const notice = $('notice')
    notice.hidden = data.aggregation
    if (!data.aggregation) notice.textContent = 'Aggregation is off (option "aggregation": false): only the latest exceptions are shown.'
    if (data.aggregation) {
      showRequests(data)
      showStatusClasses(data)
      showControllers(data)
      showProcess(data)
      showFooter(data)
    }
    showDatabase(data)
    showExceptions(data)
    showSlos(data)
    showAlerts(data)
    updates++
    document.body.dataset.updates = String(updates)
    setStatus(`live · updated ${new Date(data.at).toLocaleTimeString('en-GB')}`, false)
  }

  async function poll () {
    try {
      const headers = token ? { authorization: `Bearer ${token}` } : {}
      const response = await fetch(dataUrl, { headers, cache: 'no-store', credentials: 'same-origin' })
      if (response.status === 401) {
        setStatus('401: this dashboard needs its token (open the page with ?token=…)', true)
      } else if (!response.ok) {
        setStatus(`data request failed: HTTP ${response.status}`, true)
      } else {
        render(await response.json())
      }
    } catch (err) {
      setStatus(`data request failed: ${err && err.message ? err.message : String(err)}`, true)
    }
    window.setTimeout(poll, POLL_MS)
  }

  window.addEventListener('resize', resize)
  poll()
})()
