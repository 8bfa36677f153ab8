// Duplicate mapping keys, found in linear time. The `yaml` library's own check (`uniqueKeys`) compares
// each new key with every earlier key of the same mapping, which is quadratic in the size of a mapping:
// a 400 KB mapping took half a minute. Here each mapping gets one hash set, and the keys are visited in the
// order the library reports its errors (a pair's key, the check, then its value), so the first duplicates
// named are the same ones the library would name.
import { type Document, isMap, isNode, isPair, isScalar, isSeq } from 'yaml'
import { isLineTerminator } from './lines.js'

/**
 * Offsets of the first `limit` keys that repeat an earlier key of the same mapping, in document order.
 * Keys are equal when they are the same node or scalars of the same value (the library's rule); a
 * collection used as a key never equals another.
 */
export function duplicateKeys(doc: Document.Parsed, limit: number): number[] {
  const found: number[] = []
  // Depth-first with an explicit stack (documents may nest deeper than the call stack allows), children
  // pushed in reverse so they pop in document order: a pair's key, its duplicate mark, then its value.
  const stack: unknown[] = [doc.contents]
  while (stack.length > 0 && found.length < limit) {
    const item = stack.pop()
    if (item instanceof Duplicate) found.push(item.offset)
    else if (isMap(item)) {
      const seen = new Set<unknown>()
      const children: unknown[] = []
      for (const pair of item.items) {
        const key = pair.key
        // Scalars are equal by value (NaN never is), anything else only to itself.
        const id = isScalar(key) && !Number.isNaN(key.value) ? key.value : key
        children.push(key, seen.has(id) ? new Duplicate(offsetOf(key)) : undefined, pair.value)
        seen.add(id)
      }
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
    } else if (isSeq(item)) {
      for (let i = item.items.length - 1; i >= 0; i--) stack.push(item.items[i])
    } else if (isPair(item)) {
      stack.push(item.value, item.key)
    }
  }
  return found
}

class Duplicate {
  constructor(readonly offset: number) {}
}

const offsetOf = (node: unknown) => (isNode(node) && node.range ? node.range[0] : 0)

/** The key written at `offset` (plain or quoted) on its line, for a duplicate-key message. */
export function keyAt(source: string, offset: number): string | undefined {
  const nl = source.indexOf('\n', offset)
  const line = source.slice(offset, nl === -1 ? source.length : nl)
  const q = line.charAt(0)
  if (q === '"') {
    const close = doubleQuoteEnd(line)
    if (close !== -1 && colonFollows(line, close + 1)) return line.slice(1, close)
  } else if (q === "'") {
    // `''` is an escaped quote, so every quote followed by another may also be the closing one: the
    // longest candidate followed by `:` wins.
    const closes: number[] = []
    for (let i = 1; i < line.length; i++) {
      if (line.charCodeAt(i) !== 39) continue
      closes.push(i)
      if (line.charCodeAt(i + 1) !== 39) break
      i++
    }
    for (let c = closes.length - 1; c >= 0; c--) {
      const close = closes[c] as number
      if (colonFollows(line, close + 1)) return line.slice(1, close)
    }
  }
  // A plain key: everything before the first `:` (no `#` before it), without the white space before `:`.
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 35) return undefined
    if (c === 58) return line.slice(0, i).trimEnd()
  }
  return undefined
}

/** Index of the closing `"` of the double-quoted scalar opening the line, or -1. */
function doubleQuoteEnd(line: string): number {
  for (let i = 1; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c === 34) return i
    if (c === 92) {
      if (i + 1 >= line.length || isLineTerminator(line.charCodeAt(i + 1))) return -1
      i++
    }
  }
  return -1
}

/** Whether white space and then `:` follow at `at`. */
function colonFollows(line: string, at: number): boolean {
  let i = at
  while (i < line.length && /\s/.test(line.charAt(i))) i++
  return line.charCodeAt(i) === 58
}
