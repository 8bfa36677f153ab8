// What the seed tools' users rely on, through the committed bundles (dist/cli.js, dist/index.js) in plan
// mode (no Zot needed; seed.int.test.ts warms against a real one): the configuration file and its
// precedence, boolean flags, paths that select nothing, unread image lists, the kubectl pipeline of the seed
// CronJob, image-sync's configuration, and the 120-column table. Every configuration file location is a
// temporary one: ZOT_WARM_SYSTEM_CONFIG and XDG_CONFIG_HOME point into the test's directories.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { parseConfigFile } from '../src/inputs/config-file.js'
import { checkDist, forgejoEnv, githubEnv, newRunDir, ROOT, runBundle } from './support/runner.js'
import { tempDir } from './support/temp.js'

interface Report {
  outcome: { exitCode: number; reason: string }
  images: {
    reference: string
    status: string
    zotReference: string | null
    error: string | null
    sources: {
      file: string
      line: number
      column: number
      kind: string | null
      namespace: string | null
      name: string | null
      container: string | null
      field: string | null
    }[]
  }[]
  notices: { level: string; file: string; message: string }[]
}

const KUBECTL = readFileSync(join(ROOT, '__tests__/fixtures/seed/kubectl-get-all.json'), 'utf8')
const POD = (image: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`

let ws: string
let home: string

beforeAll(() => {
  checkDist()
  ws = tempDir('zot-warm-seed-')
  home = tempDir('zot-warm-seed-home-')
  mkdirSync(join(ws, 'deploy'))
  writeFileSync(join(ws, 'deploy', 'app.yaml'), POD('nginx:1.27'))
  writeFileSync(join(ws, 'deploy', 'images.txt'), '# extra images\nghcr.io/acme/tool:2.0\nredis:7.4\n')
  writeFileSync(join(ws, 'deploy', 'NOTES.txt'), 'Deploy with care.\nAsk the on-call first.\n')
  writeFileSync(join(ws, 'bad.yaml'), POD('"Acme/UPPER:1"'))
})

/** dist/cli.js in `cwd` (the workspace by default) with only the environment given (plus the runner's). */
function cli(args: string[], opts: { env?: Record<string, string>; stdin?: string; cwd?: string } = {}) {
  const dir = newRunDir()
  return runBundle({
    node: process.execPath,
    script: 'dist/cli.js',
    dir,
    args,
    cwd: opts.cwd ?? ws,
    env: { HOME: home, ...opts.env },
    ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
  })
}

function inDir(files: Record<string, string>): string {
  const dir = tempDir('zot-warm-seed-ws-')
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/** dist/index.js as a runner starts it, in `workspace`, with the given inputs; the report at its default place. */
function action(workspace: string, inputs: Record<string, string>) {
  const dir = newRunDir()
  return runBundle({
    node: process.execPath,
    script: 'dist/index.js',
    dir,
    env: githubEnv(dir, workspace),
    inputs,
    reportPath: join(dir, 'runner_temp', 'zot-warm-report.json'),
  })
}

const planned = (report: Report) => report.images.map((i) => `${i.status} ${i.reference} → ${i.zotReference}`)

describe('configuration file (CLI)', () => {
  it('./zot-warm.yaml is read (the log says so) and sits below flags, ZOT_WARM_* and the ZOT_* aliases', async () => {
    const dir = inDir({
      'zot-warm.yaml': 'mode: plan\nregistry-map:\n  docker.io: from-file\nimages: [alpine:3.20]\n',
      'deploy/app.yaml': POD('nginx:1.27'),
    })
    const fromFile = await cli(['--report', '-', 'deploy'], { cwd: dir })
    expect(fromFile.code, fromFile.stderr).toBe(0)
    expect(fromFile.stderr).toContain('Configuration file: ./zot-warm.yaml\n')
    expect(planned(JSON.parse(fromFile.stdout))).toEqual([
      'not-attempted docker.io/library/nginx:1.27 → from-file/library/nginx:1.27',
      'not-attempted docker.io/library/alpine:3.20 → from-file/library/alpine:3.20',
    ])
    const map = (r: Awaited<ReturnType<typeof cli>>) =>
      (JSON.parse(r.stdout) as Report).images[0]?.zotReference?.split('/')[0]
    const alias = await cli(['--report', '-', 'deploy'], {
      cwd: dir,
      env: { ZOT_REGISTRY_MAP: 'docker.io=alias' },
    })
    expect(map(alias)).toBe('alias')
    const env = await cli(['--report', '-', 'deploy'], {
      cwd: dir,
      env: { ZOT_REGISTRY_MAP: 'docker.io=alias', ZOT_WARM_REGISTRY_MAP: 'docker.io=env' },
    })
    expect(map(env)).toBe('env')
    const flag = await cli(['--report', '-', '--registry-map', 'docker.io=flag', 'deploy'], {
      cwd: dir,
      env: { ZOT_WARM_REGISTRY_MAP: 'docker.io=env' },
    })
    expect(map(flag)).toBe('flag')
  })

  it('$XDG_CONFIG_HOME/zot-warm/config.yaml, then the system file; ./zot-warm.yaml wins over both', async () => {
    const xdg = inDir({ 'zot-warm/config.yaml': 'mode: plan\nregistry-map: "docker.io=xdg"\n' })
    const system = inDir({ 'config.yaml': 'mode: plan\nregistry-map: "docker.io=system"\n' })
    const env = { XDG_CONFIG_HOME: xdg, ZOT_WARM_SYSTEM_CONFIG: join(system, 'config.yaml') }
    const dir = inDir({ 'deploy/app.yaml': POD('nginx:1.27') })
    const viaXdg = await cli(['--report', '-', 'deploy'], { cwd: dir, env })
    expect(viaXdg.stderr).toContain(`Configuration file: ${join(xdg, 'zot-warm', 'config.yaml')}\n`)
    expect(viaXdg.stdout).toContain('xdg/library/nginx:1.27')
    const viaSystem = await cli(['--report', '-', 'deploy'], {
      cwd: dir,
      env: { ...env, XDG_CONFIG_HOME: join(xdg, 'nothing-here') },
    })
    expect(viaSystem.stdout).toContain('system/library/nginx:1.27')
    // ~/.config when XDG_CONFIG_HOME is not set.
    const userHome = inDir({ '.config/zot-warm/config.yaml': 'mode: plan\nregistry-map: "docker.io=home"\n' })
    const viaHome = await cli(['--report', '-', 'deploy'], {
      cwd: dir,
      env: { HOME: userHome, XDG_CONFIG_HOME: '', ZOT_WARM_SYSTEM_CONFIG: join(system, 'config.yaml') },
    })
    expect(viaHome.stdout).toContain('home/library/nginx:1.27')
    writeFileSync(join(dir, 'zot-warm.yaml'), 'mode: plan\nregistry-map: "docker.io=local"\n')
    expect((await cli(['--report', '-', 'deploy'], { cwd: dir, env })).stdout).toContain(
      'local/library/nginx:1.27',
    )
    // --config names one explicitly; the search is then skipped.
    const named = inDir({ 'ci.yaml': 'mode: plan\nregistry-map: "docker.io=named"\n' })
    const explicit = await cli(['--config', join(named, 'ci.yaml'), '--report', '-', 'deploy'], {
      cwd: dir,
      env,
    })
    expect(explicit.stdout).toContain('named/library/nginx:1.27')
    expect(explicit.stderr).toContain(`Configuration file: ${join(named, 'ci.yaml')}\n`)
  })

  it('a broken file or an unknown key: exit 1 naming file:line and the nearest key, in soft mode too', async () => {
    const dir = inDir({
      'zot-warm.yaml': 'mode: plan\nregistry_map:\n  docker.io: hub\nstrict: false\n',
      'deploy/app.yaml': POD('nginx:1.27'),
    })
    const unknown = await cli(['--soft', 'deploy'], { cwd: dir })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(
      'zot-warm: invalid configuration:\n  - ./zot-warm.yaml:2:1: unknown key "registry_map"; did you mean "registry-map"?\n',
    )
    writeFileSync(join(dir, 'zot-warm.yaml'), 'mode: plan\n  strict: [false\n')
    const broken = await cli(['deploy'], { cwd: dir })
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(
      /^zot-warm: invalid configuration:\n {2}- \.\/zot-warm\.yaml:\d+:\d+: invalid YAML: /,
    )
    writeFileSync(join(dir, 'zot-warm.yaml'), 'mode: plan\nconcurrency: lots\n')
    const value = await cli(['deploy'], { cwd: dir })
    expect(value.stderr).toContain(
      './zot-warm.yaml:2:14: concurrency: "lots" must be a whole number from 1 to 64.',
    )
    const missing = await cli(['--config', 'nope.yaml', 'deploy'], { cwd: dir })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('config: cannot read "nope.yaml": no such file (ENOENT).')
  })

  it('a file that failed reports only its own problems, not "zot-url: required" for the value it holds', async () => {
    const dir = inDir({
      'zot-warm.yaml': 'zot-url: https://zot.example.com\nregistry-map: {docker.io: hub\n',
      'deploy/app.yaml': POD('nginx:1.27'),
    })
    const broken = await cli(['deploy'], { cwd: dir })
    expect(broken.code).toBe(1)
    const lines = broken.stderr.trimEnd().split('\n')
    expect(lines[0]).toBe('zot-warm: invalid configuration:')
    expect(lines.length).toBeGreaterThan(1)
    for (const line of lines.slice(1))
      expect(line).toMatch(/^ {2}- \.\/zot-warm\.yaml:\d+:\d+: invalid YAML: /)
    // The mistyped key is the problem, and the advice names the key meant.
    writeFileSync(join(dir, 'zot-warm.yaml'), 'zot_url: https://zot.example.com\n')
    const typo = await cli(['deploy'], { cwd: dir })
    expect(typo.code).toBe(1)
    expect(typo.stderr).toBe(
      'zot-warm: invalid configuration:\n  - ./zot-warm.yaml:1:1: unknown key "zot_url"; did you mean "zot-url"?\n',
    )
  })

  it('a password in the file is redacted from everything the CLI writes', async () => {
    const secret = 'pw-in-config-file-7f3a'
    const dir = inDir({
      'zot-warm.yaml': `mode: plan\nusername: ci\npassword: ${secret}\nimages:\n  - ghcr.io/acme/${secret}:1\n`,
    })
    const run = await cli(['--report', '-'], { cwd: dir })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('ghcr.io/acme/***:1')
    expect(`${run.stdout}${run.stderr}`).not.toContain(secret)
  })

  it('--help says which files are read, in which order, and the boolean spellings', async () => {
    const help = (await cli(['--help'])).stdout.replace(/\s+/g, ' ')
    expect(help).toContain(
      'Precedence: flag, ZOT_WARM_<NAME>, the ZOT_* aliases, the configuration file, the default.',
    )
    expect(help).toContain(
      'The file is --config FILE, else the first that exists of ./zot-warm.yaml, $XDG_CONFIG_HOME/zot-warm/config.yaml (~/.config when unset) and /etc/zot-warm/config.yaml; the log names the one read.',
    )
    expect(help).toContain(
      'Boolean options: --strict, --no-strict, --strict=true|false; --soft is --no-strict.',
    )
  })
})

describe('configuration file (action)', () => {
  it('the config input names the file; inputs the workflow sets win, the file fills the rest', async () => {
    const workspace = inDir({
      'ci/zot-warm.yaml': 'mode: plan\nstrict: false\nregistry-map:\n  docker.io: from-file\npaths: deploy\n',
      'deploy/app.yaml': POD('"Acme/UPPER:1"'),
      'zot-warm.yaml': 'mode: warm\n', // not read by the action: only the file its input names
    })
    writeFileSync(join(workspace, 'deploy', 'ok.yaml'), POD('nginx:1.27'))
    const run = await action(workspace, {
      config: 'ci/zot-warm.yaml',
      'registry-map': 'docker.io: from-input',
    })
    // strict: false from the file: the invalid reference warns, exit 0.
    expect(run.code, run.stdout).toBe(0)
    expect(run.stdout).toContain('Configuration file: ')
    const report = run.report as Report & { mode: string; strict: boolean }
    expect(report.mode).toBe('plan')
    expect(report.strict).toBe(false)
    expect(planned(report)).toContain(
      'not-attempted docker.io/library/nginx:1.27 → from-input/library/nginx:1.27',
    )
  })

  it('a password in the file is masked (::add-mask::) before anything else is printed', async () => {
    const secret = 'pw-in-action-config-91c2'
    const workspace = inDir({
      'zot-warm.yaml': `mode: plan\nusername: ci\npassword: ${secret}\nimages: [ghcr.io/acme/${secret}:1]\n`,
    })
    const run = await action(workspace, { config: 'zot-warm.yaml' })
    expect(run.code, run.stdout).toBe(0)
    const lines = run.stdout.split('\n')
    expect(lines[0]).toBe(`::add-mask::${secret}`)
    expect(lines.slice(1).join('\n')).not.toContain(secret)
    expect(run.reportText).toContain('ghcr.io/acme/***:1')
    expect(`${run.summary}${run.outputsRaw}${run.reportText}`).not.toContain(secret)
  })

  it('a bad key in it fails the step (exit 1) with an error annotation at the file and line', async () => {
    const workspace = inDir({
      'ci/zot-warm.yaml': 'zot_url: https://zot\nconcurrency: lots\n',
      'deploy/app.yaml': POD('nginx:1.27'),
    })
    const run = await action(workspace, { config: 'ci/zot-warm.yaml', paths: 'deploy' })
    expect(run.code).toBe(1)
    // Only the file's problems: zot-url is not "required", it is mistyped there.
    expect(run.commands.filter((c) => c.command === 'error')).toEqual([
      {
        command: 'error',
        props: { title: 'zot-warm: configuration', file: 'ci/zot-warm.yaml', line: '1', col: '1' },
        message: 'unknown key "zot_url"; did you mean "zot-url"?',
      },
      {
        command: 'error',
        props: { title: 'zot-warm: configuration', file: 'ci/zot-warm.yaml', line: '2', col: '14' },
        message: 'concurrency: "lots" must be a whole number from 1 to 64.',
      },
      { command: 'error', props: {}, message: 'zot-warm: invalid configuration (2 problems, listed above)' },
    ])
    // A path that selects nothing, from the file: at its item; the file name escaped as a property (`,`, `:`).
    writeFileSync(join(workspace, 'ci', 'a,b:c.yaml'), 'mode: plan\npaths:\n  - deploy\n  - nope/*.yml\n')
    const later = await action(workspace, { config: 'ci/a,b:c.yaml' })
    expect(later.code).toBe(1)
    expect(later.commands.find((c) => c.command === 'error')).toEqual({
      command: 'error',
      props: { title: 'zot-warm: configuration', file: 'ci/a,b:c.yaml', line: '4', col: '5' },
      message: expect.stringMatching(/^paths: "nope\/\*\.yml" matches no file /),
    })
    expect(later.stdout).toContain(
      '::error title=zot-warm%3A configuration,file=ci/a%2Cb%3Ac.yaml,line=4,col=5::paths: ',
    )
    // Outside the workspace there is nothing to point at: the text names the file.
    const outside = tempDir('zot-warm-seed-outside-')
    writeFileSync(join(outside, 'zot-warm.yaml'), 'zot_url: https://zot\n')
    const away = await action(workspace, { config: join(outside, 'zot-warm.yaml') })
    expect(away.code).toBe(1)
    expect(away.commands.find((c) => c.command === 'error')).toEqual({
      command: 'error',
      props: { title: 'zot-warm: configuration' },
      message: `${join(outside, 'zot-warm.yaml')}:1:1: unknown key "zot_url"; did you mean "zot-url"?`,
    })
  })
})

describe('boolean flags', () => {
  it('`--mode plan --strict false deploy/` is refused, never planned as docker.io/library/false:latest', async () => {
    const run = await cli(['--mode', 'plan', '--strict', 'false', 'deploy/'])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(
      "zot-warm: '--strict false': boolean flags take no separate value; write --no-strict (or --strict=false).\nRun zot-warm --help for the options.\n",
    )
    expect(run.stdout).toBe('')
  })

  it.each([['--no-strict'], ['--strict=false'], ['--soft'], ['--strict=no']])(
    '%s: soft mode (the invalid reference warns, exit 0)',
    async (flag) => {
      const run = await cli(['--mode', 'plan', flag, 'bad.yaml'])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toContain('(strict: false)')
    },
  )

  it('--strict=true and the default: strict (exit 2)', async () => {
    expect((await cli(['--mode', 'plan', '--strict=true', 'bad.yaml'])).code).toBe(2)
    expect((await cli(['--mode', 'plan', 'bad.yaml'])).code).toBe(2)
  })
})

describe('paths that select nothing', () => {
  it('exit 1 in strict and soft mode, every one named; nothing is warmed', async () => {
    for (const soft of [[], ['--no-strict']]) {
      // `deplo`: a directory's name mistyped, not an image `library/deplo:latest`.
      const run = await cli([
        '--zot-url',
        'http://127.0.0.1:9',
        ...soft,
        'deploy/*.yml',
        'nope/',
        'deplo',
        'deploy',
      ])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(
        `zot-warm: invalid configuration:\n  - paths: "deploy/*.yml" matches no file (relative to the workspace ${ws}); check the pattern\n  - paths: "nope/" does not exist (relative to the workspace ${ws})\n  - paths: "deplo" does not exist (relative to the workspace ${ws})\n`,
      )
      expect(run.stderr).not.toContain('Connect to Zot')
    }
  })

  it('paths from the configuration file: the problem is reported at the line of the item there', async () => {
    const dir = inDir({
      'zot-warm.yaml': 'mode: plan\npaths:\n  - deploy\n  - deploy/*.yml\n',
      'deploy/app.yaml': POD('nginx:1'),
    })
    const run = await cli([], { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `  - ./zot-warm.yaml:4:5: paths: "deploy/*.yml" matches no file (relative to the workspace ${dir}); check the pattern\n`,
    )
  })

  it('a directory without a single manifest: exit 1, pointing at the image list in it', async () => {
    const dir = inDir({ 'lists/images.txt': 'nginx:1.27\n' })
    const run = await cli(['--mode', 'plan', 'lists'], { cwd: dir })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      '  - paths: directory "lists" holds no .yaml, .yml or .json file; to read the image list in it, name it in paths: lists/images.txt\n',
    )
  })
})

describe('image lists in a scanned directory', () => {
  it('one notice each (not read); a text file that is no image list gets none; named, it is read', async () => {
    const scanned = await cli(['--mode', 'plan', '--report', '-', 'deploy'])
    expect(scanned.code, scanned.stderr).toBe(0)
    const report = JSON.parse(scanned.stdout) as Report
    expect(report.images.map((i) => i.reference)).toEqual(['docker.io/library/nginx:1.27'])
    expect(report.notices).toEqual([
      {
        level: 'notice',
        file: 'deploy/images.txt',
        line: null,
        column: null,
        message:
          'looks like an image list: not read (a directory scan or glob reads .yaml, .yml and .json files); name it in `paths` to read it as an image list',
      },
    ])
    const named = await cli(['--mode', 'plan', '--report', '-', 'deploy', 'deploy/images.txt'])
    const images = (JSON.parse(named.stdout) as Report).images.map((i) => i.reference)
    expect(images).toEqual([
      'docker.io/library/nginx:1.27',
      'ghcr.io/acme/tool:2.0',
      'docker.io/library/redis:7.4',
    ])
    expect((JSON.parse(named.stdout) as Report).notices).toEqual([])
  })

  it('the action scanning the same directory: one notice annotation on the list, none on the notes', async () => {
    const run = await action(ws, { mode: 'plan', paths: 'deploy' })
    expect(run.code, run.stdout).toBe(0)
    expect(run.commands.filter((c) => c.command === 'notice' || c.props.file?.endsWith('.txt'))).toEqual([
      {
        command: 'notice',
        props: expect.objectContaining({ file: 'deploy/images.txt' }),
        message:
          'looks like an image list: not read (a directory scan or glob reads .yaml, .yml and .json files); name it in `paths` to read it as an image list',
      },
    ])
  })

  it('a glob (deploy/*) reads the manifests: a NOTES.txt it matches fails no strict run, the list gets its notice', async () => {
    const message =
      'looks like an image list: not read (a directory scan or glob reads .yaml, .yml and .json files); name it in `paths` to read it as an image list'
    const run = await cli(['--mode', 'plan', '--report', '-', 'deploy/*'])
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout) as Report
    expect(report.images.map((i) => `${i.status} ${i.reference}`)).toEqual([
      'not-attempted docker.io/library/nginx:1.27',
    ])
    expect(report.notices.map((n) => [n.level, n.file, n.message])).toEqual([
      ['notice', 'deploy/images.txt', message],
    ])
    // Named, the list is read (the notes never are: nothing names them).
    const named = await cli(['--mode', 'plan', '--report', '-', 'deploy/*', 'deploy/images.txt'])
    expect(named.code, named.stderr).toBe(0)
    expect((JSON.parse(named.stdout) as Report).images.map((i) => i.reference)).toEqual([
      'docker.io/library/nginx:1.27',
      'ghcr.io/acme/tool:2.0',
      'docker.io/library/redis:7.4',
    ])

    const step = await action(ws, { mode: 'plan', paths: 'deploy/*' })
    expect(step.code, step.stdout).toBe(0)
    expect(step.commands.filter((c) => ['error', 'warning', 'notice'].includes(c.command))).toEqual([
      { command: 'notice', props: expect.objectContaining({ file: 'deploy/images.txt' }), message },
    ])
  })
})

describe('the seed CronJob pipeline: kubectl get … -A -o json | zot-warm -', () => {
  const MAP = 'docker.io=hub\nghcr.io=ghcr\nquay.io=quay\nregistry.k8s.io=k8s'

  it('every image the pod specs and pod templates name, at its line; none from status or annotations', async () => {
    const run = await cli(['--mode', 'plan', '--registry-map', MAP, '--report', '-', '-'], { stdin: KUBECTL })
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout) as Report
    expect(report.images.map((i) => `${i.status} ${i.reference}`)).toEqual([
      'not-attempted registry.k8s.io/coredns/coredns:v1.11.3',
      'not-attempted registry.k8s.io/kube-proxy:v1.31.2',
      'not-attempted docker.io/library/nginx:1.27',
      'not-attempted docker.io/fluent/fluent-bit:3.1.9',
      'not-attempted docker.io/library/busybox:1.36',
      'not-attempted docker.io/library/busybox:1.37',
      'not-attempted ghcr.io/acme/api:1.4.3',
      'skipped-unmapped localhost:5001/acme/tool:dev',
      'not-attempted docker.io/library/postgres:16.4',
      'not-attempted ghcr.io/acme/backup:2.3.0',
      'not-attempted quay.io/prometheus/node-exporter:v1.8.2',
    ])
    // Each source points at the image's own text in the JSON: line, column of the value, object, field.
    const lines = KUBECTL.split('\n')
    for (const img of report.images)
      for (const s of img.sources) {
        expect(s.file).toBe('-')
        expect(lines[s.line - 1]?.slice(s.column - 1), `${img.reference} at ${s.line}:${s.column}`).toMatch(
          /^"[^"]+",?$/,
        )
        expect(s.field).toMatch(
          /^items\[\d+\]\.spec\.(?:jobTemplate\.spec\.)?(?:template\.spec\.)?(?:containers|initContainers|ephemeralContainers)\[\d\]\.image$/,
        )
      }
    const backup = report.images.find((i) => i.reference === 'ghcr.io/acme/backup:2.3.0')
    expect(
      backup?.sources.map((s) => `${s.kind} ${s.namespace}/${s.name} ${s.container} ${s.line}:${s.column}`),
    ).toEqual([
      'Pod batch/backup-29406780-k7w2s backup 806:34',
      'Job batch/backup-29406780 backup 1427:42',
      'CronJob batch/backup backup 1507:50',
    ])
    // kubectl debug's ephemeral container counts: it is in the pod spec.
    expect(report.images.find((i) => i.reference.endsWith('busybox:1.37'))?.sources[0]).toMatchObject({
      kind: 'Pod',
      container: 'debugger-7xk2p',
      field: 'items[3].spec.ephemeralContainers[0].image',
    })
    // Not taken: status.containerStatuses[].image / imageID (a kind-loaded image is only "sha256:…" there),
    // and the old image in the last-applied-configuration annotation.
    expect(KUBECTL).toContain('"imageID": "docker.io/library/nginx@sha256:')
    expect(KUBECTL).toContain('\\"image\\":\\"nginx:1.26\\"')
    expect(run.stdout).not.toMatch(/nginx:1\.26|"reference": "sha256:|@sha256:/)
  })

  it('the CLI table of that run fits 120 columns; the report keeps every reference whole', async () => {
    const long = `ghcr.io/acme/${'platform-team-'.repeat(5)}ingest-worker:2024.11.30-build.4711`
    const stdin = KUBECTL.replaceAll('"ghcr.io/acme/api:1.4.3"', JSON.stringify(long))
    const run = await cli(['--mode', 'plan', '--registry-map', MAP, '-'], { stdin })
    expect(run.code, run.stderr).toBe(0)
    const table = run.stdout.trimEnd().split('\n')
    // Plan mode learns no digest, platform or time: those columns are left out.
    expect(table[0]).toMatch(/^STATUS +IMAGE +ZOT REFERENCE +USED IN$/)
    expect(table).toHaveLength(12)
    for (const line of table) expect([...line].length, line).toBeLessThanOrEqual(120)
    const row = table.find((l) => l.includes('-build.4711')) as string
    // Shortened in the middle: the registry and the tag stay.
    expect(row).toMatch(/ ghcr\.io\/acme\/[^ ]*…[^ ]*-build\.4711 /)
    const json = await cli(['--mode', 'plan', '--registry-map', MAP, '--report', '-', '-'], { stdin })
    expect((JSON.parse(json.stdout) as Report).images.map((i) => i.reference)).toContain(long)
  })

  it('a runtime image keeps its file name in the table, marked (rt) with a legend (CLI and Forgejo log)', async () => {
    const controller = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: cert-manager, namespace: cert-manager}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: controller',
      '          image: quay.io/jetstack/cert-manager-controller:v1.15.3',
      '          args:',
      '            - --acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.15.3',
      '          env:',
      '            - name: RELATED_IMAGE_WEBHOOK',
      '              value: quay.io/jetstack/cert-manager-webhook:v1.15.3',
      '',
    ].join('\n')
    const workspace = inDir({ 'deploy/cert-manager/cert-manager-controller.yaml': controller })
    const rows = (text: string) => {
      const lines = text.split('\n')
      const start = lines.findIndex((l) => /^STATUS +IMAGE +ZOT REFERENCE/.test(l))
      return lines.slice(start, start + 6)
    }
    // The references cut in the middle (registry or prefix and tag stay), the file names whole.
    const expected = [
      /^STATUS +IMAGE +ZOT REFERENCE +USED IN$/,
      /^planned +quay\.io\/jetstack\/[^ ]*…[^ ]*-controller:v1\.15\.3 +quay\/jetsta[^ ]*…[^ ]*:v1\.15\.3 +(?:dep[^ ]*…[^ ]*\/)?cert-manager-controller\.yaml:9$/,
      /^planned +quay\.io\/jetstack\/[^ ]*…[^ ]*-acmesolver:v1\.15\.3 +quay\/jetsta[^ ]*…[^ ]*:v1\.15\.3 +(?:[^ ]*\/)?cert-manager-controller\.yaml:11 \(rt\)$/,
      /^planned +quay\.io\/jetstack\/[^ ]*…[^ ]*-webhook:v1\.15\.3 +quay\/jetsta[^ ]*…[^ ]*:v1\.15\.3 +(?:[^ ]*\/)?cert-manager-controller\.yaml:14 \(rt\)$/,
      /^$/,
      /^\(rt\) runtime image: named by a container flag or env value; the workload pulls it later$/,
    ]
    const run = await cli(['--mode', 'plan', '--registry-map', MAP, 'deploy'], { cwd: workspace })
    expect(run.code, run.stderr).toBe(0)
    const table = rows(run.stdout)
    expect(table).toEqual(expected.map((re) => expect.stringMatching(re)))
    for (const line of table) expect([...line].length, line).toBeLessThanOrEqual(120)

    const dir = newRunDir()
    const forgejo = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir,
      env: forgejoEnv(dir, workspace),
      inputs: { mode: 'plan', paths: 'deploy', 'registry-map': MAP },
    })
    expect(forgejo.code, forgejo.stdout).toBe(0)
    expect(rows(forgejo.stdout)).toEqual(expected.map((re) => expect.stringMatching(re)))
    // The summary (Markdown on Forgejo) holds the same table, the legend inside its fence.
    expect(rows(forgejo.summary)).toEqual(expected.map((re) => expect.stringMatching(re)))
    expect(forgejo.summary).toMatch(/\n\(rt\) runtime image: [^\n]*\n```\n/)
  })

  it('the action prints the same table in a Forgejo log (no summary page there): 120 columns', async () => {
    const long = `ghcr.io/acme/${'platform-team-'.repeat(5)}ingest-worker:2024.11.30-build.4711`
    const workspace = inDir({
      'cluster.json': KUBECTL.replaceAll('"ghcr.io/acme/api:1.4.3"', JSON.stringify(long)),
    })
    const dir = newRunDir()
    const run = await runBundle({
      node: process.execPath,
      script: 'dist/index.js',
      dir,
      env: forgejoEnv(dir, workspace),
      inputs: { mode: 'plan', paths: 'cluster.json', 'registry-map': MAP },
    })
    expect(run.code, run.stdout).toBe(0)
    const lines = run.stdout.split('\n')
    const start = lines.findIndex((l) => /^STATUS +IMAGE +ZOT REFERENCE/.test(l))
    const table = lines.slice(start, start + 12)
    expect(table.filter((l) => l.startsWith('planned '))).toHaveLength(10)
    for (const line of table) expect([...line].length, line).toBeLessThanOrEqual(120)
    expect(table.join('\n')).toMatch(/ ghcr\.io\/acme\/[^ ]*…[^ ]*-build\.4711 /)
  })

  it('examples/seed-cronjob.yaml: the ClusterRole lets the job list exactly what its kubectl command reads', () => {
    const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples/seed-cronjob.yaml'), 'utf8')).map(
      (d) => {
        expect(d.errors).toEqual([])
        return d.toJS() as { kind: string; metadata: { name: string }; [k: string]: unknown }
      },
    )
    const byKind = (kind: string) => docs.filter((d) => d.kind === kind)
    expect(docs.map((d) => d.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'CronJob',
    ])
    const cron = byKind('CronJob')[0] as unknown as {
      spec: { jobTemplate: { spec: { template: { spec: CronPod } } } }
    }
    interface CronPod {
      serviceAccountName: string
      containers: { command: string[]; volumeMounts: { name: string; mountPath: string }[] }[]
      volumes: { name: string; configMap?: { name: string } }[]
    }
    const pod = cron.spec.jobTemplate.spec.template.spec
    const script = pod.containers[0]?.command.join(' ') ?? ''
    const kubectl = /kubectl get (\S+) -A -o json\s*\|\s*node \S+\/dist\/cli\.js -(?:\s|$)/.exec(script)
    expect(kubectl, script).not.toBeNull()
    const wanted = (kubectl?.[1] ?? '').split(',')
    expect(wanted).toEqual(['pods', 'deployments', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs'])
    // Which API group each kind is in, as the API server knows them.
    const group: Record<string, string> = {
      pods: '',
      deployments: 'apps',
      statefulsets: 'apps',
      daemonsets: 'apps',
      jobs: 'batch',
      cronjobs: 'batch',
    }
    const role = byKind('ClusterRole')[0] as unknown as {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[]
    }
    const granted = role.rules.flatMap((r) => {
      expect(r.verbs).toEqual(['list']) // kubectl get of a type lists it; nothing more is needed
      return r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`))
    })
    expect(granted.sort()).toEqual(wanted.map((w) => `${group[w]}/${w}`).sort())
    // Bound to the account the CronJob runs as.
    const binding = byKind('ClusterRoleBinding')[0] as unknown as {
      roleRef: { kind: string; name: string }
      subjects: { kind: string; name: string; namespace: string }[]
    }
    expect(binding.roleRef).toMatchObject({
      kind: 'ClusterRole',
      name: role && (byKind('ClusterRole')[0]?.metadata.name as string),
    })
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'zot-warm' },
    ])
    // The ConfigMap is mounted where the CLI looks for its system-wide file, and is a valid one.
    const config = byKind('ConfigMap')[0] as unknown as {
      metadata: { name: string }
      data: Record<string, string>
    }
    const volume = pod.volumes.find((v) => v.configMap?.name === config.metadata.name)
    expect(pod.containers[0]?.volumeMounts).toContainEqual(
      expect.objectContaining({ name: volume?.name, mountPath: '/etc/zot-warm' }),
    )
    const file = parseConfigFile('/etc/zot-warm/config.yaml', config.data['config.yaml'] ?? '')
    expect(file.problems).toEqual([])
    expect([...file.values.keys()]).toEqual(['zot-url', 'registry-map', 'concurrency', 'image-timeout'])
  })

  it('examples/seed-cronjob.yaml as zot-warm reads it: its own images, nothing from the ConfigMap', async () => {
    const run = await cli(['--mode', 'plan', '--report', '-', join(ROOT, 'examples/seed-cronjob.yaml')])
    expect(run.code, run.stderr).toBe(0)
    expect((JSON.parse(run.stdout) as Report).images.map((i) => i.reference)).toEqual([
      'docker.io/alpine/k8s:1.34.1',
      'docker.io/alpine/git:2.49.1',
      'docker.io/library/node:24-alpine',
    ])
  })
})

describe("image-sync's configuration as an input", () => {
  it('images: [{source, tag}] → source:tag at the source line; the problems named', async () => {
    const run = await cli([
      '--mode',
      'plan',
      '--report',
      '-',
      join(ROOT, '__tests__/fixtures/seed/image-sync.yaml'),
    ])
    const report = JSON.parse(run.stdout) as Report
    const rows = report.images.map((i) => {
      const s = i.sources[0]
      return `${i.status} ${i.reference} ${s?.line}:${s?.column} ${s?.field}`
    })
    expect(rows).toEqual([
      'not-attempted docker.io/library/nginx:1.27 3:13 images[0].source',
      'not-attempted ghcr.io/acme/api:1.10 5:13 images[1].source',
      'not-attempted quay.io/prometheus/node-exporter:v1.8.2 7:13 images[2].source',
      'not-attempted registry.k8s.io/pause:3.10 9:13 images[3].source',
      'not-attempted docker.io/library/redis@sha256:7b1f7a5e0a3c9e2d4b6f8a1c3e5d7f9b2a4c6e8d0f1a3b5c7d9e1f3a5b7c9d1e 10:13 images[4].source',
      'invalid ghcr.io/acme/worker:2.0:2.1 12:13 images[5].source',
      'unresolved ghcr.io/acme/{{ .Values.name }}:1 14:13 images[6].source',
    ])
    expect(report.images[5]?.error).toBe(
      'source "ghcr.io/acme/worker:2.0" already names a tag or digest, and tag "2.1" is given too: write it once',
    )
    expect(report.notices).toEqual([
      expect.objectContaining({
        level: 'warning',
        line: 16,
        column: 5,
        message: 'images[7] has no source: skipped',
      }),
    ])
    expect(run.code).toBe(2)
  })
})
