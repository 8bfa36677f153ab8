// Finds image fields in one parsed YAML/JSON document. Containers are recognised by shape wherever they
// are (`containers`, `initContainers`, `ephemeralContainers`, `sidecars`, `steps` lists; `container`,
// `script`, `stepTemplate` maps), so every pod spec (Deployment … CronJob jobTemplate, PodTemplate, Argo
// Rollouts, OpenKruise, KEDA ScaledJob, Knative) and the Argo Workflows / Tekton shapes need no per-kind
// paths. Kinds with a rule of their own are in kinds.ts. Any other `image` key is taken only when its value
// parses as a reference (the generic walk). Never searched: `metadata` (labels, annotations), the root
// `status`, and kinds that hold no images (ConfigMap, Secret, CRDs …).
//
// Anchors and aliases: an image reached through an alias (`image: *img`, `<<: *defaults`, `- *sidecar`) is
// reported at the alias use site, the `*name` token, because that is the container that uses it; the
// anchor's own occurrence is reported where it is written when it is itself in an image field.
//
// Runtime images (runtime.ts): a container's `args`, `command` and `env` items are read for the images the
// workload starts later (operator flags, `RELATED_IMAGE_*`), unless `runtime: false`.
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  visit,
  type YAMLMap,
} from 'yaml'
import type { Finding } from './classify.js'
import { isNonImageKind, type SpecRule, specRule } from './kinds.js'
import { envImage, flagImages, RUNTIME_KEYS } from './runtime.js'

export interface ObjectInfo {
  kind?: string
  apiVersion?: string
  name?: string
  namespace?: string
}

export interface Candidate {
  /** The value (aliases resolved); null when the key has no value at all. */
  value: Node | null
  /** Offset inside the parsed text to report: the alias use site, the value, or the key of an empty value. */
  offset: number
  /** e.g. `spec.template.spec.containers[0].image`. */
  field: string
  container?: string
  /** A field that must hold an image; otherwise only values that parse as references are taken. */
  known: boolean
  object: ObjectInfo
  /** Set for an image the workload starts later: `value` is the scalar that holds it (runtime.ts). */
  runtime?: RuntimeCandidate
}

export interface RuntimeCandidate {
  via: 'arg' | 'env'
  /** The flag as written (`--executor-image`) or the variable's name (`RELATED_IMAGE_FOO`). */
  name: string
  /** The reference's text: the whole value, or its tail after `--flag=`. */
  text: string
  finding: Finding
  /** Reached through an alias: `offset` is the alias use site and the text is elsewhere. */
  aliased: boolean
}

export interface WalkOptions {
  /** Read container `args`, `command` and `env` for runtime images (default true). */
  runtime?: boolean
}

export interface WalkIssue {
  /** `error`: part of the document was not searched (input not read fails strict mode). */
  level: 'error' | 'warning' | 'notice'
  offset: number
  message: string
}

type Role =
  | 'plain'
  | 'container'
  | 'volume'
  | 'compose-service'
  | 'cnpg-spec'
  | 'monitoring-spec'
  | 'object-root'

const COMPOSE_KEYS = new Set([
  'version',
  'name',
  'services',
  'networks',
  'volumes',
  'configs',
  'secrets',
  'include',
])
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers', 'sidecars', 'steps'])
const CONTAINER_MAPS = new Set(['container', 'script', 'stepTemplate'])
/** Deep enough for any manifest; guards the walk against alias expansion and pathological nesting. */
export const MAX_DEPTH = 256
/** Expansions of aliases to collections per document ("billion laughs" guard). */
export const MAX_ALIAS_EXPANSIONS = 10_000
/**
 * Nodes the walk may visit per document, aliases expanded. Counting expansions alone lets a few thousand
 * aliases to one large collection cost billions of steps; the document itself is bounded by the parse limit.
 */
const MAX_WALK_NODES = 1_000_000

interface Entry {
  key: string | undefined
  keyNode: unknown
  value: unknown
  /** Alias use site through which this entry was reached, if any. */
  site: number | undefined
}

const IDENT = /^[A-Za-z_$][\w$-]*$/
const join = (path: string, key: string) =>
  IDENT.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`

function start(node: unknown): number {
  return isNode(node) && node.range ? node.range[0] : 0
}

export function walkDocument(
  doc: Document.Parsed,
  emit: (c: Candidate) => void,
  issue: (i: WalkIssue) => void,
  opts: WalkOptions = {},
): void {
  new Walker(doc, emit, issue, opts.runtime !== false).root()
}

class Walker {
  private anchors: Map<string, Node[]> | undefined
  private expansions = 0
  private visited = 0
  private stopped = false
  private readonly names = new WeakMap<Entry[], string | undefined>()
  private readonly badAliases = new Set<number>()

  constructor(
    private readonly doc: Document.Parsed,
    private readonly emit: (c: Candidate) => void,
    private readonly issue: (i: WalkIssue) => void,
    private readonly runtime: boolean,
  ) {}

  root(): void {
    const contents = this.doc.contents
    if (contents === null) return
    const [node, site] = this.deref(contents, undefined)
    if (isMap(node)) {
      if (this.isCompose(node)) this.compose(node, site)
      else this.object(node, '', site, 0)
    } else if (isSeq(node)) {
      const maps = node.items.filter((item) => isMap(this.deref(item, undefined)[0]))
      if (maps.length === 0 && node.items.length > 0)
        this.issue({
          level: 'notice',
          offset: start(node),
          message:
            'document is a list of plain values, not a manifest: nothing taken from it (give extra images as a plain image list, one per line)',
        })
      node.items.forEach((item, i) => {
        const [m, s] = this.deref(item, site)
        if (isMap(m)) this.object(m, `[${i}]`, s, 1)
      })
    } else if (isScalar(node) && node.value !== null && node.value !== '') {
      this.issue({
        level: 'notice',
        offset: start(node),
        message: 'document is a plain value, not a mapping: nothing taken from it',
      })
    }
  }

  /** A Kubernetes object (or any mapping at the root of a document or in a List). */
  private object(map: YAMLMap, path: string, site: number | undefined, depth: number): void {
    const info = this.objectInfo(map)
    if (info.kind?.endsWith('List')) {
      const [items, itemsSite] = this.deref(this.get(map, 'items'), site)
      if (isSeq(items)) {
        const base = join(path, 'items')
        items.items.forEach((item, i) => {
          const [m, s] = this.deref(item, itemsSite)
          if (isMap(m)) this.object(m, `${base}[${i}]`, s, depth + 1)
        })
        return
      }
    }
    if (isNonImageKind(info.apiVersion, info.kind)) return
    this.map(map, path, 'object-root', undefined, info, site, depth, specRule(info.apiVersion, info.kind))
  }

  private objectInfo(map: YAMLMap): ObjectInfo {
    const info: ObjectInfo = {}
    const kind = this.string(this.get(map, 'kind'))
    const apiVersion = this.string(this.get(map, 'apiVersion'))
    if (kind !== undefined) info.kind = kind
    if (apiVersion !== undefined) info.apiVersion = apiVersion
    const [metadata] = this.deref(this.get(map, 'metadata'), undefined)
    if (isMap(metadata)) {
      const name = this.string(this.get(metadata, 'name'))
      const namespace = this.string(this.get(metadata, 'namespace'))
      if (name !== undefined) info.name = name
      if (namespace !== undefined) info.namespace = namespace
    }
    return info
  }

  /** A Compose file: `services` is a mapping and every top-level key is one Compose knows (or `x-…`). */
  private isCompose(map: YAMLMap): boolean {
    if (!isMap(this.deref(this.get(map, 'services'), undefined)[0])) return false
    return (map.items as Pair[]).every((p) => {
      const key = this.keyString(p.key)
      return key !== undefined && (COMPOSE_KEYS.has(key) || key.startsWith('x-'))
    })
  }

  private compose(map: YAMLMap, site: number | undefined): void {
    const [services, servicesSite] = this.deref(this.get(map, 'services'), site)
    if (!isMap(services)) return
    for (const e of this.entries(services, servicesSite, 1)) {
      if (e.key === undefined) continue
      const [service, s] = this.deref(e.value, e.site)
      if (!isMap(service)) continue
      const path = join('services', e.key)
      for (const f of this.entries(service, s, 2)) {
        if (f.key === 'image') this.candidate(f, join(path, 'image'), true, e.key, {})
      }
    }
  }

  private map(
    map: YAMLMap,
    path: string,
    role: Role,
    owner: string | undefined,
    object: ObjectInfo,
    site: number | undefined,
    depth: number,
    rule?: SpecRule,
  ): void {
    if (this.tooDeep(map, depth)) return
    const entries = this.entries(map, site, depth)
    for (const e of entries) {
      const key = e.key
      if (key === undefined) {
        this.value(e.value, path, 'plain', undefined, object, e.site, depth + 1)
        continue
      }
      if (key === 'metadata') continue
      if (role === 'object-root' && (key === 'status' || key === 'kind' || key === 'apiVersion')) continue
      const field = join(path, key)
      if (key === 'image') {
        this.image(e, field, role, owner, entries, object, depth)
        continue
      }
      if (key === 'imageName' && role === 'cnpg-spec') {
        this.candidate(e, field, true, undefined, object)
        continue
      }
      if (role === 'container' && this.runtime && RUNTIME_KEYS.has(key))
        this.runtimeImages(e, key, field, this.ownName(entries) ?? owner, object, depth)
      let child: Role = 'plain'
      let childOwner: string | undefined
      if (CONTAINER_LISTS.has(key)) child = 'container'
      else if (CONTAINER_MAPS.has(key) || (key === 'thanos' && role === 'monitoring-spec')) {
        child = 'container'
        childOwner = this.ownName(entries)
      } else if (key === 'volumes') child = 'volume'
      else if (role === 'object-root' && key === 'spec' && rule)
        child = rule === 'cnpg-cluster' ? 'cnpg-spec' : 'monitoring-spec'
      this.value(e.value, field, child, childOwner, object, e.site, depth + 1)
    }
  }

  /** An `image` key: a container's image, an image volume, or (anywhere else) a value that may be a reference. */
  private image(
    e: Entry,
    field: string,
    role: Role,
    owner: string | undefined,
    siblings: Entry[],
    object: ObjectInfo,
    depth: number,
  ): void {
    const [value, site] = this.deref(e.value, e.site)
    if (role === 'volume' && isMap(value)) {
      // Kubernetes image volumes: volumes[].image.reference
      for (const f of this.entries(value, site, depth + 1))
        if (f.key === 'reference') this.candidate(f, join(field, 'reference'), true, undefined, object)
      return
    }
    const known = role === 'container' || role === 'monitoring-spec'
    if (!known && (isMap(value) || isSeq(value))) {
      // e.g. Helm-style values `image: {repository: …, tag: …}`: not a reference, but may hold one.
      this.value(value, field, 'plain', undefined, object, site, depth + 1)
      return
    }
    const container = role === 'container' ? (this.ownName(siblings) ?? owner) : this.ownName(siblings)
    this.candidate(e, field, known, role === 'monitoring-spec' ? undefined : container, object)
  }

  /** A container's `args` / `command` (flags) or `env` (literal values of `*_IMAGE*` variables). */
  private runtimeImages(
    e: Entry,
    key: string,
    field: string,
    container: string | undefined,
    object: ObjectInfo,
    depth: number,
  ): void {
    const [list, site] = this.deref(e.value, e.site)
    if (!isSeq(list) || this.tooDeep(list, depth + 1)) return
    const emit = (node: Node, nodeSite: number | undefined, path: string, runtime: RuntimeCandidate) => {
      const c: Candidate = {
        value: node,
        offset: nodeSite ?? start(node),
        field: path,
        known: false,
        object,
        runtime,
      }
      if (container !== undefined) c.container = container
      this.emit(c)
    }
    if (key === 'env') {
      for (const item of list.items) {
        const [m, s] = this.deref(item, site)
        if (!isMap(m)) continue
        let name: string | undefined
        let value: Entry | undefined
        let valueFrom = false
        for (const f of this.entries(m, s, depth + 2)) {
          if (f.key === 'name') name = this.string(f.value)
          else if (f.key === 'value') value = f
          else if (f.key === 'valueFrom') valueFrom = true
        }
        if (name === undefined || value === undefined || valueFrom) continue
        const [v, vSite] = this.deref(value.value, value.site)
        if (!isScalar(v) || typeof v.value !== 'string') continue
        const finding = envImage(name, v.value)
        if (finding)
          emit(v, vSite, `${field}[${name}]`, {
            via: 'env',
            name,
            text: v.value,
            finding,
            aliased: vSite !== undefined,
          })
      }
      return
    }
    const items = list.items.map((item) => this.deref(item, site))
    const texts = items.map(([n]) => (isScalar(n) && typeof n.value === 'string' ? n.value : undefined))
    for (const f of flagImages(texts)) {
      const [node, nodeSite] = items[f.index] as [unknown, number | undefined]
      emit(node as Node, nodeSite, `${field}[${f.index}]`, {
        via: 'arg',
        name: f.flag,
        text: f.text,
        finding: f.finding,
        aliased: nodeSite !== undefined,
      })
    }
  }

  private value(
    node: unknown,
    path: string,
    role: Role,
    owner: string | undefined,
    object: ObjectInfo,
    site: number | undefined,
    depth: number,
  ): void {
    if (this.stopped || !this.visit(1, node)) return
    const [value, s] = this.deref(node, site)
    if (isMap(value)) {
      // An object embedded in another (OpenShift Template objects, Crossplane Object …) is an object of its own.
      if (
        role === 'plain' &&
        this.string(this.get(value, 'kind')) &&
        this.string(this.get(value, 'apiVersion'))
      )
        this.object(value, path, s, depth)
      else this.map(value, path, role, owner, object, s, depth)
    } else if (isSeq(value)) {
      if (this.tooDeep(value, depth)) return
      value.items.forEach((item, i) => {
        this.value(item, `${path}[${i}]`, role, owner, object, s, depth + 1)
      })
    }
  }

  private candidate(
    e: Entry,
    field: string,
    known: boolean,
    container: string | undefined,
    object: ObjectInfo,
  ) {
    if (isAlias(e.value) && this.resolve(e.value) === undefined) {
      this.deref(e.value, e.site) // reports it
      return
    }
    const [value, site] = this.deref(e.value, e.site)
    let offset: number
    if (site !== undefined) offset = site
    else if (isNode(value) && value.range && value.range[1] > value.range[0]) offset = value.range[0]
    else offset = start(e.keyNode)
    const c: Candidate = { value: isNode(value) ? value : null, offset, field, known, object }
    if (container !== undefined) c.container = container
    this.emit(c)
  }

  /** Counts `n` more nodes visited; false (and the walk stops) past MAX_WALK_NODES. */
  private visit(n: number, at: unknown): boolean {
    this.visited += n
    if (this.visited <= MAX_WALK_NODES) return true
    if (!this.stopped)
      this.issue({
        level: 'error',
        offset: start(at),
        message: `aliases expand the document to more than ${MAX_WALK_NODES} nodes: the rest of it was not searched`,
      })
    this.stopped = true
    return false
  }

  private tooDeep(node: Node, depth: number): boolean {
    if (depth <= MAX_DEPTH) return false
    if (!this.stopped)
      this.issue({
        level: 'error',
        offset: start(node),
        message: `document nests deeper than ${MAX_DEPTH} levels: the rest of it was not searched`,
      })
    this.stopped = true
    return true
  }

  /** Entries of a mapping with `<<` merge keys applied: own keys win, then earlier merge sources. */
  private entries(map: YAMLMap, site: number | undefined, depth: number): Entry[] {
    const out: Entry[] = []
    let merges: Pair[] | undefined
    if (!this.visit(map.items.length, map)) return out
    for (const pair of map.items as Pair[]) {
      if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
        merges ??= []
        merges.push(pair)
        continue
      }
      out.push({ key: this.keyString(pair.key), keyNode: pair.key, value: pair.value, site })
    }
    if (!merges || depth > MAX_DEPTH) return out
    const seen = new Set(out.map((e) => e.key))
    for (const pair of merges) {
      const [source, sourceSite] = this.deref(pair.value, site)
      const sources = isSeq(source)
        ? source.items.map((item) => this.deref(item, sourceSite))
        : [[source, sourceSite] as const]
      for (const [m, s] of sources) {
        if (!isMap(m)) continue
        for (const e of this.entries(m, s, depth + 1)) {
          if (seen.has(e.key)) continue
          seen.add(e.key)
          out.push(e)
        }
      }
    }
    return out
  }

  /** Resolve an alias; the site of the first alias on the way is kept as the location to report. */
  private deref(node: unknown, site: number | undefined): [unknown, number | undefined] {
    if (!isAlias(node)) return [node, site]
    const target = this.resolve(node)
    if (target === undefined) {
      if (!this.badAliases.has(start(node))) {
        this.badAliases.add(start(node))
        this.issue({
          level: 'warning',
          offset: start(node),
          message: `alias *${node.source} refers to no anchor defined before it: ignored`,
        })
      }
      return [undefined, site]
    }
    if (isMap(target) || isSeq(target)) {
      if (++this.expansions > MAX_ALIAS_EXPANSIONS) {
        if (this.expansions === MAX_ALIAS_EXPANSIONS + 1)
          this.issue({
            level: 'error',
            offset: start(node),
            message: `more than ${MAX_ALIAS_EXPANSIONS} alias expansions in one document: the rest was not searched`,
          })
        this.stopped = true
        return [undefined, site]
      }
    }
    return [target, site ?? start(node)]
  }

  private resolve(alias: Alias): Node | undefined {
    if (!this.anchors) {
      const anchors = new Map<string, Node[]>()
      visit(this.doc, (_key, node) => {
        if (isNode(node) && !isAlias(node) && node.anchor) {
          const list = anchors.get(node.anchor)
          if (list) list.push(node)
          else anchors.set(node.anchor, [node])
        }
      })
      for (const list of anchors.values()) list.sort((a, b) => start(a) - start(b))
      this.anchors = anchors
    }
    // The last anchor of that name defined before the alias (binary search: a document may redefine one
    // name thousands of times).
    const list = this.anchors.get(alias.source) ?? []
    const at = start(alias)
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (start(list[mid]) < at) lo = mid + 1
      else hi = mid
    }
    return lo > 0 ? list[lo - 1] : undefined
  }

  private get(map: YAMLMap, key: string): unknown {
    for (const pair of map.items as Pair[]) if (this.keyString(pair.key) === key) return pair.value
    return undefined
  }

  /** The `name` among a mapping's entries; remembered, as every `image` key of the mapping asks. */
  private ownName(entries: Entry[]): string | undefined {
    if (this.names.has(entries)) return this.names.get(entries)
    let name: string | undefined
    for (const e of entries)
      if (e.key === 'name') {
        name = this.string(e.value)
        break
      }
    this.names.set(entries, name)
    return name
  }

  private keyString(key: unknown): string | undefined {
    const [k] = this.deref(key, undefined)
    if (!isScalar(k)) return undefined
    const v = (k as Scalar).value
    return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
  }

  private string(node: unknown): string | undefined {
    const [n] = this.deref(node, undefined)
    if (!isScalar(n)) return undefined
    const v = n.value
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined
  }
}
