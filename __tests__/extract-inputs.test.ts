// Which files extract() reads: the default scan, directories, globs, `!` excludes, explicit files, stdin and
// the images input, with workspace-relative `/` paths in every Source.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { extract } from '../src/extract/index.js'
import { UNREAD_LIST_MESSAGE } from '../src/extract/unread-lists.js'
import { tempDir } from './support/temp.js'

const root = tempDir('zot-warm-inputs-')
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

/** A workspace where every file holds one reference naming the file, so what was read is plain to see. */
function workspace(files: string[]): string {
  const dir = join(root, `ws-${n++}`)
  for (const f of files) {
    const path = join(dir, f)
    mkdirSync(dirname(path), { recursive: true })
    const tag = f.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')
    if (f.endsWith('.json'))
      writeFileSync(path, JSON.stringify({ image: `ghcr.io/ws/${tag.toLowerCase()}:1` }))
    else if (/\.ya?ml$/.test(f)) writeFileSync(path, `image: ghcr.io/ws/${tag.toLowerCase()}:1\n`)
    else writeFileSync(path, `ghcr.io/ws/${tag.toLowerCase()}:1\n`)
  }
  return dir
}

const LAYOUT = [
  'deploy/app.yaml',
  'deploy/db.yml',
  'deploy/nested/deep/cm.json',
  'deploy/notes.txt',
  '.ci/k8s.yaml',
  '.git/config.yaml',
  'node_modules/pkg/chart.yaml',
  'sub/node_modules/x.yaml',
  '.github/workflows/ci.yml',
  '.forgejo/workflows/ci.yaml',
  '.gitea/workflows/ci.yaml',
  '.github/dependabot.yml',
  'images.list',
  'README.md',
]

async function filesRead(paths: string[], opts: { stdin?: string; images?: string[]; scan?: boolean } = {}) {
  const ws = workspace(LAYOUT)
  const r = await extract({ workspace: ws, paths, ...opts })
  return { files: [...new Set(r.images.flatMap((i) => i.sources.map((s) => s.file)))], r }
}

describe('inputs', () => {
  it('default scan: YAML and JSON anywhere, dot folders too, but not .git, node_modules or CI workflows', async () => {
    const { files, r } = await filesRead([])
    expect(files).toEqual([
      '.ci/k8s.yaml',
      '.github/dependabot.yml',
      'deploy/app.yaml',
      'deploy/db.yml',
      'deploy/nested/deep/cm.json',
    ])
    // The plain image lists of the workspace are passed over, each with a notice saying how to read it.
    expect(r.notices).toEqual([
      { level: 'notice', file: 'deploy/notes.txt', message: UNREAD_LIST_MESSAGE },
      { level: 'notice', file: 'images.list', message: UNREAD_LIST_MESSAGE },
    ])
    expect(r.files).toBe(5)
  })

  it('a directory is scanned recursively for YAML and JSON only', async () => {
    const { files } = await filesRead(['deploy'])
    expect(files).toEqual(['deploy/app.yaml', 'deploy/db.yml', 'deploy/nested/deep/cm.json'])
  })

  it('globs are relative to the workspace; a named file of any kind is read by content', async () => {
    const { files } = await filesRead(['deploy/**/*.json', 'images.list', './deploy/notes.txt'])
    expect(files).toEqual(['deploy/nested/deep/cm.json', 'images.list', 'deploy/notes.txt'])
  })

  it('a glob reads what a directory scan reads: manifests; a matched image list gets a notice, unless named', async () => {
    const { files, r } = await filesRead(['deploy/*'])
    expect(files).toEqual(['deploy/app.yaml', 'deploy/db.yml'])
    expect(r.notices).toEqual([{ level: 'notice', file: 'deploy/notes.txt', message: UNREAD_LIST_MESSAGE }])
    const named = await filesRead(['deploy/*', 'deploy/notes.txt'])
    expect(named.files).toEqual(['deploy/app.yaml', 'deploy/db.yml', 'deploy/notes.txt'])
    expect(named.r.notices).toEqual([])
    // Other files it matches are passed over without a word, as in a directory scan.
    const root = await filesRead(['{README.md,images.list,.ci/k8s.yaml}'])
    expect(root.files).toEqual(['.ci/k8s.yaml'])
    expect(root.r.notices).toEqual([{ level: 'notice', file: 'images.list', message: UNREAD_LIST_MESSAGE }])
  })

  it('a glob that matches files but no manifest is a configuration error naming the image lists it matched', async () => {
    const ws = workspace(LAYOUT)
    const err = await extract({ workspace: ws, paths: ['**/*.{txt,list}', '*.md', 'deploy/app.yaml'] }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toEqual([
      'paths: "**/*.{txt,list}" matches no .yaml, .yml or .json file; to read image lists it matches, name them in paths: deploy/notes.txt, images.list',
      'paths: "*.md" matches no .yaml, .yml or .json file; a glob reads manifests only: name another kind of file to read it',
    ])
  })

  it('`!` excludes apply to directories, globs and named files alike', async () => {
    const { files, r } = await filesRead([
      'deploy',
      '.ci/k8s.yaml',
      '!**/*.json',
      '!deploy/db.yml',
      '!.ci/**',
    ])
    expect(files).toEqual(['deploy/app.yaml'])
    expect(r.notices).toEqual([{ level: 'notice', file: 'deploy/notes.txt', message: UNREAD_LIST_MESSAGE }])
    const excluded = await filesRead(['deploy', '!**/*.txt'])
    expect(excluded.r.notices).toEqual([])
  })

  it('reads each file once even when several entries select it', async () => {
    const { r } = await filesRead(['deploy', 'deploy/app.yaml', 'deploy/*.yaml'])
    expect(r.files).toBe(3)
    const app = r.images.find((i) => i.key === 'ghcr.io/ws/deploy-app-yaml:1')
    expect(app?.sources).toHaveLength(1)
  })

  it('a directory named explicitly scans into workflow folders (only the default scan skips them)', async () => {
    const { files } = await filesRead(['.github'])
    expect(files).toEqual(['.github/dependabot.yml', '.github/workflows/ci.yml'])
  })

  it('every include that selects nothing is a configuration error naming it, all of them at once', async () => {
    const ws = workspace(LAYOUT)
    const err = await extract({ workspace: ws, paths: ['nope/', 'deploy/*.toml', 'deploy/app.yaml'] }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).problems).toEqual([
      `paths: "nope/" does not exist (relative to the workspace ${ws})`,
      `paths: "deploy/*.toml" matches no file (relative to the workspace ${ws}); check the pattern`,
    ])
  })

  it('image lists in a scanned directory: one notice each, not read; named ones are read', async () => {
    const { files, r } = await filesRead(['deploy', 'images.list'])
    expect(files).toEqual(['deploy/app.yaml', 'deploy/db.yml', 'deploy/nested/deep/cm.json', 'images.list'])
    expect(r.notices).toEqual([{ level: 'notice', file: 'deploy/notes.txt', message: UNREAD_LIST_MESSAGE }])
  })

  it('stdin: read as file "-", in the place of "-" among the paths', async () => {
    const { files } = await filesRead(['deploy/app.yaml', '-', '.ci/k8s.yaml'], {
      stdin: 'ghcr.io/ws/stdin:1\n',
    })
    expect(files).toEqual(['deploy/app.yaml', '-', '.ci/k8s.yaml'])
  })

  it('stdin without paths replaces the default scan', async () => {
    const { files, r } = await filesRead([], { stdin: 'image: ghcr.io/ws/from-stdin:1\n' })
    expect(files).toEqual(['-'])
    expect(r.images[0]?.sources[0]).toMatchObject({ file: '-', line: 1, column: 8, document: 0 })
  })

  it('images input: Source.file "<images input>", line = index + 1', async () => {
    const { r } = await filesRead(['!**'], { images: ['nginx:1.27', 'ghcr.io/ws/deploy-app-yaml:1'] })
    expect(r.images.map((i) => [i.key, i.sources.map((s) => `${s.file}:${s.line}:${s.column}`)])).toEqual([
      ['docker.io/library/nginx:1.27', ['<images input>:1:1']],
      ['ghcr.io/ws/deploy-app-yaml:1', ['<images input>:2:1']],
    ])
    expect(r.notices).toEqual([])
  })

  it('scan: false reads only the images input: no default scan, no notice', async () => {
    const { files, r } = await filesRead([], { images: ['nginx:1.27'], scan: false })
    expect(files).toEqual(['<images input>'])
    expect(r.files).toBe(0)
    expect(r.notices).toEqual([])
    // The same call with the default scan reads the workspace too.
    expect((await filesRead([], { images: ['nginx:1.27'] })).r.files).toBeGreaterThan(0)
  })

  it('images input references found in files too are one image with every occurrence', async () => {
    const { r } = await filesRead(['deploy/app.yaml'], { images: ['ghcr.io/ws/deploy-app-yaml:1'] })
    expect(r.images).toHaveLength(1)
    expect(r.images[0]?.sources.map((s) => s.file)).toEqual(['deploy/app.yaml', '<images input>'])
  })

  it('warns when the default scan finds nothing to read', async () => {
    const dir = join(root, `empty-${n++}`)
    mkdirSync(dir)
    const r = await extract({ workspace: dir, paths: [] })
    expect(r.notices).toEqual([
      {
        level: 'warning',
        file: '.',
        message: expect.stringContaining('no .yaml, .yml or .json file in the workspace'),
      },
    ])
    expect(r.files).toBe(0)
  })

  it('files outside the workspace keep a relative path', async () => {
    const ws = workspace(['inner/a.yaml'])
    const outside = join(dirname(ws), `outside-${n++}.yaml`)
    writeFileSync(outside, 'image: ghcr.io/ws/outside:1\n')
    const r = await extract({ workspace: join(ws, 'inner'), paths: [`../../${outside.split('/').pop()}`] })
    expect(r.images[0]?.sources[0]?.file).toBe(`../../${outside.split('/').pop()}`)
  })
})
