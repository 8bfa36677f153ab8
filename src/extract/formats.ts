// What a file is — YAML stream, JSON, or a plain image list — decided by content, with the extension as a
// tie-breaker. The ambiguity: a file of one reference per line is also valid YAML (a single multi-line plain
// scalar), so a file without any YAML structure (no `key: value`, no `- item`, no `---`, no flow collection)
// whose every line is a single token is read as an image list; `.txt`/`.list`/`.images` files always are.

export type Format = 'yaml' | 'json' | 'list'

const YAML_EXTENSIONS = new Set(['.yaml', '.yml'])
const LIST_EXTENSIONS = new Set(['.txt', '.list', '.lst', '.images'])

export function extensionOf(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? '' : base.slice(dot).toLowerCase()
}

export function isManifestExtension(ext: string): boolean {
  return YAML_EXTENSIONS.has(ext) || ext === '.json'
}

export function isListExtension(ext: string): boolean {
  return LIST_EXTENSIONS.has(ext)
}

export interface Detected {
  format: Format
  /** JSON by extension or content but JSON.parse rejects it: the YAML parser's findings are reported as JSON. */
  jsonError?: string
}

export function detectFormat(text: string, file: string): Detected {
  const ext = extensionOf(file)
  if (LIST_EXTENSIONS.has(ext)) return { format: 'list' }
  const first = firstContentChar(text)
  const jsonLike = first === '{' || (first === '[' && !/^\s*\[[0-9a-fA-F:]*\]:?[0-9]*\//.test(text))
  if (ext === '.json' || jsonLike) {
    try {
      JSON.parse(text)
      return { format: 'json' }
    } catch (err) {
      // Only a .json file must be JSON; a flow-style YAML file merely looks like it.
      if (ext === '.json') return { format: 'json', jsonError: (err as Error).message }
    }
  }
  if (looksLikeImageList(text)) return { format: 'list' }
  return { format: 'yaml' }
}

/** First character that is not white space or part of a `#` comment line. */
function firstContentChar(text: string): string {
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at)
    const line = text.slice(at, nl === -1 ? text.length : nl).trim()
    if (line !== '' && !line.startsWith('#')) return line.charAt(0)
    if (nl === -1) break
    at = nl + 1
  }
  return ''
}

export interface ListEntry {
  raw: string
  /** 1-based. */
  line: number
  column: number
}

/** One entry per non-blank, non-comment line; ` # comment` at the end of a line is dropped. */
export function parseImageList(text: string): ListEntry[] {
  const out: ListEntry[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const entry = listLine(lines[i] ?? '')
    if (entry) out.push({ raw: entry.raw, line: i + 1, column: entry.column })
  }
  return out
}

/** The reference on one line of an image list (or one entry of the `images` input), if any. */
export function listLine(line: string): { raw: string; column: number } | undefined {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line
  const comment = /(?:^|[ \t])#/.exec(text)
  if (comment) text = text.slice(0, comment.index)
  const lead = /^\s*/.exec(text)?.[0].length ?? 0
  const raw = text.trim()
  if (raw === '') return undefined
  return { raw, column: lead + 1 }
}

const TOKEN_START_YAML = /^[-{}[\]"'&*!|>%@`,?]/

/** No YAML structure and every content line is a single token. */
export function looksLikeImageList(text: string): boolean {
  let seen = false
  for (let at = 0; at < text.length; ) {
    const nl = text.indexOf('\n', at)
    const end = nl === -1 ? text.length : nl
    const entry = listLine(text.slice(at, end))
    at = end + 1
    if (!entry) continue
    const t = entry.raw
    if (/\s/.test(t) || t.endsWith(':')) return false
    if (TOKEN_START_YAML.test(t) && !/^\[[0-9a-fA-F:]+\]/.test(t)) return false
    seen = true
  }
  return seen
}
