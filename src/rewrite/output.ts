// Writing the manifest files into the output directory (or in place), and nowhere else: a path that leaves
// the directory (`..`, an absolute path) or passes through a symbolic link is refused, never followed. Each
// file is written to a temporary name beside it and renamed over the target, so a reader (kubectl, a
// concurrent step) never sees half a file; rename replaces a directory entry and never follows a link.
import { randomBytes } from 'node:crypto'
import { chmod, lstat, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises'
import { isAbsolute, join, resolve, sep } from 'node:path'
import { describeError } from '../errors.js'

/** Thrown for a path that must not be written; the message says why (for a "not written" line). */
export class RefusedPath extends Error {
  override readonly name = 'RefusedPath'
}

/** The real path of the output directory, created if missing. */
export async function prepareOutputDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const real = await realpath(dir)
  if (!(await stat(real)).isDirectory()) throw new RefusedPath(`${dir} is not a directory`)
  return real
}

/**
 * The absolute path for the workspace-relative `file` inside `root` (a real path), with its parent
 * directories created. Refuses paths that leave `root` and any existing symbolic link on the way.
 */
export async function destination(root: string, file: string): Promise<string> {
  const parts = file.split('/')
  if (isAbsolute(file) || file.includes('\\') || parts.some((p) => p === '..' || p === '' || p === '.'))
    throw new RefusedPath('its path leaves the workspace, so it would land outside the output directory')
  let at = root
  for (let i = 0; i < parts.length; i++) {
    at = join(at, parts[i] as string)
    const last = i === parts.length - 1
    let st: Awaited<ReturnType<typeof lstat>> | undefined
    try {
      st = await lstat(at)
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw err
    }
    if (st?.isSymbolicLink())
      throw new RefusedPath(
        `${last ? 'the target' : `"${parts.slice(0, i + 1).join('/')}"`} is a symbolic link in the output directory; links are not followed`,
      )
    if (!last) {
      if (!st) await mkdir(at)
      else if (!st.isDirectory())
        throw new RefusedPath(
          `"${parts.slice(0, i + 1).join('/')}" is not a directory in the output directory`,
        )
    } else if (st && !st.isFile()) throw new RefusedPath('the target is not a regular file')
  }
  // Belt and braces: the final path must still be inside the root.
  const full = resolve(at)
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep))
    throw new RefusedPath('its path leaves the output directory')
  return full
}

/** Write `data` to `path` atomically, keeping the mode of a file it replaces. */
export async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  let mode: number | undefined
  try {
    mode = (await lstat(path)).mode & 0o7777
  } catch {
    // a new file
  }
  const temp = `${path}.zot-warm-${randomBytes(6).toString('hex')}`
  try {
    await writeFile(temp, data, { flag: 'wx' })
    // The umask may have narrowed the mode given at creation: set the replaced file's mode exactly.
    if (mode !== undefined) await chmod(temp, mode)
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw err
  }
}

/** One line for a file that could not be written or read. */
export function fileProblem(err: unknown): string {
  if (err instanceof RefusedPath) return err.message
  const code = (err as { code?: string }).code
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (${code})`
  if (code === 'ENOENT') return 'it vanished since it was read (ENOENT)'
  return describeError(err)
}
