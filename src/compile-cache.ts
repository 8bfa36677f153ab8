// Node's module compile cache (module.enableCompileCache, Node 22.8+): V8 keeps the bytecode of the modules a
// run compiled, so the next start skips most of compiling the bundle. The entry points call this before they
// load the rest of the bundle (which only then gets compiled); Node 20 has no such function, and there it does
// nothing. The cache never goes into the workspace: on a runner it goes into the runner's tool cache (kept
// between jobs on self-hosted runners, a fresh disk on hosted ones), elsewhere into the user's cache directory.
// Node checks each entry against the source it was made from, writes only files of this user, and turns
// itself off when the directory cannot be written; NODE_DISABLE_COMPILE_CACHE=1 switches it off.
import module from 'node:module'
import { homedir } from 'node:os'
import { join } from 'node:path'

type EnableCompileCache = (directory?: string) => unknown

/** Where the cache goes, or undefined when there is no place for it. */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'zot-warm', 'node-compile-cache')
  let base = env.XDG_CACHE_HOME
  if (!base) {
    try {
      base = join(homedir(), '.cache')
    } catch {
      return undefined
    }
  }
  return join(base, 'zot-warm', 'node-compile-cache')
}

/** Turns the compile cache on where Node has one; never throws, never prints. */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const enable = (module as { enableCompileCache?: EnableCompileCache }).enableCompileCache
  if (typeof enable !== 'function') return
  const directory = compileCacheDir(env)
  if (!directory) return
  try {
    enable(directory)
  } catch {
    // A cache is an optimisation: without it the run is the same, only its start is slower.
  }
}
