// Which files to read: paths, directories and globs relative to the workspace, `!pattern` excludes, and
// the default scan. A file named as it is, is read whatever its kind (an image list too); directories,
// globs and the default scan select .yaml, .yml and .json files only. Every include that selects nothing is
// a configuration problem naming it: a typo in a path must stop the run (exit 1), not let the deploy go on
// with a cold cache.
import { isAbsolute, resolve } from 'node:path'
import { escapePath, glob, isDynamicPattern } from 'tinyglobby'
import { describeError } from '../errors.js'
import type { Notice } from '../model.js'
import { DIRECTORY_LINK_OUT_MESSAGE, globFs, isInside, Listing, settle, toWorkspacePath } from './boundary.js'
import { extensionOf, isListExtension, isManifestExtension } from './formats.js'
import type { ExtractIo, InputFile } from './io.js'
import { READ_AHEAD } from './read.js'
import { unreadListNotices } from './unread-lists.js'

export const MANIFEST_GLOB = '**/*.{yaml,yml,json}'
/** Files a scan does not read but checks for image lists (unread-lists.ts). */
const LIST_GLOB = '**/*.{txt,list,lst,images}'
const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**']
/** CI workflow folders: they name runner images, not images the deploy pulls. */
const WORKFLOW_DIRS = ['.github/workflows/**', '.forgejo/workflows/**', '.gitea/workflows/**']

export async function resolveInputs(
  opts: {
    workspace: string
    paths: string[]
    scan?: boolean
    stdin?: string | undefined
    images?: string[] | undefined
    /** Stops listing (partial results are returned; the caller sees the signal). */
    signal?: AbortSignal | undefined
  },
  io: ExtractIo,
): Promise<{ files: InputFile[]; notices: Notice[]; problems: string[] }> {
  const workspace = resolve(opts.workspace)
  // Links are followed only inside the workspace's real path (boundary.ts).
  const realWorkspace = await io.realpath(workspace).catch(() => workspace)
  const listing = new Listing(workspace)
  const notices: Notice[] = []
  /** Configuration problems: includes that select nothing. */
  const problems: string[] = []
  /** Image-list-like files in scanned directories (checked once every include is known). */
  const lists: (InputFile & { root: string })[] = []
  /** Manifests under `base` (`''` or `dir/`), and the list-like files beside them. */
  const scan = async (base: string, ignored: string[], root: string) => {
    const all = await glob([`${base}${MANIFEST_GLOB}`, `${base}${LIST_GLOB}`], {
      cwd: workspace,
      dot: true,
      ignore: ignored,
      expandDirectories: false,
      fs: globFs(root, io, listing),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
    const manifests: string[] = []
    for (const f of all.sort()) {
      if (isListExtension(extensionOf(f))) lists.push({ file: f, abs: resolve(workspace, f), root })
      else manifests.push(f)
    }
    return manifests
  }
  const entries = opts.paths.map((p) => p.trim()).filter((p) => p !== '')
  const excludes = entries.filter((p) => p.startsWith('!')).map((p) => stripDot(p.slice(1)))
  const includes = entries.filter((p) => !p.startsWith('!'))
  /** With the real path links may lead to: the workspace, or a path named outside it. */
  const found: (InputFile & { root: string })[] = []
  const ignore = [...ALWAYS_IGNORED, ...excludes]

  if (opts.stdin !== undefined && !includes.includes('-')) found.push({ file: '-', root: realWorkspace })
  if (includes.length === 0 && opts.stdin === undefined && opts.scan !== false) {
    const files = await scan('', [...ignore, ...WORKFLOW_DIRS], realWorkspace)
    for (const f of files) found.push({ file: f, abs: resolve(workspace, f), root: realWorkspace })
    // Stopped while listing: the list is partial, and the caller says so.
    if (opts.signal?.aborted) return { files: found, notices, problems }
    if (files.length === 0 && !opts.images?.length)
      notices.push({
        level: 'warning',
        file: '.',
        message: 'no .yaml, .yml or .json file in the workspace: set `paths` to the rendered manifests',
      })
  }

  for (const raw of includes) {
    if (raw === '-') {
      if (opts.stdin === undefined)
        problems.push(
          'paths: "-" means stdin, which only the CLI reads, given as an argument (… | zot-warm -)',
        )
      else found.push({ file: '-', root: realWorkspace })
      continue
    }
    const pattern = stripDot(raw)
    const abs = resolve(workspace, pattern)
    const rel = toWorkspacePath(workspace, abs)
    // A path named outside the workspace is its own boundary: the named file, or the directory a glob
    // starts from.
    const outside = !isInside(abs, workspace)
    const root = outside
      ? await io.realpath(isDynamicPattern(pattern) ? staticBase(abs) : abs).catch(() => abs)
      : realWorkspace
    let st: Awaited<ReturnType<ExtractIo['stat']>> | undefined
    try {
      st = await io.stat(abs)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && !isDynamicPattern(pattern)) {
        notices.push({ level: 'error', file: rel, message: `cannot read "${raw}": ${describeError(err)}` })
        continue
      }
      if (code === 'ENOENT' && !isDynamicPattern(pattern) && (await isLink(abs, io))) {
        // The name exists: an unreadable file, reported like one.
        notices.push({
          level: 'error',
          file: rel,
          message: `cannot read "${raw}": symbolic link to a file that does not exist`,
        })
        continue
      }
    }
    let files: string[]
    if (st?.isFile()) {
      files = [rel]
      if (excludes.length && !rel.startsWith('../') && !isAbsolute(rel)) {
        const kept = await glob([escapePath(rel)], {
          cwd: workspace,
          dot: true,
          ignore: excludes,
          expandDirectories: false,
        })
        if (kept.length === 0) continue // named, but excluded on purpose
      }
    } else if (st?.isDirectory()) {
      if (!isInside(await io.realpath(abs).catch(() => abs), root)) {
        notices.push({ level: 'error', file: rel, message: DIRECTORY_LINK_OUT_MESSAGE })
        continue
      }
      const before = lists.length
      files = await scan(rel === '.' ? '' : `${escapePath(rel)}/`, ignore, root)
      if (opts.signal?.aborted) return { files: found, notices, problems }
      if (files.length === 0) {
        const beside = lists.slice(before).map((l) => l.file)
        problems.push(
          `paths: directory "${raw}" holds no .yaml, .yml or .json file${excludes.length ? ' (after excludes)' : ''}` +
            (beside.length
              ? listAdvice(beside, 'in it')
              : `; check the path (relative to the workspace ${workspace})`),
        )
        continue
      }
    } else if (isDynamicPattern(pattern)) {
      const matched = await glob([pattern], {
        cwd: workspace,
        ignore,
        expandDirectories: false,
        fs: globFs(root, io, listing),
        ...(opts.signal ? { signal: opts.signal } : {}),
      })
      if (opts.signal?.aborted) return { files: found, notices, problems }
      // What a glob selects is read as a directory scan reads: manifests only. `deploy/*` also matches a
      // chart's NOTES.txt or a README, which are no image lists; a list is read when it is named.
      files = matched.filter((f) => isManifestExtension(extensionOf(f)))
      const beside = matched.filter((f) => isListExtension(extensionOf(f))).sort()
      lists.push(...beside.map((f) => ({ file: f, abs: resolve(workspace, f), root })))
      if (files.length === 0 && matched.length > 0) {
        problems.push(
          `paths: "${raw}" matches no .yaml, .yml or .json file${excludes.length ? ' (after excludes)' : ''}` +
            (beside.length
              ? listAdvice(beside, 'it matches')
              : '; a glob reads manifests only: name another kind of file to read it'),
        )
        continue
      }
    } else {
      problems.push(`paths: "${raw}" does not exist (relative to the workspace ${workspace})`)
      continue
    }
    if (files.length === 0) {
      problems.push(
        `paths: "${raw}" matches no file${excludes.length ? ' (after excludes)' : ''} (relative to the workspace ${workspace}); check the pattern`,
      )
      continue
    }
    for (const f of files.sort()) found.push({ file: f, abs: resolve(workspace, f), root })
  }

  // A path named and also met by a scan or glob (a link to nothing, a loop) is said once: as named.
  const named = new Set(notices.map((n) => n.file))
  const settled = await settle(
    found.filter((f) => !named.has(f.file)),
    realWorkspace,
    io,
    READ_AHEAD,
    opts.signal,
  )
  const files = settled.files
  notices.push(...listing.notices, ...settled.notices)
  if (problems.length === 0) {
    const read = new Set(files.map((f) => f.file))
    // Image lists are looked into only where a link would be followed.
    const candidates = (await settle(dedupeFiles(lists), realWorkspace, io, READ_AHEAD, opts.signal)).files
    notices.push(
      ...(await unreadListNotices(
        candidates.flatMap((l) => (l.abs && !read.has(l.file) ? [{ file: l.file, abs: l.abs }] : [])),
        io,
      )),
    )
  }
  return { files, notices, problems }
}

/** `; to read the image list in it, name it in paths: deploy/images.txt` (the first five named). */
function listAdvice(lists: string[], where: string): string {
  const one = lists.length === 1
  const named = `${lists.slice(0, 5).join(', ')}${lists.length > 5 ? ', …' : ''}`
  return `; to read ${one ? 'the image list' : 'image lists'} ${where}, name ${one ? 'it' : 'them'} in paths: ${named}`
}

async function isLink(abs: string, io: ExtractIo): Promise<boolean> {
  try {
    await io.lstat?.(abs)
    return io.lstat !== undefined
  } catch {
    return false
  }
}

function dedupeFiles(files: (InputFile & { root: string })[]): (InputFile & { root: string })[] {
  const seen = new Set<string>()
  return files.flatMap((f) =>
    f.abs && !seen.has(f.file) && seen.add(f.file) ? [{ file: f.file, abs: f.abs, root: f.root }] : [],
  )
}

/** The directory a glob starts from: its leading path segments without glob syntax. */
function staticBase(abs: string): string {
  const parts = abs.split('/')
  const i = parts.findIndex((p) => isDynamicPattern(p))
  return i === -1 ? abs : parts.slice(0, i).join('/') || '/'
}

function stripDot(p: string): string {
  let s = p
  while (s.startsWith('./')) s = s.slice(2)
  return s === '' ? '.' : s
}
