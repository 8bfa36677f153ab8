// vitest glue for zot.ts (kept apart so the demo and the benchmark can use zot.ts without vitest).
import { afterAll, afterEach, beforeEach } from 'vitest'
import { printLines, recentZots, runningZots, stopAllZot, type ZotServer } from './zot.js'

/**
 * Call once at the top of an integration test file (or inside a describe):
 * - when a test fails, prints what each Zot logged during that test: servers running when it began (e.g.
 *   started in beforeAll) and servers the test itself started, even if it stopped them again;
 * - after all tests, stops every Zot still running (also when a test failed or a hook threw).
 */
export function zotTestHooks(opts: { lines?: number } = {}): void {
  const maxLines = opts.lines ?? 200
  let marks = new Map<ZotServer, number>()
  let known = new Set<ZotServer>()

  beforeEach(() => {
    marks = new Map(runningZots().map((s) => [s, s.logMark()]))
    known = new Set(recentZots())
  })

  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return
    for (const s of recentZots()) {
      const mark = marks.get(s)
      if (mark !== undefined)
        printLines(s, s.logSince(mark).slice(-maxLines), `log during "${ctx.task.name}"`)
      else if (!known.has(s))
        printLines(s, s.logLines().slice(-maxLines), `log (started by "${ctx.task.name}")`)
    }
  })

  afterAll(async () => {
    await stopAllZot()
  })
}
