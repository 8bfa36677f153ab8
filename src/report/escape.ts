// Text from outside (file names and values in a pull request, answers from a server) reaches the log, the
// terminal, annotations, outputs, the job summary and the JSON report. Each sink has one function here that
// makes any text safe for it; the writers of each sink (the Logger, the annotation and output writers, the
// summary renderers) call it on everything they write, so no caller has to remember. What each sink must
// withstand is in docs/architecture.md ("Printing hostile text").

/**
 * Characters a reader cannot see or a terminal or runner would act on: C0/C1 controls (CR, LF, ESC, …),
 * format characters (bidi overrides and isolates, zero-width characters, BOM) and the Unicode line and
 * paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu
/** The same, but line feeds stay: text the tool composed of several lines. */
const UNSAFE_KEEP_LF = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu
/** Every line break a reader of the text might honour (CommonMark: CR, LF, CRLF; .NET's ReadLine: the same). */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/

/** The longest line the log and the terminal get; longer ones are cut in the middle. */
export const MAX_LINE = 4000

const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' }

/** `\r`, `\n`, `\t`, `\x1b`, `\u202e`: what the character is, as text that does nothing. */
function visible(ch: string): string {
  const named = NAMED[ch]
  if (named) return named
  const code = ch.codePointAt(0) ?? 0
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`
}

/**
 * At most `max` characters: longer text keeps its start and end around `…[N characters]…`, N being the
 * length of the whole. Never splits a surrogate pair.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  const marker = `…[${text.length} characters]…`
  const room = Math.max(2, max - marker.length)
  let head = Math.ceil(room * 0.7)
  let tail = room - head
  if (isHighSurrogate(text.charCodeAt(head - 1))) head--
  if (tail > 0 && isLowSurrogate(text.charCodeAt(text.length - tail))) tail--
  return `${text.slice(0, head)}${marker}${tail > 0 ? text.slice(text.length - tail) : ''}`
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff

/** Line breaks (and the blanks around them) become one space; cut in the middle past `max`. */
export function oneLine(text: string, max = 500): string {
  // Cut first: the rest of the work then sees a bounded text, whatever came in.
  return clip(text, max)
    .split(LINE_BREAKS)
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ')
}

/**
 * The log and the terminal (and annotation messages and titles): every unsafe character shown as an escape,
 * no line that a runner reads as a workflow command (`::name::` at the start of a line, after blanks; the
 * legacy `##[name]` anywhere in it), each line at most MAX_LINE characters. Text of several lines keeps its
 * line feeds; use oneLine first where a value must stay on its line.
 */
export function logText(text: string): string {
  return text.split('\n').map(logLine).join('\n')
}

/** One line for the log or the terminal (a line feed in it is shown as `\n`). */
export function logLine(text: string): string {
  return defuseCommands(clip(text, MAX_LINE).replace(UNSAFE, visible))
}

function defuseCommands(line: string): string {
  // GitHub's runner trims leading white space (any Unicode white space) before looking for `::`.
  return line.replace(/^(\s*)::/u, '$1\\x3a:').replace(/##\[/g, '##\\x5b')
}

/** Unsafe characters shown as escapes, nothing else changed: file names in labels (`x/a\nb.yaml`). */
export function printable(text: string): string {
  return text.replace(UNSAFE, visible)
}

/**
 * A value from outside (a reference, a version) on one line exactly as it is: unsafe characters, line
 * breaks included, shown as escapes; cut in the middle past `max`.
 */
export function literal(text: string, max: number): string {
  return printable(clip(text, max))
}

/** Whether the text needs no escaping in the log (e.g. a path an annotation can point at as it is). */
export function isPlain(text: string): boolean {
  return logLine(text) === text
}

/**
 * HTML text (the job summary): one line, because a line break could end the HTML block the summary is
 * made of and let Markdown render what follows (`\r\r![x](https://…)`); unsafe characters shown as escapes.
 */
export function htmlText(text: string, max = 2000): string {
  return oneLine(text, max)
    .replace(UNSAFE, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;') // attribute values are always in double quotes
}

/**
 * Markdown text inside a line (the Forgejo summary): one line, unsafe characters shown, the inline syntax
 * (emphasis, code, links and images, raw HTML, tables, strikethrough) escaped.
 */
export function markdownText(text: string, max = 2000): string {
  const md = oneLine(text, max)
    .replace(UNSAFE, visible)
    .replace(/[\\`*_[\]<>|~]/g, (ch) => `\\${ch}`)
    // What would start a block (heading, quote, list) if the text ever began a line.
    .replace(/^[#+-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2')
  return defuseCommands(md) // as in the log: the Forgejo runner prints the summary into the log
}

/**
 * A Markdown code span: nothing inside is interpreted but backticks (which would close it), and a line
 * break could still end the paragraph.
 */
export function markdownCode(text: string, max = 2000): string {
  // `##[` as in the log: the Forgejo runner prints the summary into the log.
  return `\`${defuseCommands(oneLine(text, max).replace(UNSAFE, visible)).replace(/`/g, "'")}\``
}

/**
 * JSON for outputs and the report: the same data, but every unsafe character and `[` after `##` written
 * as a `\uXXXX` escape, so the text holds nothing a terminal, a runner or a reader would act on.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_KEEP_LF, jsonEscape).replace(/##\[/g, '##\\u005b')
}

/** `\uXXXX` per UTF-16 unit (a character past U+FFFF is a surrogate pair in JSON). */
function jsonEscape(ch: string): string {
  let out = ''
  for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}
