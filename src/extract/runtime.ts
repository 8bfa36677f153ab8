// Images a workload starts later rather than running itself ("runtime" images): operators take the images
// of the pods they create as container flags (`--prometheus-config-reloader=…`, Argo's `--executor-image …`)
// or environment variables (OLM's `RELATED_IMAGE_*`, `*_IMAGE`). A deploy that warmed only the `image:`
// fields fails later, when the operator starts those pods; so they are warmed too.
//
// Precision comes first, because a false positive fails a strict deploy. A value is taken only when
// - it sits where an operator reads it: an item of a container's `args`/`command` of the form `--NAME=REF`,
//   or `--NAME` followed by the item `REF` (one dash works too: Go's flag package accepts both), where NAME
//   spells `image` (`image`, `Image` or `IMAGE`) or is a known operator flag (KNOWN_FLAGS); or the literal
//   `value` of a container `env` entry named `*_IMAGE` or `*_IMAGE_*` (so `RELATED_IMAGE_*`), never
//   `valueFrom`;
// - and it is a complete reference: a registry host written out (the first component has a `.` or `:` or is
//   `localhost`) and a tag or digest. A repository alone (`--prometheus-default-base-image=quay.io/prometheus/
//   prometheus`) is a base the operator appends its own tag to: `:latest` is not what it pulls. A value
//   without a registry (`--image-tag=v1.2`, `--default-image=busybox`) is as likely a name, a tag or a word
//   as an image.
// The known flags are the exception to the second rule: their operators pass the value unchanged as a
// container image, so Docker Hub short names (`longhornio/longhorn-engine:v1.5.3`) and a missing tag
// (`latest`) mean exactly what they mean in an `image:` field.
//
// Everything here is linear in the length of the text: string searches and regular expressions without
// nested or overlapping repetition.
import type { Scalar } from 'yaml'
import type { ImageReference } from '../model.js'
import type { Finding } from './classify.js'
import { formatReference, isTemplated, parseReference } from './reference.js'
import { scalarSpan } from './span.js'

/**
 * Flags whose value the operator passes unchanged as the image of pods it starts. Names without dashes;
 * matched exactly. Most spell `image` anyway; the table is what lets their values omit the registry host.
 */
export const KNOWN_FLAGS: ReadonlyMap<string, string> = new Map([
  // prometheus-operator: the config reloader sidecar of every Prometheus / Alertmanager / ThanosRuler pod
  ['prometheus-config-reloader', 'prometheus-operator'],
  ['config-reloader-image', 'prometheus-operator (before v0.40)'],
  // cert-manager: the pod that answers each ACME HTTP-01 challenge
  ['acme-http01-solver-image', 'cert-manager'],
  // Argo Workflows: the executor sidecar of every workflow pod
  ['executor-image', 'Argo Workflows'],
  // Longhorn manager: engine, instance manager, share manager … pods
  ['engine-image', 'Longhorn'],
  ['instance-manager-image', 'Longhorn'],
  ['share-manager-image', 'Longhorn'],
  ['backing-image-manager-image', 'Longhorn'],
  ['support-bundle-manager-image', 'Longhorn'],
  ['manager-image', 'Longhorn'],
  // Tekton Pipelines controller: images injected into every TaskRun pod
  ['entrypoint-image', 'Tekton'],
  ['nop-image', 'Tekton'],
  ['shell-image', 'Tekton'],
  ['shell-image-win', 'Tekton'],
  ['workingdirinit-image', 'Tekton'],
  ['sidecarlogresults-image', 'Tekton'],
  ['gsutil-image', 'Tekton (before v0.40)'],
])

/** Container keys whose items may carry a runtime image. */
export const RUNTIME_KEYS: ReadonlySet<string> = new Set(['args', 'command', 'env'])

const IMAGE_WORDS = ['image', 'Image', 'IMAGE']
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Text without which no runtime image can be found: every flag and env name taken spells `image` in one of
 * these ways, or is a known flag. Used by the pre-scan and the pruning to keep what may hold one.
 */
export const RUNTIME_TEXT = new RegExp(
  [...IMAGE_WORDS, ...[...KNOWN_FLAGS.keys()].filter((f) => !IMAGE_WORDS.some((w) => f.includes(w)))]
    .map(escapeRegExp)
    .join('|'),
  'g',
)

/**
 * Where in `text[start, end)` a flag or env name a runtime image is taken from may be spelled: the RUNTIME_TEXT
 * matches that stand in a flag — a run of flag-name characters (`[A-Za-z0-9_.-]`) that starts with a dash:
 * `--executor-image`, `-nop-image`, `--prometheus-config-reloader` — or in an env name, `IMAGE` right after
 * `_` (`RELATED_IMAGE_DB`, `AGENT_IMAGE`: isImageEnvName needs the `_`). Any other match names no runtime
 * image: `imagePullPolicy`, `image.openshift.io`, "Image" in prose, the `image` of an image reference
 * (`…/prometheus-config-reloader:v0.76`), an `image` key inside the JSON text of an annotation. The pre-scan
 * and the pruning keep what holds one of these (and `image` keys, found apart). A flag or name written with
 * escapes is kept by the escape checks there.
 *
 * Linear: going back from a match to the start of its run never passes the end of the previous match (a run
 * that reaches back to it is the previous match's own run: every RUNTIME_TEXT character is a flag character).
 */
export function runtimeMarks(text: string, start: number, end: number): number[] {
  const out: number[] = []
  const re = new RegExp(RUNTIME_TEXT.source, 'g')
  re.lastIndex = start
  let floor = start
  let floorRun = start
  for (let m = re.exec(text); m !== null && m.index < end; m = re.exec(text)) {
    const at = m.index
    let i = at
    while (i > floor && isFlagChar(text.charCodeAt(i - 1))) i--
    const run = i === floor && floor > start ? floorRun : i
    if (text.charCodeAt(run) === 45 /* - */ || (m[0] === 'IMAGE' && text.charCodeAt(at - 1) === 95) /* _ */)
      out.push(at)
    floor = at + m[0].length
    floorRun = run
  }
  return out
}

/** `[A-Za-z0-9_.-]`: what a flag name (FLAG_NAME) and its dashes are made of. */
function isFlagChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
  )
}

const FLAG_NAME = /^[A-Za-z0-9][\w.-]*$/
const ENV_NAME = /^[A-Za-z_][\w.-]*$/

const spellsImage = (name: string) => IMAGE_WORDS.some((w) => name.includes(w))

/** A reference found in an `args`/`command` list. */
export interface FlagImage {
  /** Index of the item that holds the reference (the flag item itself for `--NAME=REF`). */
  index: number
  /** The flag as written, with its dashes: `--prometheus-config-reloader`. */
  flag: string
  /** The reference text: the item's tail after `=`, or the whole next item. */
  text: string
  finding: Finding
}

/** References passed as flags in a list of `args` or `command` items (undefined: not a string). */
export function flagImages(items: readonly (string | undefined)[]): FlagImage[] {
  const out: FlagImage[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]
    if (item === undefined || item.charCodeAt(0) !== 45 /* - */) continue
    if (item === '--') break // the rest are operands, not flags
    const dashes = item.charCodeAt(1) === 45 ? 2 : 1
    const body = item.slice(dashes)
    const eq = body.indexOf('=')
    const name = eq === -1 ? body : body.slice(0, eq)
    if (!FLAG_NAME.test(name)) continue
    const known = KNOWN_FLAGS.has(name)
    if (!known && !spellsImage(name)) continue
    const flag = item.slice(0, dashes + name.length)
    if (eq !== -1) {
      const text = body.slice(eq + 1)
      const finding = runtimeFinding(text, known)
      if (finding) out.push({ index: i, flag, text, finding })
      continue
    }
    const next = items[i + 1]
    if (next === undefined || next.charCodeAt(0) === 45) continue
    const finding = runtimeFinding(next, known)
    if (finding) {
      out.push({ index: i + 1, flag, text: next, finding })
      i++
    }
  }
  return out
}

/** Whether an environment variable's name marks its value as an image: `*_IMAGE`, `*_IMAGE_*`. */
export function isImageEnvName(name: string): boolean {
  if (!ENV_NAME.test(name)) return false
  const inner = name.indexOf('_IMAGE_')
  if (inner > 0) return true
  return name.length > 6 && name.endsWith('_IMAGE')
}

/** The finding for an env entry's literal value, when its name and value qualify. */
export function envImage(name: string, value: string): Finding | undefined {
  return isImageEnvName(name) ? runtimeFinding(value, false) : undefined
}

/**
 * A runtime value as a finding, or undefined when it is not taken: not a valid reference, templated, or
 * (unless `knownFlag`) without an explicit registry host or without a tag or digest. Never invalid or
 * unresolved: a flag or variable that is not an image is not ours to judge.
 */
export function runtimeFinding(text: string, knownFlag: boolean): Finding | undefined {
  if (text === '' || isTemplated(text) !== undefined) return undefined
  let reference: ImageReference
  try {
    reference = parseReference(text)
  } catch {
    return undefined
  }
  if (!knownFlag && !(explicitRegistry(text) && explicitVersion(text))) return undefined
  return { status: 'ok', key: formatReference(reference), raw: text, reference }
}

/** The first path component is a registry host: it has a `.` or `:`, or is `localhost`. */
function explicitRegistry(text: string): boolean {
  const slash = text.indexOf('/')
  if (slash <= 0) return false
  const first = text.slice(0, slash)
  return first === 'localhost' || first.includes('.') || first.includes(':')
}

/** A tag (a `:` after the last `/`) or a digest is written out. */
function explicitVersion(text: string): boolean {
  return text.includes('@') || text.indexOf(':', text.lastIndexOf('/')) !== -1
}

/** Where the reference is in the parsed text, and whether that text can be replaced in place. */
export type RuntimeLocation =
  /** `end`: the characters at [offset, end) are exactly the reference. */
  | { offset: number; end: number }
  /** As close to the reference as can be told, and why its text cannot be replaced in place. */
  | { offset: number; end?: undefined; why: string }

/**
 * Locate `text`, the tail of the string scalar `node`'s value, in `source` (the text the node was parsed
 * from). Exact when the whole value is written as is (span.ts), or when at least its tail is (an escape only
 * in the flag's name). Otherwise: after the literally written flag part (`"--x-image=ghcr.io\x2f…"`), else
 * the last literal occurrence inside the node, else the node's start; with span.ts's reason.
 */
export function locateTail(node: Scalar, text: string, source: string): RuntimeLocation {
  const own = scalarSpan(node, source)
  if (!('why' in own)) return { offset: own.end - text.length, end: own.end }
  const range = node.range
  if (!range || typeof node.value !== 'string') return { offset: range?.[0] ?? 0, why: own.why }
  const type = node.type
  const start = range[0]
  if (type === 'PLAIN' || type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') {
    const quoted = type !== 'PLAIN'
    const innerStart = quoted ? start + 1 : start
    const innerEnd = quoted ? range[1] - 1 : range[1]
    const at = innerEnd - text.length
    // Every character of a literal tail is itself; an escape (at most `\UXXXXXXXX`, 10 characters) or a
    // line break within reach would make the decoded tail differ from what is written.
    if (
      at >= innerStart &&
      source.slice(at, innerEnd) === text &&
      !escapeIn(type, source, at - 9, innerEnd, innerStart)
    )
      return { offset: at, end: innerEnd }
    const prefix = node.value.slice(0, node.value.length - text.length)
    const after = innerStart + prefix.length
    if (
      prefix !== '' &&
      source.slice(innerStart, after) === prefix &&
      !escapeIn(type, source, innerStart, after, innerStart)
    )
      return { offset: after, why: own.why }
  }
  const found = source.slice(start, range[1]).lastIndexOf(text)
  return { offset: found === -1 ? start : start + found, why: own.why }
}

/** Whether a double-quoted scalar has a backslash in source[from, to) (from clipped to `min`). */
function escapeIn(type: Scalar['type'], source: string, from: number, to: number, min: number): boolean {
  return type === 'QUOTE_DOUBLE' && source.slice(Math.max(min, from), to).includes('\\')
}
