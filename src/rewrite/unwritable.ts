// A place whose text cannot be replaced (Source.unwritable: escapes, a value folded over lines, an alias of
// text that is no image field, image-sync's source and tag written apart) keeps the upstream reference, so the
// deploy would pull that image from upstream. Each reason comes with what to write instead; strict mode fails
// the run on such a place (and writes nothing), soft mode warns.

/** One place of a warm image that cannot be rewritten, and why (with what to do). */
export interface UnwritablePlace {
  reference: string
  file: string
  line: number
  column: number
  why: string
}

const ONE_LINE = 'write the reference on one line, as a plain or quoted value'
const NO_ESCAPES = 'write the reference without escapes, as a plain or quoted value'

/** The reasons the extraction gives (src/extract/span.ts, index.ts, formats.ts), with what to do about each. */
const FIXES: readonly [RegExp, string][] = [
  [/^written with escapes inside double quotes$/, NO_ESCAPES],
  [/^written with a doubled quote \(''\) inside single quotes$/, NO_ESCAPES],
  [/^a (plain|quoted) value spread over several lines$/, ONE_LINE],
  [/^a block scalar (of several lines|whose text differs from its value)/, ONE_LINE],
  [
    /^reached through the alias\b/,
    'write the reference itself in place of the alias, or put the anchor on the image field it copies',
  ],
  [
    /^its source and tag are written apart$/,
    'write source as one reference (source: name:tag, no tag key), or leave this image-sync file out of paths',
  ],
  [/^internal: /, 'this is a zot-warm bug: please report it with the file'],
]

/** `why`, followed by what to write instead. */
export function withFix(why: string): string {
  const fix =
    FIXES.find(([re]) => re.test(why))?.[1] ?? 'write the reference as a plain or quoted value on one line'
  return `${why}; ${fix}`
}
