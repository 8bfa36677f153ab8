// The short human-readable table (stderr): one line per figure, ours vs baseline vs target.

const fmt = (v, unit = '') => (v === undefined || v === null || Number.isNaN(v) ? '—' : `${v}${unit}`)
const verdict = (pass) => (pass === true ? 'PASS' : pass === false ? 'MISS' : 'n/a')

export function printTable(summary) {
  const rows = [['scenario', 'figure', 'ours', 'baseline / reference', 'target', '']]
  const s = summary.scenarios
  const unusable = (name) => {
    if (s[name]?.error) rows.push([name, 'error', s[name].error.slice(0, 70), '', '', 'FAIL'])
    else if (s[name]?.skipped) rows.push([name, 'skipped', s[name].skipped.slice(0, 70), '', '', 'n/a'])
    return s[name]?.error || s[name]?.skipped
  }
  if (s.hot && !unusable('hot')) {
    const h = s.hot
    const c = h.checks ?? {}
    const rawKey = Object.keys(h.rawPresenceLoopMs).find((k) => k.startsWith('concurrency'))
    rows.push([
      'hot',
      `wall, ${h.references} cached refs`,
      fmt(h.ours?.wallMs?.median, ' ms'),
      `${fmt(h.baseline.wallMs?.median, ' ms')} baseline`,
      '≤ 1500 ms',
      verdict(c.wallTime),
    ])
    rows.push([
      'hot',
      '  with --referrers off',
      fmt(h.oursReferrersOff?.wallMs?.median, ' ms'),
      `${fmt(h.oursReferrersOff?.cacheRequests)} requests to the cache`,
      '',
      '',
    ])
    rows.push([
      'hot',
      'upstream requests per run',
      fmt(h.ours?.upstreamRequestsPerRun?.join(',')),
      `${fmt(h.baseline.upstreamRequests)} baseline`,
      '0',
      verdict(c.zeroUpstream),
    ])
    rows.push([
      'hot',
      'requests to the cache',
      fmt(h.ours?.cacheRequests),
      `${fmt(h.baseline.cacheRequests)} baseline`,
      '',
      '',
    ])
    rows.push([
      'hot',
      '÷ raw presence loop',
      fmt(h.ratioToRawLoop, '×'),
      `raw ${h.rawPresenceLoopMs.sequential.median} / ${h.rawPresenceLoopMs[rawKey]?.median} ms (seq / ${rawKey?.replace('concurrency', 'c')})`,
      '≤ 1.5×',
      verdict(c.ratio),
    ])
    rows.push([
      'hot',
      '÷ raw loop as a node process',
      fmt(h.ratioToRawLoopAsProcess, '×'),
      `raw ${fmt(h.rawPresenceLoopAsProcessMs?.median, ' ms')} (whole process)`,
      '',
      '',
    ])
  }
  if (s.cold && !unusable('cold')) {
    const c = s.cold
    rows.push([
      'cold',
      `wall, ${c.images} img × 2 × 3 MiB`,
      fmt(c.ours?.wallMs?.median, ' ms'),
      `${fmt(c.baseline.wallMs?.median, ' ms')} baseline`,
      '',
      '',
    ])
    rows.push([
      'cold',
      `speed-up at default c=${c.ours?.concurrency}`,
      fmt(c.speedup, '×'),
      '',
      '≥ 3×',
      verdict(c.pass),
    ])
    for (const [k, v] of Object.entries(c.curve?.byConcurrency ?? {})) {
      rows.push([
        'cold',
        `  concurrency ${k}`,
        fmt(v.wallMs?.median, ' ms'),
        `${fmt(v.speedupVsBaseline, '×')} vs baseline`,
        '',
        '',
      ])
    }
    for (const [k, v] of Object.entries(c.rawInProcessGetByConcurrency ?? {})) {
      if (k !== 'note')
        rows.push(['cold', `  raw in-process GET c=${k}`, '', fmt(v.wallMs?.median, ' ms'), '', ''])
    }
    const w = c.wanCurve
    if (w) {
      rows.push([
        'cold',
        `upstream at ${w.roundTripMs} ms RTT, ${w.images} img`,
        '',
        `${fmt(w.baseline.wallMs?.median, ' ms')} baseline`,
        '',
        '',
      ])
      for (const [k, v] of Object.entries(w.byConcurrency ?? {})) {
        rows.push([
          'cold',
          `  concurrency ${k}`,
          fmt(v.wallMs?.median, ' ms'),
          `${fmt(v.speedupVsBaseline, '×')} vs baseline`,
          '',
          '',
        ])
      }
      rows.push([
        'cold',
        '  cache→upstream connections',
        fmt(w.maxOpenUpstreamConnections, ' max'),
        '',
        '',
        '',
      ])
    }
    if (c.cpuBound)
      rows.push([
        'cold',
        'CPU floor (all CPU ÷ cores)',
        fmt(c.cpuBound.floorMs, ' ms'),
        `max ${c.cpuBound.maxSpeedupOnThisMachine}× here`,
        '',
        '',
      ])
  }
  if (s.extraction && !unusable('extraction')) {
    const e = s.extraction
    rows.push([
      'extraction',
      `throughput, ${e.mb} MB`,
      fmt(e.mbPerSecond, ' MB/s'),
      '',
      '≥ 10 MB/s',
      verdict(e.pass),
    ])
    rows.push([
      'extraction',
      'peak RSS, one extract() process',
      fmt(e.peakRssMbOneExtraction, ' MB'),
      `${fmt(e.peakRssMb, ' MB')} over all runs`,
      '',
      '',
    ])
  }
  if (s.rewrite && !unusable('rewrite')) {
    const w = s.rewrite
    rows.push([
      'rewrite',
      `zot, ${w.mb} MB, ${w.referencesRewritten} refs`,
      fmt(w.mbPerSecond, ' MB/s'),
      `extraction of it ${fmt(w.extractMedianSeconds, ' s')}; rewrite ${fmt(w.medianSeconds, ' s')}`,
      '',
      '',
    ])
    rows.push([
      'rewrite',
      'CPU ÷ extraction CPU',
      fmt(w.cpuRatioToExtraction, '×'),
      `${fmt(w.mbPerCpuSecond, ' MB/cpu-s')}`,
      '',
      '',
    ])
  }
  if (s.startup && !unusable('startup')) {
    const u = s.startup
    const c = u.checks ?? {}
    for (const [name, target] of [
      ['node20', '≤ 150 ms'],
      ['node24', '≤ 100 ms'],
    ]) {
      const n = u[name]
      if (!n?.actionMs) continue
      rows.push([
        'startup',
        `action, plan mode, Node ${name.slice(4)}`,
        fmt(n.actionMs.median, ' ms'),
        `bare node ${fmt(n.bareNodeMs?.median, ' ms')}`,
        target,
        verdict(c[name]),
      ])
      if (n.actionColdCompileCacheMs)
        rows.push([
          'startup',
          '  compile cache cold (fresh disk)',
          fmt(n.actionColdCompileCacheMs.median, ' ms'),
          '',
          '',
          '',
        ])
      if (n.commentingMs)
        rows.push([
          'startup',
          '  with a pull request comment',
          fmt(n.commentingMs.median, ' ms'),
          `+${fmt(n.commentAddsMs, ' ms')}`,
          '',
          '',
        ])
      rows.push([
        'startup',
        `  CLI --version / plan, Node ${name.slice(4)}`,
        `${fmt(n.cliVersionMs?.median)} / ${fmt(n.cliPlanMs?.median, ' ms')}`,
        '',
        '',
        '',
      ])
    }
    const kb = u.bundleKb ?? {}
    rows.push([
      'startup',
      'bundles: entry / all files',
      `action ${fmt(kb['dist/index.js'])} / ${fmt(kb['action, all files'])} KB`,
      `cli ${fmt(kb['dist/cli.js'])} / ${fmt(kb['cli, all files'])} KB`,
      '',
      '',
    ])
  }
  if (s.scale && !unusable('scale')) {
    const k = s.scale
    rows.push([
      'scale',
      `peak RSS, ${k.references} refs, plan`,
      fmt(k.peakRssMb?.median, ' MB'),
      '',
      '≤ 200 MB',
      verdict(k.pass),
    ])
    rows.push(['scale', 'wall', fmt(k.wallMs?.median, ' ms'), '', '', ''])
  }
  if (s.referrers && !unusable('referrers')) {
    const r = s.referrers
    const c = r.checks ?? {}
    rows.push([
      'referrers',
      `hot wall, ${r.images} signed refs`,
      fmt(r.hot.warm.wallMs?.median, ' ms'),
      `${fmt(r.hot.off.wallMs?.median, ' ms')} with --referrers off`,
      '',
      '',
    ])
    rows.push([
      'referrers',
      'hot upstream requests per run',
      fmt(r.hotUpstreamRequestsPerRun?.join(',')),
      '',
      '0',
      verdict(c.hotZeroUpstream),
    ])
    rows.push([
      'referrers',
      'hot requests to the cache',
      fmt(r.hot.warm.cacheRequests),
      `${fmt(r.hot.off.cacheRequests)} with --referrers off`,
      '',
      '',
    ])
    rows.push([
      'referrers',
      'cold extra upstream req. per image',
      fmt(r.coldExtraUpstreamRequestsPerImage),
      `${fmt(r.cold.warm.upstreamRequests)} vs ${fmt(r.cold.off.upstreamRequests)} per run`,
      '',
      '',
    ])
    rows.push([
      'referrers',
      'cold extra time per image',
      fmt(r.coldExtraMsPerImage, ' ms'),
      `${fmt(r.cold.warm.wallMs?.median, ' ms')} vs ${fmt(r.cold.off.wallMs?.median, ' ms')}`,
      '',
      verdict(c.allReferrersReported && c.everyRunOk),
    ])
  }
  if (s.crane && !unusable('crane')) {
    const k = s.crane
    const c = k.checks ?? {}
    const up = (x, name) => fmt(x?.[name]?.upstreamRequests)
    const cols = (x) =>
      `crane -P4 ${fmt(x.craneP4?.wallMs?.median, ' ms')}, ×1 ${fmt(x.crane1?.wallMs?.median, ' ms')}, seed ${fmt(x.seed?.wallMs?.median, ' ms')}`
    for (const [key, h] of Object.entries(k.hot ?? {})) {
      const [, network, size] = /^(wan|loopback)(\d+)$/.exec(key) ?? []
      rows.push([
        'crane',
        `hot ${network}, ${size} cached refs`,
        fmt(h.ours?.wallMs?.median, ' ms'),
        cols(h),
        '',
        '',
      ])
      rows.push([
        'crane',
        '  ÷ crane -P4 (× faster)',
        fmt(h.speedup?.craneP4, '×'),
        `×1 ${fmt(h.speedup?.crane1, '×')}, seed ${fmt(h.speedup?.seed, '×')}`,
        '≥ 3×',
        verdict(c[`hot${key}VsCraneP4`]),
      ])
      rows.push([
        'crane',
        '  upstream requests',
        up(h, 'ours'),
        `crane -P4 ${up(h, 'craneP4')}, ×1 ${up(h, 'crane1')}, seed ${up(h, 'seed')}`,
        '0',
        verdict(c[`hot${key}ZeroUpstream`]),
      ])
    }
    for (const [network, x] of Object.entries(k.cold ?? {})) {
      rows.push([
        'crane',
        `cold ${network}, ${x.images} × ${x.imageMiB} MiB`,
        fmt(x.ours?.wallMs?.median, ' ms'),
        cols(x),
        '',
        '',
      ])
      rows.push([
        'crane',
        '  ÷ crane -P4 / ×1 (× faster)',
        `${fmt(x.speedup?.craneP4, '×')} / ${fmt(x.speedup?.crane1, '×')}`,
        `by round ${fmt(x.speedupByRound?.craneP4, '×')} / ${fmt(x.speedupByRound?.crane1, '×')}`,
        network === 'wan' ? '≥ 1× / ≥ 2.5×' : '',
        network === 'wan' ? verdict(c.coldWanVsCraneP4 && c.coldWanVsCrane1) : '',
      ])
      rows.push([
        'crane',
        '  --referrers off',
        fmt(x.oursReferrersOff?.wallMs?.median, ' ms'),
        `${fmt(x.speedup?.oursReferrersOff, '×')} (off ÷ on)`,
        '',
        '',
      ])
      rows.push([
        'crane',
        '  upstream requests',
        up(x, 'ours'),
        `off ${up(x, 'oursReferrersOff')}, crane -P4 ${up(x, 'craneP4')}, ×1 ${up(x, 'crane1')}, seed ${up(x, 'seed')}`,
        '',
        '',
      ])
      if (x.oursConcurrency2)
        rows.push([
          'crane',
          '  concurrency 2 / 4 / 8',
          `${fmt(x.oursConcurrency2.wallMs?.median)} / ${fmt(x.ours?.wallMs?.median)} / ${fmt(x.oursConcurrency8?.wallMs?.median)} ms`,
          'default 4',
          '',
          '',
        ])
      const p = x.profile?.phasesMs
      if (p)
        rows.push([
          'crane',
          '  profile (traced run)',
          `${x.profile.wallMs} ms`,
          `start-up ${p.startupBeforeFirstRequest}, pre-flight ${p.preflight}, to 1st sync ${p.preflightToFirstSync}, syncs ${p.firstToLastSync} (${x.profile.meanSyncsInFlight} in flight), after ${p.lastSyncToLastRequest}, exit ${p.afterLastRequestToExit}`,
          '',
          '',
        ])
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)))
  const line = (r) =>
    r
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  process.stderr.write(`\n${line(rows[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`)
  for (const r of rows.slice(1)) process.stderr.write(`${line(r)}\n`)
  process.stderr.write(`(medians; load average at end ${summary.machine.loadAverageAtEnd.join(' ')})\n\n`)
}
