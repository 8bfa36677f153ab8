// The CLI in-process (runCli with captured streams), for everything that needs no Zot: flags, environment,
// positionals, plan mode, reports, exit codes 0/1/2. dist.int.test.ts runs the bundle against a real Zot.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CliIo, runCli } from '../src/cli.js'
import { tempDir } from './support/temp.js'

let ws: string

beforeAll(() => {
  ws = tempDir('zot-warm-cli-')
  mkdirSync(join(ws, 'deploy'))
  writeFileSync(
    join(ws, 'deploy', 'app.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n    - name: api\n      image: ghcr.io/acme/api:1.4.2\n',
  )
  writeFileSync(
    join(ws, 'broken.yaml'),
    'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: x\n      image: "Acme/UPPER:1"\n',
  )
})

async function cli(argv: string[], env: Record<string, string> = {}, stdin = '') {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    argv,
    env,
    cwd: ws,
    stdout: (t) => {
      stdout += t
    },
    stderr: (t) => {
      stderr += t
    },
    readStdin: async () => stdin,
    // Never the real ./zot-warm.yaml, XDG, home or /etc files.
    configSearch: { cwd: ws, home: join(ws, 'no-home'), system: join(ws, 'no-etc', 'config.yaml') },
  }
  const code = await runCli(io)
  return { code, stdout, stderr }
}

describe('zot-warm CLI', () => {
  it('--help and --version exit 0', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: zot-warm/)
    const version = await cli(['--version'])
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' })
  })

  it('unknown flags exit 1 with a pointer to --help', async () => {
    const r = await cli(['--zot', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("Unknown option '--zot'")
    expect(r.stderr).toContain('zot-warm --help')
    // The pull request comment is the action's: the CLI has no flag for it.
    const comment = await cli(['--pr-comment', 'always', '--mode', 'plan', 'nginx:1.27'])
    expect(comment.code).toBe(1)
    expect(comment.stderr).toContain("Unknown option '--pr-comment'")
  })

  it('bad configuration exits 1 listing every problem', async () => {
    const r = await cli(['--mode', 'warm', '--concurrency', '0', 'deploy'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('zot-warm: invalid configuration:\n')
    expect(r.stderr).toContain('  - zot-url: required')
    expect(r.stderr).toContain('  - concurrency: "0" must be a whole number from 1 to 64.')
  })

  it('plan mode: no Zot needed; paths and image references as positionals; JSON report to stdout', async () => {
    const r = await cli(['--mode', 'plan', '--report', '-', 'deploy', 'redis:7.4'], {
      ZOT_REGISTRY_MAP: 'docker.io: docker-images\nghcr.io: ghcr-images',
    })
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    const planned = report.images.map(
      (i: { reference: string; zotReference: string }) => `${i.reference} ${i.zotReference}`,
    )
    expect(planned.sort()).toEqual([
      'docker.io/library/nginx:1.27 docker-images/library/nginx:1.27',
      'docker.io/library/redis:7.4 docker-images/library/redis:7.4',
      'ghcr.io/acme/api:1.4.2 ghcr-images/acme/api:1.4.2',
    ])
    // With --report -, the table goes to stderr so stdout stays valid JSON.
    expect(r.stderr).toMatch(/STATUS +IMAGE/)
  })

  it('--report FILE writes the report; the table goes to stdout', async () => {
    const file = join(ws, 'out', 'report.json')
    const r = await cli(['--mode=plan', '--report', file, 'deploy/app.yaml'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(readFileSync(file, 'utf8')).summary.total).toBe(2)
    expect(r.stdout).toMatch(/^STATUS +IMAGE/)
  })

  it('invalid references: exit 2 in strict mode with file:line:col, 0 with --no-strict', async () => {
    const strict = await cli(['--mode', 'plan', 'broken.yaml'])
    expect(strict.code).toBe(2)
    expect(strict.stderr).toMatch(/broken\.yaml:6:\d+: error: "Acme\/UPPER:1" is not a valid image reference/)
    const soft = await cli(['--mode', 'plan', '--no-strict', 'broken.yaml'])
    expect(soft.code).toBe(0)
    expect(soft.stderr).toMatch(/broken\.yaml:6:\d+: warning: /)
  })

  it('flags win over ZOT_WARM_*, which win over the aliases', async () => {
    // ZOT_WARM_MODE=warm would need a Zot; the flag makes it a plan.
    const r = await cli(['--mode', 'plan', 'deploy'], { ZOT_WARM_MODE: 'warm' })
    expect(r.code, r.stderr).toBe(0)
    const env = await cli(['deploy'], { ZOT_WARM_MODE: 'plan', ZOT_WARM_STRICT: 'false' })
    expect(env.code, env.stderr).toBe(0)
    const map = await cli(['--mode', 'plan', '--report', '-', 'deploy'], {
      ZOT_WARM_REGISTRY_MAP: 'docker.io: wins\nghcr.io: wins',
      ZOT_REGISTRY_MAP: 'docker.io: loses\nghcr.io: loses',
    })
    expect(
      JSON.parse(map.stdout).images.every((i: { zotReference: string }) =>
        i.zotReference.startsWith('wins/'),
      ),
    ).toBe(true)
  })

  it('image references alone are warmed without scanning the directory', async () => {
    const r = await cli([
      '--mode',
      'plan',
      '--report',
      '-',
      'redis:7.4',
      `ghcr.io/acme/x@sha256:${'a'.repeat(64)}`,
    ])
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.images.map((i: { reference: string }) => i.reference)).toEqual([
      'docker.io/library/redis:7.4',
      `ghcr.io/acme/x@sha256:${'a'.repeat(64)}`,
    ])
    expect(report.images[0].sources[0]).toMatchObject({ file: '<images input>', line: 1 })
  })

  it('a name without tag or digest that is no file is a path, never an image: a typo stops the run (exit 1)', async () => {
    for (const typo of ['deplo', 'deploy/prod']) {
      const r = await cli(['--mode', 'plan', '--soft', '--report', '-', typo])
      expect(r.code, `${typo}: ${r.stdout}`).toBe(1)
      expect(r.stderr).toContain(`paths: "${typo}" does not exist (relative to the workspace ${ws})`)
      expect(r.stdout).toBe('')
    }
  })

  it('reads manifests from stdin with - (and scans nothing else)', async () => {
    const r = await cli(
      ['--mode', 'plan', '--report', '-', '-'],
      {},
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: alpine:3.20\n',
    )
    expect(r.code, r.stderr).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.images.map((i: { reference: string }) => i.reference)).toEqual([
      'docker.io/library/alpine:3.20',
    ])
    expect(report.images[0].sources[0]).toMatchObject({ file: '-', line: 6 })
  })

  it('unreachable Zot exits 1 (hard failure), in soft mode too', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as { port: number }).port
    await new Promise((r) => srv.close(r))
    for (const strict of [[], ['--no-strict']]) {
      const r = await cli(['--zot-url', `http://127.0.0.1:${port}`, ...strict, 'deploy'])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/FAILED: .*127\.0\.0\.1/)
    }
  }, 60_000)

  it('--rewrite-output - prints only what was read from stdin; anything else is a configuration error', async () => {
    const srv = createServer()
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const port = (srv.address() as { port: number }).port
    await new Promise((r) => srv.close(r))
    const pod = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: alpine:3.20\n'
    const base = ['--zot-url', `http://127.0.0.1:${port}`, '--rewrite', 'zot']
    const both = await cli([...base, '--rewrite-output', '-', '-', 'deploy'], {}, pod)
    expect(both.code).toBe(1)
    expect(both.stderr).toContain(
      'rewrite-output: - prints the rewritten manifests read from stdin: read them from - only',
    )
    const noStdin = await cli([...base, '--rewrite-output', '-', 'deploy'])
    expect(noStdin.code).toBe(1)
    const toDir = await cli([...base, '--rewrite-output', 'out', '-'], {}, pod)
    expect(toDir.code).toBe(1)
    expect(toDir.stderr).toContain(
      'rewrite-output: manifests read from - (stdin) are printed only with rewrite-output -',
    )
    // Zot unreachable: a hard failure hands nothing on, and stdout stays clean for the next command.
    const down = await cli([...base, '--rewrite-output', '-', '-'], {}, pod)
    expect(down.code).toBe(1)
    expect(down.stdout).toBe('')
    expect(down.stderr).toContain('Nothing written: the run failed')
  }, 60_000)

  it('never prints the password, even when given as a flag', async () => {
    const secret = 'zak_supersecretvalue123'
    const r = await cli(['--mode', 'plan', '--username', 'ci', '--password', secret, 'deploy'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).not.toContain(secret)
  })
})
