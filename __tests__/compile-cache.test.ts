// Where the entry points put Node's compile cache, and that it is a no-op where Node has none (Node 20). That
// Node 24 really writes it there, and nowhere in the workspace, is checked on the bundles (dist.int.test.ts).
import { existsSync, mkdtempSync } from 'node:fs'
import module from 'node:module'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { compileCacheDir, enableCompileCache } from '../src/compile-cache.js'

describe('compile cache', () => {
  test("a runner's tool cache first, then XDG_CACHE_HOME, then ~/.cache; never the workspace", () => {
    const env = { GITHUB_WORKSPACE: '/ws', XDG_CACHE_HOME: '/xdg', RUNNER_TOOL_CACHE: '/opt/hostedtoolcache' }
    expect(compileCacheDir(env)).toBe('/opt/hostedtoolcache/zot-warm/node-compile-cache')
    expect(compileCacheDir({ ...env, RUNNER_TOOL_CACHE: '' })).toBe('/xdg/zot-warm/node-compile-cache')
    expect(compileCacheDir({ GITHUB_WORKSPACE: '/ws' })).toBe(
      join(homedir(), '.cache', 'zot-warm', 'node-compile-cache'),
    )
  })

  const hasCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function'
  test.runIf(!hasCache)(
    'Node without module.enableCompileCache (20): nothing happens, nothing is written',
    () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'zot-warm-cc-')), 'tools')
      expect(() => enableCompileCache({ RUNNER_TOOL_CACHE: dir })).not.toThrow()
      expect(existsSync(dir)).toBe(false)
    },
  )
})
