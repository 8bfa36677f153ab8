// Runtime images (src/extract/runtime.ts): what operators start later, passed as container flags or env.
// The rules one by one, then the corpus (`fixtures/extract/corpus/runtime/`) as a whole: every runtime source
// sits at the reference's own first character, its span holds exactly the reference, no decoy is taken, and
// `runtime: false` turns it all off. Exact rows for the corpus are in extract-corpus.test.ts.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Prescanner, splitDocuments } from '../src/extract/documents.js'
import { Extractor, extract } from '../src/extract/index.js'
import { LineIndex } from '../src/extract/lines.js'
import { pruneDocument, pruneJson } from '../src/extract/prune.js'
import { formatReference, parseReference } from '../src/extract/reference.js'
import {
  envImage,
  flagImages,
  isImageEnvName,
  KNOWN_FLAGS,
  RUNTIME_TEXT,
  runtimeFinding,
} from '../src/extract/runtime.js'
import type { Extraction, Source } from '../src/model.js'

const CORPUS = fileURLToPath(new URL('./fixtures/extract/corpus', import.meta.url))
const H64 = 'a'.repeat(64)

const keysOf = (items: (string | undefined)[]) =>
  flagImages(items).map((f) => [f.index, f.flag, f.text, f.finding.key])

describe('flags', () => {
  it('takes --NAME=REF and --NAME REF where NAME spells image, with one or two dashes', () => {
    expect(
      keysOf([
        '--x-image=quay.io/a/b:1',
        '--executor-image',
        'quay.io/argoproj/argoexec:v3.5.10',
        '-entrypoint-image',
        `gcr.io/t/entrypoint@sha256:${H64}`,
        '-sidecarImage=ghcr.io/c/d:2',
        '--OPERAND_IMAGE=localhost:5000/e:3',
      ]),
    ).toEqual([
      [0, '--x-image', 'quay.io/a/b:1', 'quay.io/a/b:1'],
      [2, '--executor-image', 'quay.io/argoproj/argoexec:v3.5.10', 'quay.io/argoproj/argoexec:v3.5.10'],
      [4, '-entrypoint-image', `gcr.io/t/entrypoint@sha256:${H64}`, `gcr.io/t/entrypoint@sha256:${H64}`],
      [5, '-sidecarImage', 'ghcr.io/c/d:2', 'ghcr.io/c/d:2'],
      [6, '--OPERAND_IMAGE', 'localhost:5000/e:3', 'localhost:5000/e:3'],
    ])
  })

  it('takes a known flag without the word image, and its Docker Hub short names and bare repositories', () => {
    expect(
      keysOf([
        '--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
        '--engine-image',
        'longhornio/longhorn-engine:v1.7.2',
        '-gsutil-image',
        'google/cloud-sdk',
        '--config-reloader-image=jimmidyson/configmap-reload:v0.3.0',
      ]),
    ).toEqual([
      [
        0,
        '--prometheus-config-reloader',
        'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
        'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
      ],
      [
        2,
        '--engine-image',
        'longhornio/longhorn-engine:v1.7.2',
        'docker.io/longhornio/longhorn-engine:v1.7.2',
      ],
      [4, '-gsutil-image', 'google/cloud-sdk', 'docker.io/google/cloud-sdk:latest'],
      [
        5,
        '--config-reloader-image',
        'jimmidyson/configmap-reload:v0.3.0',
        'docker.io/jimmidyson/configmap-reload:v0.3.0',
      ],
    ])
  })

  const decoys: [string, (string | undefined)[]][] = [
    ['no registry host', ['--default-image=busybox:1.36', '--sidecar-image', 'nginx:1.27']],
    ['a user/repo without registry', ['--worker-image=example/worker:1.0']],
    ['a pull policy', ['--image-pull-policy=Always', '--image-pull-policy', 'IfNotPresent']],
    ['a tag', ['--image-tag=v1.2', '--image-tag', '1.2']],
    ['a registry alone', ['--image-registry=quay.io', '--image-registry=quay.io:443']],
    ['a repository without tag or digest', ['--image-repository=quay.io/foo', '--base-image', 'ghcr.io/a/b']],
    ['URLs', ['--image-registry-url=https://quay.io/v2/', '--image-index', 'http://images.example.com/x:1']],
    ['run-time and template variables', ['--image=$(RELATED_IMAGE_X)', '--helper-image={{ .Values.image }}']],
    ['lists and spaces', ['--image-list=quay.io/a/b:1,quay.io/c/d:2', '--image quay.io/one/item:1.0']],
    ['pictures', ['--thumbnail-image=logo.png', '--logo-image=static.example.com/logo.png']],
    ['flags without image in the name', ['--kubelet-service=kube-system/kubelet', '--config=quay.io/a/b:1']],
    ['the value of a flag that is another flag', ['--foo-image', '--bar=quay.io/a/b:1']],
    ['operands after --', ['--', '--late-image=quay.io/a/b:1']],
    ['not flags', ['quay.io/a/b:1', 'image=quay.io/a/b:1', '-', '--', '---image=quay.io/a/b:1']],
    ['odd flag names', ['--=quay.io/a/b:1', '--x image=quay.io/a/b:1', '--.image=quay.io/a/b:1']],
    ['items that are not strings', [undefined, '--x-image', undefined, '--y-image']],
    ['an empty value', ['--x-image=', '--y-image', '']],
  ]
  it.each(decoys)('rejects %s', (_name, items) => {
    expect(flagImages(items)).toEqual([])
  })

  it('never throws and takes only what the rules allow, whatever the items', () => {
    const piece = fc.constantFrom(
      '-',
      '--',
      '=',
      'image',
      'IMAGE',
      'prometheus-config-reloader',
      'engine-image',
      'quay.io',
      'localhost',
      ':5000',
      '/',
      'a',
      ':1',
      '@sha256:',
      H64,
      ' ',
      '{{',
      '$(',
    )
    const item = fc.option(
      fc.array(piece, { maxLength: 8 }).map((a) => a.join('')),
      { nil: undefined },
    )
    fc.assert(
      fc.property(fc.array(item, { maxLength: 8 }), (items) => {
        for (const f of flagImages(items)) {
          const ref = parseReference(f.text)
          expect(formatReference(ref)).toBe(f.finding.key)
          const name = f.flag.replace(/^--?/, '')
          if (!KNOWN_FLAGS.has(name)) {
            expect(name).toMatch(/image|Image|IMAGE/)
            expect(f.text).toMatch(/^(?:localhost|[^/]*[.:][^/]*)\//)
          }
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('finds its flags in linear time: a long adversarial item is one pass (no backtracking blow-up)', () => {
    // Not timed: a super-linear pattern would not finish at this size within the test's limit.
    const long = `--${'image-'.repeat(200_000)}=${'a.'.repeat(200_000)}`
    expect(flagImages([long, `-${'-'.repeat(100_000)}`, `--x-image=${'a/'.repeat(200_000)}:1`])).toEqual([])
    expect([...'IMAGE'.repeat(100_000).matchAll(RUNTIME_TEXT)]).toHaveLength(100_000)
  })
})

describe('env', () => {
  it('names: *_IMAGE and *_IMAGE_* (so RELATED_IMAGE_*), nothing else', () => {
    const yes = ['RELATED_IMAGE_POSTGRES', 'OPERATOR_IMAGE', 'POOLER_IMAGE_V2', 'X_IMAGE', 'A_IMAGE_']
    const no = [
      'IMAGE',
      'IMAGE_TAG',
      '_IMAGE',
      'IMAGES',
      'RELATED_IMAGES',
      'IMAGEPULLPOLICY',
      'my image',
      'x_image',
    ]
    expect(yes.filter(isImageEnvName)).toEqual(yes)
    expect(no.filter(isImageEnvName)).toEqual([])
  })

  it('values: a complete reference with its registry', () => {
    expect(envImage('RELATED_IMAGE_A', `registry.example.com/a@sha256:${H64}`)?.key).toBe(
      `registry.example.com/a@sha256:${H64}`,
    )
    expect(envImage('IMAGE_TAG', '1.2')).toBeUndefined()
    expect(envImage('OPERAND_IMAGE_PULL_POLICY', 'Always')).toBeUndefined()
    expect(envImage('BASE_IMAGE', 'alpine:3.20')).toBeUndefined()
    expect(envImage('RELATED_IMAGE_BASE', 'registry.example.com/a')).toBeUndefined()
    expect(envImage('REGISTRY_IMAGE_URL', 'https://quay.io')).toBeUndefined()
    expect(envImage('WORKER', 'quay.io/a/b:1')).toBeUndefined()
  })
})

describe('what counts as a complete reference', () => {
  it.each([
    ['quay.io/a/b:1', true],
    ['docker.io/library/nginx:1.27', true],
    ['localhost/a:1', true],
    ['localhost:5000/a:1', true],
    ['[::1]:5000/a:1', true],
    [`registry.example.com/a@sha256:${H64}`, true],
    [`registry.example.com/a:1@sha256:${H64}`, true],
    ['nginx:1.27', false],
    ['library/nginx:1.27', false],
    ['registry/a:1', false],
    ['quay.io/a/b', false],
    ['quay.io', false],
    ['quay.io:443', false],
    ['https://quay.io/a:1', false],
    ['quay.io/a/b:', false],
    ['quay.io/A/b:1', false],
    ['{{ .Values.image }}', false],
  ])('%s → %s', (text, ok) => {
    expect(runtimeFinding(text, false) !== undefined).toBe(ok)
  })

  it('a known flag takes any valid reference, as an image field would', () => {
    expect(runtimeFinding('busybox', true)?.key).toBe('docker.io/library/busybox:latest')
    expect(runtimeFinding('Not/Valid', true)).toBeUndefined()
    expect(runtimeFinding('$(IMG)', true)).toBeUndefined()
  })
})

/** The decoded file text (with its BOM) and each runtime source of the corpus. */
function runtimeSources(ex: Extraction) {
  return ex.images.flatMap((img) =>
    img.sources.filter((s) => s.runtime).map((s) => ({ key: img.key, source: s as Source })),
  )
}

describe('the runtime corpus', async () => {
  const ex = await extract({ workspace: CORPUS, paths: ['.'] })
  const sources = runtimeSources(ex)

  it('finds the operators’ runtime images: flags, env, in every corpus shape', () => {
    const byFile = (f: string) => sources.filter((s) => s.source.file === f).map((s) => s.key)
    expect(byFile('runtime/prometheus-operator.yaml').sort()).toEqual([
      'docker.io/jimmidyson/configmap-reload:v0.3.0',
      'mirror.example.com:5000/prometheus-operator/prometheus-config-reloader:v0.76.0',
      'quay.io/coreos/prometheus-config-reloader:v0.38.1',
      'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
    ])
    expect(byFile('runtime/olm-operator.yaml').sort()).toEqual([
      'docker.io/dbteam/pooler:1.22',
      'ghcr.io/dbteam/exporter:0.15.1',
      'registry.example.com/dbteam/backup:2.4.0',
      `registry.example.com/dbteam/postgres@sha256:1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d`,
    ])
    expect(byFile('runtime/decoys.yaml')).toEqual([])
    expect(sources.length).toBe(39)
  })

  it('every span holds exactly the reference, and starts where line:column says', () => {
    let spans = 0
    for (const { key, source } of sources) {
      const text = readFileSync(join(CORPUS, source.file), 'utf8')
      const lines = new LineIndex(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
      if (!source.span) continue
      spans++
      const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0
      const written = text.slice(source.span.start, source.span.end)
      expect(formatReference(parseReference(written)), `${source.file}:${source.line}`).toBe(key)
      expect(lines.position(source.span.start - bom), written).toEqual({
        line: source.line,
        column: source.column,
      })
    }
    // Without a span: an escape inside the reference, alias uses (each says why).
    expect(sources.length - spans).toBe(3)
    for (const { source } of sources) expect(source.span === undefined).toBe(source.unwritable !== undefined)
  })

  it('points at the reference even where it cannot be replaced in place', () => {
    const at = (name: string) =>
      sources
        .filter((s) => s.source.file === 'runtime/positions.yaml' && s.source.runtimeName === name)
        .map((s) => [s.source.line, s.source.column, s.source.span === undefined, s.source.unwritable])
    expect(at('--escaped-value-image')).toEqual([[15, 34, true, 'written with escapes inside double quotes']])
    // An escape in the flag's name only: the reference itself is written as is.
    expect(at('--escaped-name-image')).toEqual([[14, 36, false, undefined]])
    // One-line block scalars: the line's text is the value.
    expect(at('--literal-image')).toEqual([[17, 27, false, undefined]])
    expect(at('--folded-image')).toEqual([[19, 26, false, undefined]])
    // Through an alias: the alias use site (the container that uses it), the anchored text in aliasOf.
    expect(at('--anchored-image')).toEqual([
      [29, 28, false, undefined],
      [35, 13, true, 'reached through the alias *args'],
    ])
    expect(at('ALIAS_USE_IMAGE')).toEqual([[32, 18, true, 'reached through the alias *shared']])
    const anchored = sources.find((s) => s.source.line === 35)?.source
    const text = readFileSync(join(CORPUS, 'runtime/positions.yaml'), 'utf8')
    expect(text.slice(anchored?.aliasOf?.start, anchored?.aliasOf?.end)).toBe('ghcr.io/example/anchored:1.0')
  })

  it('no span when an escape reaches into text that only looks literal', () => {
    // `3\x33` decodes to `33`: the last 9 characters written equal the reference, but are not it.
    const yaml =
      'kind: Pod\nspec:\n  containers:\n    - image: ghcr.io/a/b:1\n      args: ["--x-image=3\\x33.io/x:1", "--y-image=\\x33.io/y:1"]\n'
    const ex = new Extractor()
    ex.addText(yaml, 'a.yaml')
    const [x, y] = runtimeSources(ex.result()).map((s) => s.source)
    expect(yaml.slice(yaml.indexOf('3\\x33'), yaml.indexOf('3\\x33') + 9)).toBe('3\\x33.io/')
    // After the literally written `--x-image=`, where the written reference starts.
    expect([x?.line, x?.column, x?.span, x?.unwritable]).toEqual([
      5,
      25,
      undefined,
      'written with escapes inside double quotes',
    ])
    expect([y?.line, y?.column, y?.span]).toEqual([5, 51, undefined])
  })

  it('runtime: false takes none of them, and nothing else changes', async () => {
    const off = await extract({ workspace: CORPUS, paths: ['.'], runtime: false })
    expect(runtimeSources(off)).toEqual([])
    const plain = (e: Extraction) =>
      e.images
        .flatMap((i) => i.sources.filter((s) => !s.runtime).map((s) => `${i.key} ${s.file}:${s.line}`))
        .sort()
    expect(plain(off)).toEqual(plain(ex))
  })
})

describe('the speed tricks keep runtime images', () => {
  const patch =
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: op\nspec:\n  template:\n    spec:\n      containers:\n        - name: op\n          args:\n            - --prometheus-config-reloader=quay.io/p/r:1\n'
  it('a document whose only image is a known flag is parsed, not skipped', () => {
    const [slice] = splitDocuments(patch)
    expect(new Prescanner(patch).check(slice as never)).toBe('parse')
    const ex = new Extractor()
    ex.addText(patch, 'patch.yaml')
    expect(ex.result().images.map((i) => i.key)).toEqual(['quay.io/p/r:1'])
  })

  it('keeps env entries naming an image whole (their value line has no marker), drops the others', () => {
    const yaml =
      'kind: Pod\nspec:\n  containers:\n    - image: x\n      env:\n        - name: RELATED_IMAGE_A\n          value: q.io/a:1\n      resources:\n        limits: {cpu: 1}\n    - image: y\n      env:\n        - name: LOG_LEVEL\n          value: debug\n'
    expect(pruneDocument(yaml, 0, yaml.length, 0)?.text).toBe(
      'kind: Pod\nspec:\n  containers:\n    - image: x\n      env:\n        - name: RELATED_IMAGE_A\n          value: q.io/a:1\n    - image: y\n',
    )
    const json = JSON.stringify({
      kind: 'Pod',
      spec: {
        containers: [
          { image: 'x', env: [{ name: 'RELATED_IMAGE_A', value: 'q.io/a:1' }], resources: { cpu: 1 } },
          { image: 'y', env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
        ],
      },
    })
    const kept = JSON.parse((pruneJson(json, 0)?.text ?? '').replace(/,(\s*[}\]])/g, '$1'))
    expect(kept.spec.containers).toEqual([
      { image: 'x', env: [{ name: 'RELATED_IMAGE_A', value: 'q.io/a:1' }] },
      { image: 'y' },
    ])
  })
})

describe('bad input around runtime images', () => {
  const run = (yaml: string) => {
    const ex = new Extractor()
    ex.addText(yaml, 'bad.yaml')
    const slow = new Extractor()
    slow.addText(yaml, 'bad.yaml', { prescan: false })
    const result = ex.result()
    expect(result).toEqual(slow.result())
    return result
  }
  const container = (body: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: ghcr.io/ok/c:1\n${body}`
  const cases: [string, string][] = [
    ['args as a string', '      args: --x-image=quay.io/a/b:1\n'],
    ['args as a mapping', '      args: {--x-image: quay.io/a/b:1}\n'],
    ['args items that are lists and maps', '      args: [[--x-image=quay.io/a/b:1], {a: b}, 12, null]\n'],
    ['env as a mapping', '      env: {RELATED_IMAGE_A: quay.io/a/b:1}\n'],
    ['env items that are not mappings', '      env: [RELATED_IMAGE_A, [x], 1]\n'],
    [
      'env value a number, a list, null',
      '      env:\n        - {name: A_IMAGE, value: 12}\n        - {name: B_IMAGE, value: [quay.io/a/b:1]}\n        - {name: C_IMAGE, value: null}\n',
    ],
    ['env without a name', '      env:\n        - value: quay.io/a/b:1\n'],
    ['env name that is a list', '      env:\n        - {name: [RELATED_IMAGE_A], value: quay.io/a/b:1}\n'],
    ['env name from an unknown alias', '      env:\n        - {name: *nope, value: quay.io/a/b:1}\n'],
  ]
  it.each(cases)('%s: nothing taken, the container image still found', (_name, body) => {
    const result = run(container(body))
    expect(result.images.map((i) => [i.key, i.status])).toEqual([['ghcr.io/ok/c:1', 'ok']])
  })

  it('an unknown alias gets its warning with file:line, and the rest is read', () => {
    const result = run(container('      env:\n        - {name: *nope, value: quay.io/a/b:1}\n'))
    expect(result.notices).toEqual([
      expect.objectContaining({
        level: 'warning',
        file: 'bad.yaml',
        line: 10,
        message: expect.stringContaining('*nope'),
      }),
    ])
  })

  it('a thousand flags and env entries in one container: every one found once, at its line', () => {
    let body = '      args:\n'
    for (let i = 0; i < 1000; i++) body += `        - --worker-${i}-image=quay.io/w/worker-${i}:1\n`
    body += '      env:\n'
    for (let i = 0; i < 1000; i++)
      body += `        - name: RELATED_IMAGE_${i}\n          value: quay.io/e/env-${i}:1\n`
    const result = run(container(body))
    const runtime = runtimeSources(result)
    expect(runtime).toHaveLength(2000)
    expect(runtime[0]?.source).toMatchObject({ line: 10, column: 28, field: 'spec.containers[0].args[0]' })
    expect(runtime[1999]?.source).toMatchObject({
      line: 9 + 1000 + 1 + 2 * 1000,
      column: 18,
      field: 'spec.containers[0].env[RELATED_IMAGE_999]',
    })
  })
})
