// One configuration parser for the action (core.getInput) and the CLI (flags, then environment).
// Every problem is collected, so a user fixes their workflow in one round trip.
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { ConfigError, type ProblemPlace } from '../errors.js'
import { parseReference } from '../extract/reference.js'
import type { RegistryMapping } from '../model.js'
import { parseRegistryMap } from '../plan/registry-map.js'
import { REFERRERS_POLICIES, type ReferrersPolicy } from '../warm/options.js'
import { type ConfigSearch, loadConfigFile } from './config-file.js'
import { MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration } from './duration.js'
import { splitList } from './list.js'
import { loadPem, pemSecretLines } from './pem.js'
import { percentDecoded, redact, urlCredentials } from './redact.js'
import { INPUTS, SECRET_INPUTS } from './spec.js'

export type Mode = 'warm' | 'check' | 'plan'

export interface Config {
  mode: Mode
  workspace: string
  paths: string[]
  /** With no `paths`: scan the workspace (default), or read only `images` and stdin (the CLI given only references). */
  scan?: boolean
  images: string[]
  /** Also take the images workloads start later (operator flags, `*_IMAGE` env); default true. */
  runtimeImages: boolean
  /** Without trailing slash; undefined only in plan mode. */
  zotUrl?: string
  username?: string
  password?: string
  token?: string
  ca?: string
  cert?: string
  key?: string
  skipTlsVerify: boolean
  /** undefined: no map given (every image keeps its upstream path). */
  registryMap?: RegistryMapping[]
  unmapped: 'skip' | 'fail'
  /** undefined = all platforms. */
  platforms?: string[]
  refresh: boolean
  /** Signatures, attestations, SBOMs: copy and report (`warm`), also require a signature, or ignore. */
  referrers: ReferrersPolicy
  concurrency: number
  imageTimeoutMs: number
  /** undefined = no overall limit. */
  timeoutMs?: number
  strict: boolean
  failOnUnresolved: boolean
  /** Absolute path of the JSON report, or `-` (CLI: stdout); undefined = none. */
  report?: string
  /** The configuration file that was read, as shown in the log (relative to the current directory when inside it). */
  configFile?: string
  /** Where the values that came from the configuration file are written (problems found later point there). */
  fromFile?: FileOrigin
  /** Rewrite the scanned manifests after warming; undefined = off. */
  rewrite?: RewriteConfig
  /** The pull request comment (action only). */
  prComment: PrCommentMode
  /** Token for the forge's API (the comment); undefined when none was given. */
  githubToken?: string
}

export interface RewriteConfig {
  mode: 'zot' | 'digest'
  /** `host[:port]` nodes pull from (zot mode): `pull-host`, else the host of `zot-url`. */
  pullHost: string
  /** Absolute directory (the workspace itself: in place), or `-` (stdout). */
  output: string
}

export type PrCommentMode = 'auto' | 'always' | 'off'

/** The configuration file and where each value taken from it is written. */
export interface FileOrigin {
  /** Absolute path. */
  path: string
  /** As shown in messages: `./zot-warm.yaml`. */
  shown: string
  /**
   * Inputs whose value came from the file → the line and column of that value; also, where the file gives
   * them their own place, `NAME line N` (the Nth line of the value) and `NAME "ITEM"` (a list item) → that
   * line or item.
   */
  at: Record<string, { line: number; column: number }>
}

export interface ConfigDefaults {
  /** Workspace when the `workspace` input is empty (GITHUB_WORKSPACE or the current directory). */
  workspace: string
  /** Report path when the `report` input is empty (the action: `${RUNNER_TEMP}/zot-warm-report.json`). */
  report?: string
  /** Base for a relative `report` path. */
  cwd?: string
  /** `rewrite-output` when the input is empty (the action: `${RUNNER_TEMP}/zot-warm-rewritten`). */
  rewriteOutput?: string
  /** Called with each secret the moment it is known (the action masks it), also when parsing then fails. */
  onSecret?: (secret: string) => void
  /** Where to look for a configuration file when the `config` input is empty (the CLI); none: only `config`. */
  configSearch?: ConfigSearch
}

export interface ParsedConfig {
  config: Config
  /** Every secret value and derived form (basic-auth header, key lines) to mask and redact. */
  secrets: string[]
}

const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(\/[a-z0-9_.]+)?$/
const BOOLEAN_TRUE = new Set(['true', 'yes', 'on', '1'])
const BOOLEAN_FALSE = new Set(['false', 'no', 'off', '0'])

export function parseConfig(
  get: (name: string) => string | undefined,
  defaults: ConfigDefaults = { workspace: process.cwd() },
): ParsedConfig {
  const problems: string[] = []
  const secrets: string[] = []
  const secret = (...values: string[]) => {
    for (const v of values) {
      if (!v || secrets.includes(v)) continue
      secrets.push(v)
      defaults.onSecret?.(v)
    }
  }
  const specDefault = new Map(INPUTS.map((i) => [i.name, i.default ?? '']))
  const cwd = defaults.cwd ?? process.cwd()
  // The configuration file sits beneath every input; its secrets are registered before anything can fail.
  const file = loadConfigFile(get('config')?.trim(), {
    base: defaults.cwd ?? defaults.workspace,
    cwd,
    ...(defaults.configSearch ? { search: defaults.configSearch } : {}),
  })
  for (const name of SECRET_INPUTS) {
    const v = file?.values.get(name)?.value
    if (v)
      secret(
        v,
        ...v
          .split(/\r?\n/)
          .filter((l) => l.trim().length >= 8)
          .map((l) => l.trim()),
      )
  }
  /** Inputs whose value came from the file: their problems are reported at its line. */
  const fromFile: FileOrigin['at'] = {}
  /** Problems that also need these inputs to have no value (`set rewrite too`): see `given` below. */
  const alsoUnset = new Map<string, string[]>()
  const value = (name: string): string => {
    const v = get(name)?.trim()
    if (v) return v
    const f = file?.values.get(name)
    if (f?.value.trim()) {
      fromFile[name] = { line: f.line, column: f.column }
      const text = f.value.trim()
      // Lines of the trimmed value: leading empty items are gone from it.
      const skipped = f.value.slice(0, f.value.indexOf(text)).split('\n').length - 1
      const items = text.split('\n')
      f.lines?.slice(skipped).forEach((p, i) => {
        fromFile[`${name} line ${i + 1}`] = p
        const item = items[i]?.trim()
        if (item) fromFile[`${name} "${item}"`] = p
      })
      return text
    }
    return specDefault.get(name) ?? ''
  }
  const bool = (name: string): boolean => {
    const v = value(name).toLowerCase()
    if (BOOLEAN_TRUE.has(v)) return true
    if (BOOLEAN_FALSE.has(v)) return false
    problems.push(`${name}: "${v}" is not a boolean; use true or false.`)
    return specDefault.get(name) === 'true'
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const v = value(name).toLowerCase()
    if ((allowed as readonly string[]).includes(v)) return v as T
    problems.push(`${name}: "${v}" is not one of ${allowed.join(', ')}.`)
    return allowed[0] as T
  }
  const duration = (name: string): number | undefined => {
    const v = value(name)
    const ms = parseDuration(v)
    if (ms === undefined)
      problems.push(`${name}: "${v}" is not a duration; write e.g. 90s, 10m, 1h or a number of seconds.`)
    else if (!(ms <= MAX_DURATION_MS)) {
      problems.push(`${name}: "${v}" is longer than the maximum of ${MAX_DURATION_TEXT}.`)
      return undefined
    }
    return ms
  }

  // Secrets first, so they are registered before anything else can fail and print.
  const password = value('password') || undefined
  const token = value('token') || undefined
  if (password) secret(password)
  if (token) secret(token)
  // Not the spec default: `${{ github.token }}` means something only to the runner, which expands it.
  const githubToken = get('github-token')?.trim() || undefined
  if (githubToken) secret(githubToken)

  const mode = oneOf<Mode>('mode', ['warm', 'check', 'plan'])

  const workspace = resolve(cwd, value('workspace') || defaults.workspace)
  if (!isDirectory(workspace)) problems.push(`workspace: "${workspace}" is not a directory.`)

  let zotUrl: string | undefined
  const rawUrl = value('zot-url')
  if (rawUrl) {
    const parsed = canParseUrl(rawUrl)
    // Credentials in the URL are masked before anything can print it, also when it does not parse (then they
    // are found in the text). A valid URL without user info keeps any `@` of its path.
    const credentials =
      !parsed || parsed.username || parsed.password || !/^https?:$/.test(parsed.protocol)
        ? urlCredentials(rawUrl)
        : undefined
    if (credentials?.password) secret(credentials.password, percentDecoded(credentials.password))
    const shownUrl = credentials?.shown ?? rawUrl
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      problems.push(
        `zot-url: "${shownUrl}" is not an http:// or https:// URL (e.g. https://zot.example.com).`,
      )
    } else if (parsed.username || parsed.password) {
      if (parsed.password) secret(percentDecoded(parsed.password), parsed.password)
      problems.push('zot-url: must not contain credentials; pass them in the username and password inputs.')
    } else if (parsed.search || parsed.hash) {
      problems.push(`zot-url: "${shownUrl}" must not have a query or fragment; give the registry's base URL.`)
    } else {
      zotUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`
    }
  } else if (mode !== 'plan') {
    problems.push('zot-url: required (the base URL of the Zot cache), unless mode is plan.')
  }

  const username = value('username') || undefined
  if (password && !username)
    problems.push('username: required with password (for a Zot API key, the user who owns the key).')
  if (username && !password && !token) problems.push('password: required with username (or remove username).')
  if (password && token) problems.push('token: set either password or token, not both.')
  if (username && password) {
    const b64 = Buffer.from(`${username}:${password}`).toString('base64')
    secret(b64, `Basic ${b64}`)
  }

  const pem = (name: string, expect: 'certificate' | 'key'): string | undefined => {
    const v = value(name)
    if (!v) return undefined
    if (expect === 'key') secret(...pemSecretLines(v))
    const result = loadPem(name, v, workspace, expect)
    if ('problem' in result) {
      problems.push(result.problem)
      return undefined
    }
    if (expect === 'key') secret(...pemSecretLines(result.pem))
    return result.pem
  }
  const ca = pem('ca-cert', 'certificate')
  const cert = pem('client-cert', 'certificate')
  const key = pem('client-key', 'key')
  if (value('client-cert') && !value('client-key')) problems.push('client-key: required with client-cert.')
  if (value('client-key') && !value('client-cert')) problems.push('client-cert: required with client-key.')

  let registryMap: RegistryMapping[] | undefined
  const mapText = value('registry-map')
  if (mapText) {
    try {
      registryMap = parseRegistryMap(mapText)
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems.map((p) => prefixed('registry-map', p)))
      else problems.push(`registry-map: ${(err as Error).message}`)
    }
  }

  let platforms: string[] | undefined
  const platformItems = splitList(value('platforms')).map((p) => p.toLowerCase())
  if (!(platformItems.length === 0 || (platformItems.length === 1 && platformItems[0] === 'all'))) {
    const bad = platformItems.filter((p) => !PLATFORM.test(p))
    if (bad.length)
      problems.push(
        `platforms: ${bad.map((b) => `"${b}"`).join(', ')} not of the form os/arch[/variant] (e.g. linux/arm64/v8), or use all.`,
      )
    platforms = [...new Set(platformItems)]
  }

  const concurrencyText = value('concurrency')
  const concurrency = Number(concurrencyText)
  if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > 64)
    problems.push(`concurrency: "${concurrencyText}" must be a whole number from 1 to 64.`)

  const imageTimeoutMs = duration('image-timeout') ?? 0
  if (imageTimeoutMs === 0 && parseDuration(value('image-timeout')) === 0)
    problems.push('image-timeout: must be more than 0.')
  const timeoutMs = duration('timeout') ?? 0

  const reportText = value('report') || defaults.report
  const report = reportText === '-' ? '-' : reportText ? resolve(cwd, reportText) : undefined

  const rewrite = rewriteConfig(value, mode, zotUrl, workspace, defaults.rewriteOutput, problems, (p) =>
    alsoUnset.set(p, ['rewrite']),
  )
  if (rewrite?.output === '-' && report === '-')
    problems.push('rewrite-output: - and report: - both want stdout; write the report to a file.')

  const config: Config = {
    mode,
    workspace,
    paths: splitList(value('paths')),
    images: splitList(value('images')),
    runtimeImages: bool('runtime-images'),
    zotUrl,
    username,
    password,
    token,
    ca,
    cert,
    key,
    skipTlsVerify: bool('skip-tls-verify'),
    registryMap,
    unmapped: oneOf('unmapped', ['skip', 'fail'] as const),
    platforms,
    refresh: bool('refresh'),
    referrers: oneOf('referrers', REFERRERS_POLICIES),
    concurrency,
    imageTimeoutMs,
    timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
    strict: bool('strict'),
    failOnUnresolved: bool('fail-on-unresolved'),
    report,
    ...(rewrite ? { rewrite } : {}),
    prComment: oneOf<PrCommentMode>('pr-comment', ['auto', 'always', 'off']),
    githubToken,
  }
  const origin = file ? { path: file.path, shown: file.shown, at: fromFile } : undefined
  if (file) {
    config.configFile = file.shown
    config.fromFile = origin
  }
  // A file that failed gave none of its values, or not all: a problem about an input without a value
  // (`zot-url: required`) may be nothing but that, and would send the user after the wrong thing. Then only
  // the file's own problems count, and those about values that were given (by an input or by the file).
  const given = (name: string) => Boolean(get(name)?.trim() || file?.values.get(name)?.value.trim())
  const standing = file?.problems.length
    ? problems.filter((p) => {
        const name = /^([a-z-]+): /.exec(p)?.[1]
        return name !== undefined && given(name) && (alsoUnset.get(p) ?? []).every(given)
      })
    : problems
  if (file?.problems.length || standing.length) {
    const located = locate(standing, origin)
    throw new ConfigError(
      [...(file?.problems ?? []), ...located.map((l) => l.text)].map((p) => redact(p, secrets)),
      [...(file?.places ?? []), ...located.map((l) => l.place)],
    )
  }
  return { config, secrets }
}

/**
 * `concurrency: "lots" …` → `./zot-warm.yaml:3:14: concurrency: "lots" …` when that input's value came from
 * the configuration file (problems name their input first). Also for problems found later, such as a path
 * in `paths` that selects nothing. A problem about one item is placed at that item: the first quoted text
 * names it (`paths: "deploy/*.yml" matches no file`), or `line N:` the Nth line of the value
 * (`registry-map: line 2: …`, said then at the file's line instead).
 */
export function locateProblems(problems: string[], origin: FileOrigin | undefined): string[] {
  return locate(problems, origin).map((l) => l.text)
}

/** locateProblems as a ConfigError: the problems placed in the file carry their place (the action annotates it). */
export function configError(problems: string[], origin: FileOrigin | undefined): ConfigError {
  const located = locate(problems, origin)
  return new ConfigError(
    located.map((l) => l.text),
    located.map((l) => l.place),
  )
}

function locate(
  problems: string[],
  origin: FileOrigin | undefined,
): { text: string; place: ProblemPlace | undefined }[] {
  return problems.map((p) => {
    const m = /^([a-z-]+): (?:line (\d+): )?/.exec(p)
    const name = m?.[1]
    const whole = name ? origin?.at[name] : undefined
    if (!m || !name || !origin || !whole) return { text: p, place: undefined }
    const placed = (at: { line: number; column: number }, text: string) => {
      const label = `${origin.shown}:${at.line}:${at.column}`
      return { text: `${label}: ${text}`, place: { file: origin.path, ...at, label } }
    }
    const atLine = (n: string) => origin.at[`${name} line ${n}`]
    const line = m[2] ? atLine(m[2]) : undefined
    if (line) {
      const rest = p.slice(m[0].length).replace(/ on line (\d+)/, (all, n: string) => {
        const other = atLine(n)?.line
        return other ? ` on line ${other}` : all
      })
      return placed(line, `${name}: ${rest}`)
    }
    const quoted = /"([^"]*)"/.exec(p.slice(m[0].length))?.[1]
    const item = quoted === undefined ? undefined : origin.at[`${name} "${quoted}"`]
    return placed(item ?? whole, p)
  })
}

function rewriteConfig(
  value: (name: string) => string,
  mode: Mode,
  zotUrl: string | undefined,
  workspace: string,
  defaultOutput: string | undefined,
  problems: string[],
  /** A problem that stands only while `rewrite` has no value. */
  withoutRewrite: (problem: string) => void,
): RewriteConfig | undefined {
  const kind = value('rewrite').toLowerCase()
  const pullHost = value('pull-host')
  const outputText = value('rewrite-output')
  if (kind === '') {
    const unused = [
      outputText && 'rewrite-output: set rewrite (zot or digest) too, or remove rewrite-output.',
      pullHost && 'pull-host: set rewrite: zot too, or remove pull-host.',
    ].filter((p) => p !== '')
    for (const p of unused) withoutRewrite(p)
    problems.push(...unused)
    return undefined
  }
  if (kind !== 'zot' && kind !== 'digest') {
    problems.push(`rewrite: "${kind}" is not one of zot, digest (or empty to turn it off).`)
    return undefined
  }
  if (mode === 'plan')
    problems.push('rewrite: needs mode warm or check (plan mode does not learn the digests to pin).')
  let host = ''
  if (kind === 'digest') {
    if (pullHost) problems.push('pull-host: only used with rewrite: zot (digest keeps each registry).')
  } else if (pullHost) {
    host = pullHost
    const problem = pullHostProblem(pullHost)
    if (problem) problems.push(`pull-host: ${problem}`)
  } else if (zotUrl) {
    const url = new URL(zotUrl)
    host = url.host
    const problem = pullHostProblem(host)
    if (url.pathname !== '/' && url.pathname !== '')
      problems.push(
        `pull-host: required because zot-url has a path (${url.pathname}) and nodes pull from a registry host's root; set pull-host to the host[:port] nodes use.`,
      )
    else if (problem)
      problems.push(
        `pull-host: required because the host of zot-url does not work in a reference: ${problem}`,
      )
  }
  const text = outputText || defaultOutput || ''
  if (!text)
    problems.push(
      'rewrite-output: required with rewrite: a directory (the workspace itself rewrites in place), or - to print the rewritten manifests read from stdin.',
    )
  return { mode: kind, pullHost: host, output: text === '-' ? '-' : resolve(workspace, text) }
}

/** Why `host` cannot start a reference nodes pull (undefined when it can). */
function pullHostProblem(host: string): string | undefined {
  try {
    const ref = parseReference(`${host}/x`)
    if (ref.domain === host) return undefined
    return /[.:]/.test(host) || host === 'localhost'
      ? `"${host}" is read as ${ref.domain}; give the host[:port] as nodes write it.`
      : `"${host}" would be read as a Docker Hub path (a registry host needs a "." or a port, e.g. ${host}:5000 or ${host}.example.com).`
  } catch (err) {
    return `"${host}" is not a registry host[:port] (${(err as Error).message.replace(/^invalid image reference "[^"]*": /, '')}).`
  }
}

function prefixed(input: string, problem: string): string {
  return problem.startsWith(`${input}:`) ? problem : `${input}: ${problem}`
}

function canParseUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
