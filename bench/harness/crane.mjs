// crane (go-containerregistry's CLI) as a user scripts it to warm a cache by hand: `crane digest` of every
// reference through the cache, started by xargs one at a time (`-P1`) or four at a time (`-P4`) — the
// four-line loop zot-warm is compared with. `crane digest` sends HEAD by tag (one GET /v2/ ping first, per
// process), which on a Zot cache syncs a missing image before it answers and re-checks upstream for a
// cached one. `--insecure` because the cache serves plain HTTP on loopback.

import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { progress } from './log.mjs'
import { runProcess } from './proc.mjs'
import { ROOT } from './testbed.mjs'

let crane

/** The crane binary: $ZOT_WARM_CRANE_BIN, the per-user cache, else `go install` (scripts/ensure-crane.mjs). */
export function craneBinary() {
  crane ??= import(pathToFileURL(join(ROOT, 'scripts', 'ensure-crane.mjs')).href).then((m) =>
    m.ensureCrane({ log: (line) => progress(line) }),
  )
  return crane
}

const DIGEST = /^sha256:[0-9a-f]{64}$/

/**
 * `xargs -P<parallel> -n1 crane digest --insecure` over `refs` (fed on stdin, one per line), as one process
 * tree timed from spawn to exit; CPU is xargs' and every crane's (GNU time counts waited-for children).
 * @param {string} bin
 * @param {string[]} refs e.g. 127.0.0.1:PORT/docker-images/app:1.0
 * @param {number} parallel
 */
export async function craneDigests(bin, refs, parallel) {
  const r = await runProcess('xargs', ['-P', String(parallel), '-n', '1', bin, 'digest', '--insecure'], {
    input: `${refs.join('\n')}\n`,
    usage: 'time',
    timeoutMs: 900_000,
  })
  const digests = r.stdout.split('\n').filter((l) => DIGEST.test(l.trim()))
  const ok = r.code === 0 && digests.length === refs.length
  const run = { wallMs: r.wallMs, clientCpuS: r.cpuSeconds, code: r.code, ok }
  if (!ok)
    run.error = `exit ${r.code}, ${digests.length}/${refs.length} digests: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`
  return run
}
