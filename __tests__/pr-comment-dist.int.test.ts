// The bundled action (dist/index.js, with its lazily loaded comment chunk) started as GitHub's runner starts
// it, on Node 20 and Node 24, against a GitHub-shaped REST API on loopback: which runs comment, which make no
// API call at all, and that a refused token changes nothing but one notice. Zot is not needed: a Zot that
// does not answer is a hard failure (a problem worth a comment), plan mode is a clean run.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BOT, type FakeGitHub, startFakeGitHub } from './support/github-api.js'
import {
  checkDist,
  checkRuntime,
  githubEnv,
  HEAD_SHA,
  newRunDir,
  runBundle,
  runtimes,
} from './support/runner.js'
import { tempDir } from './support/temp.js'
import { freePort } from './support/zot.js'

const TOKEN = 'ghs_bundleWriteToken0123456789abcdef'
const FORK = 'ghs_bundleForkToken0123456789abcdef'
const LIST = 'GET /repos/acme/shop-deploy/issues/42/comments'
const CREATE = 'POST /repos/acme/shop-deploy/issues/42/comments'

let gh: FakeGitHub
let workspace: string
let deadZot: string

beforeAll(async () => {
  checkDist()
  gh = await startFakeGitHub({
    tokens: { [TOKEN]: { user: BOT, write: true }, [FORK]: { user: BOT, write: false } },
  })
  workspace = tempDir('zot-warm-comment-ws-')
  mkdirSync(join(workspace, 'deploy'))
  writeFileSync(
    join(workspace, 'deploy', 'api.yaml'),
    'kind: Pod\nspec:\n  containers:\n    - image: ghcr.io/acme/api:1.4.2\n',
  )
  deadZot = `http://127.0.0.1:${await freePort()}`
})
afterAll(async () => {
  expect(gh?.unexpected).toEqual([])
  await gh?.close()
})

describe.each(runtimes())('GitHub runner: the bundled action on $name', (rt) => {
  beforeAll(() => checkRuntime(rt))

  const action = async (
    inputs: Record<string, string>,
    opts: { event?: 'pull_request' | 'push'; runAttempt?: string } = {},
  ) => {
    const dir = newRunDir()
    const before = gh.requests.length
    const run = await runBundle({
      node: rt.node,
      script: 'dist/index.js',
      dir,
      env: {
        ...githubEnv(dir, workspace, opts.event ?? 'pull_request'),
        GITHUB_API_URL: gh.url,
        GITHUB_RUN_ATTEMPT: opts.runAttempt ?? '1',
      },
      // The runner passes every input, defaults expanded: the job token for github-token.
      inputs: {
        paths: 'deploy',
        'registry-map': 'ghcr.io: ghcr-images',
        'zot-url': deadZot,
        'github-token': TOKEN,
        ...inputs,
      },
    })
    const requests = gh.requests.slice(before)
    return { run, requests, calls: requests.map((r) => `${r.method} ${r.path}`) }
  }

  it('pull_request with a problem: comments; a re-run updates the same comment', async () => {
    gh.comments.length = 0
    const first = await action({})
    expect(first.run.code, first.run.stdout + first.run.stderr).toBe(1)
    expect(first.calls).toEqual([LIST, CREATE, LIST])
    expect(gh.comments).toHaveLength(1)
    const c = gh.comments[0]
    if (!c) throw new Error('no comment')
    expect(first.run.stdout).toContain(
      `Pull request comment created: https://github.com/acme/shop-deploy/pull/42#issuecomment-${c.id}`,
    )
    expect(c.body).toContain('❌ zot-warm: failed: cannot reach Zot at')
    expect(c.body).toContain(
      `<a href="https://github.com/acme/shop-deploy/blob/${HEAD_SHA}/deploy/api.yaml#L4">deploy/<wbr>api.yaml:4</a>`,
    )
    expect(c.body).toContain('<a href="https://github.com/acme/shop-deploy/actions/runs/4242">run #7</a>')
    for (const r of first.requests) expect(r.authorization).toBe(`token ${TOKEN}`)

    const again = await action({}, { runAttempt: '2' })
    expect(again.run.code).toBe(1)
    expect(again.calls).toEqual([LIST, `PATCH /repos/acme/shop-deploy/issues/comments/${c.id}`, LIST])
    expect(gh.comments).toHaveLength(1)
    expect(gh.comments[0]?.body).toContain('actions/runs/4242/attempts/2')
  })

  it('no API call at all: push events, pr-comment off, plan mode (auto)', async () => {
    const push = await action({}, { event: 'push' })
    expect(push.run.code).toBe(1)
    expect(push.calls).toEqual([])
    const off = await action({ 'pr-comment': 'off' })
    expect(off.run.code).toBe(1)
    expect(off.calls).toEqual([])
    const plan = await action({ mode: 'plan' })
    expect(plan.run.code).toBe(0)
    expect(plan.calls).toEqual([])
    for (const { run } of [push, off, plan]) expect(run.stdout).not.toMatch(/pull request comment/i)
  })

  it('a fork pull request (read-only token): one notice, the step’s result unchanged', async () => {
    gh.comments.length = 0
    const failing = await action({ 'github-token': FORK })
    expect(failing.run.code).toBe(1)
    expect(failing.calls).toEqual([LIST, CREATE])
    const clean = await action({ 'github-token': FORK, mode: 'plan', 'pr-comment': 'always' })
    expect(clean.run.code).toBe(0)
    for (const { run } of [failing, clean]) {
      const notices = run.commands.filter((c) => c.command === 'notice')
      expect(notices).toHaveLength(1)
      expect(notices[0]?.props).toEqual({ title: 'zot-warm: pull request comment' })
      expect(notices[0]?.message).toContain(
        'create failed with HTTP 403 (Resource not accessible by integration)',
      )
      const printed = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
      expect(run.stdout).toContain(`::add-mask::${FORK}`)
      expect(printed.join('\n')).not.toContain(FORK)
    }
    // The clean run still says it succeeded.
    expect(clean.run.stdout).toMatch(/zot-warm: 1 image planned/)
  })
})
