// Reading the input files: a few files ahead of the one being extracted (reading 50 000 small files one at a
// time is mostly waiting for the disk), never much memory ahead, and the pace of the whole extraction: it
// gives the event loop a turn every few tens of milliseconds, so a signal or the overall timeout is seen
// between files and between documents, and says when to stop.
import type { NoticeLevel } from '../model.js'
import type { ExtractIo } from './files.js'

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

/** One file's bytes, or why it cannot be read. `now`: read it whatever its size (its turn has come). */
export async function readInput(abs: string, max: number, io: ExtractIo, now: boolean): Promise<Loaded> {
  const tooBig = (size: number): Loaded | undefined =>
    size > max
      ? {
          problem: {
            level: 'warning',
            message: `file is ${mib(size)}, over the ${mib(max)} limit (maxFileBytes): skipped`,
          },
        }
      : undefined
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

export const mib = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 3 : 1)} MiB`
