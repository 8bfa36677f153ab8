// extract(): every image reference in the given files, with where it was found. Reads files one by one,
// cuts YAML streams into documents and parses only the documents that can hold an image (documents.ts), and
// of those only the entries that can (prune.ts); walks them (walk.ts) and classifies each value
// (classify.ts). Container flags and env carry the images a workload starts later (runtime.ts). One bad file
// or document never hides the others; a path that selects nothing is a configuration error (ConfigError),
// raised before anything is read.
import { Composer, type Document, isScalar, Parser, type Scalar, type YAMLError } from 'yaml'
import { ConfigError } from '../errors.js'
import {
  type Extraction,
  type FoundImage,
  IMAGES_INPUT_FILE,
  type Notice,
  type NoticeLevel,
  type Source,
} from '../model.js'
import { classifyNode, classifyText, type Finding } from './classify.js'
import { chartSourceOf, type DocumentSlice, holdsDocument, Prescanner, splitDocuments } from './documents.js'
import { resolveInputs } from './files.js'
import {
  detectFormat,
  extensionOf,
  isManifestExtension,
  listLine,
  parseImageList,
  readImageSync,
} from './formats.js'
import { type ExtractIo, type InputFile, nodeIo } from './io.js'
import { duplicateKeys, keyAt } from './keys.js'
import { LineIndex } from './lines.js'
import { MAX_PARSE_NODES, withinParseBound } from './nodes.js'
import { pruneDocument, pruneJson } from './prune.js'
import { decode, overLimit, Pacer, ReadAhead, readInput } from './read.js'
import { locateTail } from './runtime.js'
import { type ScalarSpan, scalarSpan } from './span.js'
import { type Candidate, walkDocument } from './walk.js'

export interface ExtractOptions {
  workspace: string
  /** Files, directories, globs and `!exclude` patterns relative to the workspace; empty → default scan. */
  paths: string[]
  /** `false`: no default scan when `paths` is empty (only `images` and `stdin` are read). Default true. */
  scan?: boolean
  /** References given directly (Source.file `<images input>`, line = index + 1). */
  images?: string[]
  /** Text the CLI read from `-`. */
  stdin?: string
  /** Larger files are skipped with a notice. Default 50 MiB. */
  maxFileBytes?: number
  /** `false`: ignore the images workloads start later (container flags, `*_IMAGE` env). Default true. */
  runtime?: boolean
  /** Stops the extraction between files and documents (signal, overall timeout); `reason` says why. */
  signal?: AbortSignal
  /** Absolute path of the JSON report the run writes: it must not be one of the files read. */
  report?: string
}

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024

export async function extract(opts: ExtractOptions, io: ExtractIo = nodeIo): Promise<Extraction> {
  const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  const pacer = new Pacer(opts.signal)
  const ex = new Extractor({ runtime: opts.runtime !== false, pacer })
  const { files, notices, problems } = await resolveInputs(opts, io)
  if (pacer.stopped) {
    ex.notices.push(...notices)
    ex.stop(pacer.stopped, ' while listing the files: nothing was read')
    return ex.result()
  }
  const kept = await withoutReport(files, opts.report, io)
  if ('problem' in kept) problems.push(kept.problem)
  if (problems.length) throw new ConfigError(problems)
  ex.notices.push(...notices)
  if ('notice' in kept) ex.notices.push(kept.notice)
  const reads = new ReadAhead(files, (f, now) =>
    f.abs === undefined ? Promise.resolve({ later: true as const }) : readInput(f.abs, max, io, now),
  )
  for (let i = 0; i < files.length; i++) {
    const f = files[i] as (typeof files)[number]
    if (!(await pacer.pause())) {
      ex.stop(
        pacer.stopped ?? 'cancelled',
        `: ${notRead(
          files.slice(i).map((n) => n.file),
          files.length,
        )}`,
      )
      break
    }
    let whole: boolean
    if (f.file === '-' || f.abs === undefined) {
      const text = opts.stdin ?? ''
      const size = Buffer.byteLength(text)
      const tooBig = overLimit('stdin', size, max)
      if (tooBig) {
        ex.notice('error', '-', tooBig)
        continue
      }
      ex.files++
      ex.bytes += size
      whole = await ex.addTextPaced(text, '-')
      if (whole) ex.read.push('-')
    } else {
      const loaded = await reads.take(i)
      if (!('buf' in loaded)) {
        if ('problem' in loaded) ex.notice(loaded.problem.level, f.file, loaded.problem.message)
        continue
      }
      const buf = loaded.buf
      ex.files++
      ex.bytes += buf.length
      const decoded = decode(buf)
      if ('problem' in decoded) {
        ex.notice(decoded.problem.level, f.file, decoded.problem.message)
        continue
      }
      // Positions and spans index the decoded text; a rewrite writes UTF-8 only, so not into this file.
      const unwritable =
        decoded.encoding === 'UTF-8'
          ? undefined
          : `the file is ${decoded.encoding} encoded (rewrites are written in UTF-8 only)`
      whole = await ex.addTextPaced(decoded.text, f.file, unwritable)
      // Only whole files are handed on (a rewrite must not treat a cut file as done).
      if (whole) ex.read.push(f.file)
    }
    if (!whole && ex.cut) {
      const rest = files.slice(i + 1).map((n) => n.file)
      const left = `document ${ex.cut.document} at line ${ex.cut.line} and after not read`
      ex.stop(
        pacer.stopped ?? 'cancelled',
        ` while reading ${f.file} (${left})${rest.length ? `; ${notRead(rest, files.length)}` : ''}`,
      )
      break
    }
  }
  ex.addImagesInput(opts.images ?? [])
  return ex.result()
}

/**
 * The inputs without the report file. The report of an earlier run holds no manifest and is left out
 * (a notice says so); any other input at the report's path is a configuration problem: the run would
 * write over a manifest it reads.
 */
async function withoutReport(
  files: InputFile[],
  report: string | undefined,
  io: ExtractIo,
): Promise<{ notice: Notice } | { problem: string } | Record<string, never>> {
  if (report === undefined) return {}
  const real = await io.realpath(report).catch(() => undefined)
  const i = real === undefined ? -1 : files.findIndex((f) => f.abs === real)
  const input = files[i]
  if (!input || real === undefined) return {}
  const head = await io
    .readFile(real)
    .then((b) => b.subarray(0, 512).toString('utf8'))
    .catch(() => '')
  if (EARLIER_REPORT.test(head)) {
    files.splice(i, 1)
    return {
      notice: {
        level: 'notice',
        file: input.file,
        message: 'the JSON report of an earlier run (the report input): not read as a manifest',
      },
    }
  }
  return {
    problem: `report: "${report}" is ${input.file}, one of the files this run reads; write the report elsewhere (e.g. outside the workspace)`,
  }
}
const EARLIER_REPORT = /^\{\s*"schemaVersion":\s*\d+,\s*"tool":\s*\{\s*"name":\s*"zot-warm"/

/** "3 of 50000 files not read: a.yaml, b.yaml, c.yaml" (the first few named). */
function notRead(rest: string[], total: number): string {
  const shown = rest.slice(0, NOT_READ_SHOWN).join(', ')
  const more = rest.length > NOT_READ_SHOWN ? ` and ${rest.length - NOT_READ_SHOWN} more` : ''
  return `${rest.length} of ${total} ${total === 1 ? 'file' : 'files'} not read: ${shown}${more}`
}
const NOT_READ_SHOWN = 10

// uniqueKeys off: the library's check is quadratic in the size of a mapping; keys.ts finds duplicates.
const YAML_OPTIONS = { prettyErrors: false, merge: true, uniqueKeys: false, logLevel: 'silent' } as const
/** Duplicate keys named per document; more would only repeat the same advice. */
const DUPLICATES_SHOWN = 3

interface Entry {
  finding: Finding
  first: number
  sources: { source: Source; order: number }[]
}

interface ReadOptions {
  /** false: parse every document whole (the slow path the fast one is tested against). */
  prescan?: boolean
  /** Tests: prune whenever anything can be dropped (0) instead of only when it pays. */
  minGain?: number
}

/** Where a document (or a chunk of an image list) starts. */
interface Place {
  document: number
  line: number
}

/** Image list entries classified between two looks at the pace. */
const LIST_ENTRIES_PER_PAUSE = 4096

/** Order key: files in the order read, then position in the file. */
const orderOf = (seq: number, offset: number) => seq * 2 ** 32 + offset

/** Collects findings across files; exported for tests that feed text directly. */
export class Extractor {
  readonly notices: Notice[] = []
  files = 0
  bytes = 0
  readonly read: string[] = []
  /** Why extraction stopped before reading everything (signal, timeout). */
  stopped: string | undefined
  /** Where the file being read when the run stopped was left: its first document not read. */
  cut: ({ file: string } & Place) | undefined
  readonly pacer: Pacer
  /** Why the text of the file being read cannot be replaced in place, whatever its spans say. */
  private unwritable: string | undefined
  private readonly found = new Map<string, Entry>()
  private seq = 0

  /**
   * `runtime: false`: container flags and env are not read (see ExtractOptions). `pacer`: when extract()
   * drives it, the pace of the run (turns for the event loop, when to stop).
   */
  constructor(readonly options: { runtime?: boolean; pacer?: Pacer } = {}) {
    this.pacer = options.pacer ?? new Pacer()
  }

  /** Records that the run stopped, as an error (input was not read): `detail` says what was left. */
  stop(reason: string, detail: string): void {
    this.stopped = reason
    this.notice('error', '.', `scan stopped (${reason})${detail}`)
  }

  notice(level: NoticeLevel, file: string, message: string, at?: { line: number; column: number }): void {
    const n: Notice = { level, file, message }
    if (at) {
      n.line = at.line
      n.column = at.column
    }
    this.notices.push(n)
  }

  /**
   * One file's text (format detected by content, with the name's extension as a tie-breaker).
   * `prescan: false` parses every document (the slow path the fast one is tested against).
   */
  addText(text: string, file: string, opts: ReadOptions = {}): void {
    for (const _ of this.readText(text, file, opts)) {
      // no pauses: the caller waits for the whole file
    }
  }

  /**
   * addText for extract(): gives the event loop a turn between documents (and list chunks) and stops when
   * the run must; then `cut` says where. False when stopped.
   */
  async addTextPaced(text: string, file: string, unwritable?: string): Promise<boolean> {
    let first = true
    this.unwritable = unwritable
    try {
      for (const at of this.readText(text, file, {})) {
        // The caller looked at the pace just before this file: its first document is always read.
        if (first) first = false
        else if (!(await this.pacer.pause())) {
          this.cut = { file, ...at }
          return false
        }
      }
      return true
    } finally {
      this.unwritable = undefined
    }
  }

  /** Reads one file; yields before each document (list chunk) with where it starts. */
  private *readText(text: string, file: string, opts: ReadOptions): Generator<Place, void, void> {
    const seq = this.seq++
    // Positions are those of the text after a byte order mark; spans count it (they index the file's text).
    const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0
    const body = bom ? text.slice(1) : text
    if (!/\S/.test(body)) {
      this.notice('notice', file, 'file is empty: nothing to extract')
      return
    }
    const detected = detectFormat(body, file)
    if (detected.format === 'image-sync' && this.addImageSync(body, bom, file, seq)) return
    if (detected.format === 'list') {
      const lines = new LineIndex(body)
      const entries = parseImageList(body)
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i] as (typeof entries)[number]
        if (i % LIST_ENTRIES_PER_PAUSE === 0) yield { document: 0, line: e.line }
        const finding = classifyText(e.raw, true)
        if (!finding) continue
        const start = lines.lineStart(e.line - 1) + e.column - 1
        const span = { start: bom + start, end: bom + start + e.raw.length }
        this.add(finding, { file, line: e.line, column: e.column, span }, orderOf(seq, start))
      }
      return
    }
    yield* new StreamReader(
      this,
      body,
      bom,
      file,
      seq,
      detected.format === 'json',
      detected.jsonError,
      opts,
    ).read()
  }

  /** An image-sync configuration; false when the text is not one after all (then read as YAML). */
  private addImageSync(text: string, bom: number, file: string, seq: number): boolean {
    const read = readImageSync(text)
    if (!read) return false
    const lines = new LineIndex(text)
    for (const issue of read.issues) this.notice('warning', file, issue.message, lines.position(issue.offset))
    for (const e of read.entries) {
      const finding: Finding | undefined = e.problem
        ? { status: 'invalid', key: e.raw, raw: e.raw, reason: e.problem }
        : classifyText(e.raw, true)
      if (!finding) continue
      const source: Source = { file, ...lines.position(e.offset), field: e.field }
      if (e.span) source.span = { start: bom + e.span.start, end: bom + e.span.end }
      else if (e.unwritable) source.unwritable = e.unwritable
      this.add(finding, source, orderOf(seq, e.offset))
    }
    return true
  }

  addImagesInput(images: string[]): void {
    const seq = this.seq++
    images.forEach((text, i) => {
      const entry = listLine(text)
      if (!entry) return
      const finding = classifyText(entry.raw, true)
      if (finding)
        this.add(finding, { file: IMAGES_INPUT_FILE, line: i + 1, column: entry.column }, orderOf(seq, i))
    })
  }

  add(finding: Finding, source: Source, order: number): void {
    if (this.unwritable !== undefined && source.file !== IMAGES_INPUT_FILE) {
      delete source.span
      delete source.aliasOf
      source.unwritable = this.unwritable
    }
    const id = `${finding.status}\u0000${finding.key}`
    const entry = this.found.get(id)
    if (entry) {
      entry.sources.push({ source, order })
      if (order < entry.first) entry.first = order
    } else this.found.set(id, { finding, first: order, sources: [{ source, order }] })
  }

  result(): Extraction {
    const images: FoundImage[] = [...this.found.values()]
      .sort((a, b) => a.first - b.first)
      .map(({ finding, sources }) => {
        const img: FoundImage = {
          key: finding.key,
          raw: finding.raw,
          status: finding.status,
          sources: sources.sort((a, b) => a.order - b.order).map((s) => s.source),
        }
        if (finding.reference) img.reference = finding.reference
        if (finding.reason !== undefined) img.reason = finding.reason
        return img
      })
    return {
      images,
      notices: this.notices,
      files: this.files,
      bytes: this.bytes,
      read: this.read,
      ...(this.stopped !== undefined ? { stopped: this.stopped } : {}),
    }
  }
}

/** One YAML stream or JSON file. */
class StreamReader {
  private readonly lines: LineIndex
  private readonly templated: boolean

  constructor(
    private readonly ex: Extractor,
    private readonly text: string,
    /** 1 when the file starts with a byte order mark `text` leaves out: added to every span. */
    private readonly bom: number,
    private readonly file: string,
    private readonly seq: number,
    private readonly json: boolean,
    private readonly jsonError: string | undefined,
    private readonly opts: ReadOptions,
  ) {
    this.lines = new LineIndex(text)
    this.templated = text.includes('{{')
  }

  *read(): Generator<Place, void, void> {
    const { text } = this
    const slices: DocumentSlice[] = this.json
      ? [{ start: 0, end: text.length, marker: false }]
      : splitDocuments(text)
    const prescan = this.opts.prescan !== false ? new Prescanner(text) : undefined
    let index = 0
    for (const slice of slices) {
      yield { document: index, line: this.at(slice.start).line }
      if (prescan && prescan.check(slice) !== 'parse') {
        if (holdsDocument(text, slice)) index++
        continue
      }
      // Inside a document, drop entries that cannot hold an image (prune.ts); positions map back exactly.
      const pruned = !prescan
        ? undefined
        : this.json
          ? this.jsonError === undefined
            ? pruneJson(text, this.opts.minGain)
            : undefined
          : pruneDocument(text, slice.start, slice.end, this.opts.minGain)
      const parsed: ParsedText = pruned
        ? { source: pruned.text, toAbsolute: pruned.toOriginal }
        : { source: text.slice(slice.start, slice.end), toAbsolute: (o) => slice.start + o }
      // Memory is bounded per parse: a document with too many nodes is named and skipped, never parsed.
      if (!withinParseBound(parsed.source)) {
        this.ex.notice(
          'error',
          this.file,
          this.json
            ? `too large to search: more than ${MAX_PARSE_NODES} JSON values (the bound keeps memory in check); file skipped — split it, or exclude it with \`!path\` if it holds no images`
            : `document ${index} is too large to search: more than ${MAX_PARSE_NODES} YAML nodes (the bound keeps memory in check); document skipped, the others were read — split it, or exclude the file with \`!path\` if it holds no images`,
          this.at(slice.start),
        )
        if (holdsDocument(text, slice)) index++
        continue
      }
      let docs: Document.Parsed[]
      try {
        docs = [...new Composer(YAML_OPTIONS).compose(new Parser().parse(parsed.source))]
      } catch (err) {
        // The parser reports its own failures as errors; this is a last resort (e.g. stack exhaustion).
        this.ex.notice(
          this.level(),
          this.file,
          `cannot parse: ${(err as Error).message}; document skipped`,
          this.at(slice.start),
        )
        if (holdsDocument(text, slice)) index++
        continue
      }
      for (const doc of docs) this.document(doc, slice, parsed, index++)
    }
    if (index === 0)
      this.ex.notice('notice', this.file, 'no YAML document in the file (only comments): nothing to extract')
  }

  /** Not a .yaml/.yml/.json file, not an image list: only a real YAML structure is worth reading. */
  private get foreign(): boolean {
    return !this.json && !isManifestExtension(extensionOf(this.file)) && this.file !== '-'
  }

  private notForeign(doc: Document.Parsed): boolean {
    if (!this.foreign || (doc.errors.length === 0 && !isScalar(doc.contents))) return true
    const first = doc.errors[0]
    this.ex.notice(
      'warning',
      this.file,
      `not a YAML or JSON manifest, Compose file or image list${first ? ` (YAML parser: ${first.message})` : ''}: skipped`,
    )
    return false
  }

  /** Invalid YAML is an error, except in a file that still holds templating (an unrendered chart). */
  private level(): NoticeLevel {
    return this.templated ? 'warning' : 'error'
  }

  private at(offset: number) {
    return this.lines.position(offset)
  }

  private document(doc: Document.Parsed, slice: DocumentSlice, parsed: ParsedText, index: number): void {
    if (!this.notForeign(doc)) return
    if (doc.errors.length > 0) {
      this.parseError(doc.errors, parsed, index)
      return
    }
    if (this.jsonError !== undefined)
      this.ex.notice(
        'warning',
        this.file,
        `not valid JSON (${jsonProblem(this.jsonError).message}): read as YAML`,
      )
    for (const offset of duplicateKeys(doc, DUPLICATES_SHOWN)) {
      const key = keyAt(parsed.source, offset)
      this.ex.notice(
        'warning',
        this.file,
        `duplicate key${key ? ` "${key}"` : ''}: Kubernetes rejects duplicate keys; both values were searched`,
        this.at(parsed.toAbsolute(offset)),
      )
    }
    let chartSource: string | null | undefined = null
    walkDocument(
      doc,
      (c) => {
        const finding = c.runtime ? c.runtime.finding : classifyNode(c.value, c.known, parsed.source)
        if (!finding) return
        if (chartSource === null) chartSource = chartSourceOf(this.text, slice)
        if (c.runtime) {
          this.runtimeSource(c, parsed, index, chartSource)
          return
        }
        const offset = parsed.toAbsolute(c.offset)
        const source = this.source(c, offset, index, chartSource)
        if (isScalar(c.value) && typeof c.value.value === 'string') this.place(source, c, c.value, parsed)
        this.ex.add(finding, source, orderOf(this.seq, offset))
      },
      (issue) =>
        this.ex.notice(
          issue.level,
          this.file,
          `${issue.message}${this.json ? '' : ` (document ${index})`}`,
          this.at(parsed.toAbsolute(issue.offset)),
        ),
      { runtime: this.ex.options.runtime !== false },
    )
  }

  /**
   * A runtime image, at the reference's own first character (also inside `--flag=REF`), with its span or
   * why it has none; reached through an alias, the anchored text's span goes into `aliasOf` (as in place()).
   */
  private runtimeSource(
    c: Candidate,
    parsed: ParsedText,
    index: number,
    chartSource: string | undefined,
  ): void {
    const rt = c.runtime
    if (!rt || !isScalar(c.value)) return
    const at = locateTail(c.value, rt.text, parsed.source)
    const alias = rt.aliased ? aliasAt(parsed.source, c.offset) : undefined
    const offset = parsed.toAbsolute(rt.aliased ? c.offset : at.offset)
    const s = this.source(c, offset, index, chartSource)
    s.runtime = rt.via
    s.runtimeName = rt.name
    if (rt.aliased) s.unwritable = `reached through the alias${alias === undefined ? '' : ` *${alias}`}`
    const own = at.end === undefined ? { why: at.why } : { start: at.offset, end: at.end }
    this.setSpan(s, own, rt.text, rt.aliased, parsed)
    this.ex.add(rt.finding, s, orderOf(this.seq, offset))
  }

  private source(c: Candidate, offset: number, index: number, chartSource: string | undefined): Source {
    const pos = this.at(offset)
    const s: Source = { file: this.file, line: pos.line, column: pos.column, document: index }
    const o = c.object
    if (o.kind !== undefined) s.kind = o.kind
    if (o.namespace !== undefined) s.namespace = o.namespace
    if (o.name !== undefined) s.name = o.name
    if (c.container !== undefined) s.container = c.container
    s.field = c.field
    if (chartSource !== undefined) s.chartSource = chartSource
    return s
  }

  /**
   * Where the reference's own text is (Source.span), or why it cannot be replaced in place. Reached through
   * an alias, the anchored text's span goes into `aliasOf` instead: the text is shared with the anchor.
   */
  private place(s: Source, c: Candidate, node: Scalar, parsed: ParsedText): void {
    const own = scalarSpan(node, parsed.source)
    const alias = node.range && c.offset !== node.range[0] ? aliasAt(parsed.source, c.offset) : undefined
    if (alias !== undefined) s.unwritable = `reached through the alias *${alias}`
    this.setSpan(s, own, String(node.value), alias !== undefined, parsed)
  }

  /**
   * Records where `text` stands (`own`: offsets in the parsed text, or why it has no place of its own): as the
   * source's span, or as `aliasOf` when it was reached through an alias (whose reason is already set).
   */
  private setSpan(s: Source, own: ScalarSpan, text: string, aliased: boolean, parsed: ParsedText): void {
    if ('why' in own) {
      if (!aliased) s.unwritable = own.why
      return
    }
    // Pruning drops whole lines, so a text on one line maps back by its start alone.
    const start = parsed.toAbsolute(own.start)
    const end = start + own.end - own.start
    if (this.text.slice(start, end) !== text) {
      s.unwritable = 'internal: the text at its position is not its value'
      return
    }
    const span = { start: this.bom + start, end: this.bom + end }
    if (aliased) s.aliasOf = span
    else s.span = span
  }

  private parseError(errors: YAMLError[], parsed: ParsedText, index: number): void {
    const first = errors[0] as YAMLError
    const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : ''
    const skipped = this.json ? 'file skipped' : `document ${index} skipped, the others were read`
    if (this.json) {
      const problem = jsonProblem(this.jsonError ?? first.message)
      const at = this.at(problem.position ?? parsed.toAbsolute(first.pos[0]))
      this.ex.notice(this.level(), this.file, `invalid JSON: ${problem.message}; ${skipped}`, at)
      return
    }
    let hint = ''
    if (first.code === 'TAB_AS_INDENT')
      hint = ' (indent with spaces: YAML does not allow tabs for indentation)'
    else if (first.code === 'RESOURCE_EXHAUSTION') hint = ' (the document nests too deeply to parse)'
    if (this.templated)
      hint +=
        ' — this looks like an unrendered template: render it first (e.g. `helm template`) and scan the output, or exclude it with `!path`'
    this.ex.notice(
      this.level(),
      this.file,
      `invalid YAML: ${first.message}${hint}${more}; ${skipped}`,
      this.at(parsed.toAbsolute(first.pos[0])),
    )
  }
}

/** The text handed to the parser and how its offsets map back to the file. */
interface ParsedText {
  source: string
  toAbsolute(offset: number): number
}

/** The name of the alias written at `offset` (`*name`), if one is. */
function aliasAt(source: string, offset: number): string | undefined {
  return source.charCodeAt(offset) === 42
    ? /^\*([^\s,[\]{}]+)/.exec(source.slice(offset, offset + 300))?.[1]
    : undefined
}

/** JSON.parse messages differ between Node versions; keep the words, take the position as an offset. */
function jsonProblem(message: string): { message: string; position?: number } {
  const m = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message)
  if (m?.[1] && m[2]) return { message: m[1], position: Number(m[2]) }
  const token = /^(Unexpected token .+?), (?:\.\.\.)?".*" is not valid JSON$/s.exec(message)
  if (token?.[1]) return { message: token[1] }
  return { message: message.length > 200 ? `${message.slice(0, 200)}…` : message }
}

export type { ExtractIo } from './io.js'
export { formatReference, isTemplated, parseReference } from './reference.js'
