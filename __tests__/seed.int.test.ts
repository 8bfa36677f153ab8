// The seed CronJob's recipe end to end against real Zot: the kubectl List of a cluster on stdin, the
// settings from examples/seed-cronjob.yaml's ConfigMap as the system-wide configuration file, the
// credentials from the Secret as ZOT_USERNAME / ZOT_PASSWORD, dist/cli.js on Node 24 (the CronJob's
// node:24 image). The cache syncs four upstream "registries" (one hub Zot behind four prefixes).
import { randomBytes } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { pushImages } from './support/images.js'
import { listTags } from './support/registry.js'
import { checkDist, newRunDir, node24, ROOT, runBundle, secretLeaks } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

const USER = 'warmer'
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
const KUBECTL = readFileSync(join(ROOT, '__tests__/fixtures/seed/kubectl-get-all.json'), 'utf8')

/** What the fixture's pod specs name, as the hub holds them (registry → the cache's prefix for it). */
const IMAGES: [prefix: string, repo: string, tag: string][] = [
  ['k8s-images', 'coredns/coredns', 'v1.11.3'],
  ['k8s-images', 'kube-proxy', 'v1.31.2'],
  ['docker-images', 'library/nginx', '1.27'],
  ['docker-images', 'fluent/fluent-bit', '3.1.9'],
  ['docker-images', 'library/busybox', '1.36'],
  ['docker-images', 'library/busybox', '1.37'],
  ['ghcr-images', 'acme/api', '1.4.3'],
  ['docker-images', 'library/postgres', '16.4'],
  ['ghcr-images', 'acme/backup', '2.3.0'],
  ['quay-images', 'prometheus/node-exporter', 'v1.8.2'],
]

let hub: ZotServer
let cache: ZotServer
let systemConfig: string

beforeAll(async () => {
  checkDist()
  hub = await startZot({ name: 'hub' })
  cache = await startZot({
    name: 'cache',
    auth: { users: { [USER]: PASSWORD } },
    upstreams: ['docker-images', 'ghcr-images', 'quay-images', 'k8s-images'].map((destination) => ({
      url: hub.url,
      destination,
    })),
  })
  await pushImages(
    hub.registry(),
    IMAGES.map(([, repo, tag], i) => ({
      repo,
      tag,
      kind: i % 3 === 0 ? ('oci-index' as const) : ('oci' as const),
    })),
  )
  // The ConfigMap's config.yaml, where the CronJob mounts it (here: where ZOT_WARM_SYSTEM_CONFIG says).
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'examples/seed-cronjob.yaml'), 'utf8'))
  const configMap = docs.map((d) => d.toJS()).find((d) => d.kind === 'ConfigMap') as {
    data: Record<string, string>
  }
  systemConfig = join(tempDir('zot-warm-etc-'), 'config.yaml')
  writeFileSync(systemConfig, configMap.data['config.yaml'] ?? '')
})

afterAll(async () => {
  await Promise.all([hub?.stop(), cache?.stop()])
})

/** The CronJob's container: `kubectl get … -o json | node dist/cli.js -` with the Secret in the environment. */
function cronJobRun() {
  const dir = newRunDir()
  return runBundle({
    node: node24(),
    script: 'dist/cli.js',
    dir,
    args: ['-'],
    stdin: KUBECTL,
    cwd: tempDir('zot-warm-cronjob-'),
    env: {
      ZOT_WARM_SYSTEM_CONFIG: systemConfig,
      // The file's zot-url is the example's; the alias (a Secret key) wins over the file.
      ZOT_REGISTRY_URL: cache.url,
      ZOT_USERNAME: USER,
      ZOT_PASSWORD: PASSWORD,
    },
    timeoutMs: 120_000,
  })
}

describe('kubectl get pods,deployments,statefulsets,daemonsets,jobs,cronjobs -A -o json | zot-warm -', () => {
  it('warms every image the cluster runs into the cache; the local image is reported, not a failure', async () => {
    const run = await cronJobRun()
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(`Configuration file: ${systemConfig}\n`)
    expect(run.stderr).toContain('zot-warm: warning: 1 image skipped (registry not in registry-map)')
    const table = run.stdout.trimEnd().split('\n')
    expect(table.filter((l) => l.startsWith('warmed '))).toHaveLength(IMAGES.length)
    expect(table.filter((l) => l.startsWith('skipped '))).toEqual([
      expect.stringContaining('localhost:5001/acme/tool:dev'),
    ])
    for (const line of table) expect([...line].length, line).toBeLessThanOrEqual(120)
    for (const [prefix, repo, tag] of IMAGES)
      expect((await listTags(cache.registry(USER), `${prefix}/${repo}`)).tags, `${prefix}/${repo}`).toContain(
        tag,
      )
    expect(secretLeaks(run, [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')])).toEqual([])
  })

  it('the next night: everything cached, and not one request reaches the upstream', async () => {
    const before = await hub.requestCount()
    const run = await cronJobRun()
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout.split('\n').filter((l) => l.startsWith('cached '))).toHaveLength(IMAGES.length)
    expect((await hub.requestCount()) - before).toBe(0)
  })
})
