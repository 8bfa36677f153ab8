#!/usr/bin/env node
// Resolves the Zot binary used by the integration tests, the demo and the benchmark, and prints its absolute
// path on stdout. In order:
//   1. $ZOT_WARM_ZOT_BIN;
//   2. a binary already in the per-user cache: the release binary, or one built by go install;
//   3. the official release binary for this OS and architecture, verified (see release-download.mjs);
//   4. `go install` of the pinned module (minutes, and it needs Go 1.26.3 or newer).
// When neither 3 nor 4 works, one message says why each failed and names every way out.
import { join } from 'node:path'
import {
  buildGoTool,
  EnsureToolError,
  isExecutableFile,
  mainIfRun,
  toolCacheDir,
  toolFromEnv,
} from './go-tool.mjs'
import { DownloadError, downloadVerified } from './release-download.mjs'

export const ZOT_VERSION = 'v2.1.20'
export const ZOT_TAGS = 'sync,search,mgmt,metrics'
export const ZOT_MODULE = 'zotregistry.dev/zot/v2/cmd/zot'
export const ZOT_RELEASE_URL = `https://github.com/project-zot/zot/releases/download/${ZOT_VERSION}`
export const ZOT_CHECKSUMS = 'checksums.sha256.txt'
/**
 * sha256 of the release binaries of ZOT_VERSION, by asset name, copied from the release's
 * checksums.sha256.txt by someone who could download it. A pinned digest must match too; while an asset has
 * none, the checksums file (fetched from the same release) is all that vouches for the binary.
 */
export const ZOT_RELEASE_SHA256 = Object.freeze({})
export { EnsureToolError as EnsureZotError }

const ZOT = {
  name: 'zot',
  module: ZOT_MODULE,
  version: ZOT_VERSION,
  tags: ZOT_TAGS,
  envVar: 'ZOT_WARM_ZOT_BIN',
  // jsonv2: the search extension pulls in Trivy, which needs it. CGO off: a static binary, no C toolchain.
  buildEnv: { GOEXPERIMENT: 'jsonv2' },
  needs: `${ZOT_VERSION} needs Go 1.26.3 or newer`,
}

const OS = { linux: 'linux', darwin: 'darwin', freebsd: 'freebsd' }
const ARCH = { x64: 'amd64', arm64: 'arm64' }

/** `zot-linux-amd64`: the full release build (every extension) for this OS and architecture, if there is one. */
export function releaseAsset(platform = process.platform, arch = process.arch) {
  const os = OS[platform]
  const cpu = ARCH[arch]
  return os && cpu ? `zot-${os}-${cpu}` : undefined
}

/** The cache directory of the go install build (this exact version + build tags). */
export const zotCacheDir = (env = process.env) => toolCacheDir(ZOT, env)

/**
 * The cache directory of the release binary. Its own key: the release binary has every extension, a
 * superset of ZOT_TAGS, but it is not the build the other key names.
 */
export const zotReleaseCacheDir = (env = process.env, asset = releaseAsset()) =>
  toolCacheDir({ name: 'zot', version: `${ZOT_VERSION}-release-${(asset ?? 'zot-none').slice(4)}` }, env)

/**
 * Returns the absolute path of a usable Zot binary, downloading or building it when needed.
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void, releaseUrl?: string,
 *   pinned?: Record<string, string>, platform?: string, arch?: string, timeoutMs?: number }} [opts]
 */
export async function ensureZot(opts = {}) {
  const env = opts.env ?? process.env
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))
  const fromEnv = toolFromEnv(ZOT, env)
  if (fromEnv) return fromEnv

  const asset = releaseAsset(opts.platform, opts.arch)
  const released = join(zotReleaseCacheDir(env, asset), 'zot')
  const built = join(zotCacheDir(env), 'zot')
  if (asset && isExecutableFile(released)) return released
  if (isExecutableFile(built)) return built

  const baseUrl = opts.releaseUrl ?? (env.ZOT_WARM_ZOT_RELEASE_URL || ZOT_RELEASE_URL)
  let releaseProblem
  if (!asset)
    releaseProblem = `there is no release binary for ${opts.platform ?? process.platform}/${opts.arch ?? process.arch}`
  else {
    log(`ensure-zot: downloading ${asset} ${ZOT_VERSION} from ${baseUrl}`)
    try {
      await downloadVerified({
        baseUrl,
        asset,
        checksumsFile: ZOT_CHECKSUMS,
        pinned: (opts.pinned ?? ZOT_RELEASE_SHA256)[asset],
        dest: released,
        timeoutMs: opts.timeoutMs,
        log: (line) => log(`ensure-zot: ${line}`),
      })
      log(`ensure-zot: installed ${released}`)
      return released
    } catch (err) {
      if (!(err instanceof DownloadError)) throw err
      releaseProblem = err.message
      log(`ensure-zot: ${releaseProblem}; trying go install next`)
    }
  }

  try {
    return await buildGoTool(ZOT, { env, log })
  } catch (err) {
    if (!(err instanceof EnsureToolError)) throw err
    const buildProblem = err.message.replace(/^ensure-zot: /, '')
    throw new EnsureToolError(
      [
        `ensure-zot: no Zot ${ZOT_VERSION} binary could be had.`,
        `  1. release binary${asset ? ` ${asset} from ${baseUrl}` : ''}: ${releaseProblem}`,
        `  2. go install: ${buildProblem.replace(/\n/g, '\n     ')}`,
        `Either make ${baseUrl} reachable (or set ZOT_WARM_ZOT_RELEASE_URL to a mirror holding ${asset ?? 'the binary'} and ${ZOT_CHECKSUMS}),`,
        `or install Go 1.26.3 or newer for go install, or set ZOT_WARM_ZOT_BIN to a Zot ${ZOT_VERSION} binary`,
        `(the release binary, or one built with -tags ${ZOT_TAGS}).`,
      ].join('\n'),
    )
  }
}

mainIfRun(import.meta.url, ensureZot)
