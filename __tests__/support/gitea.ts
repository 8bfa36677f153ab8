// A real Gitea on loopback, standing in for Forgejo (a Gitea fork with the same /api/v1 for issue comments)
// in the pull request comment tests: SQLite in a temp dir, an admin user, then repositories, branches, pull
// requests and tokens made through the API exactly as a user would. The binary comes from
// scripts/ensure-gitea.mjs ($ZOT_WARM_GITEA_BIN, the per-user cache, or a build of the pinned module).
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ensureGitea, giteaStaticRoot } from '../../scripts/ensure-gitea.mjs'
import { freePort } from './zot.js'

const run = promisify(execFile)

export interface GiteaServer {
  /** `http://127.0.0.1:PORT` (also the ROOT_URL: links in the UI and API answers use it). */
  url: string
  /** `${url}/api/v1`: what a Forgejo runner puts in GITHUB_API_URL. */
  apiUrl: string
  admin: { username: string; password: string }
  /** Milliseconds from `gitea web` to the first answer of the API. */
  startMs: number
  /** Calls the API as the admin (basic auth) or with a token; throws on a status other than `expect`. */
  api<T = unknown>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; expect?: number },
  ): Promise<T>
  /** SIGTERM (SIGKILL after 5 s), then removes the data directory. Idempotent. */
  stop(): Promise<void>
}

export interface PullRequest {
  owner: string
  repo: string
  number: number
  /** The head commit (what file links point at). */
  headSha: string
}

export async function startGitea(): Promise<GiteaServer> {
  const bin = await ensureGitea()
  const dir = mkdtempSync(join(tmpdir(), 'zot-warm-gitea-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const staticRoot = giteaStaticRoot(bin)
  const config = join(dir, 'app.ini')
  // The smallest configuration that serves the API: no SSH, no mail, no outside calls, SQLite, logs to the
  // console at warn. CI runs as root, which Gitea refuses without the first line.
  writeFileSync(
    config,
    [
      'I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true',
      'RUN_MODE = prod',
      `WORK_PATH = ${dir}`,
      '[server]',
      'PROTOCOL = http',
      'HTTP_ADDR = 127.0.0.1',
      `HTTP_PORT = ${port}`,
      `ROOT_URL = ${url}/`,
      'OFFLINE_MODE = true',
      'DISABLE_SSH = true',
      'START_SSH_SERVER = false',
      'LFS_START_SERVER = false',
      `APP_DATA_PATH = ${join(dir, 'data')}`,
      ...(staticRoot ? [`STATIC_ROOT_PATH = ${staticRoot}`] : []),
      '[database]',
      'DB_TYPE = sqlite3',
      `PATH = ${join(dir, 'gitea.db')}`,
      '[security]',
      'INSTALL_LOCK = true',
      `SECRET_KEY = ${randomBytes(24).toString('hex')}`,
      `INTERNAL_TOKEN = ${randomBytes(48).toString('hex')}`,
      '[oauth2]',
      'ENABLED = false',
      '[repository]',
      `ROOT = ${join(dir, 'repos')}`,
      '[service]',
      'DISABLE_REGISTRATION = true',
      'REQUIRE_SIGNIN_VIEW = false',
      '[mailer]',
      'ENABLED = false',
      '[session]',
      'PROVIDER = memory',
      '[cache]',
      'ADAPTER = memory',
      '[cron]',
      'ENABLED = false',
      '[log]',
      'MODE = console',
      'LEVEL = warn',
      `ROOT_PATH = ${join(dir, 'log')}`,
      '',
    ].join('\n'),
  )
  const env = { ...process.env, GITEA_WORK_DIR: dir, HOME: dir, USER: process.env.USER ?? 'root' }
  const admin = { username: 'zw-admin', password: `pw-${randomBytes(8).toString('hex')}` }
  let child: ChildProcess | undefined
  let log = ''
  const stop = async () => {
    const c = child
    child = undefined
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((resolve) => c.once('exit', resolve))
      c.kill('SIGTERM')
      const killer = setTimeout(() => c.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await run(bin, ['migrate', '-c', config], { env, timeout: 120_000 })
    await run(
      bin,
      [
        'admin',
        'user',
        'create',
        '--admin',
        '--username',
        admin.username,
        '--password',
        admin.password,
        '--email',
        'zw-admin@example.invalid',
        '--must-change-password=false',
        '-c',
        config,
      ],
      { env, timeout: 60_000 },
    )
    const started = Date.now()
    child = spawn(bin, ['web', '-c', config], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    const deadline = Date.now() + 60_000
    for (;;) {
      if (!child || child.exitCode !== null) throw new Error(`gitea web exited:\n${log}`)
      const ok = await fetch(`${url}/api/v1/version`).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) break
      if (Date.now() > deadline) throw new Error(`gitea web did not answer within 60 s:\n${log}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const startMs = Date.now() - started

    const basic = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`
    const api: GiteaServer['api'] = async (method, path, opts = {}) => {
      const res = await fetch(`${url}/api/v1${path}`, {
        method,
        headers: {
          authorization: opts.token ? `token ${opts.token}` : basic,
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      })
      const text = await res.text()
      const want = opts.expect ?? (method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200)
      if (res.status !== want)
        throw new Error(`${method} ${path}: HTTP ${res.status} (wanted ${want}): ${text}`)
      return (text ? JSON.parse(text) : undefined) as never
    }
    return { url, apiUrl: `${url}/api/v1`, admin, startMs, api, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** A token of the admin with the given scopes (`write:issue`, `read:issue`, …). */
export async function createToken(gitea: GiteaServer, scopes: string[]): Promise<string> {
  const created = await gitea.api<{ sha1: string }>('POST', `/users/${gitea.admin.username}/tokens`, {
    body: { name: `zw-${randomBytes(4).toString('hex')}`, scopes },
  })
  return created.sha1
}

/** A repository with a branch that changes a manifest, and a pull request from it. */
export async function createPullRequest(gitea: GiteaServer, repo: string): Promise<PullRequest> {
  const owner = gitea.admin.username
  await gitea.api('POST', '/user/repos', { body: { name: repo, auto_init: true, default_branch: 'main' } })
  const manifest = 'kind: Pod\nspec:\n  containers:\n    - image: ghcr.io/acme/api:1.4.2\n'
  const file = await gitea.api<{ commit: { sha: string } }>(
    'POST',
    `/repos/${owner}/${repo}/contents/deploy/api.yaml`,
    {
      body: {
        content: Buffer.from(manifest).toString('base64'),
        message: 'Add the API deployment',
        branch: 'main',
        new_branch: 'bump-images',
      },
    },
  )
  const pr = await gitea.api<{ number: number; head: { sha: string } }>(
    'POST',
    `/repos/${owner}/${repo}/pulls`,
    {
      body: { title: 'Bump images', head: 'bump-images', base: 'main' },
    },
  )
  if (pr.head.sha !== file.commit.sha)
    throw new Error(`PR head ${pr.head.sha} is not the commit ${file.commit.sha}`)
  return { owner, repo, number: pr.number, headSha: pr.head.sha }
}

export interface GiteaComment {
  id: number
  body: string
  user: { id: number; login: string }
  html_url: string
}

/** HTML as the forge renders a comment body (its Markdown renderer and sanitizer, POST /markdown). */
export async function renderMarkdown(gitea: GiteaServer, pr: PullRequest, text: string): Promise<string> {
  const res = await fetch(`${gitea.apiUrl}/markdown`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${gitea.admin.username}:${gitea.admin.password}`).toString('base64')}`,
    },
    body: JSON.stringify({ Text: text, Mode: 'comment', Context: `${gitea.url}/${pr.owner}/${pr.repo}` }),
  })
  if (!res.ok) throw new Error(`POST /markdown: HTTP ${res.status}: ${await res.text()}`)
  return res.text()
}

export function listComments(gitea: GiteaServer, pr: PullRequest): Promise<GiteaComment[]> {
  return gitea.api<GiteaComment[]>('GET', `/repos/${pr.owner}/${pr.repo}/issues/${pr.number}/comments`)
}
