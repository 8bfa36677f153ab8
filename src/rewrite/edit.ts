// Replacing references inside a file's text: only the characters of each reference change, everything
// else (comments, quoting, indentation, line endings, other documents) is copied as it is.
//
// Why a replacement cannot break the YAML or JSON around it: it is a reference, so it holds only
// `a-z A-Z 0-9 . _ - / : @` (and `[ ]` for an IPv6 host), never a quote, backslash, space, `#`, `,`, `{`,
// `}` or line break. Inside double quotes (YAML or JSON) or single quotes it stays one string; as a plain
// scalar it cannot contain `: ` or ` #` and starts with a letter or digit, so it cannot become a key, a
// comment or an indicator; in a block scalar or an image list line any such text is text. Only `[`/`]`
// could open or close a flow collection in a plain scalar, so a bracketed host is written only between
// quotes (see unsafeHere).

export interface Edit {
  start: number
  end: number
  text: string
}

/**
 * Why `replacement` cannot be written over `[start, end)` of `text`, or undefined when it can. Brackets the
 * original did not have are allowed only when the reference is the whole of a quoted string.
 */
export function unsafeHere(
  text: string,
  start: number,
  end: number,
  replacement: string,
): string | undefined {
  if (!/[[\]]/.test(replacement) || /[[\]]/.test(text.slice(start, end))) return undefined
  const before = text.charAt(start - 1)
  if ((before === '"' || before === "'") && text.charAt(end) === before) return undefined
  return 'the text would hold "[" (an IPv6 pull host), which YAML reads as a list outside quotes; quote the value or set pull-host to a name'
}

/** Apply non-overlapping edits (any order). Throws on overlap or an edit outside the text: a caller bug. */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start)
  const parts: string[] = []
  let at = 0
  for (const e of sorted) {
    if (e.start < at || e.end < e.start || e.end > text.length)
      throw new RangeError(`edit [${e.start}, ${e.end}) overlaps another or lies outside the text`)
    parts.push(text.slice(at, e.start), e.text)
    at = e.end
  }
  parts.push(text.slice(at))
  return parts.join('')
}
