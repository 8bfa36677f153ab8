#!/usr/bin/env node
// `npm run demo`: two local upstream Zots (standing in for docker.io and ghcr.io) and a Zot pull-through
// cache with auth, the example images pushed upstream, then the bundled action (dist/index.js) run against
// examples/ exactly as a runner would start it, twice: the first run warms, the second finds all cached.
// Needs only `npm ci` (the test bed is TypeScript, loaded through vite's module runner that vitest ships)
// and a Zot binary (scripts/ensure-zot.mjs builds one with Go when none is cached).
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
process.chdir(root)

/** The example images, by upstream: what examples/ references, in the upstream's own names. */
const DOCKER_HUB = [
  { repo: 'library/nginx', tag: '1.27', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
  { repo: 'library/busybox', tag: '1.36', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
  { repo: 'library/postgres', tag: '16', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
  { repo: 'library/redis', tag: '7.4', kind: 'oci', platforms: ['linux/amd64'] },
  {
    repo: 'library/alpine',
    tag: '3.20',
    kind: 'oci-index',
    platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
  },
]
const GHCR = [
  { repo: 'acme/api', tag: '1.4.2', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
  { repo: 'acme/worker', tag: '1.4.2', kind: 'oci', platforms: ['linux/amd64'] },
  { repo: 'acme/migrations', tag: '1.4.2', kind: 'oci', platforms: ['linux/amd64'] },
  { repo: 'acme/debug-tools', tag: '0.3.0', kind: 'oci', platforms: ['linux/amd64'] },
]

const say = (line) => process.stdout.write(`\u001b[1m${line}\u001b[0m\n`)

function ensureBuilt() {
  if (existsSync('dist/index.js') && existsSync('dist/cli.js')) return
  say('==> dist/ is missing: npm run package')
  const r = spawnSync('npm', ['run', 'package'], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm run package failed')
}

async function loadTestBed() {
  const { runnerImport } = await import('vite')
  const load = async (path) =>
    (await runnerImport(join(root, path), { configFile: false, logLevel: 'error', root })).module
  return { zot: await load('__tests__/support/zot.ts'), images: await load('__tests__/support/images.ts') }
}

/** Runs dist/index.js with the environment a runner gives an action; resolves with its exit code. */
function runAction(env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['dist/index.js'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    // The runner interprets workflow commands; show them the way its log would.
    let buffered = ''
    child.stdout.on('data', (chunk) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        const shown = renderCommand(line)
        if (shown !== undefined) process.stdout.write(`${shown}\n`)
      }
    })
    child.on('error', reject)
    child.on('close', (code) => {
      const last = buffered ? renderCommand(buffered) : undefined
      if (last !== undefined) process.stdout.write(`${last}\n`)
      resolvePromise(code ?? 1)
    })
  })
}

function renderCommand(line) {
  if (line.startsWith('::add-mask::')) return '\u001b[2m(runner: value masked)\u001b[0m'
  const group = /^::group::(.*)$/.exec(line)
  if (group) return `\u001b[36m▸ ${group[1]}\u001b[0m`
  if (line === '::endgroup::') return ''
  // The runner shows debug lines only with step debug logging on.
  if (line.startsWith('::debug::')) return undefined
  const cmd = /^::(error|warning|notice|debug)( [^:]*)?::(.*)$/.exec(line)
  if (cmd) return `\u001b[${cmd[1] === 'error' ? 31 : 33}m${cmd[1]}${cmd[2] ?? ''}: ${cmd[3]}\u001b[0m`
  return line
}

async function main() {
  ensureBuilt()
  say('==> Starting two upstream Zots and a Zot pull-through cache on 127.0.0.1')
  const { zot, images } = await loadTestBed()
  const password = randomBytes(12).toString('base64url')
  const servers = []
  const stopAll = async () => {
    await Promise.allSettled(servers.map((s) => s.stop()))
  }
  process.once('SIGINT', () => {
    stopAll().finally(() => process.exit(130))
  })
  try {
    const dockerHub = await zot.startZot({ name: 'upstream-docker', logLevel: 'info' })
    servers.push(dockerHub)
    const ghcr = await zot.startZot({ name: 'upstream-ghcr', logLevel: 'info' })
    servers.push(ghcr)
    const cache = await zot.startZot({
      name: 'cache',
      logLevel: 'info',
      auth: { users: { deployer: password } },
      upstreams: [
        { url: dockerHub.url, destination: 'docker-images' },
        { url: ghcr.url, destination: 'ghcr-images' },
      ],
    })
    servers.push(cache)
    say(`    docker.io stand-in ${dockerHub.url}, ghcr.io stand-in ${ghcr.url}, cache ${cache.url}`)

    say('==> Pushing the example images to the upstreams')
    await images.pushImages(
      dockerHub.registry(),
      DOCKER_HUB.map((i) => ({ ...i, layerSize: 64 * 1024 })),
    )
    await images.pushImages(
      ghcr.registry(),
      GHCR.map((i) => ({ ...i, layerSize: 64 * 1024 })),
    )
    for (const i of DOCKER_HUB) say(`    docker.io/${i.repo}:${i.tag}`)
    for (const i of GHCR) say(`    ghcr.io/${i.repo}:${i.tag}`)

    const out = mkdtempSync(join(tmpdir(), 'zot-warm-demo-'))
    const runnerEnv = (n) => {
      const dir = join(out, `run${n}`)
      mkdirSync(dir, { recursive: true })
      for (const f of ['summary.md', 'output.txt', 'env.txt', 'state.txt']) writeFileSync(join(dir, f), '')
      return {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: root,
        GITHUB_REPOSITORY: 'acme/shop-deploy',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_API_URL: 'https://api.github.com',
        GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
        GITHUB_OUTPUT: join(dir, 'output.txt'),
        GITHUB_ENV: join(dir, 'env.txt'),
        GITHUB_STATE: join(dir, 'state.txt'),
        RUNNER_TEMP: dir,
        'INPUT_ZOT-URL': cache.url,
        INPUT_USERNAME: 'deployer',
        INPUT_PASSWORD: password,
        INPUT_PATHS: 'examples/rendered.yaml\nexamples/compose.yaml\nexamples/images.txt',
        'INPUT_REGISTRY-MAP': readFileSync('examples/registry-map.yaml', 'utf8'),
        INPUT_MODE: 'warm',
        INPUT_STRICT: 'true',
      }
    }

    say('\n==> Run 1: node dist/index.js (as a runner starts the action)\n')
    const env1 = runnerEnv(1)
    const code1 = await runAction(env1)
    say(`\n==> Run 1 exit code ${code1}. Outputs (GITHUB_OUTPUT):`)
    process.stdout.write(`${outputsText(env1.GITHUB_OUTPUT)}\n`)
    const html = join(out, 'run1', 'summary.html')
    writeFileSync(
      html,
      `<!doctype html><meta charset="utf-8"><title>zot-warm job summary</title><body style="font-family:sans-serif">${readFileSync(env1.GITHUB_STEP_SUMMARY, 'utf8')}</body>`,
    )

    say('\n==> Run 2: the same again; everything is cached now\n')
    const env2 = runnerEnv(2)
    const code2 = await runAction(env2)
    say(`\n==> Run 2 exit code ${code2}. Outputs:`)
    process.stdout.write(`${outputsText(env2.GITHUB_OUTPUT)}\n`)

    say('\n==> Job summary of run 1 (what GitHub renders on the run page):')
    process.stdout.write(`    ${env1.GITHUB_STEP_SUMMARY}  (open ${html} in a browser)\n`)
    say(
      `==> JSON reports: ${join(out, 'run1', 'zot-warm-report.json')}, ${join(out, 'run2', 'zot-warm-report.json')}`,
    )
    if (code1 !== 0 || code2 !== 0) process.exitCode = 1
  } finally {
    await stopAll()
  }
}

/** GITHUB_OUTPUT uses `name<<DELIMITER` blocks; show `name=value`. */
function outputsText(file) {
  const lines = readFileSync(file, 'utf8').split('\n')
  const out = []
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!m) continue
    const value = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    const text = value.join('\n')
    out.push(`    ${m[1]}=${text.length > 160 ? `${text.slice(0, 157)}...` : text}`)
  }
  return out.join('\n')
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err?.stack ?? err}\n`)
  process.exit(1)
})
