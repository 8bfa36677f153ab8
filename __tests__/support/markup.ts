// What a reader of the job summary gets: the GitHub summary is Markdown made of raw HTML blocks, the Forgejo
// one plain Markdown. Both are rendered with the CommonMark reference implementation and parsed as HTML, so
// tests can check that hostile text added no tag, no image, no link and no broken structure.
import { HtmlRenderer, Parser as MarkdownParser } from 'commonmark'
import { Parser as HtmlParser } from 'htmlparser2'

/** Tags the GitHub summary is made of. */
export const SUMMARY_TAGS = new Set([
  'h2',
  'h3',
  'h4',
  'p',
  'b',
  'br',
  'code',
  'table',
  'tr',
  'th',
  'td',
  'ul',
  'li',
  'a',
  // Where long references and paths may wrap in a table cell.
  'wbr',
])
/** Tags CommonMark makes of the Forgejo summary. */
export const MARKDOWN_TAGS = new Set(['h2', 'h3', 'p', 'pre', 'code', 'ul', 'li', 'a', 'strong'])
const VOID = new Set(['br', 'wbr'])
/** Attributes allowed per element: link targets, and the language CommonMark puts on a fenced block. */
const ATTRIBUTES: Record<string, string[]> = { a: ['href'], code: ['class'] }

export function renderMarkdown(text: string): string {
  return new HtmlRenderer().render(new MarkdownParser().parse(text))
}

export interface HtmlShape {
  /** Element names in document order. */
  tags: string[]
  /** href of every link. */
  hrefs: string[]
  /** Structural problems: end tags the parser had to imply, stray end tags, unknown tags. */
  problems: string[]
}

/** Parse HTML strictly enough to tell well-formed markup (every element closed, in order) from the rest. */
export function htmlShape(html: string, allowed: ReadonlySet<string>): HtmlShape {
  const shape: HtmlShape = { tags: [], hrefs: [], problems: [] }
  const open: string[] = []
  const parser = new HtmlParser(
    {
      onopentag(name, attribs, implied) {
        if (implied) shape.problems.push(`implied <${name}>`)
        if (!allowed.has(name)) shape.problems.push(`unexpected <${name}>`)
        shape.tags.push(name)
        if (attribs.href !== undefined) shape.hrefs.push(attribs.href)
        for (const a of Object.keys(attribs))
          if (!(ATTRIBUTES[name] ?? []).includes(a)) shape.problems.push(`attribute ${a} on <${name}>`)
        if (!VOID.has(name)) open.push(name)
      },
      onclosetag(name, implied) {
        if (VOID.has(name)) return
        if (implied) shape.problems.push(`</${name}> implied`)
        const top = open.pop()
        if (top !== name) shape.problems.push(`</${name}> closes <${top ?? 'nothing'}>`)
      },
      onerror(err) {
        shape.problems.push(err.message)
      },
    },
    { decodeEntities: true, lowerCaseTags: false, recognizeSelfClosing: false },
  )
  parser.write(html)
  parser.end()
  if (open.length) shape.problems.push(`unclosed ${open.map((t) => `<${t}>`).join(' ')}`)
  return shape
}
