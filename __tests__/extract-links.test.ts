// Symbolic links and the workspace boundary (boundary.ts): links are followed only inside the workspace; a
// link leading out is named in an error notice and nothing behind it is read or printed; files read through
// links inside are reported at their real path; loops end; a directory that cannot be listed is named.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DIRECTORY_LINK_OUT_MESSAGE, LINK_OUT_MESSAGE } from '../src/extract/boundary.js'
import { extract } from '../src/extract/index.js'
import { type ExtractIo, nodeIo } from '../src/extract/io.js'
import { checkDist, githubEnv, newRunDir, runBundle, secretLeaks } from './support/runner.js'

const root = mkdtempSync(join(tmpdir(), 'zot-warm-links-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const pod = (image: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`
const TOKEN = 'ghp_S3cr3tT0kenValue0123456789abcdefABCD'
/** A secret outside every workspace that reads like a manifest (its "image" would be the token). */
const secretFile = join(root, 'home', '.git-credentials')
mkdirSync(dirname(secretFile), { recursive: true })
writeFileSync(
  secretFile,
  `image: ghcr.io/leak/${TOKEN.toLowerCase()}:1\n# https://user:${TOKEN}@github.com\n`,
)
/** A directory outside every workspace with a manifest in it. */
const elsewhere = join(root, 'elsewhere')
mkdirSync(elsewhere)
writeFileSync(join(elsewhere, 'other.yaml'), pod('ghcr.io/elsewhere/app:1'))

function workspace(name: string, files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), content)
  }
  for (const [link, target] of Object.entries(links)) {
    mkdirSync(dirname(join(dir, link)), { recursive: true })
    symlinkSync(target, join(dir, link))
  }
  return dir
}

const DANGLING = 'cannot read file: it vanished or is a dangling symbolic link (ENOENT); skipped'
const LOOP = 'cannot read file: symbolic link loop (ELOOP); skipped'

const places = (ex: Awaited<ReturnType<typeof extract>>) =>
  ex.images.map((i) => [i.key, ...i.sources.map((s) => s.file)])

describe('links leading out of the workspace', () => {
  it('a file link to a secret: not read, named, nothing of it anywhere in the result', async () => {
    const dir = workspace('secret', { 'app.yaml': pod('nginx:1.27') }, { 'notes.yaml': secretFile })
    const ex = await extract({ workspace: dir, paths: [] })
    expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'app.yaml']])
    expect(ex.notices).toEqual([{ level: 'error', file: 'notes.yaml', message: LINK_OUT_MESSAGE }])
    expect(JSON.stringify(ex)).not.toContain(TOKEN.toLowerCase().slice(4, 20))
    expect(ex.read).toEqual(['app.yaml'])
  })

  it('a link to /etc and a link to another directory: not searched, each link named once', async () => {
    const dir = workspace(
      'dirs',
      { 'deploy/app.yaml': pod('nginx:1.27') },
      { etc: '/etc', 'deploy/shared': elsewhere, 'deploy/file.yaml': join(elsewhere, 'other.yaml') },
    )
    const ex = await extract({ workspace: dir, paths: [] })
    expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'deploy/app.yaml']])
    expect(ex.notices).toEqual(
      expect.arrayContaining([
        { level: 'error', file: 'etc', message: DIRECTORY_LINK_OUT_MESSAGE },
        { level: 'error', file: 'deploy/shared', message: DIRECTORY_LINK_OUT_MESSAGE },
        { level: 'error', file: 'deploy/file.yaml', message: LINK_OUT_MESSAGE },
      ]),
    )
    expect(ex.notices).toHaveLength(3)
    // Excluded on purpose: nothing to say.
    const excluded = await extract({
      workspace: dir,
      paths: ['.', '!etc', '!deploy/shared', '!deploy/file.yaml'],
    })
    expect(places(excluded)).toEqual([['docker.io/library/nginx:1.27', 'deploy/app.yaml']])
    expect(excluded.notices).toEqual([])
  })

  it('named links: a file link and a directory link leading out are errors, not configuration errors', async () => {
    const dir = workspace(
      'named',
      { 'app.yaml': pod('nginx:1.27') },
      { 'notes.yaml': secretFile, shared: elsewhere },
    )
    const ex = await extract({ workspace: dir, paths: ['app.yaml', 'notes.yaml', 'shared'] })
    expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'app.yaml']])
    expect(ex.notices).toEqual([
      { level: 'error', file: 'shared', message: DIRECTORY_LINK_OUT_MESSAGE },
      { level: 'error', file: 'notes.yaml', message: LINK_OUT_MESSAGE },
    ])
  })

  it('a path named outside the workspace is read; a link in it leading further out is not', async () => {
    workspace('outside-named', { 'x.yaml': pod('ghcr.io/outside/x:1') }, { 'y.yaml': secretFile })
    const dir = workspace('outside-ws', { 'app.yaml': pod('nginx:1.27') })
    const ex = await extract({ workspace: dir, paths: ['app.yaml', '../outside-named'] })
    expect(places(ex)).toEqual([
      ['docker.io/library/nginx:1.27', 'app.yaml'],
      ['ghcr.io/outside/x:1', '../outside-named/x.yaml'],
    ])
    expect(ex.notices).toEqual([
      { level: 'error', file: '../outside-named/y.yaml', message: LINK_OUT_MESSAGE },
    ])
  })
})

describe('links inside the workspace', () => {
  it('files read through a file or directory link are reported at their real path, once', async () => {
    const dir = workspace(
      'inside',
      { 'releases/v2/app.yaml': pod('ghcr.io/acme/app:2'), 'base/pod.yaml': pod('nginx:1.27') },
      { current: 'releases/v2', 'pod.yaml': 'base/pod.yaml' },
    )
    const ex = await extract({ workspace: dir, paths: [] })
    expect(places(ex)).toEqual([
      ['docker.io/library/nginx:1.27', 'base/pod.yaml'],
      ['ghcr.io/acme/app:2', 'releases/v2/app.yaml'],
    ])
    expect(ex.notices).toEqual([])
    // Named through the link: the same real path.
    const named = await extract({ workspace: dir, paths: ['current/app.yaml', 'pod.yaml'] })
    expect(places(named)).toEqual([
      ['ghcr.io/acme/app:2', 'releases/v2/app.yaml'],
      ['docker.io/library/nginx:1.27', 'base/pod.yaml'],
    ])
  })

  it('a workspace reached through a link: paths stay relative to it', async () => {
    const dir = workspace('real-ws', { 'deploy/app.yaml': pod('nginx:1.27') })
    const alias = join(root, 'ws-alias')
    symlinkSync(dir, alias)
    const ex = await extract({ workspace: alias, paths: [] })
    expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'deploy/app.yaml']])
    expect(ex.notices).toEqual([])
  })

  it('link loops end: directories followed once, file loops not read, everything else read', async () => {
    const dir = workspace(
      'loops',
      { 'dir/app.yaml': pod('nginx:1.27') },
      { 'dir/up': '..', 'a.yaml': 'b.yaml', 'b.yaml': 'a.yaml', 'self.yaml': 'self.yaml' },
    )
    const ex = await extract({ workspace: dir, paths: [] })
    expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'dir/app.yaml']])
    // kubectl apply -f on the folder fails on these: input that was not read, each named.
    expect(ex.notices).toEqual(
      expect.arrayContaining(
        ['a.yaml', 'b.yaml', 'self.yaml'].map((file) => ({
          level: 'error',
          file,
          message: LOOP,
        })),
      ),
    )
    expect(ex.notices).toHaveLength(3)
  })

  it('a manifest link to nothing is named (not read); other dangling links are none of our business', async () => {
    const dir = workspace(
      'dangling',
      { 'deploy/app.yaml': pod('nginx:1.27') },
      { 'deploy/gone.yaml': 'removed.yaml', 'deploy/gone.json': '../nowhere.json', 'deploy/old.txt': 'x' },
    )
    for (const paths of [[], ['deploy'], ['deploy/*']]) {
      const ex = await extract({ workspace: dir, paths })
      expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'deploy/app.yaml']])
      expect(ex.notices.filter((n) => n.level === 'error')).toEqual([
        { level: 'error', file: 'deploy/gone.json', message: DANGLING },
        { level: 'error', file: 'deploy/gone.yaml', message: DANGLING },
      ])
    }
    // Excluded on purpose: nothing to say.
    const excluded = await extract({ workspace: dir, paths: ['deploy', '!deploy/gone.*'] })
    expect(excluded.notices).toEqual([])
  })
})

describe('directories that cannot be listed', () => {
  it('get an error notice naming them (EACCES injected: root reads anything); the rest is read', async () => {
    const dir = workspace('eacces', {
      'locked/app.yaml': pod('ghcr.io/locked/app:1'),
      'ok/app.yaml': pod('nginx:1.27'),
    })
    const io: ExtractIo = {
      ...nodeIo,
      readdir: ((path: string, options: unknown, callback: (err: unknown, entries?: unknown) => void) => {
        if (String(path).replace(/\/$/, '').endsWith('/locked'))
          return callback(
            Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' }),
          )
        return (nodeIo.readdir as unknown as (p: string, o: unknown, cb: typeof callback) => void)(
          path,
          options,
          callback,
        )
      }) as unknown as ExtractIo['readdir'],
    }
    const ex = await extract({ workspace: dir, paths: [] }, io)
    expect(places(ex)).toEqual([['docker.io/library/nginx:1.27', 'ok/app.yaml']])
    expect(ex.notices).toEqual([
      {
        level: 'error',
        file: 'locked',
        message:
          'cannot read directory: permission denied (EACCES): make it readable by the runner; the files in it were not scanned',
      },
    ])
  })
})

describe('through the bundles', () => {
  it('the CLI and the action: a link to a secret fails strict mode and its content appears nowhere', async () => {
    checkDist()
    const dir = workspace('bundle', { 'app.yaml': pod('nginx:1.27') }, { 'notes.yaml': secretFile })
    const run = newRunDir()
    const reportPath = join(run, 'runner_temp', 'zot-warm-report.json')
    const action = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir: run,
      env: githubEnv(run, dir),
      inputs: { mode: 'plan' },
      reportPath,
    })
    expect(action.code).toBe(2)
    expect(action.commands).toContainEqual(
      expect.objectContaining({
        command: 'error',
        props: expect.objectContaining({ file: 'notes.yaml' }),
        message: expect.stringContaining('symbolic link leads outside the workspace: not read'),
      }),
    )
    const secrets = [TOKEN, TOKEN.toLowerCase(), 'ghcr.io/leak', '.git-credentials']
    expect(secretLeaks(action, secrets)).toEqual([])
    const cliRun = newRunDir()
    const cli = await runBundle({
      node: process.execPath,
      script: 'dist/cli.js',
      dir: cliRun,
      cwd: dir,
      args: ['--mode', 'plan', '--report', join(cliRun, 'report.json')],
      reportPath: join(cliRun, 'report.json'),
    })
    expect(cli.code).toBe(2)
    expect(cli.stderr).toContain(`notes.yaml: error: ${LINK_OUT_MESSAGE}`)
    expect(secretLeaks(cli, secrets)).toEqual([])
  })
})
