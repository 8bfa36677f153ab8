// First speed trick (prune.ts is the second), kept apart so it can be checked on its own: a YAML stream is
// cut into documents at `---` / `...` lines without parsing, and a document that provably holds no image is
// never parsed.
//
// Why the cut is exact: a line starting with `---` or `...` followed by white space or the end of the line
// is a document marker wherever it appears (YAML 1.2 c-forbidden: no scalar or collection may contain one).
// Streams with directives (`%YAML`, `%TAG`) are not cut at all.
//
// Why a skipped document holds no image:
// - "no image key": every field we take is named `image` or `imageName`, and every flag or env name a
//   runtime image is taken from spells `image`, `Image` or `IMAGE` or is a known operator flag (RUNTIME_TEXT,
//   runtime.ts), so a document whose text has none of these holds no image — unless a double-quoted scalar
//   spells one with escapes (`"\x69mage"`, `"\u0069mage"`, an escaped line break), so any \x, \u, \U or
//   backslash-newline makes the document parsed anyway.
// - "non-image kind": the document is a block mapping at column 0 (first content line is a plain `key:` at
//   column 0, every column-0 line is a plain `key:`, a `- ` entry, a comment or blank), so its root keys are
//   exactly the column-0 `key:` lines (continuation lines of any value are indented, YAML 1.2 §8). When
//   exactly one of them is `kind:` and one `apiVersion:`, both plain or quoted words, the document's kind is
//   known without parsing, and isNonImageKind() is what the walker itself uses to return nothing.
import { isNonImageKind } from './kinds.js'
import { RUNTIME_TEXT } from './runtime.js'

export interface DocumentSlice {
  /** Offset of the first character (the `---` line itself when `marker`). */
  start: number
  /** Offset after the last character. */
  end: number
  /** Starts with a `---` line. */
  marker: boolean
}

const isBreak = (c: number) => c === 10 || c === 13
const isBlankOrBreak = (c: number) => c === 32 || c === 9 || isBreak(c)

/** True when a marker (`---` or `...`) starts at `at` (a line start) and is followed by white space or EOL. */
function markerAt(text: string, at: number, ch: string): boolean {
  if (text.charAt(at) !== ch || text.charAt(at + 1) !== ch || text.charAt(at + 2) !== ch) return false
  return at + 3 >= text.length || isBlankOrBreak(text.charCodeAt(at + 3))
}

/** Offset of the next line's start. */
function lineEnd(text: string, at: number): number {
  const nl = text.indexOf('\n', at)
  return nl === -1 ? text.length : nl + 1
}

/** The line starting at `at` without its line break (a `\r` before it stays). */
function lineText(text: string, at: number, limit: number): string {
  const nl = text.indexOf('\n', at)
  return text.slice(at, nl === -1 || nl > limit ? limit : nl)
}

/** Cut a YAML stream into documents (slices of `text`), in order. */
export function splitDocuments(text: string): DocumentSlice[] {
  if (text.startsWith('%') || text.includes('\n%')) return [{ start: 0, end: text.length, marker: false }]
  const slices: DocumentSlice[] = []
  let start = 0
  let marker = false
  const close = (end: number) => {
    if (end > start) slices.push({ start, end, marker })
  }
  const next = (from: number, ch: '-' | '.') => {
    const needle = `\n${ch}${ch}${ch}`
    for (let i = text.indexOf(needle, from); i !== -1; i = text.indexOf(needle, i + 1))
      if (markerAt(text, i + 1, ch)) return i + 1
    return -1
  }
  let dash = markerAt(text, 0, '-') ? 0 : next(0, '-')
  let dots = markerAt(text, 0, '.') ? 0 : next(0, '.')
  while (dash !== -1 || dots !== -1) {
    if (dots === -1 || (dash !== -1 && dash < dots)) {
      close(dash)
      start = dash
      marker = true
      dash = next(dash, '-')
    } else {
      // `...` ends the document: it belongs to the slice it closes.
      const end = lineEnd(text, dots)
      close(end)
      start = end
      marker = false
      dots = next(dots, '.')
    }
  }
  close(text.length)
  return slices
}

const KEY_LINE = /^([A-Za-z_][\w./-]*):(?:[ \t]|\r?$)/
const WORD = '[A-Za-z][A-Za-z0-9]*'
const KIND_LINE = new RegExp(`^kind:[ \\t]+(?:"(${WORD})"|'(${WORD})'|(${WORD}))(?:[ \\t]+#.*|[ \\t]*)\\r?$`)
const VERSION = '[A-Za-z0-9][A-Za-z0-9.-]*(?:/[A-Za-z0-9][A-Za-z0-9.-]*)?'
const API_LINE = new RegExp(
  `^apiVersion:[ \\t]+(?:"(${VERSION})"|'(${VERSION})'|(${VERSION}))(?:[ \\t]+#.*|[ \\t]*)\\r?$`,
)
const MARKER_ONLY = /^(?:---|\.\.\.)(?:[ \t]+#.*|[ \t]*)\r?$/

export type Prescan = 'parse' | 'no-image-key' | 'non-image-kind'

/**
 * Decides per document whether it must be parsed. Keeps forward-only cursors into the text, so checking all
 * documents of a file costs one pass over it; documents must be checked in order.
 */
export class Prescanner {
  private imageAt = -2
  private escapeAt = -2
  private readonly imageRe = new RegExp(RUNTIME_TEXT.source, 'g')

  constructor(private readonly text: string) {}

  check(slice: DocumentSlice): Prescan {
    // Only a document that is a mapping is skipped unread: a list or scalar document gets its notice.
    if (!this.mayHoldImageKey(slice)) return this.opensWithKey(slice) ? 'no-image-key' : 'parse'
    if (this.nonImageKind(slice)) return 'non-image-kind'
    return 'parse'
  }

  /** Whether the text could spell a key `image` (or `imageName`) or a flag or env name of a runtime image. */
  mayHoldImageKey(slice: DocumentSlice): boolean {
    if (this.imageAt !== -1 && this.imageAt < slice.start) {
      this.imageRe.lastIndex = slice.start
      this.imageAt = this.imageRe.exec(this.text)?.index ?? -1
    }
    if (this.imageAt !== -1 && this.imageAt < slice.end) return true
    if (this.escapeAt !== -1 && this.escapeAt < slice.start) this.escapeAt = this.nextEscape(slice.start)
    return this.escapeAt !== -1 && this.escapeAt < slice.end
  }

  /** Next backslash escape that could produce letters or join lines in a double-quoted scalar. */
  private nextEscape(from: number): number {
    for (let i = this.text.indexOf('\\', from); i !== -1; i = this.text.indexOf('\\', i + 1)) {
      const c = this.text.charAt(i + 1)
      if (c === 'x' || c === 'u' || c === 'U' || c === '\n' || c === '\r') return i
    }
    return -1
  }

  /** Whether the first content line is a plain `key:` at column 0 (the root is a block mapping). */
  opensWithKey(slice: DocumentSlice): boolean {
    const { text } = this
    let at = slice.start
    if (slice.marker) {
      if (!MARKER_ONLY.test(lineText(text, at, slice.end))) return false
      at = lineEnd(text, at)
    }
    for (; at < slice.end; at = lineEnd(text, at)) {
      const line = lineText(text, at, slice.end)
      const trimmed = line.trim()
      if (trimmed === '' || trimmed.startsWith('#')) continue
      return KEY_LINE.test(line)
    }
    return false
  }

  /** Whether the document is a block mapping whose single `kind`/`apiVersion` name a kind without images. */
  nonImageKind(slice: DocumentSlice): boolean {
    const { text } = this
    let at = slice.start
    if (slice.marker) {
      if (!MARKER_ONLY.test(lineText(text, at, slice.end))) return false
      at = lineEnd(text, at)
    }
    let keys = 0
    let kind: string | undefined
    let apiVersion: string | undefined
    let kinds = 0
    let versions = 0
    while (at < slice.end) {
      const end = lineEnd(text, at)
      const c = text.charCodeAt(at)
      if (c === 32 || isBreak(c)) {
        // Indented or blank: part of the value of the key above. Content before the first key means the
        // root is not a column-0 block mapping.
        if (keys === 0 && c === 32 && lineText(text, at, slice.end).trim() !== '') return false
      } else if (c === 35 /* # */) {
        // comment
      } else if (c === 45 /* - */ && (at + 1 >= end || isBlankOrBreak(text.charCodeAt(at + 1)))) {
        if (keys === 0) return false
      } else {
        const line = lineText(text, at, slice.end)
        if (c === 46 /* . */ && MARKER_ONLY.test(line)) {
          at = end
          continue
        }
        const key = KEY_LINE.exec(line)
        if (!key) return false
        keys++
        if (key[1] === 'kind') {
          const m = KIND_LINE.exec(line)
          if (!m) return false
          kinds++
          kind = m[1] ?? m[2] ?? m[3]
        } else if (key[1] === 'apiVersion') {
          const m = API_LINE.exec(line)
          if (!m) return false
          versions++
          apiVersion = m[1] ?? m[2] ?? m[3]
        }
      }
      at = end
    }
    return kinds === 1 && versions === 1 && isNonImageKind(apiVersion, kind)
  }
}

/** Whether a slice would make a document of its own: it starts with `---` or has any non-comment content. */
export function holdsDocument(text: string, slice: DocumentSlice): boolean {
  if (slice.marker) return true
  for (let at = slice.start; at < slice.end; at = lineEnd(text, at)) {
    const line = lineText(text, at, slice.end).trim()
    if (line !== '' && !line.startsWith('#')) return true
  }
  return false
}

// Applied to a trimmed line, so the greedy `.*` ends at the last non-blank (a lazy `.*?` followed by `\s*$`
// retries the blank run from each of its characters: quadratic).
const SOURCE_COMMENT = /^#\s*Source:\s*(\S.*)$/

/** Helm's `# Source: chart/templates/x.yaml` comment among the comment lines that open the document. */
export function chartSourceOf(text: string, slice: DocumentSlice): string | undefined {
  let at = slice.start
  if (slice.marker) at = lineEnd(text, at)
  while (at < slice.end) {
    const line = lineText(text, at, slice.end).trim()
    if (line !== '' && !line.startsWith('#')) return undefined
    const m = SOURCE_COMMENT.exec(line)
    if (m) return m[1]
    at = lineEnd(text, at)
  }
  return undefined
}
