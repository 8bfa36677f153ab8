// Symbolic links and the workspace boundary. A pull request controls the files of the workspace, links
// included: `notes.yaml -> ~/.git-credentials` would put a token into the table, the log and the report.
// The rule:
// - a link is followed only when its target (every link on the way resolved) is inside the workspace; a
//   path named outside the workspace (`../shared`, `/abs/dir`) is its own boundary, as its author chose it;
// - a file or directory link that leads out is not read, not even listed: an error notice names the link
//   (input the scan or a path selected and that was not read fails strict mode), never its target;
// - a file read through a link inside the workspace is reported at its real path, so file links on GitHub
//   resolve, and a file reached twice is read once;
// - a directory that cannot be listed gets an error notice: its files were not scanned;
// - a link to nothing, or a loop, is selected like a file: the read names it as not read.
import * as fs from 'node:fs'
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path'
import type { GlobOptions } from 'tinyglobby'
import { mapLimit } from '../each.js'
import type { Notice } from '../model.js'
import type { ExtractIo, InputFile } from './io.js'

export const LINK_OUT_MESSAGE =
  'symbolic link leads outside the workspace: not read (links are followed only inside it; exclude the link with `!path` if that is intended)'
export const DIRECTORY_LINK_OUT_MESSAGE =
  'symbolic link to a directory outside the workspace: not searched (links are followed only inside it; exclude the link with `!path` if that is intended)'

/** `abs` relative to `workspace`, with `/` on every system (`.` for the workspace itself). */
export function toWorkspacePath(workspace: string, abs: string): string {
  const rel = relative(workspace, abs)
  return (rel === '' ? '.' : rel).split(sep).join('/')
}

/** Whether `path` is `root` or below it (both real, absolute). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

/** What listing the files met: links leading out, directories that could not be read, link loops. */
export class Listing {
  readonly notices: Notice[] = []
  private readonly seen = new Set<string>()

  constructor(
    /** The workspace as given (relative paths in notices are relative to it). */
    private readonly workspace: string,
  ) {}

  record(path: string, level: Notice['level'], message: string): void {
    const file = this.label(path)
    if (this.seen.has(file)) return
    this.seen.add(file)
    this.notices.push({ level, file, message })
  }

  private label(path: string): string {
    return toWorkspacePath(this.workspace, path.replace(/[/\\]+$/, ''))
  }
}

type GlobFs = NonNullable<GlobOptions['fs']>
type Readdir = NonNullable<GlobFs['readdir']>

/**
 * The file system the glob crawls with: a directory reached through a link whose target is outside `root`
 * is not listed (the link is recorded; the glob still decides first whether it would descend into it, so
 * an excluded link is never named), and a directory that cannot be listed is recorded. `root` is real.
 */
export function globFs(root: string, io: ExtractIo, listing: Listing): GlobFs {
  type Callback = (err: NodeJS.ErrnoException | null, result?: unknown) => void
  const readdir = (io.readdir ?? fs.readdir) as unknown as (path: string, o: unknown, cb: Callback) => void
  /** Target → the first link seen resolving to it (the crawler lists a link's target by its real path). */
  const linkTo = new Map<string, string>()
  // The crawler drops a link it cannot resolve without a word, yet `kubectl apply -f` on the same folder
  // fails on it. So a link to nothing (or a loop) is handed on as a file at its own path: the glob's
  // patterns and excludes decide on it as on any file, and the read names what was not read.
  const realpath = (path: fs.PathLike, callback: Callback) => {
    io.realpath(String(path)).then(
      (real) => {
        if (!linkTo.has(real)) linkTo.set(real, String(path))
        callback(null, real)
      },
      (err: NodeJS.ErrnoException) => callback(unresolvable(err) ? null : err, String(path)),
    )
  }
  const stat = (path: fs.PathLike, callback: Callback) => {
    fs.stat(path, (err, stats) => callback(null, err && unresolvable(err) ? UNRESOLVED_LINK : stats))
  }
  const hooked = (path: fs.PathLike, options: unknown, callback: Callback) => {
    const dir = String(path)
    const link = linkTo.get(dir.length > 1 ? dir.replace(/[/\\]+$/, '') : dir)
    if (link !== undefined && !isInside(dir, root)) {
      listing.record(link, 'error', DIRECTORY_LINK_OUT_MESSAGE)
      callback(null, [])
      return
    }
    readdir(dir, options, (err, entries) => {
      if (err) listing.record(link ?? dir, 'error', `cannot read directory: ${dirProblem(err)}`)
      callback(err, err ? [] : entries)
    })
  }
  return {
    realpath: realpath as unknown as GlobFs['realpath'],
    readdir: hooked as unknown as Readdir,
    stat: stat as unknown as GlobFs['stat'],
  }
}

const unresolvable = (err: NodeJS.ErrnoException) => err.code === 'ENOENT' || err.code === 'ELOOP'
/** What the crawler sees of a link to nothing: a file, not a directory to walk into. */
const UNRESOLVED_LINK = { isDirectory: () => false, isFile: () => true }

function dirProblem(err: NodeJS.ErrnoException): string {
  const what =
    err.code === 'EACCES' || err.code === 'EPERM'
      ? `permission denied (${err.code}): make it readable by the runner`
      : err.code === 'ELOOP'
        ? 'symbolic link loop (ELOOP)'
        : `${err.message.split(',')[0]}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`
  return `${what}; the files in it were not scanned`
}

/**
 * Files as they will be read: each link resolved (once, at most `limit` at a time), a file whose real
 * path is outside its root dropped with a notice naming it, a file inside the workspace named by its real
 * path, and a file reached twice kept once.
 */
export async function settle(
  found: (InputFile & { root?: string })[],
  realWorkspace: string,
  io: ExtractIo,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<{ files: InputFile[]; notices: Notice[] }> {
  const reals = await mapLimit(found, limit, signal, async (f) => {
    if (!f.abs) return undefined
    try {
      return { real: await io.realpath(f.abs) }
    } catch {
      // Unreadable (a link to nothing, a loop): the read reports it. Its directory's real path still
      // tells one place from another, so a loop met through a directory link is named once.
      try {
        return { unresolved: join(await io.realpath(dirname(f.abs)), basename(f.abs)) }
      } catch {
        return undefined
      }
    }
  })
  const notices: Notice[] = []
  const seen = new Set<string>()
  const files: InputFile[] = []
  found.forEach((f, i) => {
    const at = reals[i]
    const real = at?.real
    if (f.abs === undefined || real === undefined) {
      const key = at?.unresolved ?? f.abs ?? f.file
      if (seen.has(key)) return
      seen.add(key)
      const file =
        at?.unresolved && isInside(at.unresolved, realWorkspace)
          ? toWorkspacePath(realWorkspace, at.unresolved)
          : f.file
      files.push({ file, ...(f.abs ? { abs: f.abs } : {}) })
      return
    }
    if (!isInside(real, f.root ?? realWorkspace)) {
      notices.push({ level: 'error', file: f.file, message: LINK_OUT_MESSAGE })
      return
    }
    if (seen.has(real)) return
    seen.add(real)
    const file = isInside(real, realWorkspace) ? toWorkspacePath(realWorkspace, real) : f.file
    files.push({ file, abs: real })
  })
  // A link named twice (or by a path and a glob): one notice.
  const unique = new Map(notices.map((n) => [n.file, n]))
  return { files, notices: [...unique.values()] }
}
