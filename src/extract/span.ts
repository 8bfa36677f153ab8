// Where a reference's own text sits in the file, so a rewrite can replace exactly those characters and
// nothing else. A span is given only where the characters in the file ARE the value: a plain scalar on one
// line, a quoted scalar without escapes or line folding, a block scalar of one line, a JSON string without
// escapes, a line of an image list. Everywhere else (an escape such as `\u0041` or `''`, a value folded
// over lines) replacing the characters would not replace the value, so the reason is kept instead.
import type { Scalar } from 'yaml'

export type ScalarSpan = { start: number; end: number } | { why: string }

/**
 * The span of a string scalar's value inside `source` (the text the node's range points into), or why
 * there is none.
 */
export function scalarSpan(node: Scalar, source: string): ScalarSpan {
  const value = node.value
  const range = node.range
  if (typeof value !== 'string' || !range) return { why: 'the value is not a string' }
  const [start, end] = range
  switch (node.type) {
    case 'PLAIN':
      return source.slice(start, end) === value
        ? { start, end }
        : { why: 'a plain value spread over several lines' }
    case 'QUOTE_DOUBLE':
    case 'QUOTE_SINGLE': {
      const inner = source.slice(start + 1, end - 1)
      if (inner === value) return { start: start + 1, end: end - 1 }
      if (node.type === 'QUOTE_DOUBLE' && inner.includes('\\'))
        return { why: 'written with escapes inside double quotes' }
      if (node.type === 'QUOTE_SINGLE' && inner.includes("''"))
        return { why: "written with a doubled quote ('') inside single quotes" }
      return { why: 'a quoted value spread over several lines' }
    }
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED':
      return blockSpan(value, source, start, end)
    default:
      return { why: 'a value of an unknown scalar style' }
  }
}

/** A block scalar (`|`, `>-` …) whose content is one line: the span of that line's text. */
function blockSpan(value: string, source: string, start: number, end: number): ScalarSpan {
  // Trailing line breaks off by a backward scan: /\n+$/ retries every break of a long run of them.
  let cut = value.length
  while (cut > 0 && value.charCodeAt(cut - 1) === 10) cut--
  const content = value.slice(0, cut)
  if (content.includes('\n') || content === '') return { why: 'a block scalar of several lines' }
  // The header line (`|-`, `>2`, with an optional comment) is skipped; the first non-blank line is the text.
  let at = source.indexOf('\n', start)
  while (at !== -1 && at < end) {
    const lineStart = at + 1
    const nl = source.indexOf('\n', lineStart)
    const lineEnd = nl === -1 || nl > end ? end : nl
    let first = lineStart
    while (first < lineEnd && source.charCodeAt(first) === 32) first++
    let last = lineEnd
    if (last > first && source.charCodeAt(last - 1) === 13) last--
    if (last > first) {
      return source.slice(first, last) === content
        ? { start: first, end: last }
        : { why: 'a block scalar whose text differs from its value (indentation or folding)' }
    }
    at = nl
  }
  return { why: 'a block scalar of several lines' }
}
