// Turns the text (or YAML value) found in an image field into an ok / invalid / unresolved finding.
import { isMap, isScalar, isSeq, type Node } from 'yaml'
import { InvalidReferenceError } from '../errors.js'
import type { ExtractStatus, ImageReference } from '../model.js'
import { EMPTY_HINT, formatReference, isTemplated, parseReference } from './reference.js'

export interface Finding {
  status: ExtractStatus
  /** Dedup key: the normalised reference when ok, the raw text otherwise. */
  key: string
  raw: string
  reference?: ImageReference
  reason?: string
}

/** Picture file names that the reference grammar happens to accept (`logo.png`): not images of ours. */
const PICTURE = /\.(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?)$/i

/**
 * Classify a string from an image field. `known`: the field must hold an image (a container's `image`), so
 * anything wrong with it is reported; otherwise (a stray `image` key of an unknown kind) only references
 * and templated values are taken, and anything else is not ours to judge.
 */
export function classifyText(raw: string, known: boolean): Finding | undefined {
  const hint = isTemplated(raw)
  if (hint !== undefined) return { status: 'unresolved', key: raw, raw, reason: hint }
  if (raw.trim() === '')
    return known ? { status: 'unresolved', key: raw, raw, reason: EMPTY_HINT } : undefined
  if (!known && PICTURE.test(raw)) return undefined
  try {
    const reference = parseReference(raw)
    return { status: 'ok', key: formatReference(reference), raw, reference }
  } catch (err) {
    if (!(err instanceof InvalidReferenceError)) throw err
    return known ? { status: 'invalid', key: raw, raw, reason: err.reason } : undefined
  }
}

/** Classify a YAML value found in an image field; `source` is the text the node's range points into. */
export function classifyNode(node: Node | null, known: boolean, source: string): Finding | undefined {
  if (node === null || (isScalar(node) && node.value === null))
    return known ? { status: 'unresolved', key: '', raw: '', reason: EMPTY_HINT } : undefined
  if (isScalar(node) && typeof node.value === 'string') return classifyText(node.value, known)
  if (!known) return undefined
  const text = node.range ? source.slice(node.range[0], node.range[1]).trim() : String(node)
  const raw = text.length > 200 ? `${text.slice(0, 200)}…` : text
  const what = isMap(node)
    ? 'a mapping'
    : isSeq(node)
      ? 'a list'
      : `a ${typeof (node as { value?: unknown }).value}`
  return { status: 'invalid', key: raw, raw, reason: `image must be a string, got ${what}` }
}
