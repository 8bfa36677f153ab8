// Secrets never leave the process: the bundled action and CLI run in every mode (success, image failures, hard
// failures, configuration errors, debug logging on) with a password, a Zot API key (`zak_…`), a bearer token
// (through an auth gateway in front of Zot) and wrong credentials; none of them, nor the base64 basic-auth value,
// may appear in stdout, stderr, the job summary, outputs, the report, annotations, or any file the run wrote.
// The action also comments on the pull request (a GitHub-shaped API on loopback) with a forge token: neither
// that token nor any other secret may appear in what it sends there, and a token the forge refuses is named
// in a notice without its value.
// The action registers each with the runner (`::add-mask::` — how the runner masks them), and that is the only
// line a raw secret may appear on.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type FaultRelay, startFaultRelay } from './support/fault-relay.js'
import { BOT, type FakeGitHub, startFakeGitHub } from './support/github-api.js'
import { pushImages } from './support/images.js'
import { type RecordingServer, startRecordingServer } from './support/recording-server.js'
import { registryRequest } from './support/registry.js'
import { checkDist, githubEnv, newRunDir, node24, type RunOutcome, runBundle } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { testPki } from './support/tls.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const USER = 'deployer'
const secret = (prefix: string) => `${prefix}${randomBytes(12).toString('hex')}`
const PASSWORD = secret('pw-')
const WRONG_PASSWORD = secret('wrong-')
const TOKEN = secret('tok-')
const WRONG_TOKEN = secret('badtok-')
const URL_PASSWORD = secret('urlpw-')
const FORGE_TOKEN = secret('ghs_')
const FORK_TOKEN = secret('ghs_fork')
let API_KEY = ''
const b64 = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64')
const MAP = 'docker.io: docker-images'

/** Every secret of the test and its basic-auth form: none may leak from any run. */
const allSecrets = () => [
  PASSWORD,
  WRONG_PASSWORD,
  TOKEN,
  WRONG_TOKEN,
  URL_PASSWORD,
  API_KEY,
  FORGE_TOKEN,
  FORK_TOKEN,
  b64(USER, PASSWORD),
  b64(USER, WRONG_PASSWORD),
  b64(USER, API_KEY),
  b64(USER, URL_PASSWORD),
]

let hub: ZotServer
let cache: ZotServer
let gateway: FaultRelay
let forge: FakeGitHub
let nextRunId = 5000
let workspace: string
let deadUrl: string

beforeAll(async () => {
  checkDist()
  hub = await startZot({ name: 'hub' })
  cache = await startZot({
    name: 'cache',
    auth: { users: { [USER]: PASSWORD } },
    upstreams: [{ url: hub.url, destination: 'docker-images' }],
    mutateConfig: (c) => {
      c.http.auth.apikey = true
    },
  })
  const created = await registryRequest(cache.registry(USER), 'POST', '/zot/auth/apikey', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'zot-warm-ci', scopes: [] }),
  })
  expect(created.status).toBe(201)
  API_KEY = JSON.parse(created.body.toString('utf8')).apiKey as string
  expect(API_KEY).toMatch(/^zak_/)
  // An auth gateway: accepts only the bearer token, and talks to Zot with its own credentials.
  gateway = await startFaultRelay(cache.url, {
    bearerToken: TOKEN,
    targetAuthorization: `Basic ${b64(USER, PASSWORD)}`,
  })
  forge = await startFakeGitHub({
    tokens: { [FORGE_TOKEN]: { user: BOT, write: true }, [FORK_TOKEN]: { user: BOT, write: false } },
  })
  await pushImages(hub.registry(), [{ repo: 'team/app', tag: '1', kind: 'oci-index' }])
  workspace = tempDir('zot-warm-secrets-')
  writeFileSync(join(workspace, 'ok.yaml'), 'kind: Pod\nspec:\n  containers:\n    - image: team/app:1\n')
  writeFileSync(
    join(workspace, 'mixed.yaml'),
    'kind: Pod\nspec:\n  containers:\n    - image: team/app:1\n    - image: team/missing:1\n    - image: "Bad/Ref:1"\n    - image: "{{ .Values.image }}"\n',
  )
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  deadUrl = `http://127.0.0.1:${(srv.address() as { port: number }).port}`
  await new Promise((resolve) => srv.close(resolve))
})

afterAll(async () => {
  await gateway?.stop()
  await forge?.close()
})

/** Every file under `dir` (summary, outputs, env/state files, the report …) as text. */
function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) Object.assign(out, filesUnder(path))
    else out[path] = readFileSync(path, 'utf8')
  }
  return out
}

/**
 * Where any secret shows up; the exact `::add-mask::<secret>` line is the one allowed place (and the forge
 * token in the Authorization header of requests to the forge, where it belongs).
 */
function leaks(run: RunOutcome, sent: string[] = []): string[] {
  const secrets = allSecrets()
  const places: Record<string, string> = {
    stdout: run.stdout
      .split('\n')
      .filter((l) => !secrets.some((s) => l === `::add-mask::${s}` || l === `::add-mask::Basic ${s}`))
      .join('\n'),
    stderr: run.stderr,
    'requests to the forge (paths and bodies)': sent.join('\n'),
    ...filesUnder(run.dir),
  }
  const found: string[] = []
  for (const s of secrets)
    for (const [where, text] of Object.entries(places))
      if (text.includes(s)) found.push(`${where} contains ${s.slice(0, 6)}…`)
  return found
}

function masks(run: RunOutcome): string[] {
  return run.stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length))
}

test('the leak check itself: finds a secret on any other line or in any file the run wrote', () => {
  const dir = newRunDir()
  const clean: RunOutcome = {
    code: 0,
    signal: null,
    stdout: `::add-mask::${PASSWORD}\n::add-mask::Basic ${b64(USER, PASSWORD)}\nok\n`,
    stderr: '',
    commands: [],
    outputs: {},
    outputsRaw: '',
    summary: '',
    dir,
  }
  expect(leaks(clean)).toEqual([])
  expect(leaks({ ...clean, stdout: `${clean.stdout}::warning::x ${PASSWORD}\n` })).toHaveLength(1)
  expect(leaks({ ...clean, stdout: `::add-mask::${PASSWORD} \n` })).toHaveLength(1)
  expect(
    leaks({ ...clean, stderr: `Authorization: Basic ${b64(USER, API_KEY || 'k')}` }).length,
  ).toBeGreaterThan(0)
  writeFileSync(join(dir, 'runner_temp', 'zot-warm-report.json'), `{"error":"${TOKEN}"}`)
  expect(leaks(clean)).toEqual([
    `${join(dir, 'runner_temp', 'zot-warm-report.json')} contains ${TOKEN.slice(0, 6)}…`,
  ])
  expect(leaks({ ...clean, dir: newRunDir() }, [`{"body":"x ${FORGE_TOKEN}"}`])).toEqual([
    `requests to the forge (paths and bodies) contains ${FORGE_TOKEN.slice(0, 6)}…`,
  ])
})

interface Mode {
  name: string
  inputs: Record<string, string>
  exit: number
  /** Secrets this run was given: each must be registered with ::add-mask::. */
  masked: string[]
  /** Text the run must show (proves the mode did what it says). */
  shows: RegExp
}

const MODE_NAMES = [
  'success with a password',
  'image failures, invalid and unresolved references',
  'success with a Zot API key',
  'image failures with a bearer token',
  'hard failure: wrong password',
  'hard failure: wrong token',
  'hard failure: Zot unreachable',
  'configuration error: credentials inside zot-url, and a second problem',
  'configuration error: credentials inside a zot-url that does not parse',
  'image failures, the forge refuses the token (fork pull request)',
]

/** Built when a test runs: the modes name servers that beforeAll starts. */
const MODES = (): Mode[] => [
  {
    name: 'success with a password',
    inputs: { paths: 'ok.yaml', 'zot-url': cache.url, username: USER, password: PASSWORD },
    exit: 0,
    masked: [PASSWORD, b64(USER, PASSWORD)],
    shows: /all 1 image in Zot/,
  },
  {
    name: 'image failures, invalid and unresolved references',
    inputs: { paths: 'mixed.yaml', 'zot-url': cache.url, username: USER, password: PASSWORD },
    exit: 2,
    masked: [PASSWORD, b64(USER, PASSWORD)],
    shows: /1 image failed, 1 invalid reference, 1 unresolved reference/,
  },
  {
    name: 'success with a Zot API key',
    inputs: { paths: 'ok.yaml', 'zot-url': cache.url, username: USER, password: API_KEY },
    exit: 0,
    masked: [API_KEY, b64(USER, API_KEY)],
    shows: /all 1 image in Zot/,
  },
  {
    name: 'image failures with a bearer token',
    inputs: { paths: 'mixed.yaml', 'zot-url': gateway.url, token: TOKEN },
    exit: 2,
    masked: [TOKEN],
    shows: /1 image failed/,
  },
  {
    name: 'hard failure: wrong password',
    inputs: { paths: 'mixed.yaml', 'zot-url': cache.url, username: USER, password: WRONG_PASSWORD },
    exit: 1,
    masked: [WRONG_PASSWORD, b64(USER, WRONG_PASSWORD)],
    shows: new RegExp(`Zot rejected the credentials for ${USER}`),
  },
  {
    name: 'hard failure: wrong token',
    inputs: { paths: 'ok.yaml', 'zot-url': gateway.url, token: WRONG_TOKEN },
    exit: 1,
    masked: [WRONG_TOKEN],
    shows: /Zot rejected the bearer token/,
  },
  {
    name: 'hard failure: Zot unreachable',
    inputs: { paths: 'ok.yaml', 'zot-url': deadUrl, username: USER, password: PASSWORD },
    exit: 1,
    masked: [PASSWORD, b64(USER, PASSWORD)],
    shows: /cannot reach Zot at/,
  },
  {
    name: 'configuration error: credentials inside zot-url, and a second problem',
    inputs: {
      paths: 'ok.yaml',
      'zot-url': `http://${USER}:${URL_PASSWORD}@${cache.host}`,
      password: PASSWORD,
      concurrency: 'many',
    },
    exit: 1,
    masked: [PASSWORD, URL_PASSWORD],
    shows: /zot-url: must not contain credentials/,
  },
  {
    name: 'configuration error: credentials inside a zot-url that does not parse',
    inputs: { paths: 'ok.yaml', 'zot-url': `http://${USER}:${URL_PASSWORD}@zot example.com` },
    exit: 1,
    masked: [URL_PASSWORD],
    shows: new RegExp(`zot-url: "http://${USER}:\\*\\*\\*@zot example\\.com" is not an http`),
  },
  {
    name: 'image failures, the forge refuses the token (fork pull request)',
    inputs: {
      paths: 'mixed.yaml',
      'zot-url': cache.url,
      username: USER,
      password: PASSWORD,
      'github-token': FORK_TOKEN,
    },
    exit: 2,
    masked: [PASSWORD, FORK_TOKEN],
    shows: /::notice title=zot-warm%3A pull request comment::zot-warm: could not comment .*HTTP 403/,
  },
]

describe.each([
  { debug: false, env: {} as Record<string, string> },
  { debug: true, env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true', ACTIONS_RUNNER_DEBUG: 'true' } },
])('the action, debug logging $debug', ({ debug, env }) => {
  test.each(MODE_NAMES)('%s', async (name) => {
    expect(MODES().map((m) => m.name)).toEqual(MODE_NAMES)
    const mode = MODES().find((m) => m.name === name) as Mode
    const dir = newRunDir()
    const before = forge.requests.length
    const run = await runBundle({
      node: node24(),
      script: 'dist/index.js',
      dir,
      // A new run id each time: each run writes its comment (a later run's body differs in its run line).
      env: {
        ...githubEnv(dir, workspace),
        GITHUB_API_URL: forge.url,
        GITHUB_RUN_ID: String(nextRunId++),
        ...env,
      },
      // Every run that gets past its configuration comments (always), with the forge token.
      inputs: { 'registry-map': MAP, 'pr-comment': 'always', 'github-token': FORGE_TOKEN, ...mode.inputs },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(run.code, run.stdout + run.stderr).toBe(mode.exit)
    expect(run.stdout).toMatch(mode.shows)
    // Debug lines come from warming; a hard failure stops before it.
    if (debug && mode.exit !== 1) expect(run.stdout).toMatch(/^::debug::/m)
    const requests = forge.requests.slice(before)
    const configError = /configuration/.test(mode.name)
    // Proof the comment path ran: a comment was written (or refused) for every run but the configuration error.
    expect(
      requests.some((r) => r.method === 'POST' || r.method === 'PATCH'),
      mode.name,
    ).toBe(!configError)
    for (const r of requests)
      expect(r.authorization).toBe(`token ${mode.inputs['github-token'] ?? FORGE_TOKEN}`)
    expect(forge.unexpected).toEqual([])
    expect(
      leaks(
        run,
        requests.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)} ${JSON.stringify(r.body)}`),
      ),
    ).toEqual([])
    const registered = masks(run)
    for (const s of [...mode.masked, mode.inputs['github-token'] ?? FORGE_TOKEN])
      expect(registered, `::add-mask:: for ${s.slice(0, 6)}…`).toContain(s)
    // Registered before anything else is printed: only mask lines come before the first other line.
    const lines = run.stdout.split('\n').filter(Boolean)
    const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'))
    expect(lines.slice(firstOther).some((l) => l.startsWith('::add-mask::'))).toBe(false)
  })
})

describe('the CLI', () => {
  const CLI_MODES: {
    name: string
    args: string[]
    env: Record<string, string>
    exit: number
    shows: RegExp
  }[] = []
  beforeAll(() => {
    const zot = { ZOT_WARM_REGISTRY_MAP: MAP }
    CLI_MODES.push(
      {
        name: 'success, password in ZOT_PASSWORD',
        args: ['ok.yaml'],
        env: { ...zot, ZOT_REGISTRY_URL: cache.url, ZOT_USERNAME: USER, ZOT_PASSWORD: PASSWORD },
        exit: 0,
        shows: /ok: all 1 image in Zot/,
      },
      {
        name: 'failures, password on the command line, debug on',
        args: ['--zot-url', cache.url, '--username', USER, '--password', PASSWORD, 'mixed.yaml'],
        env: { ...zot, ZOT_WARM_DEBUG: '1' },
        exit: 2,
        shows: /debug: start docker\.io\/team\/app:1/,
      },
      {
        name: 'API key, debug on',
        args: ['ok.yaml'],
        env: {
          ...zot,
          ZOT_WARM_ZOT_URL: cache.url,
          ZOT_WARM_USERNAME: USER,
          ZOT_WARM_PASSWORD: API_KEY,
          ZOT_WARM_DEBUG: '1',
        },
        exit: 0,
        shows: /ok: all 1 image in Zot/,
      },
      {
        name: 'bearer token, debug on',
        args: ['mixed.yaml'],
        env: { ...zot, ZOT_WARM_ZOT_URL: gateway.url, ZOT_WARM_TOKEN: TOKEN, ZOT_WARM_DEBUG: '1' },
        exit: 2,
        shows: /1 image failed/,
      },
      {
        name: 'wrong password, debug on',
        args: ['mixed.yaml'],
        env: {
          ...zot,
          ZOT_WARM_ZOT_URL: cache.url,
          ZOT_WARM_USERNAME: USER,
          ZOT_WARM_PASSWORD: WRONG_PASSWORD,
          ZOT_WARM_DEBUG: '1',
        },
        exit: 1,
        shows: new RegExp(`Zot rejected the credentials for ${USER}`),
      },
      {
        name: 'wrong token',
        args: ['ok.yaml'],
        env: { ...zot, ZOT_WARM_ZOT_URL: gateway.url, ZOT_WARM_TOKEN: WRONG_TOKEN },
        exit: 1,
        shows: /Zot rejected the bearer token/,
      },
      {
        name: 'credentials inside the URL, debug on',
        args: ['--zot-url', `http://${USER}:${URL_PASSWORD}@${cache.host}`, 'ok.yaml'],
        env: { ...zot, ZOT_WARM_DEBUG: '1' },
        exit: 1,
        shows: /zot-url: must not contain credentials/,
      },
      {
        name: 'credentials inside a URL that is not http(s)',
        args: ['--zot-url', `ftp://${USER}:${URL_PASSWORD}@${cache.host}/`, 'ok.yaml'],
        env: zot,
        exit: 1,
        shows: /zot-url: "ftp:\/\/deployer:\*\*\*@127\.0\.0\.1:\d+\/" is not an http/,
      },
      {
        name: 'report to stdout (--report -)',
        args: ['--report', '-', 'mixed.yaml'],
        env: { ...zot, ZOT_WARM_ZOT_URL: cache.url, ZOT_WARM_USERNAME: USER, ZOT_WARM_PASSWORD: PASSWORD },
        exit: 2,
        shows: /"schemaVersion": 2/,
      },
    )
  })

  test('every mode: exit code as expected, no secret in stdout, stderr or the report', async () => {
    expect(CLI_MODES.length).toBe(9)
    for (const mode of CLI_MODES) {
      const dir = newRunDir()
      const reportPath = join(dir, 'report.json')
      const wantsFile = !mode.args.includes('-')
      const run = await runBundle({
        node: process.execPath,
        script: 'dist/cli.js',
        dir,
        cwd: workspace,
        args: wantsFile ? ['--report', reportPath, ...mode.args] : mode.args,
        env: mode.env,
        reportPath,
      })
      expect(run.code, `${mode.name}\n${run.stderr}`).toBe(mode.exit)
      expect(`${run.stdout}\n${run.stderr}`, mode.name).toMatch(mode.shows)
      expect(leaks(run), mode.name).toEqual([])
      expect(run.stdout, mode.name).not.toContain('::add-mask::')
    }
  })
})

// Zot (behind a relay) redirects one repository to another host, which answers 401 with a Bearer challenge
// naming a token realm on a third host (HTTPS, trusted through ca-cert). The challenge is not Zot's: the
// third host must receive nothing, the second no credentials, and Zot never a token from elsewhere.
describe('a redirect to a host that challenges for a token on a third host', () => {
  const STOLEN = secret('stolen-')
  let front: FaultRelay
  let other: RecordingServer
  let realm: RecordingServer
  let caPem: string

  beforeAll(async () => {
    const pki = await testPki()
    caPem = pki.caPem
    realm = await startRecordingServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: STOLEN }))
      },
      { tls: { cert: pki.certPem, key: pki.keyPem } },
    )
    other = await startRecordingServer((_req, res) => {
      res
        .writeHead(401, {
          'content-type': 'application/json',
          'www-authenticate': `Bearer realm="${realm.url}/token",service="zot"`,
        })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
    })
    front = await startFaultRelay(cache.url)
    front.inject({
      match: /^(GET|HEAD) \/v2\/docker-images\/team\/elsewhere\//,
      fault: { kind: 'redirect', to: other.url },
    })
    writeFileSync(
      join(workspace, 'elsewhere.yaml'),
      'kind: Pod\nspec:\n  containers:\n    - image: team/app:1\n    - image: team/elsewhere:1\n',
    )
  })

  afterAll(async () => {
    await Promise.all([front?.stop(), other?.stop(), realm?.stop()])
  })

  /** What every run must show: the third host untouched, no credentials off Zot's origin, no token to Zot. */
  function checkHosts(): void {
    expect(realm.requests).toEqual([])
    expect(other.requests.length).toBeGreaterThan(0)
    expect(other.requests.map((r) => r.headers.authorization ?? null)).toEqual(other.requests.map(() => null))
    const basic = `Basic ${b64(USER, PASSWORD)}`
    expect(front.records.map((r) => r.headers.authorization)).toEqual(front.records.map(() => basic))
  }

  test('the action: the image fails naming the other host; nothing leaks', async () => {
    const dir = newRunDir()
    const run = await runBundle({
      node: node24(),
      script: 'dist/index.js',
      dir,
      env: { ...githubEnv(dir, workspace), RUNNER_DEBUG: '1' },
      inputs: {
        'registry-map': MAP,
        paths: 'elsewhere.yaml',
        'zot-url': front.url,
        username: USER,
        password: PASSWORD,
        'ca-cert': caPem,
      },
      reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
    })
    expect(run.code, run.stdout + run.stderr).toBe(2)
    expect(run.stdout).toContain(`${other.url} answered 401`)
    expect(run.stdout).toMatch(/1 image failed/)
    expect(run.stdout).not.toContain(STOLEN)
    expect(leaks(run)).toEqual([])
    checkHosts()
  })

  test('the CLI: the same', async () => {
    const dir = newRunDir()
    const reportPath = join(dir, 'report.json')
    const run = await runBundle({
      node: process.execPath,
      script: 'dist/cli.js',
      dir,
      cwd: workspace,
      args: ['--report', reportPath, 'elsewhere.yaml'],
      env: {
        ZOT_WARM_CA_CERT: caPem,
        ZOT_WARM_REGISTRY_MAP: MAP,
        ZOT_WARM_ZOT_URL: front.url,
        ZOT_WARM_USERNAME: USER,
        ZOT_WARM_PASSWORD: PASSWORD,
        ZOT_WARM_DEBUG: '1',
      },
      reportPath,
    })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toContain(`${other.url} answered 401`)
    expect(`${run.stdout}${run.stderr}${run.reportText}`).not.toContain(STOLEN)
    expect(leaks(run)).toEqual([])
    checkHosts()
  })
})
