// The speed tricks (documents.ts: cut and skip documents; prune.ts: drop entries inside documents) must not
// change what is found. Generated YAML in every style the `yaml` library can write — flow and block, every
// scalar style, folded long lines, compact sequences, anchors and aliases, merge keys, CRLF — and generated
// JSON are read with and without them; references, positions and notices must be identical.

import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Document, isMap, isSeq, type Node, visit, type YAMLMap } from 'yaml'
import { Extractor } from '../src/extract/index.js'
import { LineIndex } from '../src/extract/lines.js'
import { pruneDocument, pruneJson } from '../src/extract/prune.js'
import { formatReference, parseReference } from '../src/extract/reference.js'
import type { Extraction } from '../src/model.js'
import { writeCorpus } from './support/corpus.mjs'
import { tempDir } from './support/temp.js'

/** The same text read with the tricks (pruning whenever anything can be dropped) and without them. */
function both(text: string, file: string) {
  const fast = new Extractor()
  fast.addText(text, file, { minGain: 0 })
  const slow = new Extractor()
  slow.addText(text, file, { prescan: false })
  return { fast: fast.result(), slow: slow.result() }
}

// Text that looks like YAML structure when it ends up on a line of its own (folded scalars, block scalars).
const tricky = fc.constantFrom(
  'image: inside-a-string:1',
  'key: value',
  '- item',
  '# not a comment',
  '  indented: text',
  '"quoted"',
  "it's",
  'a\\b',
  '[x, y]',
  '{a: b}',
  'line\nbreak: here\n- dash',
  'tab\there',
  '---',
  '...',
  '&anchor *alias',
  '<<: merge',
  'nginx:1.27',
  `ghcr.io/x/y@sha256:${'a'.repeat(64)}`,
  // Image text that names no runtime image (pruned), and text that may (kept).
  'Container Image to run',
  'quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0',
  '{"spec":{"containers":[{"image":"nginx:1.26","args":["--x-image=quay.io/a/x:1"]}]}}',
  'RELATED_IMAGE_X=quay.io/r/x:1',
)
const word = fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'x', 'y', 'z')
const text = fc.oneof(
  tricky,
  word,
  fc.array(fc.oneof(tricky, word), { minLength: 2, maxLength: 6 }).map((a) => a.join(' ')),
)
const imageValue = fc.oneof(
  fc.constantFrom('nginx:1.27', 'ghcr.io/a/b:1', 'Bad/Image', '{{ .Values.image }}', '', 'quay.io/x/y:2'),
  text,
)
// Container flags and env in the shapes runtime images take (runtime.ts), and their decoys.
const arg = fc.oneof(
  text,
  fc.constantFrom(
    '--worker-image=quay.io/a/worker:1',
    '--prometheus-config-reloader=quay.io/p/reloader:2',
    '--engine-image',
    'longhornio/engine:3',
    '-shell-image',
    `cgr.dev/c/busybox@sha256:${'b'.repeat(64)}`,
    '--image-pull-policy=Always',
    '--default-image=busybox:1',
    '--',
    '--baseImage=quay.io/b/base:1',
    '--IMAGE=quay.io/u/up:1',
    '-x.y_image=quay.io/d/dot:1',
    '---triple-image=quay.io/t/t:1',
    'prometheus-config-reloader=quay.io/p/np:1',
    '--config=/etc/Image.conf',
    'x--engine-image=quay.io/n/n:1',
  ),
)
const envEntry = fc.oneof(
  fc.record({
    name: fc.constantFrom(
      'RELATED_IMAGE_DB',
      'SIDECAR_IMAGE',
      'IMAGE_TAG',
      'LOG_LEVEL',
      'X_IMAGE_V2',
      '_IMAGE',
      'IMAGE',
      'related_image_db',
      'A__IMAGE',
    ),
    value: fc.oneof(
      imageValue,
      fc.constantFrom('registry.example.com/db/pg:16', 'ghcr.io/s/sidecar:1', '1.2'),
    ),
  }),
  fc.record({
    name: fc.constantFrom('RELATED_IMAGE_CM', 'POD_NAME'),
    valueFrom: fc.record({ fieldRef: fc.record({ fieldPath: fc.constant('metadata.name') }) }),
  }),
)
const key = fc.constantFrom(
  'image',
  'name',
  'args',
  'env',
  'labels',
  'value',
  'command',
  'x-extra',
  'imageName',
  'data',
  'status',
)

const leaf: fc.Arbitrary<unknown> = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null))
const tree = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('map'),
    tie('seq'),
    tie('container'),
  ),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  seq: fc.array(tie('node'), { maxLength: 3 }),
  container: fc.record({ name: word, image: imageValue, args: fc.array(text, { maxLength: 3 }) }),
}))
const object = fc.record(
  {
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'example.com/v1', 'postgresql.cnpg.io/v1'),
    kind: fc.constantFrom(
      'Pod',
      'Deployment',
      'ConfigMap',
      'Secret',
      'Widget',
      'Service',
      'Cluster',
      'CustomResourceDefinition',
    ),
    metadata: fc.record({ name: word, annotations: fc.dictionary(key, text, { maxKeys: 2 }) }),
    spec: fc.record({
      imageName: fc.option(imageValue, { nil: undefined }),
      template: fc.record({
        spec: fc.record({
          containers: fc.array(
            fc.record({
              name: word,
              image: imageValue,
              args: fc.array(arg, { maxLength: 4 }),
              command: fc.array(arg, { maxLength: 3 }),
              env: fc.oneof(tree.map, fc.array(envEntry, { maxLength: 4 })),
            }),
            { maxLength: 3 },
          ),
          volumes: fc.array(fc.record({ name: word, image: fc.record({ reference: imageValue }) }), {
            maxLength: 2,
          }),
          extra: tree.node,
        }),
      }),
    }),
    services: fc.dictionary(word, fc.record({ image: imageValue, ports: fc.array(text, { maxLength: 2 }) }), {
      maxKeys: 2,
    }),
    status: tree.map,
    data: tree.map,
  },
  // Any key may be missing: without kind/apiVersion and with `services` a document may be a Compose file.
  { requiredKeys: [] },
)
const SCALAR_TYPES = ['PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'] as const
const styled = fc
  .record({
    objects: fc.array(object, { minLength: 1, maxLength: 3 }),
    seed: fc.array(fc.nat(1000), { minLength: 64, maxLength: 64 }),
    lineWidth: fc.constantFrom(0, 20, 40, 80),
    indent: fc.constantFrom(2, 4),
    indentSeq: fc.boolean(),
    crlf: fc.boolean(),
    anchors: fc.boolean(),
    separator: fc.constantFrom('---\n', '...\n---\n', '--- # doc\n'),
  })
  .map(({ objects, seed, lineWidth, indent, indentSeq, crlf, anchors, separator }) => {
    let n = 0
    const pick = () => seed[n++ % seed.length] as number
    const docs = objects.map((obj) => {
      const doc = new Document(JSON.parse(JSON.stringify(obj)))
      const nodes: Node[] = []
      visit(doc, {
        Scalar(k, s) {
          // Keys mostly plain (as in real manifests, and so the tricks have something to work on).
          if (typeof s.value !== 'string') return
          if (k === 'key' && pick() % 8 !== 0) s.type = 'PLAIN'
          else s.type = SCALAR_TYPES[pick() % SCALAR_TYPES.length]
        },
        Map(_k, m) {
          if (pick() % 5 === 0) m.flow = true
          nodes.push(m)
        },
        Seq(_k, s) {
          if (pick() % 4 === 0) s.flow = true
          nodes.push(s)
        },
      })
      const root = doc.contents
      if (anchors && isMap(root) && nodes.length > 2) {
        // Aliases placed after their anchors: a whole container again, a container merged into a new one,
        // and any collection under a new root key.
        const containers = doc.getIn(['spec', 'template', 'spec', 'containers'], true)
        const first = isSeq(containers) ? containers.items[0] : undefined
        if (isSeq(containers) && isMap(first)) {
          containers.items.push(doc.createAlias(first as never, `c${pick()}`) as never)
          const merged = doc.createNode({ name: 'merged' }) as YAMLMap
          merged.items.unshift(doc.createPair('<<', doc.createAlias(first as never)) as never)
          containers.items.push(merged as never)
        }
        const target = nodes[1 + (pick() % (nodes.length - 1))] as Node
        root.set('zz-aliased', doc.createAlias(target as never, `a${pick()}`))
      }
      return doc.toString({
        lineWidth,
        minContentWidth: 0,
        indent,
        indentSeq,
        doubleQuotedMinMultiLineLength: 10,
      })
    })
    const out = docs.join(separator)
    return crlf ? out.replace(/\n/g, '\r\n') : out
  })

/** Every span holds the reference's own text; a runtime image's starts at its line:column (runtime.ts). */
function expectExactSpans(text: string, ex: Extraction) {
  const lines = new LineIndex(text)
  for (const img of ex.images)
    for (const s of img.sources) {
      if (!s.span) continue
      const written = text.slice(s.span.start, s.span.end)
      expect(img.status === 'ok' ? formatReference(parseReference(written)) : written).toBe(img.key)
      // A runtime image is reported at its own first character (an image field at its node, quote included).
      if (s.runtime) expect(lines.position(s.span.start)).toEqual({ line: s.line, column: s.column })
    }
}

describe('fast path == slow path', () => {
  it('on generated YAML streams in every style', () => {
    fc.assert(
      fc.property(styled, (yaml) => {
        const { fast, slow } = both(yaml, 'gen.yaml')
        // The library's writer sometimes produces invalid YAML; a broken document the pre-scan skips is
        // not diagnosed (documented), so only valid streams are compared.
        fc.pre(slow.notices.every((n) => !n.message.startsWith('invalid YAML')))
        expect(fast).toEqual(slow)
        expectExactSpans(yaml, fast)
      }),
      { numRuns: 400 },
    )
  }, 90_000)

  it('on generated JSON', () => {
    fc.assert(
      fc.property(
        fc.array(object, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(0, 2, 4),
        (objs, indent) => {
          const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }, null, indent)
          const { fast, slow } = both(json, 'gen.json')
          expect(fast).toEqual(slow)
          expectExactSpans(json, fast)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('on the benchmark corpus (CRDs, ConfigMaps, Secrets, workloads, a kubectl JSON List)', () => {
    const dir = tempDir('zot-warm-equiv-')
    try {
      writeCorpus(dir, 1)
      for (const f of readdirSync(dir)) {
        const { fast, slow } = both(readFileSync(join(dir, f), 'utf8'), f)
        expect(fast.images.length).toBeGreaterThan(0)
        expect(fast, f).toEqual(slow)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('prune', () => {
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          args: ["--port", "8080"]
          env:
            - name: A
              value: b
          resources:
            limits: {cpu: 1}
      volumes:
        - name: data
          emptyDir: {}
`

  it('drops the entries that cannot hold an image and maps positions back', () => {
    const pruned = pruneDocument(deployment, 0, deployment.length)
    expect(pruned).toBeDefined()
    const kept = pruned?.text ?? ''
    expect(kept).toBe(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
    spec:
      containers:
        - name: app
          image: nginx:1.27
`)
    const at = kept.indexOf('nginx')
    expect(pruned?.toOriginal(at)).toBe(deployment.indexOf('nginx'))
  })

  const keepsAll: [string, string][] = [
    // A multi-line quoted scalar hides key-like lines: the entry owning it is kept whole.
    ['quoted scalar over lines', 'spec:\n  command: "sh -c \'echo\n    foo: bar\n      end\'"\n  image: x\n'],
    ['quoted scalar on the next line', 'spec:\n  command:\n    "a\n    foo: bar\n    "\n  image: x\n'],
    ['flow mapping over lines', 'spec:\n  m: {a: 1,\n    foo: bar}\n  image: x\n'],
    ['block scalar', 'spec:\n  script: |\n    foo: bar\n    - x\n  image: x\n'],
    ['anchor in an entry', 'spec:\n  defs: &d\n    a: 1\n  more:\n    <<: *d\n  image: x\n'],
  ]
  it.each(keepsAll)('keeps what it cannot read on its own: %s', (_name, yaml) => {
    const pruned = pruneDocument(yaml, 0, yaml.length)
    const { fast, slow } = both(yaml, 'a.yaml')
    expect(fast).toEqual(slow)
    // What is kept always includes the image line and every line of a construct it cannot see into.
    if (pruned) expect(pruned.text).toContain('  image: x\n')
  })

  it('tells a glob from an alias and imagePullPolicy from image; a `*` that could start an alias is kept', () => {
    const yaml =
      'kind: Pod\nspec:\n  schedule: "*/5 * * * *"\n  args: [cp, /a/*, /b]\n  imagePullPolicy: Always\n  note: a && b\n  containers:\n    - image: x\n'
    const pruned = pruneDocument(yaml, 0, yaml.length, 0)
    // `* *"` could be an alias named `"` as far as a line-local look can tell; `a && b` one named `&`.
    expect(pruned?.text).toBe(
      'kind: Pod\nspec:\n  schedule: "*/5 * * * *"\n  note: a && b\n  containers:\n    - image: x\n',
    )
  })

  it('keeps every root key: dropping one could turn a values file into a Compose file', () => {
    const yaml = 'replicaCount: 2\nresources:\n  limits:\n    cpu: 1\nservices:\n  web:\n    image: redis:7\n'
    expect(pruneDocument(yaml, 0, yaml.length, 0)?.text).toBe(
      'replicaCount: 2\nresources:\nservices:\n  web:\n    image: redis:7\n',
    )
    const { fast, slow } = both(yaml, 'values.yaml')
    expect(fast).toEqual(slow)
    expect(fast.images[0]?.sources[0]).toMatchObject({ field: 'services.web.image' })
    expect(fast.images[0]?.sources[0]?.container).toBeUndefined()
    const json = '{"replicaCount": 2, "services": {"web": {"image": "redis:7"}}, "big": {"a": 1}}'
    const j = both(json, 'values.json')
    expect(j.fast).toEqual(j.slow)
  })

  it('drops the root status and metadata besides name and namespace even when they mention images', () => {
    const yaml =
      'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    image: a:1\nspec:\n  containers:\n    - image: x\nstatus:\n  containerStatuses:\n    - image: x\n'
    expect(pruneDocument(yaml, 0, yaml.length, 0)?.text).toBe(
      'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - image: x\nstatus:\n',
    )
    // …but not an anchor something else refers to.
    const anchored = 'kind: Pod\nmetadata:\n  labels: &l {a: b}\nspec:\n  x: *l\n  image: y\n'
    expect(pruneDocument(anchored, 0, anchored.length, 0)?.text ?? anchored).toContain('labels: &l')
  })

  it('gives up on tab indentation and on flow roots', () => {
    expect(pruneDocument('a:\n\tb: 1\nimage: x\n', 0, 17)).toBeUndefined()
    const flow = '{kind: Pod, spec: {containers: [{image: x}]}, big: [1, 2, 3, 4, 5, 6, 7, 8, 9]}\n'
    expect(pruneDocument(flow, 0, flow.length)).toBeUndefined()
  })

  it('prunes JSON members, keeping array elements and the keys the walker reads', () => {
    const json = JSON.stringify(
      {
        kind: 'Pod',
        metadata: { name: 'p', managedFields: [{ manager: 'x' }], labels: { a: 'b' } },
        spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }, { name: 'd' }] },
        status: { phase: 'Running', conditions: [{ type: 'Ready' }, { type: 'Initialized' }] },
      },
      null,
      2,
    )
    const pruned = pruneJson(json)
    expect(pruned).toBeDefined()
    const value = JSON.parse(
      // A trailing comma may be left behind (valid in YAML flow collections); drop it to read it as JSON.
      (pruned?.text ?? '').replace(/,(\s*[}\]])/g, '$1'),
    )
    // Root members stay (Compose detection looks at them), with their values pruned.
    expect(value).toEqual({
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', image: 'nginx' }, { name: 'd' }] },
      status: {},
    })
    const at = (pruned?.text ?? '').indexOf('"nginx"')
    expect(pruned?.toOriginal(at)).toBe(json.indexOf('"nginx"'))
  })

  it('drops image text that names no runtime image; keeps the flags and env names that may', () => {
    const yaml = `kind: Deployment
metadata:
  name: op
spec:
  template:
    spec:
      containers:
        - name: op
          image: quay.io/op/operator:1
          args:
            - --config=/etc/op/Image.conf
            - --reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0
          command: [/bin/op, --x-image=quay.io/a/x:1]
          env:
            - name: LOG_FORMAT
              value: Image pulls are logged
          readinessProbe:
            exec:
              command: [check, --image-registry=up]
        - name: side
          image: quay.io/op/side:1
          env:
            - name: RELATED_IMAGE_DB
              value: quay.io/op/db:16
      description: The IMAGE of each pod is set by the operator (imagePullPolicy too).
`
    expect(pruneDocument(yaml, 0, yaml.length, 0)?.text).toBe(`kind: Deployment
metadata:
  name: op
spec:
  template:
    spec:
      containers:
        - name: op
          image: quay.io/op/operator:1
          command: [/bin/op, --x-image=quay.io/a/x:1]
          readinessProbe:
            exec:
              command: [check, --image-registry=up]
        - name: side
          image: quay.io/op/side:1
          env:
            - name: RELATED_IMAGE_DB
              value: quay.io/op/db:16
`)
    const { fast, slow } = both(yaml, 'op.yaml')
    expect(fast).toEqual(slow)
    expect(fast.images.map((i) => i.key)).toEqual([
      'quay.io/op/operator:1',
      'quay.io/a/x:1',
      'quay.io/op/side:1',
      'quay.io/op/db:16',
    ])

    // kubectl's JSON: the last-applied-configuration annotation holds `\"image\":` (no key), an env var
    // `image_tag` is no image env name, `imageID` no image key; they go. A flag in an args member stays, and
    // so does an `image` key anywhere (the walker leaves the items' status alone, the pruning cannot tell).
    const item = (i: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: `d${i}`,
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            spec: { template: { spec: { containers: [{ name: 'c', image: `nginx:1.${i}` }] } } },
          }),
        },
      },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'c',
                image: `nginx:1.${i}`,
                args: i === 0 ? ['--sidecar-image=quay.io/s/sidecar:1'] : ['--verbose'],
                env: [{ name: 'image_tag', value: 'quay.io/t/t:1' }],
              },
            ],
          },
        },
      },
      status: { containerStatuses: [{ image: `nginx:1.${i}`, imageID: 'x' }] },
    })
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [item(0), item(1)] }, null, 2)
    const pruned = pruneJson(json, 0)
    const value = JSON.parse((pruned?.text ?? '').replace(/,(\s*[}\]])/g, '$1'))
    const kept = (i: number, args: string[]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `d${i}` },
      spec: {
        template: {
          spec: { containers: [{ name: 'c', image: `nginx:1.${i}`, ...(args.length ? { args } : {}) }] },
        },
      },
      status: { containerStatuses: [{ image: `nginx:1.${i}` }] },
    })
    expect(value).toEqual({
      apiVersion: 'v1',
      kind: 'List',
      items: [kept(0, ['--sidecar-image=quay.io/s/sidecar:1']), kept(1, [])],
    })
    const j = both(json, 'kubectl.json')
    expect(j.fast).toEqual(j.slow)
    expect(j.fast.images.map((i) => i.key)).toEqual([
      'docker.io/library/nginx:1.0',
      'quay.io/s/sidecar:1',
      'docker.io/library/nginx:1.1',
    ])
  })

  it('keeps JSON members with \\u escapes (they could spell a key)', () => {
    const json = `{"kind": "Pod", "spec": {"containers": [{"\\u0069mage": "nginx:esc"}]}, "status": {"a": "${'x'.repeat(400)}"}}`
    const { fast, slow } = both(json, 'a.json')
    expect(fast).toEqual(slow)
    expect(fast.images.map((i) => i.key)).toEqual(['docker.io/library/nginx:esc'])
  })
})

describe('generated documents are really varied', () => {
  it('holds runtime images, with and without spans', () => {
    const found = fc
      .sample(styled, { numRuns: 200, seed: 42 })
      .flatMap((yaml) =>
        both(yaml, 'gen.yaml').fast.images.flatMap((i) => i.sources.filter((s) => s.runtime)),
      )
    expect(found.filter((s) => s.runtime === 'arg' && s.span).length).toBeGreaterThan(20)
    expect(found.filter((s) => s.runtime === 'env' && s.span).length).toBeGreaterThan(20)
    expect(found.filter((s) => !s.span).length).toBeGreaterThan(5)
  })

  it('uses every scalar style, flow collections and aliases', () => {
    const samples = fc.sample(styled, { numRuns: 200, seed: 42 }).join('\n')
    for (const marker of ['|', '>', '"', "'", '{', '[', '*a', '*c', '<<', '\r\n'])
      expect(samples).toContain(marker)
  })
})
