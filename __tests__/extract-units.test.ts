// The small parts of extraction: format detection, image lists, the document cutter and pre-scan, line
// positions, Helm source comments and the classification of a value.
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { classifyText } from '../src/extract/classify.js'
import {
  chartSourceOf,
  type DocumentSlice,
  holdsDocument,
  Prescanner,
  splitDocuments,
} from '../src/extract/documents.js'
import { detectFormat, listLine, looksLikeImageList, parseImageList } from '../src/extract/formats.js'
import { Extractor } from '../src/extract/index.js'
import { isNonImageKind } from '../src/extract/kinds.js'
import { LineIndex } from '../src/extract/lines.js'

describe('format detection', () => {
  const cases: [string, string, string, boolean?][] = [
    ['a.yaml', 'kind: Pod\n', 'yaml'],
    ['a.yaml', '{"kind": "Pod"}', 'json'],
    ['a.yaml', '{kind: Pod}', 'yaml'],
    ['a.json', '{"kind": "Pod"}', 'json'],
    ['a.json', 'kind: Pod\n', 'json', true],
    ['a.json', '{"kind": "Pod",}', 'json', true],
    ['a.txt', 'kind: Pod\n', 'list'],
    ['images', 'nginx:1.27\n# c\nredis:7 # c\n', 'list'],
    ['images.yaml', 'nginx:1.27\nredis:7\n', 'list'],
    ['-', 'nginx:1.27\n', 'list'],
    ['-', '[::1]:5000/app:1\n', 'list'],
    ['-', '[1, 2]\n', 'json'],
    ['-', 'apiVersion: v1\nkind: Pod\n', 'yaml'],
    ['-', '- nginx\n', 'yaml'],
    ['-', '---\nnginx\n', 'yaml'],
    ['-', 'nginx:\n', 'yaml'],
    ['Dockerfile', 'FROM nginx:1.27\nRUN true\n', 'yaml'],
  ]
  it.each(cases)('%s %j → %s', (file, text, format, jsonError) => {
    const d = detectFormat(text, file)
    expect(d.format).toBe(format)
    expect(d.jsonError !== undefined).toBe(jsonError ?? false)
  })

  it('image lists: comments, trailing comments, blank lines, CRLF, positions', () => {
    expect(parseImageList('# head\n\nnginx:1\r\n  redis:7   # why\n\tquay.io/a/b:1\t# tab\nx#y\n')).toEqual([
      { raw: 'nginx:1', line: 3, column: 1 },
      { raw: 'redis:7', line: 4, column: 3 },
      { raw: 'quay.io/a/b:1', line: 5, column: 2 },
      { raw: 'x#y', line: 6, column: 1 },
    ])
    expect(listLine('   ')).toBeUndefined()
    expect(listLine('# only')).toBeUndefined()
    expect(looksLikeImageList('# nothing\n')).toBe(false)
    expect(looksLikeImageList('a b\n')).toBe(false)
  })
})

/** Document counts and positions must be the library's own, with or without the cut. */
const STREAMS: [string, string][] = [
  ['plain', 'a: 1\n---\nb: 2\n'],
  ['leading marker', '---\na: 1\n'],
  ['leading comment', '# c\n---\na: 1\n'],
  ['empty documents', '---\n---\n---\n'],
  ['comment-only documents', '---\n# c\n---\n# d\n'],
  ['end markers', 'a: 1\n...\n---\nb: 2\n...\n'],
  ['end marker twice', 'a: 1\n...\n...\nb: 2\n'],
  ['end marker alone', '...\n'],
  ['end marker then comment', 'a: 1\n...\n# x\n'],
  ['marker with content', '--- {a: 1}\n--- |\n  text\n--- !!str x\n'],
  ['marker followed by comment', '--- # one\na: 1\n--- # two\nb: 2\n'],
  ['marker-like text', 'a: ---x\nb: |\n  --- not at column 0\n---foo: 1\n'],
  ['CRLF', 'a: 1\r\n---\r\nb: 2\r\n...\r\n'],
  ['no trailing newline', 'a: 1\n---\nb: 2'],
  ['only comments', '# a\n# b\n'],
  ['directive', '%YAML 1.2\n---\na: 1\n'],
]

describe('document cutting', () => {
  it.each(STREAMS)('%s: one document per slice, as the library counts them', (_name, text) => {
    const slices = splitDocuments(text)
    const lib = parseAllDocuments(text)
    const libCount = Array.isArray(lib) ? lib.length : 0
    const perSlice = slices.map((s) => {
      const docs = parseAllDocuments(text.slice(s.start, s.end))
      return Array.isArray(docs) ? docs.length : 0
    })
    expect(perSlice.reduce((a, b) => a + b, 0)).toBe(libCount)
    for (const [i, s] of slices.entries()) expect(holdsDocument(text, s)).toBe((perSlice[i] ?? 0) > 0)
    // Slices tile the text.
    expect(slices.map((s) => text.slice(s.start, s.end)).join('')).toBe(text)
  })

  it('positions come out the same through slices', () => {
    const text = 'a: 1\n---\nkind: Pod\nspec:\n  containers:\n  - image: nginx:x\n---\nimage: "y:1"\n'
    const fast = new Extractor()
    fast.addText(text, 'a.yaml')
    const sources = fast.result().images.map((i) => i.sources[0])
    expect(sources).toMatchObject([
      { line: 6, column: 12, document: 1, kind: 'Pod' },
      { line: 8, column: 8, document: 2 },
    ])
  })
})

describe('pre-scan', () => {
  const check = (text: string) => {
    const p = new Prescanner(text)
    return splitDocuments(text).map((s) => p.check(s))
  }
  it('skips a document without `image` in it, reads one that could spell it with escapes', () => {
    expect(check('kind: Service\nspec: {}\n')).toEqual(['no-image-key'])
    expect(check('kind: X\n"\\x69mage": nginx\n')).toEqual(['parse'])
    expect(check('kind: X\n"\\u0069mage": nginx\n')).toEqual(['parse'])
    expect(check('kind: X\n? "ima\\\n  ge"\n: nginx\n')).toEqual(['parse'])
    expect(check('kind: X\nnote: "a\\tb"\n')).toEqual(['no-image-key'])
    // Lists and scalars are read, so that they get their notice.
    expect(check('- nginx\n')).toEqual(['parse'])
  })

  it('skips kinds without images only when the kind is certain', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  image: nginx\n'
    expect(check(cm)).toEqual(['non-image-kind'])
    expect(check(`---\n# Source: x\n${cm}`)).toEqual(['non-image-kind'])
    expect(check(cm.replace('kind: ConfigMap', 'kind: "ConfigMap" # quoted'))).toEqual(['non-image-kind'])
    expect(check(cm.replace('\r', '').replace(/\n/g, '\r\n'))).toEqual(['non-image-kind'])
    // Knative's Service holds images; only the core Service does not.
    expect(check(cm.replace('v1\nkind: ConfigMap', 'serving.knative.dev/v1\nkind: Service'))).toEqual([
      'parse',
    ])
    expect(check(cm.replace('v1\nkind: ConfigMap', 'v1\nkind: Service'))).toEqual(['non-image-kind'])
    // Anything that leaves the root keys in doubt is parsed.
    expect(check(`${cm}kind: Deployment\n`)).toEqual(['parse'])
    expect(check(cm.replace('kind: ConfigMap', 'kind: !!str ConfigMap'))).toEqual(['parse'])
    expect(check(cm.replace('kind: ConfigMap', 'kind: ConfigMap#x'))).toEqual(['parse'])
    expect(check(`"kind": Deployment\n${cm}`)).toEqual(['parse'])
    expect(check(`? kind\n: Deployment\n${cm}`)).toEqual(['parse'])
    expect(check(`  ${cm.replace(/\n/g, '\n  ')}`)).toEqual(['parse'])
    expect(check(`\t${cm}`)).toEqual(['parse'])
    expect(check('apiVersion: v1\nkind: ConfigMap\nx: "a\nkind: Pod"\nimage: y\n')).toEqual(['parse'])
    expect(check(cm.replace('apiVersion: v1\n', ''))).toEqual(['parse'])
    expect(check(`--- {a: 1}\n${cm}`.replace('--- {a: 1}\n', '--- !!map\n'))).toEqual(['parse'])
  })

  it('agrees with the walker: a kind the pre-scan skips is one the walker takes nothing from', () => {
    for (const [api, kind] of [
      ['v1', 'ConfigMap'],
      ['v1', 'Secret'],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
      ['monitoring.coreos.com/v1', 'ServiceMonitor'],
    ]) {
      expect(isNonImageKind(api, kind)).toBe(true)
      const text = `apiVersion: ${api}\nkind: ${kind}\nspec:\n  containers:\n    - image: nginx\n`
      const slow = new Extractor()
      slow.addText(text, 'a.yaml', { prescan: false })
      expect(slow.result().images).toEqual([])
    }
    expect(isNonImageKind('apps/v1', 'Deployment')).toBe(false)
    expect(isNonImageKind('monitoring.coreos.com/v1', 'Prometheus')).toBe(false)
    expect(isNonImageKind(undefined, 'Secret')).toBe(true)
    expect(isNonImageKind(undefined, 'Service')).toBe(false)
  })
})

describe('positions and comments', () => {
  it('LineIndex maps offsets to 1-based line and column', () => {
    const li = new LineIndex('ab\ncd\r\n\nef')
    expect(li.position(0)).toEqual({ line: 1, column: 1 })
    expect(li.position(3)).toEqual({ line: 2, column: 1 })
    expect(li.position(5)).toEqual({ line: 2, column: 3 })
    expect(li.position(7)).toEqual({ line: 3, column: 1 })
    expect(li.position(9)).toEqual({ line: 4, column: 2 })
    expect(li.lineCount).toBe(4)
  })

  it('reads the Helm source comment opening a document', () => {
    const text =
      '---\n# Source: chart/templates/a.yaml\n# other\nkind: Pod\n---\nkind: Pod\n# Source: late.yaml\n'
    const [a, b] = splitDocuments(text) as [DocumentSlice, DocumentSlice]
    expect(chartSourceOf(text, a)).toBe('chart/templates/a.yaml')
    expect(chartSourceOf(text, b)).toBeUndefined()
  })
})

describe('classification', () => {
  it('known image fields report everything; other `image` keys only references and templating', () => {
    expect(classifyText('nginx', true)).toMatchObject({ status: 'ok', key: 'docker.io/library/nginx:latest' })
    expect(classifyText('Nope', true)).toMatchObject({ status: 'invalid', key: 'Nope' })
    expect(classifyText('Nope', false)).toBeUndefined()
    expect(classifyText('logo.png', false)).toBeUndefined()
    expect(classifyText('logo.png', true)).toMatchObject({ status: 'ok' })
    expect(classifyText('', true)).toMatchObject({ status: 'unresolved', key: '' })
    expect(classifyText('', false)).toBeUndefined()
    expect(classifyText('{{ .Values.x }}', false)).toMatchObject({ status: 'unresolved' })
  })
})

describe('Compose or not', () => {
  const keys = (text: string) => {
    const ex = new Extractor()
    ex.addText(text, 'file.yaml')
    return ex.result().images.map((i) => `${i.key} ${i.sources[0]?.field}`)
  }
  it('a Compose file: only services.*.image, not the x- defaults', () => {
    expect(
      keys('version: "3"\nx-base: {image: "ghcr.io/a/base:1"}\nservices:\n  web: {image: nginx}\n'),
    ).toEqual(['docker.io/library/nginx:latest services.web.image'])
  })
  it('a values file that happens to have `services`: searched as a whole', () => {
    expect(keys('image: ghcr.io/a/app:1\nservices:\n  web: {image: nginx}\n')).toEqual([
      'ghcr.io/a/app:1 image',
      'docker.io/library/nginx:latest services.web.image',
    ])
  })
})
