// Reading the input files: a few files ahead of the one being extracted (reading 50 000 small files one at a
// time is mostly waiting for the disk), never much memory ahead, and the pace of the whole extraction: it
// gives the event loop a turn every few tens of milliseconds, so a signal or the overall timeout is seen
// between files and between documents, and says when to stop.
import type { NoticeLevel } from '../model.js'
import type { ExtractIo } from './io.js'

/** Files read ahead of the one being extracted. */
export const READ_AHEAD = 16
/** Larger files are read only when their turn comes, so reading ahead holds at most this much per file. */
const READ_AHEAD_MAX_BYTES = 1024 * 1024
/** Longest stretch of extraction without a turn for the event loop (signals, timers). */
const SLICE_MS = 50

/** The pace of one extraction: turns for the event loop, and whether to go on. */
export class Pacer {
  private last = performance.now()

  constructor(private readonly signal?: AbortSignal) {}

  /** Why the run stopped, once it has. */
  get stopped(): string | undefined {
    if (!this.signal?.aborted) return undefined
    const reason: unknown = this.signal.reason
    return typeof reason === 'string' ? reason : 'cancelled'
  }

  /** Gives the event loop a turn when the slice is used up; false when the run must stop. */
  async pause(): Promise<boolean> {
    if (performance.now() - this.last >= SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      this.last = performance.now()
    }
    return this.stopped === undefined
  }
}

export type Loaded =
  | { buf: Buffer }
  | { problem: { level: NoticeLevel; message: string } }
  /** Too large to read ahead: read when its turn comes. */
  | { later: true }

/** Reads files ahead of the consumer, in order of `take`, at most READ_AHEAD at a time. */
export class ReadAhead<T> {
  private readonly started = new Map<number, Promise<Loaded>>()
  private next = 0

  constructor(
    private readonly items: readonly T[],
    private readonly load: (item: T, now: boolean) => Promise<Loaded>,
  ) {}

  /** The file at `index` (indexes taken in increasing order). */
  async take(index: number): Promise<Loaded> {
    for (; this.next < this.items.length && this.next <= index + READ_AHEAD; this.next++)
      if (this.next !== index) this.started.set(this.next, this.load(this.items[this.next] as T, false))
    const ahead = this.started.get(index)
    this.started.delete(index)
    const loaded = ahead ? await ahead : undefined
    return !loaded || 'later' in loaded ? this.load(this.items[index] as T, true) : loaded
  }
}

/** Why a file (or stdin) of `size` bytes is not read, when it is over the limit. */
export function overLimit(what: string, size: number, max: number): string | undefined {
  return size > max
    ? `${what} is ${mib(size)}, over the ${mib(max)} limit: skipped; split it, or exclude it with \`!path\` if it holds no images`
    : undefined
}

/** One file's bytes, or why it cannot be read. `now`: read it whatever its size (its turn has come). */
export async function readInput(abs: string, max: number, io: ExtractIo, now: boolean): Promise<Loaded> {
  // Input that is not read is an error: a strict run must not pass on what it did not look at.
  const tooBig = (size: number): Loaded | undefined => {
    const message = overLimit('file', size, max)
    return message ? { problem: { level: 'error', message } } : undefined
  }
  try {
    const { size } = await io.stat(abs)
    const big = tooBig(size)
    if (big) return big
    if (!now && size > READ_AHEAD_MAX_BYTES) return { later: true }
    // Checked again after reading: the file may have grown since stat.
    const buf = await io.readFile(abs)
    return tooBig(buf.length) ?? { buf }
  } catch (err) {
    return { problem: { level: 'error', message: `cannot read file: ${readProblem(err)}; skipped` } }
  }
}

function readProblem(err: unknown): string {
  const code = (err as { code?: string }).code
  if (code === 'EACCES' || code === 'EPERM')
    return `permission denied (${code}): make it readable by the runner`
  if (code === 'ELOOP') return 'symbolic link loop (ELOOP)'
  if (code === 'ENOENT') return 'it vanished or is a dangling symbolic link (ENOENT)'
  if (code === 'EISDIR') return 'it is a directory (EISDIR)'
  const message = err instanceof Error ? err.message : String(err)
  return code ? `${message.split(',')[0]} (${code})` : message
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 3 : 1)} MiB`

/** A file's text, or why it is not read. */
export type Decoded =
  | { text: string; encoding: 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' }
  | { problem: { level: NoticeLevel; message: string } }

const startsWith = (buf: Buffer, bytes: number[]) => bytes.every((b, i) => buf[i] === b)

/**
 * UTF-8 (with or without a byte order mark), and UTF-16 with one (both byte orders: kubectl reads those
 * too). Anything else with NUL bytes is not text we can read: UTF-32, UTF-16 without a mark, binary.
 */
export function decode(buf: Buffer): Decoded {
  const notRead = (message: string): Decoded => ({ problem: { level: 'error', message } })
  // UTF-32's little-endian mark starts with UTF-16's: look for it first.
  if (startsWith(buf, [0xff, 0xfe, 0, 0]) || startsWith(buf, [0, 0, 0xfe, 0xff]))
    return notRead('file is UTF-32 encoded: convert it to UTF-8 (e.g. `iconv -f UTF-32 -t UTF-8`); skipped')
  if (startsWith(buf, [0xff, 0xfe])) return { text: buf.toString('utf16le'), encoding: 'UTF-16LE' }
  if (startsWith(buf, [0xfe, 0xff])) {
    const even = Buffer.from(buf.subarray(0, buf.length & ~1))
    return { text: even.swap16().toString('utf16le'), encoding: 'UTF-16BE' }
  }
  if (buf.indexOf(0) === -1) return { text: buf.toString('utf8'), encoding: 'UTF-8' }
  return notRead(
    looksLikeUtf16(buf)
      ? 'file looks UTF-16 encoded but has no byte order mark: convert it to UTF-8; skipped'
      : 'binary file (contains NUL bytes): skipped',
  )
}

/** Text of ASCII characters in UTF-16: every other byte of the first ones is NUL, the others are not. */
function looksLikeUtf16(buf: Buffer): boolean {
  const n = Math.min(buf.length, 4096) & ~1
  if (n < 4) return false
  const nul = [0, 0]
  for (let i = 0; i < n; i++) if (buf[i] === 0) nul[i & 1] = (nul[i & 1] as number) + 1
  const [even, odd] = nul as [number, number]
  const half = n / 2
  return (even > half * 0.9 && odd === 0) || (odd > half * 0.9 && even === 0)
}
