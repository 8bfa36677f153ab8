// Second speed trick, inside a document that must be parsed: drop the lines of block-mapping entries that
// provably hold no image (`args`, `env`, `resources`, probes, labels …) before the YAML parser sees them.
// Whole lines are dropped and the kept ones are unchanged, so every position maps back exactly.
//
// Why it is safe. In block context every line of an entry's value is indented more than its key (YAML 1.2
// §8.2: block nodes and the continuation lines of flow and quoted scalars, s-l+flow-in-block at n+1), so
// "key line + the following lines indented deeper" is exactly the entry. An entry is dropped (at the root:
// its value lines only, as Compose detection looks at the set of root keys) only when
// - its key line is a plain `key:` (letters, digits, `_ . / -`) not needed by the walker (kind, apiVersion,
//   metadata, name, namespace);
// - its text holds no `image` or `imageName` followed by anything but a name character (every field we take
//   is named so; `imagePullPolicy` is not) and no runtimeMarks (runtime.ts: where a flag or env name of a
//   runtime image may be spelled, `--executor-image`, `RELATED_IMAGE_DB`) but in plain key names (runtime
//   images are taken from values); no anchor or alias (`&name`, `*name` where a node can start)
//   and no merge key (`<<`), so nothing elsewhere refers to it or pulls an image into it, and no escape that
//   could spell a key (\x, \u, \U, escaped line break);
// - it is not inside an `image` entry, nor an `args` / `command` / `env` entry holding runtimeMarks: those are
//   kept whole (an env entry's `value` line holds no marker of its own);
// - it is not inside a region whose structure a line-local look cannot know: once a line opens a block
//   scalar, a multi-line quoted or flow scalar, carries node properties (`&`, `!`), or is not a plain key /
//   `- ` entry (a quoted key, a continuation line), everything up to the end of the owning entry is kept.
// A line with a tab in its indentation stops pruning for the document (YAML forbids it; the parser reports it).

export interface Pruned {
  /** The kept text. */
  text: string
  /** Offset in `text` → offset in the original string. */
  toOriginal(offset: number): number
}

/** Below this share of dropped bytes the original is parsed: the saving would not pay for the copy. */
export const MIN_GAIN = 0.2

import { isLineTerminator } from './lines.js'
import { RUNTIME_KEYS, runtimeMarks } from './runtime.js'

const IMAGE_KEY_TEXT = /image(?:Name)?(?![\w.-])/g
const IMAGE_KEY_JSON = /"image(?:Name)?"/g
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:])[&*][^\s,[\]{}]/g

/** Keys the walker reads even when no image is below them. */
const KEEP = new Set(['kind', 'apiVersion', 'metadata', 'name', 'namespace'])
const KEY = /^([A-Za-z_][\w./-]*):(?=[ \t\r\n]|$)/
const REST_BLANK = /^[ \t]*(?:#[^\n]*)?[\r\n]*$/
const ALIAS = /^\*[^\s,[\]{}]+[ \t]*(?:#[^\n]*)?[\r\n]*$/

enum Line {
  Blank = 0,
  Comment = 1,
  Dash = 2,
  Key = 3,
  Other = 4,
}

/** Drop what cannot hold an image from `text[start, end)`. Undefined when nothing worth dropping was found. */
export function pruneDocument(
  text: string,
  start: number,
  end: number,
  minGain = MIN_GAIN,
): Pruned | undefined {
  const starts: number[] = []
  for (let at = start; at < end; ) {
    starts.push(at)
    const nl = text.indexOf('\n', at)
    at = nl === -1 || nl >= end ? end : nl + 1
  }
  const n = starts.length
  const lineEnd = (i: number) => (i + 1 < n ? (starts[i + 1] as number) : end)
  const indent = new Int32Array(n)
  const kind = new Uint8Array(n)
  const keyEnd = new Int32Array(n) // end of the key name on a Key line
  for (let i = 0; i < n; i++) {
    const s = starts[i] as number
    const e = lineEnd(i)
    let p = s
    while (p < e && text.charCodeAt(p) === 32) p++
    const c = p < e ? text.charCodeAt(p) : 10
    if (c === 9) return undefined // tab in the indentation
    indent[i] = p - s
    if (c === 10 || (c === 13 && p + 1 >= e - 1)) kind[i] = Line.Blank
    else if (c === 35) kind[i] = Line.Comment
    else if (c === 45 && isSpaceOrEnd(text, p + 1, e)) kind[i] = Line.Dash
    else {
      const k = plainKeyEnd(text, p, e)
      kind[i] = k === -1 ? Line.Other : Line.Key
      keyEnd[i] = k
    }
  }
  // A `---` line opening the document stays as it is; with content after it the root is not a block node.
  let first = 0
  if (n > 0 && text.startsWith('---', start)) {
    if (!REST_BLANK.test(text.slice(start + 3, lineEnd(0)).replace(/\n$/, ''))) return undefined
    first = 1
  }

  /** The plain key name `text[p]` is part of, when it is one (on a Key line): [its start, its end). */
  const keyAround = (p: number): [number, number] | undefined => {
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((starts[mid] as number) <= p) lo = mid
      else hi = mid - 1
    }
    if (kind[lo] !== Line.Key) return undefined
    const from = (starts[lo] as number) + (indent[lo] as number)
    return p < (keyEnd[lo] as number) ? [from, keyEnd[lo] as number] : undefined
  }
  const risk = riskFinder(text, start, end, keyAround)
  /**
   * First line after the entry on line i: deeper lines, blanks and comments belong to it, and for a key also
   * `- ` lines at its own indentation (a block sequence may sit at the indentation of its key).
   */
  const entryEnd = (i: number) => {
    const ind = indent[i] as number
    const compact = kind[i] === Line.Key
    let j = i + 1
    for (; j < n; j++) {
      const k = kind[j]
      const d = indent[j] as number
      if (k === Line.Blank || k === Line.Comment || d > ind || (compact && d === ind && k === Line.Dash))
        continue
      break
    }
    return j
  }

  const kept: number[] = [] // pairs of line indexes [from, to)
  const keep = (from: number, to: number) => {
    if (from >= to) return
    if (kept.length && kept[kept.length - 1] === from) kept[kept.length - 1] = to
    else kept.push(from, to)
  }
  keep(0, first)
  const parents: number[] = [] // indents of the kept key / `- ` lines above the current line
  let rootKey: string | undefined
  let dropped = 0
  let i = first
  while (i < n) {
    const k = kind[i]
    if (k === Line.Blank || k === Line.Comment) {
      dropped += lineEnd(i) - (starts[i] as number)
      i++
      continue
    }
    const ind = indent[i] as number
    while (parents.length && (parents[parents.length - 1] as number) >= ind) parents.pop()
    const s = (starts[i] as number) + ind
    const e = lineEnd(i)
    if (k === Line.Other) {
      // Not a line we can read on its own: keep the rest of the owning entry untouched.
      const parent = parents.length ? (parents[parents.length - 1] as number) : -1
      let j = i + 1
      while (j < n && (kind[j] === Line.Blank || (indent[j] as number) > parent)) j++
      keep(i, j)
      i = j
      continue
    }
    const stop = entryEnd(i)
    if (k === Line.Key) {
      const key = text.slice(s, plainKeyEnd(text, s, e))
      const root = parents.length === 0
      if (root) rootKey = key
      const from = starts[i] as number
      const to = stop < n ? (starts[stop] as number) : end
      // The walker never reads the root `status` nor any of the root `metadata` but name and namespace:
      // there only anchors (used elsewhere) must be kept.
      const ignored =
        (root && key === 'status') ||
        (parents.length === 1 && rootKey === 'metadata' && key !== 'name' && key !== 'namespace')
      const droppable = ignored ? !risk.anchors(from, to) : !KEEP.has(key) && !risk.any(from, to)
      const value = text.slice(s + key.length + 1, e).replace(/\n$/, '')
      if (droppable && !root) {
        dropped += to - from
        i = stop
        continue
      }
      keep(i, i + 1)
      if (droppable && closedValue(value)) {
        // A root key stays (Compose detection looks at the set of root keys); its value lines go.
        dropped += to - (i + 1 < n ? (starts[i + 1] as number) : end)
        i = stop
        continue
      }
      // Inside an `image` entry everything may matter (an image volume's `reference`), and inside flags or env
      // that may name a runtime image too: kept whole.
      if (
        !closedValue(value) ||
        key === 'image' ||
        key === 'imageName' ||
        (RUNTIME_KEYS.has(key) && risk.runtime(from, to))
      ) {
        keep(i + 1, stop)
        i = stop
        continue
      }
    } else {
      keep(i, i + 1)
      if (!closedDashValue(text.slice(s + 1, e).replace(/\n$/, ''))) {
        keep(i + 1, stop)
        i = stop
        continue
      }
    }
    parents.push(ind)
    i++
  }
  if (dropped === 0 || dropped < (end - start) * minGain) return undefined

  const ranges: number[] = []
  for (let p = 0; p < kept.length; p += 2) {
    const to = kept[p + 1] as number
    ranges.push(starts[kept[p] as number] as number, to < n ? (starts[to] as number) : end)
  }
  return fromRanges(text, start, ranges)
}

/** The text made of `ranges` (pairs [from, to) of offsets, ascending) and the map back. */
function fromRanges(text: string, start: number, ranges: number[]): Pruned {
  const origStarts: number[] = []
  const prunedStarts: number[] = []
  const parts: string[] = []
  let length = 0
  for (let p = 0; p < ranges.length; p += 2) {
    const a = ranges[p] as number
    const b = ranges[p + 1] as number
    if (b <= a) continue
    origStarts.push(a)
    prunedStarts.push(length)
    parts.push(text.slice(a, b))
    length += b - a
  }
  return {
    text: parts.join(''),
    toOriginal(offset: number): number {
      if (prunedStarts.length === 0) return start
      let lo = 0
      let hi = prunedStarts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if ((prunedStarts[mid] as number) <= offset) lo = mid
        else hi = mid - 1
      }
      return (origStarts[lo] as number) + offset - (prunedStarts[lo] as number)
    },
  }
}

/** End of a plain `key` followed by `:` and white space or the line end at `p`, or -1 (the KEY pattern). */
function plainKeyEnd(text: string, p: number, e: number): number {
  let c = text.charCodeAt(p)
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return -1
  let q = p + 1
  for (; q < e; q++) {
    c = text.charCodeAt(q)
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
    if (!word && c !== 46 && c !== 47 && c !== 45) break
  }
  if (q >= e || text.charCodeAt(q) !== 58) return -1
  return isSpaceOrEnd(text, q + 1, e) ? q : -1
}

function isSpaceOrEnd(text: string, p: number, e: number): boolean {
  if (p >= e) return true
  const c = text.charCodeAt(p)
  return c === 32 || c === 9 || c === 10 || c === 13
}

/** Sorted offsets → whether any lies in [a, b). */
function anyIn(marks: number[]): (a: number, b: number) => boolean {
  marks.sort((x, y) => x - y)
  return (a, b) => {
    let lo = 0
    let hi = marks.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((marks[mid] as number) < a) lo = mid + 1
      else hi = mid
    }
    return lo < marks.length && (marks[lo] as number) < b
  }
}

/**
 * Whether `text[a, b)` holds anything that forbids dropping it (`any`): an `image` key, runtime image text,
 * an anchor, alias or merge key, or an escape that could spell a key; or (`anchors`) an anchor something else
 * may refer to; or (`runtime`) text a runtime image needs.
 * Positions are collected once per document.
 */
function riskFinder(
  text: string,
  start: number,
  end: number,
  keyAround: (p: number) => [number, number] | undefined,
) {
  const doc = text.slice(start, end) // bounded searches: indexOf on the whole file would run past `end`
  const marks: number[] = []
  const anchors: number[] = []
  // A key `image` / `imageName` is followed by `:`, a quote, white space … never by a name character, so
  // `imagePullPolicy` or `images` cannot be one.
  for (const m of doc.matchAll(IMAGE_KEY_TEXT)) marks.push(start + m.index)
  // Where a flag or env name of a runtime image may be; inside a plain key name it is none (runtime images
  // are found by values, a flag item or an env entry's `name`, and no name that is taken holds `: `).
  const runtime = runtimeMarks(text, start, end)
  for (const at of runtime) if (!keyAround(at)) marks.push(at)
  // An anchor or alias starts a node: after white space, a flow indicator or `:`, and a name follows.
  // `cp /config/* /work`, `"*/5 * * * *"` hold none; `a && b` is taken to (it cannot be told apart here).
  for (const m of doc.matchAll(ANCHOR_OR_ALIAS)) {
    const at = start + m.index + m[0].length - 2
    marks.push(at)
    if (text.charCodeAt(at) === 38) anchors.push(at)
  }
  for (let at = doc.indexOf('<<'); at !== -1; at = doc.indexOf('<<', at + 1)) marks.push(start + at)
  for (let at = doc.indexOf('\\'); at !== -1; at = doc.indexOf('\\', at + 1)) {
    const c = doc.charAt(at + 1)
    if (c === 'x' || c === 'u' || c === 'U' || c === '\n' || c === '\r') marks.push(start + at)
  }
  return { any: anyIn(marks), anchors: anyIn(anchors), runtime: anyIn(runtime) }
}

/** After `- `: nested `- `, then either `key: value` or a value. */
function closedDashValue(tail: string): boolean {
  // One index over the line: re-slicing it per `- ` is quadratic on `- - - - …`.
  let i = 0
  for (;;) {
    while (i < tail.length && isBlank(tail.charCodeAt(i))) i++
    const next = tail.charCodeAt(i + 1)
    if (tail.charCodeAt(i) === 45 && (i + 1 === tail.length || isBlank(next) || next === 13)) i++
    else break
  }
  const t = tail.slice(i)
  const key = KEY.exec(t)
  return key ? closedValue(t.slice((key[1] as string).length + 1)) : closedValue(t)
}

/**
 * Whether the value that starts on this line also ends on it (or continues only as block structure on the
 * next lines). Anything else — block scalars, node properties, multi-line quoted or flow scalars, oddities —
 * is "not closed", which only makes the caller keep more.
 */
export function closedValue(value: string): boolean {
  const s = value.replace(/^[ \t]+/, '')
  if (REST_BLANK.test(s)) return true
  const c = s.charAt(0)
  if (c === '"' || c === "'") {
    const close = quoteEnd(s, 0)
    return close !== -1 && REST_BLANK.test(s.slice(close))
  }
  if (c === '[' || c === '{') return flowClosed(s)
  if (c === '*') return ALIAS.test(s)
  if ('|>&!%@`?:,]}#'.includes(c)) return false
  if (c === '-' && /^-[ \t\r]/.test(s)) return false
  // A plain scalar: one on a line is complete; `: ` inside would make it a mapping (not expected here).
  return !/:[ \t]/.test(withoutComment(s))
}

const isBlank = (c: number) => c === 32 || c === 9

/**
 * `s.replace(/[ \t]+#.*$/, '')` in one pass: the first `#` after a blank with no line terminator after
 * it, and the blanks before it, to the end. (The regular expression retries from every blank of a long
 * run of blanks: quadratic.)
 */
function withoutComment(s: string): string {
  let lastBreak = -1
  for (let i = s.length - 1; i >= 0; i--)
    if (isLineTerminator(s.charCodeAt(i))) {
      lastBreak = i
      break
    }
  for (let h = s.indexOf('#', lastBreak + 1); h !== -1; h = s.indexOf('#', h + 1)) {
    if (h === 0 || !isBlank(s.charCodeAt(h - 1))) continue
    let from = h - 1
    while (from > 0 && isBlank(s.charCodeAt(from - 1))) from--
    return s.slice(0, from)
  }
  return s
}

/** Index after the closing quote of the quoted scalar opening at `at`, or -1 when it goes on past the line. */
function quoteEnd(s: string, at: number): number {
  const q = s.charAt(at)
  for (let i = at + 1; i < s.length; i++) {
    const c = s.charAt(i)
    if (q === '"' && c === '\\') i++
    else if (c === q) {
      if (q === "'" && s.charAt(i + 1) === "'") i++
      else return i + 1
    }
  }
  return -1
}

/** A flow collection that closes on this line, followed by nothing but a comment. */
function flowClosed(s: string): boolean {
  let depth = 0
  let atStart = true // where a quoted scalar may start
  let afterJson = false // after a quoted scalar or a collection: `:` is an indicator even without a space
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i)
    if (c === '[' || c === '{') {
      depth++
      atStart = true
      afterJson = false
    } else if (c === ']' || c === '}') {
      depth--
      if (depth < 0) return false
      if (depth === 0) return REST_BLANK.test(s.slice(i + 1))
      atStart = false
      afterJson = true
    } else if (c === ',') {
      atStart = true
      afterJson = false
    } else if (c === ' ' || c === '\t') {
      // separation
    } else if (c === '#') {
      const before = s.charAt(i - 1)
      if (before === ' ' || before === '\t') return false // a comment inside: the collection goes on
      atStart = false
      afterJson = false
    } else if ((c === '"' || c === "'") && atStart) {
      const close = quoteEnd(s, i)
      if (close === -1) return false
      i = close - 1
      atStart = false
      afterJson = true
    } else if (c === ':') {
      const next = s.charAt(i + 1)
      if (afterJson || next === '' || ' \t\r,[]{}'.includes(next)) atStart = true
      else atStart = false
      afterJson = false
    } else if ((c === '?' || c === '-') && atStart && ' \t'.includes(s.charAt(i + 1) || ' ')) {
      // indicator; a scalar may still start
    } else if (c === '\r') {
      // line end
    } else {
      atStart = false
      afterJson = false
    }
  }
  return false
}

// JSON (already accepted by JSON.parse, so the scan below may assume valid JSON): object members are dropped
// when their key is not one the walker reads, their text holds no `"image"` / `"imageName"` key, their value no
// runtimeMarks (runtime.ts: a flag or env name of a runtime image; a match in the member's own key, as in
// `"RELATED_IMAGE_X"`, names none), and neither holds a `\u` escape (which could spell a key); `args` /
// `command` / `env` members holding runtimeMarks are kept whole; array elements are never dropped (indexes
// are part of the field path). A member is dropped with the comma after it; a trailing comma left behind is
// valid in a YAML flow collection. (An `image` in the JSON text of an annotation, `\"image\":`, is no key.)

/** Drop what cannot hold an image from a JSON text. Undefined when nothing worth dropping was found. */
export function pruneJson(text: string, minGain = MIN_GAIN): Pruned | undefined {
  // JSON keys are quoted strings; with no \u escape around, a key `image` is exactly `"image"`.
  const keys: number[] = []
  for (const m of text.matchAll(IMAGE_KEY_JSON)) keys.push(m.index)
  const imageKey = anyIn(keys)
  const runtimeRisky = anyIn(runtimeMarks(text, 0, text.length))
  const escapes: number[] = []
  for (let at = text.indexOf('\\u'); at !== -1; at = text.indexOf('\\u', at + 1)) escapes.push(at)
  const escaped = anyIn(escapes)
  const dropped: number[] = [] // pairs [from, to)
  const ws = (i: number) => {
    let j = i
    for (;;) {
      const c = text.charCodeAt(j)
      if (c === 32 || c === 10 || c === 13 || c === 9) j++
      else return j
    }
  }
  const stringEnd = (i: number) => {
    for (let j = i + 1; ; ) {
      const q = text.indexOf('"', j)
      if (q === -1) throw new Error('unterminated string')
      let b = q - 1
      while (text.charCodeAt(b) === 92) b--
      if ((q - 1 - b) % 2 === 0) return q + 1
      j = q + 1
    }
  }
  /** End of the value at i, pruning inside it. */
  const valueEnd = (i: number): number => {
    const c = text.charCodeAt(i)
    if (c === 34) return stringEnd(i)
    if (c === 123) return objectEnd(i)
    if (c === 91) return arrayEnd(i)
    let j = i
    while (j < text.length && !',]} \t\r\n'.includes(text.charAt(j))) j++
    return j
  }
  const objectEnd = (i: number, root = false): number => {
    let j = ws(i + 1)
    if (text.charCodeAt(j) === 125) return j + 1
    for (;;) {
      const keyStart = j
      const keyEnd = stringEnd(j)
      const key = text.slice(keyStart + 1, keyEnd - 1)
      const v = ws(ws(keyEnd) + 1)
      // The value is walked once (finding its end and what to drop inside it); when the member goes as a
      // whole, or stays whole, the drops found inside are forgotten. (Finding the end first and walking
      // again rescans every nested kept member once per level: quadratic in the nesting.)
      const mark = dropped.length
      const after = valueEnd(v)
      // Root members stay (Compose detection looks at the set of root keys); their values are pruned.
      const drop =
        !root &&
        !KEEP.has(key) &&
        !imageKey(keyStart, after) &&
        !runtimeRisky(keyEnd, after) &&
        !escaped(keyStart, after)
      // Inside an `image` member everything may matter (an image volume's `reference`), and inside flags or
      // env that may name a runtime image too.
      const whole =
        key === 'image' || key === 'imageName' || (RUNTIME_KEYS.has(key) && runtimeRisky(keyStart, after))
      if (drop || whole) dropped.length = mark
      let k = ws(after)
      const comma = text.charCodeAt(k) === 44
      if (comma) k = ws(k + 1)
      if (drop) {
        dropped.push(keyStart, k === text.length || text.charCodeAt(k) === 125 ? after : k)
      }
      if (!comma) return k + 1
      if (text.charCodeAt(k) === 125) return k + 1
      j = k
    }
  }
  const arrayEnd = (i: number): number => {
    let j = ws(i + 1)
    if (text.charCodeAt(j) === 93) return j + 1
    for (;;) {
      const after = valueEnd(j)
      let k = ws(after)
      if (text.charCodeAt(k) === 44) k = ws(k + 1)
      if (text.charCodeAt(k) === 93) return k + 1
      j = k
    }
  }
  try {
    const first = ws(0)
    if (text.charCodeAt(first) === 123) objectEnd(first, true)
    else valueEnd(first)
  } catch {
    return undefined // not the JSON JSON.parse accepted (cannot happen) or nested too deep: parse it whole
  }
  // Line breaks and indentation outside strings go too (a JSON string never spans lines): the parser then
  // reads one token where it read three.
  const ranges: number[] = []
  let kept = 0
  // The next line break at or after a position, remembered: ranges come in order, and searching afresh
  // for each range runs to the end of a one-line file every time (a 50 MB line took 6 minutes).
  let nextBreak = -2
  const breakFrom = (at: number) => {
    if (nextBreak !== -1 && nextBreak < at) nextBreak = text.indexOf('\n', at)
    return nextBreak
  }
  const keep = (a: number, b: number) => {
    let at = a
    for (let nl = breakFrom(at); nl !== -1 && nl < b; nl = breakFrom(at)) {
      let end = nl
      while (end > at && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 32)) end--
      if (end > at) ranges.push(at, end)
      kept += end - at
      at = ws(nl + 1)
      if (at > b) return
    }
    if (b > at) {
      ranges.push(at, b)
      kept += b - at
    }
  }
  let from = 0
  for (let p = 0; p < dropped.length; p += 2) {
    keep(from, dropped[p] as number)
    from = dropped[p + 1] as number
  }
  keep(from, text.length)
  if (text.length - kept === 0 || text.length - kept < text.length * minGain) return undefined
  return fromRanges(text, 0, ranges)
}
