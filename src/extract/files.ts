// Which files to read: paths, directories and globs relative to the workspace, `!pattern` excludes, and
// the default scan. Every include that selects nothing is an error naming it.
import { readFile, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { escapePath, glob, isDynamicPattern } from 'tinyglobby'
import { describeError } from '../errors.js'
import type { Notice } from '../model.js'

/** File system access, injectable so tests can produce errors root cannot (EACCES). */
export interface ExtractIo {
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>
  readFile(path: string): Promise<Buffer>
  realpath(path: string): Promise<string>
}

export const nodeIo: ExtractIo = {
  stat: (p) => stat(p),
  readFile: (p) => readFile(p),
  realpath: (p) => realpath(p),
}

export interface InputFile {
  /** Workspace-relative with `/`; `-` for stdin. */
  file: string
  /** Absolute path (not for stdin). */
  abs?: string
}

export const MANIFEST_GLOB = '**/*.{yaml,yml,json}'
const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**']
/** CI workflow folders: they name runner images, not images the deploy pulls. */
const WORKFLOW_DIRS = ['.github/workflows/**', '.forgejo/workflows/**', '.gitea/workflows/**']

export function toWorkspacePath(workspace: string, abs: string): string {
  const rel = relative(workspace, abs)
  return (rel === '' ? '.' : rel).split(sep).join('/')
}

export async function resolveInputs(
  opts: {
    workspace: string
    paths: string[]
    scan?: boolean
    stdin?: string | undefined
    images?: string[] | undefined
  },
  io: ExtractIo,
): Promise<{ files: InputFile[]; notices: Notice[] }> {
  const workspace = resolve(opts.workspace)
  const notices: Notice[] = []
  const entries = opts.paths.map((p) => p.trim()).filter((p) => p !== '')
  const excludes = entries.filter((p) => p.startsWith('!')).map((p) => stripDot(p.slice(1)))
  const includes = entries.filter((p) => !p.startsWith('!'))
  const found: InputFile[] = []
  const ignore = [...ALWAYS_IGNORED, ...excludes]

  if (opts.stdin !== undefined && !includes.includes('-')) found.push({ file: '-' })
  if (includes.length === 0 && opts.stdin === undefined && opts.scan !== false) {
    const files = await glob([MANIFEST_GLOB], {
      cwd: workspace,
      dot: true,
      ignore: [...ignore, ...WORKFLOW_DIRS],
      expandDirectories: false,
    })
    for (const f of files.sort()) found.push({ file: f, abs: resolve(workspace, f) })
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
        notices.push({
          level: 'error',
          file: '-',
          message: '"-" (stdin) was given but nothing was read from it',
        })
      else found.push({ file: '-' })
      continue
    }
    const pattern = stripDot(raw)
    const abs = resolve(workspace, pattern)
    const rel = toWorkspacePath(workspace, abs)
    let st: Awaited<ReturnType<ExtractIo['stat']>> | undefined
    try {
      st = await io.stat(abs)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && !isDynamicPattern(pattern)) {
        notices.push({ level: 'error', file: rel, message: `cannot read "${raw}": ${describeError(err)}` })
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
      const base = rel === '.' ? '' : `${escapePath(rel)}/`
      files = await glob([`${base}${MANIFEST_GLOB}`], {
        cwd: workspace,
        dot: true,
        ignore,
        expandDirectories: false,
      })
    } else if (isDynamicPattern(pattern)) {
      files = await glob([pattern], { cwd: workspace, ignore, expandDirectories: false })
    } else {
      notices.push({
        level: 'error',
        file: rel,
        message: `path "${raw}" does not exist (relative to the workspace)`,
      })
      continue
    }
    if (files.length === 0) {
      const what = st?.isDirectory()
        ? `directory "${raw}" holds no .yaml, .yml or .json file`
        : `"${raw}" matches no file`
      notices.push({
        level: 'error',
        file: rel,
        message: `${what}${excludes.length ? ' (after excludes)' : ''}; check the path, relative to the workspace`,
      })
      continue
    }
    for (const f of files.sort()) found.push({ file: f, abs: resolve(workspace, f) })
  }

  return { files: await dedupe(found, io), notices }
}

/** Drop files named twice, also through symlinks (and symlink loops, which glob follows only once). */
async function dedupe(files: InputFile[], io: ExtractIo): Promise<InputFile[]> {
  const seen = new Set<string>()
  const out: InputFile[] = []
  for (const f of files) {
    let key = f.abs ?? f.file
    if (f.abs) {
      try {
        key = await io.realpath(f.abs)
      } catch {
        // unreadable: the read reports it
      }
    }
    if (seen.has(key)) continue
    seen.add(key)
    out.push(f)
  }
  return out
}

function stripDot(p: string): string {
  let s = p
  while (s.startsWith('./')) s = s.slice(2)
  return s === '' ? '.' : s
}
