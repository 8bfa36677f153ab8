// Runtime images end to end against a real upstream + cache Zot: an operator Deployment whose config reloader
// is a flag and whose agent is a RELATED_IMAGE_* env value. Warming makes Zot hold all of them (so the pods
// the operator starts later pull from the cache), the repository-only base-image flag is not taken (it would
// fail a strict run: the upstream has no `latest`), and `runtime-images: false` warms the container image only.
// Last, the action bundle as a runner starts it, for the annotation a missing runtime image gets.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import { runPipeline } from '../src/pipeline.js'
import { planAnnotations } from '../src/report/annotations.js'
import { decideOutcome } from '../src/report/outcome.js'
import { renderTable } from '../src/report/table.js'
import { type PushedImage, pushImages } from './support/images.js'
import { githubEnv, newRunDir, node24, runBundle } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

let upstream: ZotServer
let cache: ZotServer
let agent: PushedImage
let ws: string

const logger: Logger = {
  info: () => {},
  warning: () => {},
  debug: () => {},
  group: async (_name, fn) => fn(),
  progress: () => {},
}

beforeAll(async () => {
  upstream = await startZot({ name: 'upstream' })
  cache = await startZot({ name: 'cache', upstreams: [{ url: upstream.url, destination: 'ops' }] })
  const pushed = await pushImages(upstream.registry(), [
    { repo: 'op/operator', tag: '1.0', kind: 'oci' },
    { repo: 'op/config-reloader', tag: '0.76', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
    { repo: 'op/agent', tag: '2.1', kind: 'oci' },
    // The base the operator appends its own tag to: no `latest` exists upstream.
    { repo: 'op/prometheus', tag: 'v2.54.1', kind: 'oci' },
  ])
  agent = pushed[2] as PushedImage
  ws = tempDir('zot-warm-runtime-int-')
  writeFileSync(
    join(ws, 'operator.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: op, namespace: monitoring}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: operator',
      '          image: registry.example.com/op/operator:1.0',
      '          args:',
      '            - --prometheus-config-reloader=registry.example.com/op/config-reloader:0.76',
      '            - --prometheus-default-base-image=registry.example.com/op/prometheus',
      '          env:',
      '            - name: RELATED_IMAGE_AGENT',
      `              value: registry.example.com/op/agent@${agent.digest}`,
      '',
    ].join('\n'),
  )
})

const config = (inputs: Record<string, string>) =>
  parseConfig((n) => ({ 'zot-url': cache.url, 'registry-map': 'registry.example.com: ops', ...inputs })[n], {
    workspace: ws,
  }).config

/** Whether the cache serves the manifest without asking the upstream (HEAD on its own storage). */
async function inCache(repo: string, ref: string): Promise<boolean> {
  const res = await fetch(`${cache.url}/v2/ops/${repo}/manifests/${ref}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
    },
  })
  return res.status === 200
}

describe('runtime images with a real Zot', () => {
  it('runtime-images: false warms the container image only', async () => {
    const run = await runPipeline(config({ 'runtime-images': 'false' }), { logger })
    expect(run.results.map((r) => [r.reference, r.status])).toEqual([
      ['registry.example.com/op/operator:1.0', 'warmed'],
    ])
  })

  it('warms the flag and env images too; a strict run passes (the base-image flag is not taken)', async () => {
    const run = await runPipeline(config({}), { logger })
    expect(
      run.results.map((r) => [r.reference, r.status, r.sources.map((s) => s.runtime ?? 'image')]),
    ).toEqual([
      ['registry.example.com/op/operator:1.0', 'cached', ['image']],
      ['registry.example.com/op/config-reloader:0.76', 'warmed', ['arg']],
      [`registry.example.com/op/agent@${agent.digest}`, 'warmed', ['env']],
    ])
    expect(decideOutcome(run).exitCode).toBe(0)
    const reloader = run.results[1]
    expect(reloader?.platforms).toEqual(['linux/amd64', 'linux/arm64'])
    expect(reloader?.sources[0]).toMatchObject({
      line: 11,
      column: 44,
      field: 'spec.template.spec.containers[0].args[0]',
      runtimeName: '--prometheus-config-reloader',
    })
    expect(renderTable(run.results)).toMatch(/ operator\.yaml:11 \(rt\)$/m)
    // Zot now holds them: the operator's pods pull from the cache.
    expect(await inCache('op/config-reloader', '0.76')).toBe(true)
    expect(await inCache('op/agent', agent.digest)).toBe(true)
    expect(await inCache('op/prometheus', 'latest')).toBe(false)
  })

  it('rewrite: zot rewrites the reference inside --flag=REF and the env value, nothing else', async () => {
    const run = await runPipeline(
      config({ rewrite: 'zot', 'rewrite-output': 'out', paths: 'operator.yaml' }),
      {
        logger,
      },
    )
    expect(decideOutcome(run).exitCode).toBe(0)
    expect(run.rewrite).toMatchObject({ written: true, rewritten: 3, left: [] })
    const digestOf = (ref: string) => run.results.find((r) => r.reference === ref)?.digest
    const reloader = digestOf('registry.example.com/op/config-reloader:0.76')
    const operator = digestOf('registry.example.com/op/operator:1.0')
    const before = readFileSync(join(ws, 'operator.yaml'), 'utf8')
    const after = readFileSync(join(ws, 'out', 'operator.yaml'), 'utf8')
    expect(after).toBe(
      before
        .replace(
          'image: registry.example.com/op/operator:1.0',
          `image: ${cache.host}/ops/op/operator:1.0@${operator}`,
        )
        .replace(
          '--prometheus-config-reloader=registry.example.com/op/config-reloader:0.76',
          `--prometheus-config-reloader=${cache.host}/ops/op/config-reloader:0.76@${reloader}`,
        )
        .replace(
          `value: registry.example.com/op/agent@${agent.digest}`,
          `value: ${cache.host}/ops/op/agent@${agent.digest}`,
        ),
    )
    expect(after).toContain('--prometheus-default-base-image=registry.example.com/op/prometheus\n')
    rmSync(join(ws, 'out'), { recursive: true })
  })

  it('a runtime image missing upstream fails the strict run, annotated at the flag as a runtime image', async () => {
    writeFileSync(
      join(ws, 'missing.yaml'),
      'kind: Pod\nspec:\n  containers:\n    - name: op\n      image: registry.example.com/op/operator:1.0\n      args: [--worker-image=registry.example.com/op/worker:9.9]\n',
    )
    try {
      const run = await runPipeline(config({ mode: 'check', paths: 'missing.yaml' }), { logger })
      expect(run.results.map((r) => [r.reference, r.status])).toEqual([
        ['registry.example.com/op/operator:1.0', 'cached'],
        ['registry.example.com/op/worker:9.9', 'failed'],
      ])
      expect(decideOutcome(run).exitCode).toBe(2)
      const [note] = planAnnotations(run)
      expect(note).toMatchObject({ file: 'missing.yaml', line: 6, column: 29, level: 'error' })
      expect(note?.message).toContain('(runtime: arg --worker-image: the workload starts this image later)')
    } finally {
      rmSync(join(ws, 'missing.yaml'))
    }
  })

  it('the action bundle as a runner starts it: a missing solver image fails the step, annotated at its column', async () => {
    // cert-manager's shape: the flags in a flow sequence, the solver image after `=` deep in the line.
    writeFileSync(
      join(ws, 'cert-manager.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: {name: cert-manager}',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: controller',
        '          image: registry.example.com/op/operator:1.0',
        '          args: ["--v=2", "--acme-http01-solver-image=registry.example.com/op/acmesolver:1.16", "--max-concurrent-challenges=60"]',
        '',
      ].join('\n'),
    )
    try {
      for (const strict of ['true', 'false']) {
        const dir = newRunDir()
        const run = await runBundle({
          node: node24(),
          script: 'dist/index.js',
          dir,
          env: githubEnv(dir, ws),
          inputs: {
            paths: 'cert-manager.yaml',
            'zot-url': cache.url,
            'registry-map': 'registry.example.com: ops',
            mode: 'check',
            strict,
          },
        })
        expect(run.code, run.stdout).toBe(strict === 'true' ? 2 : 0)
        const notes = run.commands.filter((c) => c.props.file === 'cert-manager.yaml')
        expect(notes).toHaveLength(1)
        expect(notes[0]).toMatchObject({
          command: strict === 'true' ? 'error' : 'warning',
          props: { file: 'cert-manager.yaml', line: '10', col: '55' },
        })
        expect(notes[0]?.message).toMatch(
          /^registry\.example\.com\/op\/acmesolver:1\.16 failed: .*\(runtime: arg --acme-http01-solver-image: the workload starts this image later\)$/,
        )
        expect(run.summary).toContain('cert-manager.yaml:10 (runtime: arg --acme-http01-solver-image)')
        expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/)
      }
    } finally {
      rmSync(join(ws, 'cert-manager.yaml'))
    }
  })
})
