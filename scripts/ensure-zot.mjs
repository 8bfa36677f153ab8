#!/usr/bin/env node
// Resolves the Zot binary used by the integration tests, the demo and the benchmark, and prints its absolute
// path on stdout. Order: $ZOT_WARM_ZOT_BIN, then the per-user cache, else `go install` of the pinned release
// from the Go module proxy into that cache. Progress goes to stderr so `$(node scripts/ensure-zot.mjs)` works.
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ZOT_VERSION = 'v2.1.20'
export const ZOT_TAGS = 'sync,search,mgmt,metrics'
export const ZOT_MODULE = 'zotregistry.dev/zot/v2/cmd/zot'

/** Raised for every resolution failure; `message` is the whole user-facing explanation. */
export class EnsureZotError extends Error {
  name = 'EnsureZotError'
}

/** The cache directory for this exact version + build tags (a new pin or tag set gets a new directory). */
export function zotCacheDir(env = process.env) {
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(cacheHome, 'zot-warm', `zot-${ZOT_VERSION}-${ZOT_TAGS.replaceAll(',', '-')}`)
}

function isExecutableFile(path) {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const hint = `Set ZOT_WARM_ZOT_BIN to an existing Zot ${ZOT_VERSION} binary (built with -tags ${ZOT_TAGS}) to skip the build.`

/**
 * Returns the absolute path of a usable Zot binary, building it when needed.
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void }} [opts]
 * @returns {Promise<string>}
 */
export async function ensureZot(opts = {}) {
  const env = opts.env ?? process.env
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))

  const fromEnv = env.ZOT_WARM_ZOT_BIN
  if (fromEnv) {
    const path = resolve(fromEnv)
    if (!isExecutableFile(path)) {
      throw new EnsureZotError(
        `ZOT_WARM_ZOT_BIN=${fromEnv} is not an executable file. Point it at a Zot ${ZOT_VERSION} binary, or unset it to use/build the cached one (${join(zotCacheDir(env), 'zot')}).`,
      )
    }
    return path
  }

  const dir = zotCacheDir(env)
  const bin = join(dir, 'zot')
  if (isExecutableFile(bin)) return bin

  log(
    `ensure-zot: ${bin} not found; building Zot ${ZOT_VERSION} with go install (first time only, takes minutes)`,
  )
  mkdirSync(dir, { recursive: true })
  // Build into a private directory and rename into place, so a concurrent reader never sees a half-written binary.
  const gobin = mkdtempSync(join(dir, 'build-'))
  try {
    const args = ['install', '-trimpath', '-tags', ZOT_TAGS, `${ZOT_MODULE}@${ZOT_VERSION}`]
    // jsonv2: the search extension pulls in Trivy, which needs it. CGO off: a static binary, no C toolchain.
    const buildEnv = { ...env, CGO_ENABLED: '0', GOEXPERIMENT: 'jsonv2', GOBIN: gobin }
    const result = await run('go', args, buildEnv, log)
    if (result.spawnError) {
      throw new EnsureZotError(
        `ensure-zot: cannot build Zot: the Go toolchain is not available (${result.spawnError.message}). ` +
          `Install Go (${ZOT_VERSION} needs Go 1.26.3 or newer) or: ${hint}`,
      )
    }
    if (result.code !== 0) {
      throw new EnsureZotError(
        `ensure-zot: \`CGO_ENABLED=0 GOEXPERIMENT=jsonv2 go ${args.join(' ')}\` failed (exit ${result.code ?? result.signal}). Last go output:\n` +
          `${result.tail.join('\n')}\n${hint}`,
      )
    }
    renameSync(join(gobin, 'zot'), bin)
  } finally {
    rmSync(gobin, { recursive: true, force: true })
  }
  log(`ensure-zot: built ${bin}`)
  return bin
}

/** Runs a command, streaming its output to `log` and keeping the last lines for the error message. */
function run(cmd, args, env, log) {
  return new Promise((done) => {
    const tail = []
    const keep = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue
        log(`  ${line}`)
        tail.push(line)
        if (tail.length > 30) tail.shift()
      }
    }
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.on('error', (spawnError) => done({ spawnError, tail }))
    child.on('close', (code, signal) => done({ code, signal, tail }))
  })
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureZot().then(
    (path) => process.stdout.write(`${path}\n`),
    (err) => {
      process.stderr.write(`${err instanceof EnsureZotError ? err.message : err?.stack || err}\n`)
      process.exitCode = 1
    },
  )
}
