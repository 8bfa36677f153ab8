// The registry map: upstream registry host → Zot path prefix, written either as YAML (`docker.io: docker-images`)
// or as `host=prefix` lines (or comma-separated pairs, for one-line inputs). An empty prefix keeps the upstream
// path as is. Every bad entry is reported with its line, in one ConfigError.
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml'
import { ConfigError } from '../errors.js'
import { DEFAULT_DOMAIN, DOCKER_HUB_HOSTS, PATH_COMPONENT } from '../extract/reference.js'
import type { RegistryMapping } from '../model.js'

const INPUT = 'registry-map'

const HOST_LABEL = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])'
const HOST = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?$`)

/** `index.docker.io` → `docker.io`; lower case. */
export function normalizeRegistryHost(host: string): string {
  const h = host.trim().toLowerCase()
  return DOCKER_HUB_HOSTS.has(h) ? DEFAULT_DOMAIN : h
}

interface Entry {
  line: number
  registry: string
  prefix: string
}

export function parseRegistryMap(text: string): RegistryMapping[] {
  const problems: string[] = []
  const entries = looksLikePairs(text) ? parsePairs(text, problems) : parseYaml(text, problems)
  const seen = new Map<string, number>()
  const out: RegistryMapping[] = []
  for (const e of entries) {
    const registry = checkHost(e, problems)
    const prefix = checkPrefix(e, problems)
    if (registry === undefined || prefix === undefined) continue
    const first = seen.get(registry)
    if (first !== undefined) {
      problems.push(
        `${INPUT}: line ${e.line}: ${registry} is already mapped on line ${first}; keep one entry.`,
      )
      continue
    }
    seen.set(registry, e.line)
    out.push({ registry, prefix })
  }
  if (problems.length) throw new ConfigError(byLine(problems))
  return out
}

/** Problems in file order (parse problems are found before per-entry ones). */
function byLine(problems: string[]): string[] {
  const line = (p: string) => Number(/ line (\d+):/.exec(p)?.[1] ?? 0)
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => line(a.p) - line(b.p) || a.i - b.i)
    .map((x) => x.p)
}

function stripComment(line: string): string {
  return line.replace(/(^|\s)#.*$/, '').trim()
}

/** `host=prefix` form: any non-comment line with `=` (YAML mappings never need one here). */
function looksLikePairs(text: string): boolean {
  return text.split(/\r?\n/).some((l) => stripComment(l).includes('='))
}

function parsePairs(text: string, problems: string[]): Entry[] {
  const entries: Entry[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1
    const content = stripComment(raw)
    if (!content) return
    for (const part of content.split(',')) {
      const pair = part.trim()
      if (!pair) continue
      const eq = pair.indexOf('=')
      if (eq <= 0) {
        problems.push(
          `${INPUT}: line ${line}: "${pair}" is not host=prefix (e.g. docker.io=docker-images; an empty prefix keeps upstream paths).`,
        )
        continue
      }
      entries.push({ line, registry: pair.slice(0, eq).trim(), prefix: pair.slice(eq + 1).trim() })
    }
  })
  return entries
}

function parseYaml(text: string, problems: string[]): Entry[] {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false })
  const lineOf = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line)
  if (doc.errors.length) {
    for (const err of doc.errors)
      problems.push(`${INPUT}: line ${lineOf(err.pos[0])}: not valid YAML (${err.message.split('\n')[0]}).`)
    return []
  }
  if (doc.contents === null) return []
  if (!isMap(doc.contents)) {
    problems.push(
      `${INPUT}: line ${lineOf(doc.contents.range?.[0])}: expected a mapping of registry host to Zot path prefix (e.g. "docker.io: docker-images") or host=prefix lines.`,
    )
    return []
  }
  const entries: Entry[] = []
  for (const pair of doc.contents.items) {
    const keyNode = pair.key
    const line = lineOf(isScalar(keyNode) ? keyNode.range?.[0] : undefined)
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      problems.push(`${INPUT}: line ${line}: the key must be a registry host such as docker.io.`)
      continue
    }
    const valueNode = pair.value
    let prefix = ''
    if (valueNode !== null && valueNode !== undefined) {
      if (
        !isScalar(valueNode) ||
        typeof valueNode.value === 'object' ||
        typeof valueNode.value === 'boolean'
      ) {
        if (!(isScalar(valueNode) && valueNode.value === null)) {
          problems.push(
            `${INPUT}: line ${line}: the prefix of ${String(keyNode.value)} must be a path such as docker-images (or empty).`,
          )
          continue
        }
      } else {
        prefix = String(valueNode.value)
      }
    }
    entries.push({ line, registry: String(keyNode.value), prefix })
  }
  return entries
}

function checkHost(e: Entry, problems: string[]): string | undefined {
  const host = e.registry.trim().toLowerCase()
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) {
    const bare = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/.*$/, '')
    problems.push(
      `${INPUT}: line ${e.line}: "${e.registry}" is a URL; write the registry host only (${bare}).`,
    )
    return undefined
  }
  if (host.includes('/')) {
    problems.push(
      `${INPUT}: line ${e.line}: "${e.registry}" has a path; map whole registries by host[:port] (e.g. ghcr.io).`,
    )
    return undefined
  }
  if (!HOST.test(host)) {
    problems.push(`${INPUT}: line ${e.line}: "${e.registry}" is not a registry host[:port].`)
    return undefined
  }
  return normalizeRegistryHost(host)
}

function checkPrefix(e: Entry, problems: string[]): string | undefined {
  const prefix = e.prefix.trim().replace(/^\/+|\/+$/g, '')
  if (!prefix) return ''
  const bad = prefix.split('/').find((c) => !PATH_COMPONENT.test(c))
  if (bad !== undefined) {
    const why = bad !== bad.toLowerCase() ? 'must be lower case' : 'is not a valid repository path component'
    problems.push(
      `${INPUT}: line ${e.line}: prefix "${e.prefix}" for ${e.registry}: "${bad}" ${why} (letters, digits, ., _, - separated by /).`,
    )
    return undefined
  }
  return prefix
}
