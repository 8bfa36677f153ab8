// What a file is — YAML stream, JSON, a plain image list, or an image-sync configuration — decided by
// content, with the extension as a tie-breaker. The ambiguity: a file of one reference per line is also valid
// YAML (a single multi-line plain scalar), so a file without any YAML structure (no `key: value`, no
// `- item`, no `---`, no flow collection) whose every line is a single token is read as an image list;
// `.txt`/`.list`/`.images` files always are.
//
// image-sync (the CronJob that copies a fixed list of images) is configured with
//   images:
//     - source: docker.io/library/nginx
//       tag: "1.27"
// Its entries have no `image` key, so the manifest reader would find nothing (and its pre-scan would not
// even parse the file); such a file is recognised by its root `images:` key and read here, each reference
// `source:tag` reported at its `source` value.
import { isMap, isScalar, isSeq, type Node, type Pair, parseDocument, type Scalar } from 'yaml'
import { withinParseBound } from './nodes.js'
import { scalarSpan } from './span.js'

export type Format = 'yaml' | 'json' | 'list' | 'image-sync'

const YAML_EXTENSIONS = new Set(['.yaml', '.yml'])
const LIST_EXTENSIONS = new Set(['.txt', '.list', '.lst', '.images'])

export function extensionOf(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? '' : base.slice(dot).toLowerCase()
}

export function isManifestExtension(ext: string): boolean {
  return YAML_EXTENSIONS.has(ext) || ext === '.json'
}

export function isListExtension(ext: string): boolean {
  return LIST_EXTENSIONS.has(ext)
}

export interface Detected {
  format: Format
  /** JSON by extension or content but JSON.parse rejects it: the YAML parser's findings are reported as JSON. */
  jsonError?: string
}

export function detectFormat(text: string, file: string): Detected {
  const ext = extensionOf(file)
  if (LIST_EXTENSIONS.has(ext)) return { format: 'list' }
  const first = firstContentChar(text)
  const jsonLike = first === '{' || (first === '[' && !/^\s*\[[0-9a-fA-F:]*\]:?[0-9]*\//.test(text))
  if (ext === '.json' || jsonLike) {
    try {
      JSON.parse(text)
      return { format: 'json' }
    } catch (err) {
      // Only a .json file must be JSON; a flow-style YAML file merely looks like it.
      if (ext === '.json') return { format: 'json', jsonError: (err as Error).message }
    }
  }
  if (looksLikeImageList(text)) return { format: 'list' }
  if (looksLikeImageSync(text)) return { format: 'image-sync' }
  return { format: 'yaml' }
}

/** A root `images:` key and a `source:` key, and no `kind:` at the root (a Kubernetes object is not one). */
export function looksLikeImageSync(text: string): boolean {
  return (
    /^images:[ \t]*(?:#.*)?\r?$/m.test(text) &&
    /^[ \t]*(?:-[ \t]+)?source:/m.test(text) &&
    !/^kind:/m.test(text)
  )
}

export interface ImageSyncEntry {
  /** `source`, `source:tag` or `source@digest` as the reference to warm. */
  raw: string
  /** Offset of the `source` value (the position reported). */
  offset: number
  /** The reference's own text when it is written whole in one plain or simply quoted scalar (no `tag`). */
  span?: { start: number; end: number }
  /** Why there is no span (source and tag written apart, escapes …). */
  unwritable?: string
  /** `images[3].source`. */
  field: string
  /** Set when source and tag cannot be combined: the entry is reported invalid with this reason. */
  problem?: string
}

export interface ImageSyncIssue {
  offset: number
  message: string
}

/**
 * The entries of an image-sync configuration; undefined when the text does not have that shape after all
 * (then it is read as any other YAML), or when it does not parse (the YAML reader reports why).
 */
export function readImageSync(
  text: string,
): { entries: ImageSyncEntry[]; issues: ImageSyncIssue[] } | undefined {
  // Over the parse bound it is read as YAML, document by document, where the bound is reported.
  if (!withinParseBound(text)) return undefined
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false })
  if (doc.errors.length) return undefined
  const root = doc.contents
  if (!isMap(root)) return undefined
  const images = (root.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === 'images')?.value
  if (!isSeq(images) || !images.items.some((i) => isMap(i) && i.has('source'))) return undefined
  const entries: ImageSyncEntry[] = []
  const issues: ImageSyncIssue[] = []
  images.items.forEach((item, i) => {
    const at = (item as Node | null)?.range?.[0] ?? 0
    if (!isMap(item)) {
      issues.push({ offset: at, message: `images[${i}] is not a mapping with source and tag: skipped` })
      return
    }
    const source = item.get('source', true) as Node | undefined
    if (!isScalar(source) || typeof source.value !== 'string' || source.value.trim() === '') {
      issues.push({ offset: source?.range?.[0] ?? at, message: `images[${i}] has no source: skipped` })
      return
    }
    const field = `images[${i}].source`
    const tagNode = item.get('tag', true) as Node | undefined
    const name = source.value.trim()
    const start = source.range?.[0] ?? at
    if (tagNode === undefined || (isScalar(tagNode) && tagNode.value === null)) {
      const entry: ImageSyncEntry = { raw: name, offset: start, field }
      const span = scalarSpan(source, text)
      if ('why' in span) entry.unwritable = span.why
      else entry.span = span
      entries.push(entry)
      return
    }
    if (!isScalar(tagNode)) {
      entries.push({ raw: name, offset: start, field, problem: `images[${i}].tag must be a single value` })
      return
    }
    const tag = scalarSource(tagNode).trim()
    const raw = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(tag)
      ? `${name}@${tag}`
      : `${name}:${tag}`
    const lastPart = name.slice(name.lastIndexOf('/') + 1)
    if (lastPart.includes(':') || name.includes('@'))
      entries.push({
        raw,
        offset: start,
        field,
        problem: `source "${name}" already names a tag or digest, and tag "${tag}" is given too: write it once`,
      })
    else entries.push({ raw, offset: start, field, unwritable: 'its source and tag are written apart' })
  })
  return { entries, issues }
}

/** The text of a scalar as written for numbers (`tag: 1.10` is "1.10", not 1.1). */
function scalarSource(node: Scalar): string {
  if (typeof node.value === 'number' || typeof node.value === 'bigint')
    return (node as Scalar & { source?: string }).source ?? String(node.value)
  return String(node.value)
}

/** First character that is not white space or part of a `#` comment line. */
function firstContentChar(text: string): string {
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at)
    const line = text.slice(at, nl === -1 ? text.length : nl).trim()
    if (line !== '' && !line.startsWith('#')) return line.charAt(0)
    if (nl === -1) break
    at = nl + 1
  }
  return ''
}

export interface ListEntry {
  raw: string
  /** 1-based. */
  line: number
  column: number
}

/** One entry per non-blank, non-comment line; ` # comment` at the end of a line is dropped. */
export function parseImageList(text: string): ListEntry[] {
  const out: ListEntry[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const entry = listLine(lines[i] ?? '')
    if (entry) out.push({ raw: entry.raw, line: i + 1, column: entry.column })
  }
  return out
}

/** The reference on one line of an image list (or one entry of the `images` input), if any. */
export function listLine(line: string): { raw: string; column: number } | undefined {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line
  const comment = /(?:^|[ \t])#/.exec(text)
  if (comment) text = text.slice(0, comment.index)
  const lead = /^\s*/.exec(text)?.[0].length ?? 0
  const raw = text.trim()
  if (raw === '') return undefined
  return { raw, column: lead + 1 }
}

const TOKEN_START_YAML = /^[-{}[\]"'&*!|>%@`,?]/

/** No YAML structure and every content line is a single token. */
export function looksLikeImageList(text: string): boolean {
  let seen = false
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at)
    const end = nl === -1 ? text.length : nl
    const entry = listLine(text.slice(at, end))
    at = end + 1
    if (!entry) continue
    const t = entry.raw
    if (/\s/.test(t) || t.endsWith(':')) return false
    if (TOKEN_START_YAML.test(t) && !/^\[[0-9a-fA-F:]+\]/.test(t)) return false
    seen = true
  }
  return seen
}
