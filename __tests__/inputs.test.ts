import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { parseConfig } from '../src/inputs/config.js'
import { formatDuration, parseDuration } from '../src/inputs/duration.js'
import { splitList } from '../src/inputs/list.js'
import { pemSecretLines } from '../src/inputs/pem.js'
import { redact, redactDeep } from '../src/inputs/redact.js'
import { DEFAULTS } from '../src/warm/options.js'
import { tempDir } from './support/temp.js'

const ws = tempDir('zot-warm-inputs-')
const CERT =
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0czAKBggqhkjOPQQDAjA\n-----END CERTIFICATE-----\n'
const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSecretKeyMaterial1\nhRANCAAQSecretKeyMaterialLineTwo0000000000000000000000000000000000\n-----END PRIVATE KEY-----\n'

function inputs(values: Record<string, string>) {
  return (name: string) => values[name]
}

function problemsOf(values: Record<string, string>): string[] {
  try {
    parseConfig(inputs(values), { workspace: ws })
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const { config, secrets } = parseConfig(inputs({ 'zot-url': 'https://zot.example.com/' }), {
      workspace: ws,
    })
    expect(config).toEqual({
      mode: 'warm',
      workspace: ws,
      paths: [],
      images: [],
      runtimeImages: true,
      zotUrl: 'https://zot.example.com',
      username: undefined,
      password: undefined,
      token: undefined,
      ca: undefined,
      cert: undefined,
      key: undefined,
      skipTlsVerify: false,
      registryMap: undefined,
      unmapped: 'skip',
      platforms: undefined,
      refresh: false,
      referrers: 'warm',
      concurrency: DEFAULTS.concurrency,
      imageTimeoutMs: DEFAULTS.imageTimeoutMs,
      timeoutMs: undefined,
      strict: true,
      failOnUnresolved: true,
      report: undefined,
      prComment: 'auto',
      // The documented default `${{ github.token }}` is the runner's to expand, never a value.
      githubToken: undefined,
    })
    expect(secrets).toEqual([])
  })

  it('parses every input', () => {
    const { config } = parseConfig(
      inputs({
        paths: 'deploy/**/*.{yaml,yml}, !deploy/test/**\nimages.txt',
        images: 'nginx:1.27\n  redis:7.4 , alpine',
        'runtime-images': 'no',
        'zot-url': 'http://127.0.0.1:5000',
        username: 'ci',
        password: 'zak_0123456789abcdef',
        'ca-cert': CERT,
        'client-cert': CERT,
        'client-key': KEY,
        'skip-tls-verify': 'TRUE',
        'registry-map': 'docker.io: docker-images\nghcr.io: ghcr-images',
        unmapped: 'fail',
        platforms: 'linux/amd64, linux/arm64/v8',
        mode: 'check',
        refresh: 'yes',
        referrers: 'Require-Signed',
        concurrency: '8',
        'image-timeout': '90s',
        timeout: '1h30m',
        strict: 'false',
        'fail-on-unresolved': 'false',
        report: 'out/report.json',
        workspace: '.',
        'pr-comment': 'Always',
        'github-token': 'ghs_0123456789abcdefghij',
      }),
      { workspace: ws, cwd: ws },
    )
    expect(config).toMatchObject({
      paths: ['deploy/**/*.{yaml,yml}', '!deploy/test/**', 'images.txt'],
      images: ['nginx:1.27', 'redis:7.4', 'alpine'],
      runtimeImages: false,
      zotUrl: 'http://127.0.0.1:5000',
      username: 'ci',
      password: 'zak_0123456789abcdef',
      skipTlsVerify: true,
      registryMap: [
        { registry: 'docker.io', prefix: 'docker-images' },
        { registry: 'ghcr.io', prefix: 'ghcr-images' },
      ],
      unmapped: 'fail',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      mode: 'check',
      refresh: true,
      referrers: 'require-signed',
      concurrency: 8,
      imageTimeoutMs: 90_000,
      timeoutMs: 5_400_000,
      strict: false,
      failOnUnresolved: false,
      report: join(ws, 'out/report.json'),
      workspace: ws,
      prComment: 'always',
      githubToken: 'ghs_0123456789abcdefghij',
    })
    expect(config.ca).toBe(CERT.trim())
    expect(config.key).toBe(KEY.trim())
  })

  it('collects every problem at once, each naming the input and the fix', () => {
    const problems = problemsOf({
      mode: 'sync',
      concurrency: '0',
      'image-timeout': 'soon',
      timeout: '5 minutes',
      strict: 'maybe',
      'runtime-images': 'sometimes',
      unmapped: 'ignore',
      referrers: 'signed',
      platforms: 'amd64',
      workspace: '/definitely/not/here',
      'pr-comment': 'sometimes',
    })
    expect(problems).toEqual([
      'mode: "sync" is not one of warm, check, plan.',
      'workspace: "/definitely/not/here" is not a directory.',
      'zot-url: required (the base URL of the Zot cache), unless mode is plan.',
      'platforms: "amd64" not of the form os/arch[/variant] (e.g. linux/arm64/v8), or use all.',
      'concurrency: "0" must be a whole number from 1 to 64.',
      'image-timeout: "soon" is not a duration; write e.g. 90s, 10m, 1h or a number of seconds.',
      'timeout: "5 minutes" is not a duration; write e.g. 90s, 10m, 1h or a number of seconds.',
      'runtime-images: "sometimes" is not a boolean; use true or false.',
      'unmapped: "ignore" is not one of skip, fail.',
      'referrers: "signed" is not one of warm, require-signed, off.',
      'strict: "maybe" is not a boolean; use true or false.',
      'pr-comment: "sometimes" is not one of auto, always, off.',
    ])
  })

  it('plan mode needs no Zot', () => {
    expect(parseConfig(inputs({ mode: 'plan' }), { workspace: ws }).config.zotUrl).toBeUndefined()
  })

  it('rejects URLs that are not http(s) or carry credentials, without echoing the password', () => {
    expect(problemsOf({ 'zot-url': 'zot.example.com' })[0]).toMatch(
      /^zot-url: "zot.example.com" is not an http/,
    )
    const withCreds = problemsOf({ 'zot-url': 'https://ci:hunter2hunter2@zot.example.com' })
    expect(withCreds).toEqual([
      'zot-url: must not contain credentials; pass them in the username and password inputs.',
    ])
    expect(withCreds.join()).not.toContain('hunter2')
  })

  it.each([
    ['ftp://ci:hunter2hunter2@zot.example.com/', 'ftp://ci:***@zot.example.com/', ['hunter2hunter2']],
    ['http://ci:hunter2hunter2@zot example.com', 'http://ci:***@zot example.com', ['hunter2hunter2']],
    // Percent-encoded in the URL, masked in both forms; a password with an unencoded `@` or `/`.
    [
      'https://ci:hunter%402hunter2@zot .example.com',
      'https://ci:***@zot .example.com',
      ['hunter%402hunter2', 'hunter@2hunter2'],
    ],
    ['http://ci:hun/ter2@x@zot example.com', 'http://ci:***@zot example.com', ['hun/ter2@x']],
    // A token given as the user name.
    ['gopher://ghp_0123456789abcdefghij@zot.example.com', 'gopher://***@zot.example.com', []],
  ])(
    'a zot-url that does not parse or is not http(s) (%s): credentials masked and registered',
    (url, shown, passwords) => {
      const registered: string[] = []
      let problems: string[] = []
      try {
        parseConfig(inputs({ 'zot-url': url }), { workspace: ws, onSecret: (s) => registered.push(s) })
      } catch (err) {
        problems = (err as ConfigError).problems
      }
      expect(problems).toHaveLength(1)
      expect(problems[0]).toContain(`"${shown}"`)
      for (const p of passwords) {
        expect(problems.join('\n')).not.toContain(p)
        expect(registered).toContain(p)
      }
      expect(problems.join('\n')).not.toContain('ghp_0123456789abcdefghij')
    },
  )

  it('checks that credentials come in usable combinations', () => {
    const url = { 'zot-url': 'https://zot.example.com' }
    expect(problemsOf({ ...url, password: 'secret-pass' })).toEqual([
      'username: required with password (for a Zot API key, the user who owns the key).',
    ])
    expect(problemsOf({ ...url, username: 'ci' })).toEqual([
      'password: required with username (or remove username).',
    ])
    expect(problemsOf({ ...url, username: 'ci', password: 'secret-pass', token: 'tok-en-123' })).toEqual([
      'token: set either password or token, not both.',
    ])
  })

  it('returns every secret form to mask: password, basic-auth value and header, token, key lines', () => {
    const { secrets } = parseConfig(
      inputs({
        'zot-url': 'https://zot.example.com',
        username: 'ci',
        password: 'zak_0123456789abcdef',
        'client-cert': CERT,
        'client-key': KEY,
      }),
      { workspace: ws },
    )
    const b64 = Buffer.from('ci:zak_0123456789abcdef').toString('base64')
    expect(secrets).toContain('zak_0123456789abcdef')
    expect(secrets).toContain(b64)
    expect(secrets).toContain(`Basic ${b64}`)
    expect(secrets).toContain('MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSecretKeyMaterial1')
    expect(secrets.some((s) => s.startsWith('-----'))).toBe(false)
    const token = parseConfig(inputs({ 'zot-url': 'https://z.example', token: 'eyJhbGciOi.token' }), {
      workspace: ws,
    })
    expect(token.secrets).toEqual(['eyJhbGciOi.token'])
    const forge = parseConfig(
      inputs({
        'zot-url': 'https://z.example',
        token: 'eyJhbGciOi.token',
        'github-token': ' ghs_forgeToken12345 ',
      }),
      { workspace: ws },
    )
    expect(forge.secrets).toEqual(['eyJhbGciOi.token', 'ghs_forgeToken12345'])
  })

  it('reads PEM from files relative to the workspace and explains bad ones without echoing keys', () => {
    writeFileSync(join(ws, 'ca.pem'), CERT)
    writeFileSync(join(ws, 'not-a-cert.pem'), 'hello')
    const url = { 'zot-url': 'https://zot.example.com' }
    expect(parseConfig(inputs({ ...url, 'ca-cert': 'ca.pem' }), { workspace: ws }).config.ca).toBe(CERT)
    expect(problemsOf({ ...url, 'ca-cert': 'missing.pem' })).toEqual([
      'ca-cert: cannot read "missing.pem" (no such file); give PEM text or the path of a readable PEM file.',
    ])
    expect(problemsOf({ ...url, 'ca-cert': 'not-a-cert.pem' })).toEqual([
      'ca-cert: the file does not contain a PEM certificate.',
    ])
    const keyProblems = problemsOf({
      ...url,
      'client-cert': CERT,
      'client-key': 'SecretKeyBodyWithoutHeader0123',
    })
    expect(keyProblems).toEqual([
      'client-key: cannot read the given path (no such file); give PEM text or the path of a readable PEM file.',
    ])
    expect(problemsOf({ ...url, 'client-cert': CERT })).toEqual(['client-key: required with client-cert.'])
  })

  it('names the registry-map input in its problems', () => {
    const problems = problemsOf({ 'zot-url': 'https://zot.example.com', 'registry-map': 'docker.io: [a, b]' })
    expect(problems.length).toBeGreaterThan(0)
    for (const p of problems) expect(p).toMatch(/^registry-map: /)
  })

  it('platforms: all means every platform', () => {
    const base = { 'zot-url': 'https://zot.example.com' }
    expect(
      parseConfig(inputs({ ...base, platforms: 'ALL' }), { workspace: ws }).config.platforms,
    ).toBeUndefined()
  })

  it('uses the report default and keeps `-` for stdout', () => {
    const base = { 'zot-url': 'https://zot.example.com' }
    expect(
      parseConfig(inputs(base), { workspace: ws, report: '/tmp/r/zot-warm-report.json' }).config.report,
    ).toBe('/tmp/r/zot-warm-report.json')
    expect(parseConfig(inputs({ ...base, report: '-' }), { workspace: ws }).config.report).toBe('-')
  })

  it('rewrite: the pull host comes from zot-url unless pull-host names one; the output is relative to the workspace', () => {
    const cfg = (values: Record<string, string>, rewriteOutput?: string) =>
      parseConfig(inputs(values), { workspace: ws, ...(rewriteOutput ? { rewriteOutput } : {}) }).config
        .rewrite
    const base = { 'zot-url': 'https://zot.example.com:8443/', rewrite: 'zot' }
    expect(cfg({ ...base, 'rewrite-output': 'out' })).toEqual({
      mode: 'zot',
      pullHost: 'zot.example.com:8443',
      output: join(ws, 'out'),
    })
    expect(cfg({ ...base, 'rewrite-output': '.' })?.output).toBe(ws)
    expect(cfg({ ...base, 'rewrite-output': '-' })?.output).toBe('-')
    expect(cfg(base, '/tmp/runner/zot-warm-rewritten')?.output).toBe('/tmp/runner/zot-warm-rewritten')
    expect(cfg({ ...base, 'rewrite-output': 'o', 'pull-host': 'zot.internal:5000' })?.pullHost).toBe(
      'zot.internal:5000',
    )
    expect(cfg({ 'zot-url': 'http://[::1]:5000', rewrite: 'ZOT', 'rewrite-output': 'o' })?.pullHost).toBe(
      '[::1]:5000',
    )
    expect(cfg({ ...base, rewrite: 'digest', 'rewrite-output': 'o' })).toEqual({
      mode: 'digest',
      pullHost: '',
      output: join(ws, 'o'),
    })
    expect(cfg({ 'zot-url': 'https://zot.example.com' })).toBeUndefined()
  })

  it('rewrite: every contradiction is a configuration error that says what to do', () => {
    const url = { 'zot-url': 'https://zot.example.com' }
    expect(problemsOf({ ...url, rewrite: 'kbld' })).toEqual([
      'rewrite: "kbld" is not one of zot, digest (or empty to turn it off).',
    ])
    expect(problemsOf({ ...url, rewrite: 'zot' })).toEqual([
      'rewrite-output: required with rewrite: a directory (the workspace itself rewrites in place), or - to print the rewritten manifests read from stdin.',
    ])
    expect(problemsOf({ mode: 'plan', rewrite: 'digest', 'rewrite-output': 'o' })).toEqual([
      'rewrite: needs mode warm or check (plan mode does not learn the digests to pin).',
    ])
    expect(problemsOf({ ...url, 'rewrite-output': 'o', 'pull-host': 'zot.internal' })).toEqual([
      'rewrite-output: set rewrite (zot or digest) too, or remove rewrite-output.',
      'pull-host: set rewrite: zot too, or remove pull-host.',
    ])
    expect(
      problemsOf({ ...url, rewrite: 'digest', 'rewrite-output': 'o', 'pull-host': 'zot.internal' }),
    ).toEqual(['pull-host: only used with rewrite: zot (digest keeps each registry).'])
    expect(problemsOf({ ...url, rewrite: 'zot', 'rewrite-output': 'o', 'pull-host': 'zot' })).toEqual([
      'pull-host: "zot" would be read as a Docker Hub path (a registry host needs a "." or a port, e.g. zot:5000 or zot.example.com).',
    ])
    expect(
      problemsOf({ ...url, rewrite: 'zot', 'rewrite-output': 'o', 'pull-host': 'zot.example/x' })[0],
    ).toMatch(/^pull-host: "zot.example\/x" is read as /)
    expect(problemsOf({ 'zot-url': 'http://zot', rewrite: 'zot', 'rewrite-output': 'o' })[0]).toMatch(
      /^pull-host: required because the host of zot-url does not work in a reference: "zot" would be read as a Docker Hub path/,
    )
    expect(
      problemsOf({ 'zot-url': 'https://example.com/zot', rewrite: 'zot', 'rewrite-output': 'o' }),
    ).toEqual([
      "pull-host: required because zot-url has a path (/zot) and nodes pull from a registry host's root; set pull-host to the host[:port] nodes use.",
    ])
    expect(problemsOf({ ...url, rewrite: 'zot', 'rewrite-output': '-', report: '-' })).toEqual([
      'rewrite-output: - and report: - both want stdout; write the report to a file.',
    ])
  })
})

describe('durations', () => {
  it('refuses time limits past 120h: Node fires longer timers after 1 ms (600h) or throws (2000h)', () => {
    expect(problemsOf({ mode: 'plan', timeout: '600h', 'image-timeout': '2000h' })).toEqual([
      'image-timeout: "2000h" is longer than the maximum of 120h (5 days).',
      'timeout: "600h" is longer than the maximum of 120h (5 days).',
    ])
    expect(problemsOf({ mode: 'plan', timeout: '9'.repeat(400), 'image-timeout': '120h1ms' })).toEqual([
      'image-timeout: "120h1ms" is longer than the maximum of 120h (5 days).',
      `timeout: "${'9'.repeat(400)}" is longer than the maximum of 120h (5 days).`,
    ])
    const { config } = parseConfig(inputs({ mode: 'plan', timeout: '120h', 'image-timeout': '432000' }), {
      workspace: ws,
    })
    expect(config).toMatchObject({ timeoutMs: 432_000_000, imageTimeoutMs: 432_000_000 })
  })

  it('parses units and plain seconds', () => {
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('10m')).toBe(600_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('45')).toBe(45_000)
    expect(parseDuration('1.5')).toBe(1500)
    expect(parseDuration('0')).toBe(0)
    for (const bad of ['', 'm', '10 m', '-5s', '1d', 'soon', '5mins'])
      expect(parseDuration(bad)).toBeUndefined()
  })

  it('formats what it parses back to the same value (whole seconds)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1000))).toBe(
          seconds * 1000 - (seconds >= 3600 ? seconds % 60 : 0) * 1000,
        )
      }),
    )
    expect(formatDuration(400)).toBe('0.4s')
    expect(formatDuration(95_000)).toBe('1m35s')
    expect(formatDuration(3_725_000)).toBe('1h02m')
  })
})

describe('lists', () => {
  it('splits on newlines and commas, not inside braces, skipping blanks and comments', () => {
    expect(splitList('a, b\n\n  # comment\n c/**/*.{yaml,yml},d\n')).toEqual([
      'a',
      'b',
      'c/**/*.{yaml,yml}',
      'd',
    ])
    expect(splitList(undefined)).toEqual([])
    expect(splitList(' , ,\n')).toEqual([])
  })
})

describe('redaction', () => {
  it('replaces secrets anywhere, longest first, in nested data', () => {
    expect(redact('user ci pw hunter22 b64 aHVudGVyMjI=', ['hunter22', 'aHVudGVyMjI='])).toBe(
      'user ci pw *** b64 ***',
    )
    expect(redact('abc', ['abc'])).toBe('abc') // too short to redact safely
    const deep = redactDeep({ a: ['x hunter22 y', { b: 'hunter22' }], n: 3 }, ['hunter22'])
    expect(deep).toEqual({ a: ['x *** y', { b: '***' }], n: 3 })
  })

  it('masks each line of a PEM key body', () => {
    expect(pemSecretLines(KEY)).toEqual([
      'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSecretKeyMaterial1',
      'hRANCAAQSecretKeyMaterialLineTwo0000000000000000000000000000000000',
    ])
  })
})
