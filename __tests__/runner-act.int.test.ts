// A real runner executes a workflow with `uses: ./`: nektos/act in host mode (no Docker), built with
// `go install` (scripts/ensure-act.mjs). It runs dist/index.js exactly as a Forgejo runner does: with the
// host's `node` (Node 20 here) whatever `runs.using` says, and against the real Zot test bed.
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { ensureAct } from '../scripts/ensure-act.mjs'
import { pushImage } from './support/images.js'
import { listTags } from './support/registry.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()
const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '..')
const PASSWORD = 'act-s3cret-Pa55'
const HEAD_SHA = '0123456789abcdef0123456789abcdef01234567'

let upstream: ZotServer
let cache: ZotServer
let repo: string
let act: string

const WORKFLOW = `
name: deploy
on: pull_request
jobs:
  warm:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: warm
        uses: ./
        with:
          paths: deploy
          zot-url: \${{ env.ZOT_URL }}
          username: ci
          password: \${{ secrets.ZOT_PASSWORD }}
          registry-map: |
            docker.io=docker-images
          report: \${{ runner.temp }}/zot-warm-report.json
          strict: false
      - name: outputs
        run: |
          echo "OUT total=\${{ steps.warm.outputs.total }} warmed=\${{ steps.warm.outputs.warmed }} failed=\${{ steps.warm.outputs.failed }}"
          echo "REPORT $(cat '\${{ steps.warm.outputs.report }}' | tr -d '\\n')"
`

beforeAll(async () => {
  act = await ensureAct()
  upstream = await startZot({ name: 'upstream' })
  cache = await startZot({
    name: 'cache',
    auth: { users: { ci: PASSWORD } },
    upstreams: [{ url: upstream.url, destination: 'docker-images' }],
  })
  await pushImage(upstream.registry(), { repo: 'library/web', tag: '1.0', kind: 'oci-index' })
  await pushImage(upstream.registry(), { repo: 'team/worker', tag: '2.3', kind: 'oci' })

  // A throwaway repository holding the action as users get it (action.yml + dist/) and a rendered manifest.
  repo = tempDir('zot-warm-act-')
  cpSync(join(ROOT, 'action.yml'), join(repo, 'action.yml'))
  cpSync(join(ROOT, 'dist'), join(repo, 'dist'), { recursive: true })
  cpSync(join(ROOT, '__tests__', 'fixtures', 'act'), join(repo, 'deploy'), { recursive: true })
  mkdirSync(join(repo, '.github', 'workflows'), { recursive: true })
  writeFileSync(join(repo, '.github', 'workflows', 'deploy.yml'), WORKFLOW)
  writeFileSync(
    join(repo, 'event.json'),
    JSON.stringify({ pull_request: { number: 7, head: { sha: HEAD_SHA } } }),
  )
  const git = (...args: string[]) => run('git', args, { cwd: repo })
  await git('init', '-q')
  await git('add', '-A')
  await git('-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', 'commit', '-qm', 'fixture')
}, 120_000)

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true })
})

test('act runs `uses: ./` in host mode: images warmed, a missing one annotated, outputs set, report written, password masked', async () => {
  const { stdout, stderr } = await run(
    act,
    [
      'pull_request',
      '-W',
      '.github/workflows/deploy.yml',
      '-P',
      'ubuntu-latest=-self-hosted',
      '--eventpath',
      'event.json',
      '--env',
      `ZOT_URL=${cache.url}`,
      '-s',
      `ZOT_PASSWORD=${PASSWORD}`,
    ],
    { cwd: repo, timeout: 180_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
  ).catch((err: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`act failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`)
  })
  const log = `${stdout}\n${stderr}`
  expect(log).toContain('Job succeeded')
  expect(log).toMatch(/OUT total=3 warmed=2 failed=1/)
  const reportLine = log.split('\n').find((l) => l.includes('REPORT {'))
  expect(reportLine).toBeDefined()
  const report = JSON.parse(reportLine?.slice(reportLine.indexOf('{')) ?? '{}')
  const refs = report.images.map((i: { reference: string; status: string }) => `${i.reference} ${i.status}`)
  expect(refs.sort()).toEqual([
    'docker.io/library/web:1.0 warmed',
    'docker.io/team/ghost:0.1 failed',
    'docker.io/team/worker:2.3 warmed',
  ])
  // Soft mode: the missing image is a warning annotation at its file and line, and the job still passes.
  expect(log).toMatch(
    /::warning [^\n]*file=deploy\/app\.yaml,line=31,col=14::docker\.io\/team\/ghost:0\.1 failed/,
  )
  // The summary links the file at the pull request's head commit (GITHUB_SHA would be the merge commit).
  expect(log).toContain(`/blob/${HEAD_SHA}/deploy/app.yaml#L31`)
  expect(log).not.toContain(PASSWORD)
  expect(log).not.toContain(Buffer.from(`ci:${PASSWORD}`).toString('base64'))
  // The images are in the cache now: asserted at Zot, not from our own report.
  const reader = { ...cache.registry(), username: 'ci', password: PASSWORD }
  expect((await listTags(reader, 'docker-images/library/web')).tags).toEqual(['1.0'])
  expect((await listTags(reader, 'docker-images/team/worker')).tags).toEqual(['2.3'])
}, 240_000)
