// The action's run() in this test process: what it writes to stdout (workflow commands) is captured, and
// process.env, which the runner's variables and INPUT_* go into, is put back after each test.
import { afterEach, beforeEach, vi } from 'vitest'

/** Call at the top of a file or describe, before hooks that set variables: they are undone too. */
export function captureProcess(): { stdout: () => string; reset: () => void } {
  let saved: NodeJS.ProcessEnv = {}
  let out = ''
  beforeEach(() => {
    saved = { ...process.env }
    out = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk)
      return true
    })
  })
  afterEach(() => {
    vi.restoreAllMocks()
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k]
    Object.assign(process.env, saved)
    process.exitCode = undefined
  })
  return {
    stdout: () => out,
    reset: () => {
      out = ''
    },
  }
}
