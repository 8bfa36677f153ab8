// Resolves a pinned tool that the tests build from the Go module proxy (Zot, act, Gitea), caching the binary
// per user keyed by module, version and build tags. Progress goes to stderr so `$(node scripts/ensure-x.mjs)`
// works.
import { spawn } from 'node:child_process'
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Raised for every resolution failure; `message` is the whole user-facing explanation. */
export class EnsureToolError extends Error {
  name = 'EnsureToolError'
}

/**
 * `from: 'module'` builds inside a copy of the downloaded module instead of `go install`: for modules whose
 * go.mod has replace directives (`go install mod@version` refuses them). The copy stays beside the binary,
 * which then finds its templates and other assets in its own directory.
 * @typedef {{ name: string, module: string, version: string, tags?: string, envVar: string,
 *   buildEnv?: Record<string, string>, needs?: string, from?: 'install' | 'module' }} GoTool
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
 * Builds the pinned module into the cache (`go install`, or `go build` in a copy of the module for
 * `from: 'module'`); returns the binary's path. Errors end with `hint`.
 * @param {GoTool} tool
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void, hint?: string }} [opts]
 */
export async function buildGoTool(tool, opts = {}) {
  const env = opts.env ?? process.env
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`))
  const hint = opts.hint ? ` ${opts.hint}` : ''
  const dir = toolCacheDir(tool, env)
  const bin = join(dir, tool.name)
  const how = tool.from === 'module' ? 'go build in its downloaded module' : 'go install'
  log(
    `ensure-${tool.name}: ${bin} not found; building ${tool.name} ${tool.version} with ${how} (first time only)`,
  )
  const shown = Object.entries({ CGO_ENABLED: '0', ...tool.buildEnv })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  /** Runs go; throws the user-facing error when it cannot start or fails. */
  const go = async (args, extra = {}) => {
    const result = await run(
      'go',
      args,
      { ...env, CGO_ENABLED: '0', ...tool.buildEnv, ...extra.env },
      log,
      extra.cwd,
    )
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
    return result
  }
  if (tool.from === 'module') await buildInModuleCopy(tool, dir, go)
  else {
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
      await go(args, { env: { GOBIN: gobin } })
      renameSync(join(gobin, tool.name), bin)
    } finally {
      rmSync(gobin, { recursive: true, force: true })
    }
  }
  log(`ensure-${tool.name}: built ${bin}`)
  return bin
}

/**
 * `go mod download` the module, copy it next to the cache directory, build the binary inside the copy, then
 * rename the whole directory into place: a reader sees either nothing or a finished tool.
 */
async function buildInModuleCopy(tool, dir, go) {
  // Outside any module, so the current directory's go.mod plays no part.
  const download = await go(['mod', 'download', '-json', `${tool.module}@${tool.version}`], { cwd: tmpdir() })
  const moduleDir = JSON.parse(download.stdout).Dir
  if (!moduleDir || !existsSync(moduleDir))
    throw new EnsureToolError(`ensure-${tool.name}: go mod download did not report the module directory.`)
  mkdirSync(dirname(dir), { recursive: true })
  const stage = mkdtempSync(join(dirname(dir), `${basename(dir)}.build-`))
  try {
    // The module cache is read-only; the copy must be writable for the binary and for a later rm -r.
    cpSync(moduleDir, stage, { recursive: true })
    makeWritable(stage)
    await go(['build', '-trimpath', ...(tool.tags ? ['-tags', tool.tags] : []), '-o', tool.name, '.'], {
      cwd: stage,
    })
    // A directory without the binary can only be the leftover of an interrupted older layout: replace it.
    if (existsSync(dir) && !isExecutableFile(join(dir, tool.name)))
      rmSync(dir, { recursive: true, force: true })
    try {
      renameSync(stage, dir)
    } catch (err) {
      // Another process finished the same build first: use theirs.
      if (!isExecutableFile(join(dir, tool.name))) throw err
    }
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

function makeWritable(dir) {
  chmodSync(dir, 0o755)
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) makeWritable(path)
    else if (entry.isFile()) chmodSync(path, statSync(path).mode | 0o200)
  }
}

/** Runs a command, streaming its output to `log` and keeping the last lines for the error message. */
function run(cmd, args, env, log, cwd) {
  return new Promise((done) => {
    const tail = []
    let stdout = ''
    const keep = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue
        log(`  ${line}`)
        tail.push(line)
        if (tail.length > 30) tail.shift()
      }
    }
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      keep(chunk)
    })
    child.stderr.on('data', keep)
    child.on('error', (spawnError) => done({ spawnError, tail, stdout }))
    child.on('close', (code, signal) => done({ code, signal, tail, stdout }))
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
