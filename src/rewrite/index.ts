// The rewrite stage (after warm): hands the deploy the manifests it scanned with each verified reference
// replaced, in place or in an output directory (every scanned file, rewritten or not, at the same relative
// path), or on stdout for a pipe. Only the characters of a reference change (Source.span); an image that
// failed, was not mapped, is invalid or unresolved keeps its text, and every reference left as written is
// said, with why.
import { isUtf8 } from 'node:buffer'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { formatReference, parseReference } from '../extract/reference.js'
import { IMAGES_INPUT_FILE, type ImageResult, type PlannedImage, type Source, STDIN_FILE } from '../model.js'
import { briefMessage, type Explanation, SEE_BELOW, splitExplained } from '../warm/diagnose.js'
import { plural } from '../words.js'
import { applyEdits, type Edit, unsafeHere } from './edit.js'
import { destination, fileProblem, prepareOutputDir, writeAtomically } from './output.js'
import type { StoredForms } from './stored.js'
import {
  type DigestProof,
  digestTarget,
  PROOF_LABEL,
  type RewriteMode,
  type Target,
  unprovenDigest,
  zotTarget,
} from './target.js'
import { type UnwritablePlace, withFix } from './unwritable.js'

export type { StoredForms } from './stored.js'
export type { DigestProof, RewriteMode } from './target.js'
export type { UnwritablePlace } from './unwritable.js'

export interface RewriteOptions {
  mode: RewriteMode
  /** `host[:port]` nodes pull from (zot mode). */
  pullHost: string
  /** Absolute directory, or `-` for stdout. */
  output: string
  workspace: string
}

export interface RewriteInput {
  /** Results of the run; `rewrittenAs` and "not rewritten" warnings are added to them. */
  results: ImageResult[]
  planned: PlannedImage[]
  /** Workspace-relative files read by the extraction, in order (`-` for stdin). */
  read: string[]
  stdin?: string
  /** Digest mode: what the stored manifests prove (readStoredForms). */
  stored?: StoredForms
  /** Why nothing may be written (the run failed), or undefined. */
  hold?: string
  /** Strict mode: a place of a warm image that cannot be rewritten fails the run, so nothing is written. */
  strict?: boolean
  /** Receives the rewritten stream for output `-`. */
  stdout?: (text: string) => void
  log?: (level: 'info' | 'warning', line: string) => void
}

/** One reference (or all places of an image) left as written. */
export interface LeftAsWritten {
  reference: string
  /** `file:line:col` of the place, or of the first place when `places` > 1. */
  where: string
  places: number
  why: string
}

export interface RewriteSummary {
  mode: RewriteMode
  /** Absolute directory written, or `-` (stdout). */
  output: string
  inPlace: boolean
  /** False when nothing was written (`held` says why). */
  written: boolean
  held?: string
  /** Files written (in place: files changed). */
  files: number
  /** Files in which at least one reference changed. */
  changedFiles: number
  /** Places whose text was replaced. */
  rewritten: number
  /** Places that already said what they would be rewritten to (a run over rewritten files). */
  unchanged: number
  left: LeftAsWritten[]
  /** Files that could not be read back or written. */
  problems: { file: string; message: string }[]
  /**
   * Places of warm images whose text cannot be replaced (also in `left`): the deploy would pull them from
   * upstream. Known before anything is written; in strict mode they fail the run and nothing is written.
   */
  unwritable: UnwritablePlace[]
  /** `digest` mode: images pinned to the digest Zot serves, by the proof that it is upstream's. */
  pinnedBy?: Record<DigestProof['by'], number>
}

const WARMED = new Set<ImageResult['status']>(['cached', 'warmed'])

/** Why an image keeps its text whatever the mode, from its status. */
function statusReason(r: ImageResult): string | undefined {
  switch (r.status) {
    case 'failed':
      return 'the image failed'
    case 'skipped-unmapped':
      return 'its registry is not in registry-map'
    case 'not-attempted':
      return 'the image was not attempted'
    case 'invalid':
      return 'not a valid image reference'
    case 'unresolved':
      return 'an unresolved (templated or empty) reference'
    default:
      return undefined
  }
}

interface Pending {
  result: ImageResult
  source: Source
  /** Text for this place, from the text written there. */
  target: (written: string) => Target
}

interface Place {
  result: ImageResult
  source: Source
}

interface LeftPlace {
  source: Source
  why: string
  image: boolean
}

/** For each image: why it keeps its text everywhere (a string), or the text for each place from what is written there. */
export type TargetRule = (result: ImageResult) => string | ((written: string) => Target)

/**
 * Rewrite the files read by the extraction. `rule` decides each image's text (default: the mode's; tests
 * give their own, e.g. the text as written, which must leave every file byte-identical).
 */
export async function rewriteManifests(
  opts: RewriteOptions,
  input: RewriteInput,
  rule?: TargetRule,
): Promise<RewriteSummary> {
  const workspace = resolve(opts.workspace)
  const inPlace = opts.output !== '-' && resolve(opts.output) === workspace
  const summary: RewriteSummary = {
    mode: opts.mode,
    output: opts.output,
    inPlace,
    written: false,
    files: 0,
    changedFiles: 0,
    rewritten: 0,
    unchanged: 0,
    left: [],
    problems: [],
    unwritable: [],
  }
  const log = input.log ?? (() => undefined)
  const planned = new Map(input.planned.map((p) => [p.reference, p]))
  const decide = rule ?? ((r: ImageResult) => imageReason(r, opts, planned, input.stored))
  /** The text written for each image (its first rewritten place). */
  const done = new Map<ImageResult, string>()
  /** Places left, per image, with why (`image`: the reason is the image's, not the place's). */
  const leftPlaces = new Map<ImageResult, LeftPlace[]>()
  const leave = (result: ImageResult, source: Source, why: string, image = false) => {
    const list = leftPlaces.get(result)
    if (list) list.push({ source, why, image })
    else leftPlaces.set(result, [{ source, why, image }])
  }

  // 1. What each place becomes, by file.
  const byFile = new Map<string, Pending[]>()
  const aliases = new Map<string, Place[]>()
  for (const result of input.results) {
    const places = result.sources.filter((s) => s.file !== IMAGES_INPUT_FILE)
    if (!places.length) continue
    const why = decide(result)
    const target = typeof why === 'function' ? why : undefined
    for (const source of places) {
      if (typeof why === 'string') leave(result, source, why, true)
      else if (source.span && target) {
        const list = byFile.get(source.file) ?? []
        list.push({ result, source, target })
        byFile.set(source.file, list)
      } else if (source.aliasOf && target) {
        const list = aliases.get(source.file) ?? []
        list.push({ result, source })
        aliases.set(source.file, list)
      } else leave(result, source, withFix(source.unwritable ?? 'its text cannot be replaced in place'))
    }
  }
  // An alias follows its anchor only where the anchor is an image place rewritten here: known now, so that
  // strict mode can refuse before writing anything.
  for (const [file, followers] of aliases) {
    const anchors = new Set((byFile.get(file) ?? []).map((p) => spanKey(p.source.span)))
    const kept = followers.filter((f) => anchors.has(spanKey(f.source.aliasOf)))
    for (const f of followers) if (!kept.includes(f)) leave(f.result, f.source, withFix(aliasLeft(f.source)))
    aliases.set(file, kept)
  }
  summary.unwritable = unwritablePlaces(leftPlaces)

  const hold =
    input.hold ??
    (input.strict && summary.unwritable.length
      ? `${plural(summary.unwritable.length, 'reference')} to warm images cannot be rewritten in place`
      : undefined)
  if (hold) {
    summary.held = hold
    log('info', `Nothing written: ${hold}.`)
    for (const u of summary.unwritable)
      log('warning', `cannot be rewritten: ${u.reference} (${u.file}:${u.line}:${u.column}): ${u.why}`)
    annotate(input.results, leftPlaces, done)
    summary.left = leftList(leftPlaces)
    return summary
  }

  // 2. Each file: read it back, replace, write.
  const root = opts.output === '-' ? undefined : await prepareOutputDir(opts.output)
  for (const file of input.read) {
    // stdin goes only to stdout and files only to a directory (the configuration check makes sure).
    if ((file === STDIN_FILE) !== (root === undefined)) continue
    const pending = byFile.get(file) ?? []
    const followers = aliases.get(file) ?? []
    const changes = await rewriteFile(pending, followers, () =>
      file === STDIN_FILE ? Buffer.from(input.stdin ?? '', 'utf8') : readFile(resolve(workspace, file)),
    )
    for (const l of changes.left) leave(l.place.result, l.place.source, l.why)
    let problem = changes.problem
    if (!problem) {
      try {
        if (!root) input.stdout?.(changes.out.toString('utf8'))
        else if (!inPlace || changes.changed)
          await writeAtomically(await destination(root, file), changes.out)
      } catch (err) {
        problem = fileProblem(err)
      }
    }
    if (problem) {
      summary.problems.push({ file, message: problem })
      log('warning', `${file}: not written: ${problem}`)
      // Nothing of this file was written: its references are not rewritten after all.
      for (const place of changes.places)
        leave(place.result, place.source, `the file was not written (${problem})`)
      continue
    }
    // In place, a file whose references already say what they would become is left alone (not touched).
    if (root && inPlace && !changes.changed) {
      summary.unchanged += changes.places.length
    } else {
      summary.files++
      if (changes.changed) summary.changedFiles++
      summary.rewritten += changes.changed
      summary.unchanged += changes.places.length - changes.changed
    }
    for (const place of changes.places) {
      const text = changes.texts.get(place.result)
      if (text !== undefined && !done.has(place.result)) done.set(place.result, text)
    }
  }
  summary.written = true
  annotate(input.results, leftPlaces, done)
  summary.left = leftList(leftPlaces)
  const where = root ? (inPlace ? 'in place' : `into ${root}`) : 'to stdout'
  log(
    'info',
    `Rewrote ${plural(summary.rewritten, 'reference')} in ${plural(summary.changedFiles, 'file')}; ` +
      `${plural(summary.files, 'file')} written ${where}` +
      (summary.unchanged ? `; ${plural(summary.unchanged, 'reference')} already as verified.` : '.'),
  )
  if (opts.mode === 'digest') summary.pinnedBy = sayProofs(input.results, done, input.stored, log)
  const explanations: Explanation[] = []
  for (const l of summary.left) {
    const places = l.places > 1 ? ` (${l.places} places, first at ${l.where})` : ` (${l.where})`
    log('warning', `not rewritten: ${l.reference}${places}: ${briefMessage(l.why, SEE_BELOW)}`)
    const e = splitExplained(l.why).explanation
    if (e && !explanations.includes(e)) explanations.push(e)
  }
  // What several images share (why a tag was not pinned), once.
  for (const e of explanations) log('info', `${e.title}: ${e.text}`)
  return summary
}

/** `digest` mode: each tag pinned, with the proof that the digest is upstream's; the count by proof. */
function sayProofs(
  results: ImageResult[],
  done: Map<ImageResult, string>,
  stored: StoredForms | undefined,
  log: NonNullable<RewriteInput['log']>,
): Record<DigestProof['by'], number> {
  const counts: Record<DigestProof['by'], number> = { 'media-types': 0, 'upstream-referrer': 0 }
  for (const r of results) {
    const proof = done.has(r) ? stored?.get(r.reference)?.proof : undefined
    if (!proof) continue
    counts[proof.by]++
    log('info', `pinned ${r.reference} to ${r.digest} (${PROOF_LABEL[proof.by]}): ${proof.detail}`)
  }
  return counts
}

interface FileChanges {
  out: Buffer
  /** Places rewritten (aliases following a rewritten anchor included). */
  places: Place[]
  /** How many of `places` now say something else (the others already said what they were rewritten to). */
  changed: number
  /** The text written for each image, from its first place in the file. */
  texts: Map<ImageResult, string>
  left: { place: Place; why: string }[]
  /** Why the file cannot be produced at all. */
  problem?: string
}

/** One file's new content: each pending place replaced when the file still says what was read there. */
async function rewriteFile(
  pending: Pending[],
  followers: Place[],
  read: () => Buffer | Promise<Buffer>,
): Promise<FileChanges> {
  const changes: FileChanges = { out: Buffer.alloc(0), places: [], changed: 0, texts: new Map(), left: [] }
  const all = [...pending, ...followers]
  try {
    changes.out = await read()
  } catch (err) {
    changes.problem = `cannot read it again: ${fileProblem(err)}`
  }
  if (changes.problem || !all.length) {
    if (changes.problem)
      for (const p of all)
        changes.left.push({ place: p, why: `the file was not written (${changes.problem})` })
    return changes
  }
  // Decoding and encoding again is byte-exact only for valid UTF-8.
  if (!isUtf8(changes.out)) {
    for (const p of all) changes.left.push({ place: p, why: 'the file is not valid UTF-8 (any more)' })
    return changes
  }
  const text = changes.out.toString('utf8')
  const edits: Edit[] = []
  for (const p of pending) {
    const edit = placeEdit(text, p)
    if ('why' in edit) {
      changes.left.push({ place: p, why: edit.why })
      continue
    }
    edits.push(edit)
    changes.places.push(p)
    if (edit.text !== text.slice(edit.start, edit.end)) changes.changed++
    if (!changes.texts.has(p.result)) changes.texts.set(p.result, edit.text)
  }
  // An alias follows its anchor: rewritten exactly when the anchored text itself was.
  for (const f of followers) {
    const anchor = anchorEdit(f, edits)
    if (anchor) {
      changes.places.push(f)
      if (anchor.text !== text.slice(anchor.start, anchor.end)) changes.changed++
    } else changes.left.push({ place: f, why: aliasLeft(f.source) })
  }
  if (changes.changed) changes.out = Buffer.from(applyEdits(text, edits), 'utf8')
  return changes
}

function aliasLeft(source: Source): string {
  return `${source.unwritable ?? 'reached through an alias'}, whose anchored text is not an image field rewritten here`
}

const spanKey = (span: { start: number; end: number } | undefined) =>
  span ? `${span.start}:${span.end}` : ''

/** The places of warm images left for their own text (not for the image's reason) before any file is read. */
function unwritablePlaces(left: Map<ImageResult, LeftPlace[]>): UnwritablePlace[] {
  const out: UnwritablePlace[] = []
  for (const [r, places] of left) {
    if (!WARMED.has(r.status)) continue
    for (const p of places)
      if (!p.image)
        out.push({
          reference: r.reference,
          file: p.source.file,
          line: p.source.line,
          column: p.source.column,
          why: p.why,
        })
  }
  return out
}

/** The edit of the anchored text an alias reads, if that text is rewritten. */
function anchorEdit(f: Place, applied: Edit[]): Edit | undefined {
  const a = f.source.aliasOf
  return a === undefined ? undefined : applied.find((e) => e.start === a.start && e.end === a.end)
}

/**
 * Why the image keeps its text everywhere (a string), or how each of its places is rewritten.
 */
function imageReason(
  result: ImageResult,
  opts: RewriteOptions,
  planned: Map<string, PlannedImage>,
  stored: StoredForms | undefined,
): string | ((written: string) => Target) {
  const status = statusReason(result)
  if (status) return status
  if (!WARMED.has(result.status)) return `not rewritten in status ${result.status}`
  const plan = planned.get(result.reference)
  if (!plan) return 'internal: the image is missing from the plan'
  const digest = plan.ref.digest ?? result.digest
  if (!digest)
    return "the digest Zot serves for the tag is unknown (Zot's search extension is off), so it cannot be pinned"
  if (opts.mode === 'zot') {
    const target = zotTarget(opts.pullHost, plan.zotRepository, plan.ref, digest)
    if ('left' in target) return target.left
    return () => target
  }
  if (plan.ref.digest === undefined) {
    const form = stored?.get(result.reference)
    if (form?.problem) return `cannot tell whether Zot serves upstream's digest: ${form.problem}`
    if (!form?.proof) return unprovenDigest(digest, result.referrers)
  }
  return (written) => digestTarget(written, digest)
}

/** The edit for one place, after checking that the file still says what the extraction read there. */
function placeEdit(text: string, p: Pending): Edit | { why: string } {
  const span = p.source.span as { start: number; end: number }
  const written = text.slice(span.start, span.end)
  let same = false
  try {
    same = span.end <= text.length && formatReference(parseReference(written)) === p.result.reference
  } catch {
    same = false
  }
  if (!same) return { why: 'the file changed since it was read' }
  const target = p.target(written)
  if ('left' in target) return { why: target.left }
  const unsafe = unsafeHere(text, span.start, span.end, target.text)
  if (unsafe) return { why: unsafe }
  return { start: span.start, end: span.end, text: target.text }
}

/** rewrittenAs on each rewritten image, and the "not rewritten" warnings of images that were warmed. */
function annotate(
  results: ImageResult[],
  left: Map<ImageResult, LeftPlace[]>,
  done: Map<ImageResult, string>,
): void {
  for (const r of results) {
    const text = done.get(r)
    if (text !== undefined) r.rewrittenAs = text
    const places = left.get(r)
    if (!places || !WARMED.has(r.status)) continue
    for (const [why, group] of groupByWhy(places))
      r.warnings.push(
        group[0]?.image
          ? `not rewritten: ${why}`
          : `not rewritten at ${group.map((p) => at(p.source)).join(', ')}: ${why}`,
      )
  }
}

function groupByWhy(places: LeftPlace[]): Map<string, LeftPlace[]> {
  const out = new Map<string, LeftPlace[]>()
  for (const p of places) {
    const list = out.get(p.why)
    if (list) list.push(p)
    else out.set(p.why, [p])
  }
  return out
}

const at = (s: Source) => `${s.file}:${s.line}:${s.column}`

function leftList(left: Map<ImageResult, LeftPlace[]>): LeftAsWritten[] {
  const out: LeftAsWritten[] = []
  for (const [r, places] of left)
    for (const [why, group] of groupByWhy(places))
      out.push({
        reference: r.reference,
        where: at((group[0] as LeftPlace).source),
        places: group.length,
        why,
      })
  return out
}
