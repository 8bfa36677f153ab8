// runPipeline without a Zot: plan mode, registry mapping outcomes, hard failures and cancellation before
// warming. Real warming is in pipeline.int.test.ts.
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import { runPipeline } from '../src/pipeline.js'
import { tempDir } from './support/temp.js'

let ws: string

beforeAll(() => {
  ws = tempDir('zot-warm-pipeline-')
  writeFileSync(
    join(ws, 'app.yaml'),
    [
      'apiVersion: v1',
      'kind: Pod',
      'spec:',
      '  containers:',
      '    - name: a',
      '      image: nginx:1.27',
      '    - name: b',
      '      image: quay.io/team/tool:2',
      '    - name: c',
      '      image: "{{ .Values.image }}"',
      '    - name: d',
      '      image: "Bad/Name:1"',
      '    - name: e',
      '      image: docker.io/library/nginx:1.27',
      '',
    ].join('\n'),
  )
})

function recorder() {
  const lines: string[] = []
  const logger: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    group: async (name, fn) => {
      lines.push(`group ${name}`)
      return fn()
    },
    progress: (m) => lines.push(`progress ${m}`),
  }
  return { lines, logger }
}

function config(inputs: Record<string, string>) {
  return parseConfig((n) => inputs[n], { workspace: ws }).config
}

describe('runPipeline', () => {
  it('plan mode: one result per distinct reference, in extraction order, with Zot references', async () => {
    const { lines, logger } = recorder()
    const run = await runPipeline(config({ mode: 'plan', 'registry-map': 'docker.io: hub' }), { logger })
    expect(run.results.map((r) => [r.reference, r.status, r.zotReference])).toEqual([
      ['docker.io/library/nginx:1.27', 'not-attempted', 'hub/library/nginx:1.27'],
      ['quay.io/team/tool:2', 'skipped-unmapped', undefined],
      ['{{ .Values.image }}', 'unresolved', undefined],
      ['Bad/Name:1', 'invalid', undefined],
    ])
    // The two spellings of nginx are one image used twice.
    expect(run.results[0]?.sources.map((s) => s.line)).toEqual([6, 14])
    expect(run.results[2]?.error).toBeTruthy()
    expect(run.zot).toBeUndefined()
    expect(lines).toContain('group Find image references')
    expect(lines).toContain('info docker.io/library/nginx:1.27 → hub/library/nginx:1.27')
    expect(
      lines.some((l) => l.startsWith('warning 1 image from quay.io: registry not in registry-map, skipped')),
    ).toBe(true)
  })

  it('runtime-images: an operator flag is planned as a runtime source; `false` leaves it out', async () => {
    const dir = tempDir('zot-warm-pipeline-runtime-')
    writeFileSync(
      join(dir, 'operator.yaml'),
      'kind: Pod\nspec:\n  containers:\n    - name: op\n      image: quay.io/team/op:1\n      args: [--worker-image=quay.io/team/worker:1]\n',
    )
    const plan = (extra: Record<string, string>) =>
      runPipeline(parseConfig((n) => ({ mode: 'plan', ...extra })[n], { workspace: dir }).config, {
        logger: recorder().logger,
      })
    const on = await plan({})
    expect(on.results.map((r) => [r.reference, r.sources.map((s) => [s.line, s.column, s.runtime])])).toEqual(
      [
        ['quay.io/team/op:1', [[5, 14, undefined]]],
        ['quay.io/team/worker:1', [[6, 29, 'arg']]],
      ],
    )
    const off = await plan({ 'runtime-images': 'false' })
    expect(off.results.map((r) => r.reference)).toEqual(['quay.io/team/op:1'])
  })

  it('unmapped: fail turns unmapped images into failures with a fix', async () => {
    const { logger } = recorder()
    const run = await runPipeline(
      config({ mode: 'plan', 'registry-map': 'docker.io: hub', unmapped: 'fail' }),
      {
        logger,
      },
    )
    const quay = run.results.find((r) => r.reference === 'quay.io/team/tool:2')
    expect(quay).toMatchObject({ status: 'failed', error: 'registry quay.io is not in registry-map' })
    expect(quay?.diagnosis).toContain('Add "quay.io: <prefix>" to registry-map')
  })

  it('no registry map: every image keeps its upstream path', async () => {
    const { logger } = recorder()
    const run = await runPipeline(config({ mode: 'plan' }), { logger })
    expect(run.results[1]).toMatchObject({ status: 'not-attempted', zotReference: 'team/tool:2' })
  })

  it('unreachable Zot is a hard failure; every image is still accounted for', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as { port: number }).port
    await new Promise((r) => srv.close(r))
    const { lines, logger } = recorder()
    const run = await runPipeline(config({ 'zot-url': `http://127.0.0.1:${port}` }), {
      logger,
      client: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    })
    expect(run.hardFailure?.message).toContain(`127.0.0.1:${port}`)
    expect(run.results.map((r) => r.status)).toEqual([
      'not-attempted',
      'not-attempted',
      'unresolved',
      'invalid',
    ])
    expect(lines).toContain('group Connect to Zot')
    expect(lines.some((l) => l.startsWith('group Warm'))).toBe(false)
  })

  it('cancelled before Zot answers: no hard failure, the rest is not attempted, the reason is kept', async () => {
    const controller = new AbortController()
    const { logger } = recorder()
    // Cancelled once the references are found (a signal before that stops the extraction itself).
    const group = logger.group
    logger.group = (name, fn) => {
      if (name === 'Map images to Zot') controller.abort('cancelled by SIGTERM')
      return group(name, fn)
    }
    const run = await runPipeline(config({ 'zot-url': 'http://127.0.0.1:9' }), {
      logger,
      signal: controller.signal,
    })
    expect(run.hardFailure).toBeUndefined()
    expect(run.cancelled).toBe('cancelled by SIGTERM')
    expect(run.results.filter((r) => r.status === 'not-attempted')).toHaveLength(2)
  })

  it('cancelled before the start: nothing is read, the run says so and is not a success', async () => {
    const { logger } = recorder()
    const run = await runPipeline(config({ mode: 'plan' }), {
      logger,
      signal: AbortSignal.abort('cancelled by SIGTERM'),
    })
    expect(run.cancelled).toBe('cancelled by SIGTERM')
    expect(run.results).toEqual([])
    expect(run.notices).toEqual([
      {
        level: 'error',
        file: '.',
        message: 'scan stopped (cancelled by SIGTERM) while listing the files: nothing was read',
      },
    ])
  })
})
