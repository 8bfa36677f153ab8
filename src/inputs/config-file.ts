// The configuration file: a YAML mapping whose keys are the input names (`zot-url: https://…`). It sits
// beneath every other source: the CLI reads flags, then ZOT_WARM_*, then the seed CronJob's ZOT_* variables,
// then the file, then the defaults; the action reads its inputs, then the file. The CLI looks for the file
// in the places the seed CLI used; the action reads only the one its `config` input names (a workflow says
// what it reads). Every value keeps its line, so a bad value is reported where it is written.
import { readFileSync, statSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseAllDocuments,
  type Scalar,
} from 'yaml'
import type { ProblemPlace } from '../errors.js'
import { INPUTS } from './spec.js'

/** Where the CLI looks when `config` is not set, first found wins. Injectable so tests never touch the real ones. */
export interface ConfigSearch {
  /** Directory of `./zot-warm.yaml` (the current directory). */
  cwd: string
  /** `$XDG_CONFIG_HOME`; empty or unset: `<home>/.config`. */
  xdgConfigHome?: string | undefined
  home: string
  /** The system-wide file, `/etc/zot-warm/config.yaml` unless `ZOT_WARM_SYSTEM_CONFIG` names another. */
  system: string
}

export const SYSTEM_CONFIG = '/etc/zot-warm/config.yaml'
export const LOCAL_CONFIG = 'zot-warm.yaml'

/** The search locations of a process: its current directory, environment and home. */
export function configSearch(
  cwd: string,
  env: Record<string, string | undefined>,
  home: () => string,
): ConfigSearch {
  return {
    cwd,
    xdgConfigHome: env.XDG_CONFIG_HOME,
    home: env.HOME || homeOrEmpty(home),
    system: env.ZOT_WARM_SYSTEM_CONFIG || SYSTEM_CONFIG,
  }
}

/** A container user without a passwd entry and without HOME has no home: then there is no ~/.config. */
function homeOrEmpty(home: () => string): string {
  try {
    return home()
  } catch {
    return ''
  }
}

/** The files the CLI looks for, in order. */
export function configCandidates(search: ConfigSearch): string[] {
  const xdg =
    search.xdgConfigHome && isAbsolute(search.xdgConfigHome)
      ? search.xdgConfigHome
      : isAbsolute(search.home)
        ? join(search.home, '.config')
        : undefined
  return [
    join(search.cwd, LOCAL_CONFIG),
    ...(xdg ? [join(xdg, 'zot-warm', 'config.yaml')] : []),
    search.system,
  ]
}

export interface FileValue {
  /** The value as an input would carry it (lists as lines, a registry-map mapping as `host: prefix` lines). */
  value: string
  line: number
  column: number
  /**
   * Where each line of `value` is written, when the file gives it its own place: list items, `registry-map`
   * entries, the lines of a literal block (`|`). Problems about one item are reported there.
   */
  lines?: { line: number; column: number }[]
}

export interface ConfigFile {
  /** Absolute path of the file. */
  path: string
  /** As shown in messages and the log: `./zot-warm.yaml` in the current directory, else absolute. */
  shown: string
  values: Map<string, FileValue>
  /** `path:line:col: …` for each problem; any problem fails the run. */
  problems: string[]
  /** Per problem (same index): its line in the file, when it has one. */
  places: (ProblemPlace | undefined)[]
}

/** Inputs whose value may be written as a YAML list. */
const LIST_KEYS = new Set(['paths', 'images', 'platforms'])
/** Inputs naming a file: a relative path in the configuration file is relative to the file, as in a kubeconfig. */
const FILE_KEYS = new Set(['ca-cert', 'client-cert', 'client-key', 'report', 'workspace'])
const KEYS = INPUTS.map((i) => i.name).filter((n) => n !== 'config')

/**
 * The configuration file to read: `explicit` (the `config` input; relative to `base`), else the first of the
 * search locations that exists. Undefined when there is none. A file that exists but cannot be read is a
 * problem, not a reason to look further: the user meant that one.
 */
export function loadConfigFile(
  explicit: string | undefined,
  where: { base: string; cwd: string; search?: ConfigSearch },
): ConfigFile | undefined {
  if (explicit) {
    const path = resolve(where.base, explicit)
    return readConfigPath(path, shown(path, where.cwd), `config: cannot read "${explicit}"`)
  }
  for (const path of where.search ? configCandidates(where.search) : []) {
    let exists: boolean
    try {
      statSync(path)
      exists = true
    } catch (err) {
      const code = (err as { code?: string }).code
      exists = code !== 'ENOENT' && code !== 'ENOTDIR'
    }
    const name = shown(path, where.cwd)
    if (exists) return readConfigPath(path, name, `cannot read the configuration file ${name}`)
  }
  return undefined
}

/** `./zot-warm.yaml` inside the current directory, the absolute path elsewhere. */
function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? `./${rel.split(sep).join('/')}` : path
}

function readConfigPath(path: string, name: string, what: string): ConfigFile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    const code = (err as { code?: string }).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : (err as Error).message
    return {
      path,
      shown: name,
      values: new Map(),
      problems: [`${what}: ${why}${code ? ` (${code})` : ''}.`],
      places: [undefined],
    }
  }
  return parseConfigFile(path, text, name)
}

/** Parse the text of a configuration file (pure; `path` anchors relative file paths, `name` is shown). */
export function parseConfigFile(path: string, text: string, name = path): ConfigFile {
  const lines = new LineCounter()
  const values = new Map<string, FileValue>()
  const problems: string[] = []
  const places: ProblemPlace[] = []
  const problem = (offset: number, message: string) => {
    const p = lines.linePos(offset)
    const label = `${name}:${p.line}:${p.col}`
    problems.push(`${label}: ${message}`)
    places.push({ file: path, line: p.line, column: p.col, label })
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  // prettyErrors off: the messages then carry no excerpt of the file, which may hold a password.
  const docs = parseAllDocuments(body, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  const list = Array.isArray(docs) ? docs : []
  if (list.length > 1)
    problem(list[1]?.range[0] ?? 0, 'one YAML document expected; remove the `---` and what follows.')
  const doc = list[0]
  if (!doc) return { path, shown: name, values, problems, places }
  for (const e of doc.errors)
    problem(e.pos[0], e.code === 'DUPLICATE_KEY' ? 'key given twice.' : `invalid YAML: ${e.message}`)
  if (problems.length) return { path, shown: name, values, problems, places }

  const deref = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node)
  const root = deref(doc.contents)
  if (root === null || root === undefined || (isScalar(root) && root.value === null))
    return { path, shown: name, values, problems, places }
  if (!isMap(root)) {
    problem(
      (root as Node).range?.[0] ?? 0,
      'expected a mapping of input names to values, e.g. `zot-url: https://zot.example.com`.',
    )
    return { path, shown: name, values, problems, places }
  }

  for (const pair of root.items as Pair[]) {
    const keyNode = deref(pair.key)
    const keyAt = (keyNode as Node | null)?.range?.[0] ?? 0
    const key = isScalar(keyNode) && typeof keyNode.value === 'string' ? keyNode.value : undefined
    if (key === undefined) {
      problem(keyAt, 'keys are input names such as `zot-url`.')
      continue
    }
    if (key === 'config') {
      problem(keyAt, '"config" names the configuration file itself and cannot be set inside it.')
      continue
    }
    if (!KEYS.includes(key)) {
      problem(keyAt, `unknown key "${key}"; ${unknownKeyAdvice(key, deref(pair.value))}`)
      continue
    }
    const node = deref(pair.value) as Node | null
    const valueAt = node?.range?.[0] ?? keyAt
    const value = toInputValue(key, node, (message, at) => problem(at ?? valueAt, `${key}: ${message}`))
    if (value === undefined) continue
    const pos = lines.linePos(valueAt)
    const each = linePositions(node, lines, body)
    values.set(key, {
      value: FILE_KEYS.has(key) && isRelativePath(value) ? resolve(dirname(path), value) : value,
      line: pos.line,
      column: pos.col,
      ...(each ? { lines: each } : {}),
    })
  }
  return { path, shown: name, values, problems, places }
}

/** A YAML value as the input's text; undefined for an empty value (unset) or a wrong type (reported). */
function toInputValue(
  key: string,
  node: Node | null,
  problem: (message: string, offset?: number) => void,
): string | undefined {
  if (node === null || (isScalar(node) && node.value === null)) return undefined
  if (isScalar(node)) return scalarText(node)
  if (isSeq(node)) {
    if (!LIST_KEYS.has(key)) {
      problem(
        key === 'registry-map'
          ? 'expects `registry: prefix` entries.'
          : 'expects a single value, not a list.',
      )
      return undefined
    }
    const items: string[] = []
    for (const item of node.items) {
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') {
        problem('list items must be plain values.', (item as Node | null)?.range?.[0])
        return undefined
      }
      items.push(scalarText(item))
    }
    return items.join('\n')
  }
  if (isMap(node) && key === 'registry-map') {
    const lines: string[] = []
    for (const pair of node.items as Pair[]) {
      if (!isScalar(pair.key) || !(isScalar(pair.value) || pair.value === null)) {
        problem('expects `registry: prefix` entries.')
        return undefined
      }
      const prefix = pair.value === null ? '' : scalarText(pair.value as Scalar)
      lines.push(`${scalarText(pair.key)}=${prefix}`)
    }
    return lines.join('\n')
  }
  problem(
    key === 'registry-map' ? 'expects `registry: prefix` entries.' : 'expects a single value, not a mapping.',
  )
  return undefined
}

/** Where each line of the value toInputValue made of `node` is written (see FileValue.lines). */
function linePositions(
  node: Node | null,
  lines: LineCounter,
  text: string,
): { line: number; column: number }[] | undefined {
  const at = (offset: number) => {
    const p = lines.linePos(offset)
    return { line: p.line, column: p.col }
  }
  if (isSeq(node) || isMap(node)) {
    const out: { line: number; column: number }[] = []
    for (const item of node.items as unknown[]) {
      const start = (isMap(node) ? ((item as Pair).key as Node | null) : (item as Node | null))?.range?.[0]
      if (start === undefined) return undefined
      out.push(at(start))
    }
    return out
  }
  // A literal block keeps its lines: the content starts on the line after the `|`, at its indentation.
  if (isScalar(node) && node.type === 'BLOCK_LITERAL' && typeof node.value === 'string' && node.range) {
    const first = at(node.range[0]).line + 1
    return node.value.split('\n').map((_, i) => {
      const start = lines.lineStarts[first + i - 1] ?? text.length
      const indent = /^[ \t]*/.exec(text.slice(start, start + 200))?.[0].length ?? 0
      return { line: first + i, column: indent + 1 }
    })
  }
  return undefined
}

/** The text as written for numbers (`1.10` stays `1.10`), the value otherwise. */
function scalarText(node: Scalar): string {
  if (typeof node.value === 'number' || typeof node.value === 'bigint')
    return (node as Scalar & { source?: string }).source ?? String(node.value)
  return String(node.value)
}

function isRelativePath(value: string): boolean {
  return value !== '-' && !value.includes('-----BEGIN') && !value.includes('\n') && !isAbsolute(value)
}

/** What to write instead of an unknown key: the seed CLI's `soft`, else the nearest key, else what keys are. */
function unknownKeyAdvice(key: string, value: unknown): string {
  if (key.toLowerCase() === 'soft') {
    const soft = !(isScalar(value) && [false, 'false', 'no', 'off', 0, '0'].includes(value.value as string))
    return `write strict: ${!soft} instead (soft: true is strict: false).`
  }
  const near = nearestKey(key)
  return near
    ? `did you mean "${near}"?`
    : "keys are the input names, e.g. zot-url, paths, registry-map (all in the README's Inputs and zot-warm --help)."
}

/**
 * The input name closest to `key` (case, `_` and camelCase forgiven first; then a few typos, or a key that
 * starts with it or has it as a word: `registry` → `registry-map`); undefined when none is that close.
 */
export function nearestKey(key: string): string | undefined {
  const kebab = key
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/_/g, '-')
    .toLowerCase()
  if (KEYS.includes(kebab)) return kebab
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(kebab.length / 3)) + 1
  for (const k of KEYS) {
    const d = distance(kebab, k)
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best ?? KEYS.find((k) => k.startsWith(kebab) || k.split('-').includes(kebab))
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
    prev = row
  }
  return prev[b.length] as number
}
