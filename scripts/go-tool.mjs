// Resolves a pinned tool that the tests build from the Go module proxy (Zot, act), caching the binary per
// user keyed by module, version and build tags. Progress goes to stderr so `$(node scripts/ensure-x.mjs)` works.
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Raised for every resolution failure; `message` is the whole user-facing explanation. */
export class EnsureToolError extends Error {
  name = 'EnsureToolError'
}

/**
 * @typedef {{ name: string, module: string, version: string, tags?: string, envVar: string,
 *   buildEnv?: Record<string, string>, needs?: string }} GoTool
 */

/** The cache directory for this exact tool, version and tag set (a new pin gets a new directory). */
export function toolCacheDir(tool, env = process.env) {
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache')
  const tags = tool.tags ? `-${tool.tags.replaceAll(',', '-')}` : ''
  return join(cacheHome, 'zot-warm', `${tool.name}-${tool.version}${tags}`)
}

export function isExecutableFile(path) {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** `$envVar` when set (an executable file, or an error saying what to do), else undefined. */
export function toolFromEnv(tool, env = process.env) {
  const fromEnv = env[tool.envVar]
  if (!fromEnv) return undefined
  const path = resolve(fromEnv)
  if (!isExecutableFile(path)) {
    throw new EnsureToolError(
      `${tool.envVar}=${fromEnv} is not an executable file. Point it at a ${tool.name} ${tool.version} binary, or unset it to use/build the cached one (${join(toolCacheDir(tool, env), tool.name)}).`,
    )
  }
  return path
}

/**
 * Returns the absolute path of a usable binary: `$envVar`, else the cache, else `go install` into the cache.
 * @param {GoTool} tool
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void }} [opts]
 */
export async function ensureGoTool(tool, opts = {}) {
  const env = opts.env ?? process.env
  const fromEnv = toolFromEnv(tool, env)
  if (fromEnv) return fromEnv
  const bin = join(toolCacheDir(tool, env), tool.name)
  if (isExecutableFile(bin)) return bin
  const hint = `Set ${tool.envVar} to an existing ${tool.name} ${tool.version} binary${tool.tags ? ` (built with -tags ${tool.tags})` : ''} to skip the build.`
  return buildGoTool(tool, { ...opts, hint })
}

/**
 * `go install` of the pinned module into the cache; returns the binary's path. Errors end with `hint`.
 * @param {GoTool} tool
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void, hint?: string }} [opts]
 */
export async function buildGoTool(tool, opts = {}) {
  const env = opts.env ?? process.env
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))
  const hint = opts.hint ? ` ${opts.hint}` : ''
  const dir = toolCacheDir(tool, env)
  const bin = join(dir, tool.name)
  log(
    `ensure-${tool.name}: ${bin} not found; building ${tool.name} ${tool.version} with go install (first time only)`,
  )
  mkdirSync(dir, { recursive: true })
  // Build into a private directory and rename into place, so a concurrent reader never sees a half-written binary.
  const gobin = mkdtempSync(join(dir, 'build-'))
  try {
    const args = [
      'install',
      '-trimpath',
      ...(tool.tags ? ['-tags', tool.tags] : []),
      `${tool.module}@${tool.version}`,
    ]
    const buildEnv = { ...env, CGO_ENABLED: '0', ...tool.buildEnv, GOBIN: gobin }
    const shown = Object.entries({ CGO_ENABLED: '0', ...tool.buildEnv })
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')
    const result = await run('go', args, buildEnv, log)
    if (result.spawnError) {
      throw new EnsureToolError(
        `ensure-${tool.name}: cannot build ${tool.name}: the Go toolchain is not available (${result.spawnError.message}); ` +
          `install Go${tool.needs ? ` (${tool.needs})` : ''}.${hint}`,
      )
    }
    if (result.code !== 0) {
      throw new EnsureToolError(
        `ensure-${tool.name}: \`${shown} go ${args.join(' ')}\` failed (exit ${result.code ?? result.signal}). Last go output:\n` +
          `${result.tail.join('\n')}${hint ? `\n${hint.trim()}` : ''}`,
      )
    }
    renameSync(join(gobin, tool.name), bin)
  } finally {
    rmSync(gobin, { recursive: true, force: true })
  }
  log(`ensure-${tool.name}: built ${bin}`)
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

/** `node scripts/ensure-x.mjs` entry: prints the path, or the error and exit 1. */
export function mainIfRun(metaUrl, ensure) {
  if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(metaUrl)) {
    ensure().then(
      (path) => process.stdout.write(`${path}\n`),
      (err) => {
        process.stderr.write(`${err instanceof EnsureToolError ? err.message : err?.stack || err}\n`)
        process.exitCode = 1
      },
    )
  }
}
