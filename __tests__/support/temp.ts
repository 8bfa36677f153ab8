// Temporary directories for tests: made under the system's temp dir and removed when the test file ends
// (a failing test's directory included; set ZOT_WARM_KEEP_TEMP=1 to keep them for a post-mortem).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

const made: string[] = []

// Importing this module from a test file registers the clean-up for that file.
afterAll(() => {
  if (process.env.ZOT_WARM_KEEP_TEMP) return
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A new empty directory, removed after the test file. */
export function tempDir(prefix = 'zot-warm-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
