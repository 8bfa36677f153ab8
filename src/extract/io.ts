// How extraction reaches the file system: one interface, so tests can inject failures root cannot produce
// (EACCES), and the node:fs implementation.
import * as fs from 'node:fs'
import { promisify } from 'node:util'

/** File system access, injectable so tests can produce errors root cannot (EACCES). */
export interface ExtractIo {
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>
  readFile(path: string): Promise<Buffer>
  realpath(path: string): Promise<string>
  /** Tells a dangling symbolic link (an unreadable file) from a path that does not exist. */
  lstat?(path: string): Promise<unknown>
  /** Lists a directory for the glob (node:fs's callback signature); tests inject failures here. */
  readdir?: typeof fs.readdir
}

// The callback API, promisified: per call it costs a fraction of what node:fs/promises' FileHandle-based
// functions cost (measured on 20 000 small files: 0.8 s against 1.8 s, 16 at a time).
const statCb = promisify(fs.stat)
const readFileCb = promisify(fs.readFile)
const realpathCb = promisify(fs.realpath.native)
const lstatCb = promisify(fs.lstat)

export const nodeIo: ExtractIo = {
  stat: (p) => statCb(p),
  readFile: (p) => readFileCb(p),
  realpath: (p) => realpathCb(p),
  lstat: (p) => lstatCb(p),
  readdir: fs.readdir,
}

export interface InputFile {
  /** Workspace-relative with `/`; `-` for stdin. */
  file: string
  /** Absolute path (not for stdin). */
  abs?: string
}
