// The rewrite stage against real Zot. The deploy-from-the-cache-alone proof: warm a set (single platform,
// multi-arch, Docker media types with preserveDigest, a tag@digest pin, a digest-only reference) with
// `rewrite: zot`, stop the upstream, then resolve every rewritten reference on the cache by digest, as a node
// does: the manifest, every child and every blob. `digest` mode pins only what the cache provably holds as
// published (against a preserving and a converting cache). The bundled CLI in a pipe, and the bundled action
// writing the directory and its output.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseReference } from '../src/extract/index.js'
import { parseConfig } from '../src/inputs/config.js'
import type { Logger } from '../src/logger.js'
import { runPipeline } from '../src/pipeline.js'
import { describeRewrite } from '../src/report/format.js'
import { decideOutcome } from '../src/report/outcome.js'
import type { RunResult } from '../src/report/types.js'
import type { RewriteSummary } from '../src/rewrite/index.js'
import { EXPLANATIONS } from '../src/warm/diagnose.js'
import { digestTag, type PushedImage, pushImages, pushReferrer } from './support/images.js'
import { getManifest, type RegistryAccess, registryRequest } from './support/registry.js'
import { checkDist, githubEnv, newRunDir, runBundle } from './support/runner.js'
import { tempDir } from './support/temp.js'
import { startZot, type ZotServer } from './support/zot.js'
import { zotTestHooks } from './support/zot-vitest.js'

zotTestHooks()

let upstream: ZotServer
/** preserveDigest on (with compat): stores what upstream serves. */
let keeping: ZotServer
/** Zot's default conversion (compat on so pins by upstream digest still resolve). */
let converting: ZotServer
let pushed: Record<string, PushedImage>

const MAP = 'docker.io: hub\nghcr.io: gh'
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`

function appYaml() {
  return `# helm template output: comments, quoting and layout must survive\r
apiVersion: apps/v1\r
kind: Deployment\r
metadata:\r
  name: web # the web tier\r
spec:\r
  template:\r
    spec:\r
      initContainers:\r
        - name: init\r
          image: "nginx:1.27"   # double quotes\r
      containers:\r
        - {name: multi, image: ghcr.io/acme/multi:2}\r
        - name: docker\r
          image: 'acme/dockerimg:3'\r
        - name: pinned\r
          image: acme/pinned:4@${pushed.pinned?.digest}\r
        - name: digestonly\r
          image: docker.io/acme/digestonly@${pushed.digestonly?.digest}\r
        - name: attested\r
          image: acme/attested:5\r
---\r
apiVersion: v1\r
kind: ConfigMap\r
metadata:\r
  name: cfg\r
data:\r
  image: nginx:1.27\r
`
}

/** What the run calls each pushed image. */
const REFERENCES: Record<string, string> = {
  nginx: 'docker.io/library/nginx:1.27',
  multi: 'ghcr.io/acme/multi:2',
  dockerimg: 'docker.io/acme/dockerimg:3',
  pinned: '', // set once the digest is known
  digestonly: '',
  attested: 'docker.io/acme/attested:5',
}

const COMPOSE =
  '\ufeffservices:\n  web: {image: "nginx:1.27", ports: ["80:80"]}\n  job:\n    image: acme/dockerimg:3\n'

beforeAll(async () => {
  upstream = await startZot({ name: 'upstream' })
  const entries = (preserveDigest: boolean) => [
    { url: upstream.url, destination: 'hub', preserveDigest },
    { url: upstream.url, destination: 'gh', preserveDigest },
  ]
  ;[keeping, converting] = await Promise.all([
    startZot({ name: 'cache-keeping', upstreams: entries(true) }),
    startZot({ name: 'cache-converting', upstreams: entries(false), compat: true }),
  ])
  const list = await pushImages(upstream.registry(), [
    { repo: 'library/nginx', tag: '1.27', kind: 'oci' },
    { repo: 'acme/multi', tag: '2', kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64'] },
    { repo: 'acme/dockerimg', tag: '3', kind: 'docker' },
    { repo: 'acme/pinned', tag: '4', kind: 'docker-list', platforms: ['linux/amd64', 'linux/arm64'] },
    { repo: 'acme/digestonly', untagged: true, kind: 'oci' },
    { repo: 'acme/attested', tag: '5', kind: 'attestation-index', platforms: ['linux/amd64', 'linux/arm64'] },
  ])
  pushed = {
    nginx: list[0],
    multi: list[1],
    dockerimg: list[2],
    pinned: list[3],
    digestonly: list[4],
    attested: list[5],
  } as Record<string, PushedImage>
  REFERENCES.pinned = `docker.io/acme/pinned:4@${pushed.pinned?.digest}`
  REFERENCES.digestonly = `docker.io/acme/digestonly@${pushed.digestonly?.digest}`
})

function workspace(): string {
  const dir = tempDir('zot-warm-rewrite-int-')
  mkdirSync(join(dir, 'deploy'))
  writeFileSync(join(dir, 'deploy', 'app.yaml'), appYaml())
  writeFileSync(join(dir, 'compose.yaml'), COMPOSE)
  return dir
}

function recorder() {
  const lines: string[] = []
  const logger: Logger = {
    info: (m) => lines.push(`info ${m}`),
    warning: (m) => lines.push(`warning ${m}`),
    debug: () => {},
    group: async (name, fn) => {
      lines.push(`group ${name}`)
      return fn()
    },
    progress: () => {},
  }
  return { lines, logger }
}

async function run(cache: ZotServer, inputs: Record<string, string>, dir: string) {
  const config = parseConfig((n) => ({ 'zot-url': cache.url, 'registry-map': MAP, ...inputs })[n], {
    workspace: dir,
  }).config
  const { lines, logger } = recorder()
  const result = await runPipeline(config, { logger })
  return { result, lines }
}

const byRef = (r: RunResult, ref: string) => {
  const found = r.results.find((x) => x.reference === ref)
  if (!found) throw new Error(`no result for ${ref}: ${r.results.map((x) => x.reference).join(', ')}`)
  return found
}

/** Resolve a manifest by digest, then every child and every blob; each body must hash to its digest. */
async function resolveAll(
  registry: RegistryAccess,
  repo: string,
  digest: string,
  seen: { manifests: number; blobs: number },
): Promise<void> {
  const m = await getManifest(registry, repo, digest)
  expect(m.status, `${repo}@${digest}`).toBe(200)
  expect(sha256(m.body)).toBe(digest)
  seen.manifests++
  if (Array.isArray(m.json?.manifests)) {
    for (const child of m.json.manifests) await resolveAll(registry, repo, child.digest, seen)
    return
  }
  for (const blob of [m.json.config, ...(m.json.layers ?? [])]) {
    const res = await registryRequest(registry, 'GET', `/v2/${repo}/blobs/${blob.digest}`)
    expect(res.status, `${repo} blob ${blob.digest}`).toBe(200)
    expect(sha256(res.body)).toBe(blob.digest)
    seen.blobs++
  }
}

describe('rewrite: zot', () => {
  it('rewrites to the cache, and the cache alone serves everything once the upstream is gone', async () => {
    const dir = workspace()
    const out = join(dir, 'rewritten')
    const { result, lines } = await run(keeping, { rewrite: 'zot', 'rewrite-output': 'rewritten' }, dir)
    expect(decideOutcome(result)).toMatchObject({ exitCode: 0, conclusion: 'success' })
    expect(result.results.map((r) => r.status)).toEqual(Array(6).fill('warmed'))
    expect(result.rewrite).toMatchObject({ written: true, files: 2, changedFiles: 2, rewritten: 8, left: [] })
    expect(lines).toContain('group Rewrite manifests')

    const host = keeping.host
    const d = (name: string) => pushed[name]?.digest as string
    // With preserveDigest the cache serves upstream's digests, so every pin below is upstream's too.
    const want = {
      nginx: `${host}/hub/library/nginx:1.27@${byRef(result, 'docker.io/library/nginx:1.27').digest}`,
      multi: `${host}/gh/acme/multi:2@${d('multi')}`,
      dockerimg: `${host}/hub/acme/dockerimg:3@${d('dockerimg')}`,
      pinned: `${host}/hub/acme/pinned:4@${d('pinned')}`,
      digestonly: `${host}/hub/acme/digestonly@${d('digestonly')}`,
      attested: `${host}/hub/acme/attested:5@${d('attested')}`,
    }
    expect(want.nginx.endsWith(d('nginx'))).toBe(true)
    const app = readFileSync(join(out, 'deploy', 'app.yaml'), 'utf8')
    expect(app).toBe(
      appYaml()
        .replace('image: "nginx:1.27"', `image: "${want.nginx}"`)
        .replace('ghcr.io/acme/multi:2', want.multi)
        .replace("'acme/dockerimg:3'", `'${want.dockerimg}'`)
        .replace(`acme/pinned:4@${d('pinned')}`, want.pinned)
        .replace(`docker.io/acme/digestonly@${d('digestonly')}`, want.digestonly)
        .replace('image: acme/attested:5', `image: ${want.attested}`),
    )
    // The ConfigMap's text is data, not a reference: untouched.
    expect(app).toContain('data:\r\n  image: nginx:1.27\r\n')
    expect(readFileSync(join(out, 'compose.yaml'), 'utf8')).toBe(
      COMPOSE.replace('"nginx:1.27"', `"${want.nginx}"`).replace('acme/dockerimg:3', want.dockerimg),
    )
    for (const [key, text] of Object.entries(want))
      expect(byRef(result, REFERENCES[key] as string).rewrittenAs, key).toBe(text)

    // Unplug the upstream; a node pulls `name@digest` from the cache: manifest, children, blobs.
    upstream.kill()
    const mark = keeping.logMark()
    try {
      const seen = { manifests: 0, blobs: 0 }
      for (const text of Object.values(want)) {
        const ref = parseReference(text)
        expect(ref.domain).toBe(host)
        await resolveAll(keeping.registry(), ref.path, ref.digest as string, seen)
      }
      // 6 roots + 2 (multi) + 2 (pinned) + 4 (attested: 2 platforms, 2 attestations) children; a config and
      // a layer under each of the 11 image manifests.
      expect(seen).toEqual({ manifests: 14, blobs: 22 })
      // Nothing was missing, so Zot never tried to reach the (dead) upstream: its log holds the 36 answers
      // and not one sync attempt.
      const log = keeping.logSince(mark)
      expect(log.filter((l) => /"statusCode":200/.test(l)).length).toBe(36)
      expect(log.filter((l) => /sync|upstream|remote/i.test(l))).toEqual([])
    } finally {
      await upstream.restart()
    }
  })

  it('a second run over the rewritten files changes nothing', async () => {
    const dir = workspace()
    await run(keeping, { rewrite: 'zot', 'rewrite-output': '.' }, dir)
    const once = readFileSync(join(dir, 'deploy', 'app.yaml'), 'utf8')
    expect(once).not.toBe(appYaml())
    const touched = statSync(join(dir, 'deploy', 'app.yaml')).mtimeMs
    const { result, lines } = await run(keeping, { rewrite: 'zot', 'rewrite-output': '.' }, dir)
    expect(result.results.every((r) => r.status === 'cached')).toBe(true)
    expect(readFileSync(join(dir, 'deploy', 'app.yaml'), 'utf8')).toBe(once)
    // Nothing to change, so no file is written and the log does not claim a rewrite.
    expect(statSync(join(dir, 'deploy', 'app.yaml')).mtimeMs).toBe(touched)
    expect(result.rewrite).toMatchObject({ rewritten: 0, unchanged: 8, changedFiles: 0, files: 0 })
    expect(lines).toContain(
      'info Rewrote 0 references in 0 files; 0 files written in place; 8 references already as verified.',
    )
    expect(readdirSync(dir).sort()).toEqual(['compose.yaml', 'deploy'])
  })

  it('in strict mode a failure writes nothing; soft mode writes the rest and says what it left', async () => {
    const dir = workspace()
    writeFileSync(
      join(dir, 'deploy', 'missing.yaml'),
      'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: x\n      image: acme/missing:0\n    - name: y\n      image: quay.io/unmapped/x:1\n',
    )
    const strict = await run(keeping, { rewrite: 'zot', 'rewrite-output': 'out' }, dir)
    expect(decideOutcome(strict.result).exitCode).toBe(2)
    expect(strict.result.rewrite).toMatchObject({
      written: false,
      held: 'the run failed (1 image failed; 1 image skipped (registry not in registry-map))',
    })
    expect(readdirSync(dir).sort()).toEqual(['compose.yaml', 'deploy'])

    const soft = await run(keeping, { rewrite: 'zot', 'rewrite-output': 'out', strict: 'false' }, dir)
    expect(decideOutcome(soft.result)).toMatchObject({ exitCode: 0, conclusion: 'warning' })
    expect(readFileSync(join(dir, 'out', 'deploy', 'missing.yaml'), 'utf8')).toBe(
      readFileSync(join(dir, 'deploy', 'missing.yaml'), 'utf8'),
    )
    expect(soft.result.rewrite?.left.map((l) => `${l.reference} ${l.where}: ${l.why}`)).toEqual([
      'docker.io/acme/missing:0 deploy/missing.yaml:6:14: the image failed',
      'quay.io/unmapped/x:1 deploy/missing.yaml:8:14: its registry is not in registry-map',
    ])
    expect(soft.lines).toContain(
      'warning not rewritten: docker.io/acme/missing:0 (deploy/missing.yaml:6:14): the image failed',
    )
  })
})

describe('rewrite: digest', () => {
  it('pins what the cache provably holds as published and leaves the rest, saying why', async () => {
    const dir = workspace()
    const { result, lines } = await run(keeping, { rewrite: 'digest', 'rewrite-output': 'out' }, dir)
    const d = (name: string) => pushed[name]?.digest as string
    const app = readFileSync(join(dir, 'out', 'deploy', 'app.yaml'), 'utf8')
    // Docker media types and kept attestation entries prove the cache did not convert: pinned.
    expect(app).toContain(`image: 'acme/dockerimg:3@${d('dockerimg')}'\r\n`)
    expect(app).toContain(`image: acme/attested:5@${d('attested')}\r\n`)
    // Already pinned (and verified): as written.
    expect(app).toContain(`image: acme/pinned:4@${d('pinned')}\r\n`)
    expect(app).toContain(`image: docker.io/acme/digestonly@${d('digestonly')}\r\n`)
    // Only OCI types and nothing else: the same bytes could be Zot's conversion, so no pin.
    expect(app).toContain('image: "nginx:1.27"   # double quotes\r\n')
    expect(app).toContain('image: ghcr.io/acme/multi:2}')
    const nginx = byRef(result, 'docker.io/library/nginx:1.27')
    expect(nginx.rewrittenAs).toBeUndefined()
    expect(nginx.warnings).toEqual([
      expect.stringMatching(
        /^not rewritten: the digest Zot serves \(sha256:[0-9a-f]{64}\) may not be upstream's: Zot holds this image with OCI media types only/,
      ),
    ])
    expect(byRef(result, 'docker.io/acme/dockerimg:3').rewrittenAs).toBe(`acme/dockerimg:3@${d('dockerimg')}`)
    expect(decideOutcome(result)).toMatchObject({
      exitCode: 0,
      conclusion: 'warning',
      reason: '3 references to warm images not rewritten',
    })
    // The log: one short line per reference left, the explanation they share once after them.
    const why = EXPLANATIONS.digestUnproven
    const left = lines.filter((l) => l.startsWith('warning not rewritten: '))
    expect(left).toHaveLength(2)
    for (const l of left)
      expect(l).toMatch(
        /OCI media types only, and no signature, attestation or SBOM of this digest\. \(see “Why a tag was not pinned \(rewrite: digest\)” below\)$/,
      )
    expect(lines.filter((l) => l.includes(why.text))).toEqual([`info ${why.title}: ${why.text}`])
  })

  it('against a converting cache reports that the digest is not upstream’s and leaves the reference', async () => {
    const dir = workspace()
    const { result, lines } = await run(converting, { rewrite: 'digest', 'rewrite-output': 'out' }, dir)
    const docker = byRef(result, 'docker.io/acme/dockerimg:3')
    const attested = byRef(result, 'docker.io/acme/attested:5')
    // The mismatch itself: Zot serves its conversion, not what was pushed upstream.
    expect(docker.digest).not.toBe(pushed.dockerimg?.digest)
    expect(attested.digest).not.toBe(pushed.attested?.digest)
    for (const r of [docker, attested]) {
      expect(r.rewrittenAs).toBeUndefined()
      expect(r.warnings.join('\n')).toContain(
        'Zot converts the image on sync (preserveDigest off: Docker manifests become OCI and attestations leave the index, which changes the digest)',
      )
    }
    const app = readFileSync(join(dir, 'out', 'deploy', 'app.yaml'), 'utf8')
    expect(app).toContain("image: 'acme/dockerimg:3'\r\n")
    expect(app).toContain('image: acme/attested:5\r\n')
    expect(lines.some((l) => l.startsWith('warning not rewritten: docker.io/acme/dockerimg:3'))).toBe(true)
  })
})

describe('rewrite: digest, proven by a referrer Zot copied from upstream for the digest', () => {
  /** Each image signed upstream on its own digest: an OCI 1.1 cosign signature, or cosign's legacy `.sig` tag. */
  const SIGNED = [
    { name: 'oci-sig', kind: 'oci', form: 'referrer' },
    { name: 'oci-legacy', kind: 'oci', form: 'tag' },
    { name: 'docker-sig', kind: 'docker', form: 'referrer' },
    { name: 'docker-legacy', kind: 'docker', form: 'tag' },
    { name: 'att-sig', kind: 'attestation-index', form: 'referrer' },
  ] as const
  const signed: Record<string, PushedImage> = {}
  const ref = (name: string) => `docker.io/signed/${name}:1`

  beforeAll(async () => {
    const images = await pushImages(
      upstream.registry(),
      SIGNED.map((s) => ({
        repo: `signed/${s.name}`,
        tag: '1',
        kind: s.kind,
        ...(s.kind === 'attestation-index' ? { platforms: ['linux/amd64', 'linux/arm64'] } : {}),
      })),
    )
    for (const [i, s] of SIGNED.entries()) {
      const image = images[i] as PushedImage
      signed[s.name] = image
      await pushReferrer(upstream.registry(), {
        repo: `signed/${s.name}`,
        subject: { digest: image.digest, mediaType: image.mediaType, size: image.size },
        what: 'cosign-signature',
        form: s.form,
      })
    }
  })

  function signedWorkspace(): string {
    const dir = tempDir('zot-warm-rewrite-signed-')
    writeFileSync(
      join(dir, 'pod.yaml'),
      `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n${SIGNED.map((s) => `    - name: ${s.name}\n      image: signed/${s.name}:1\n`).join('')}`,
    )
    return dir
  }
  const pinnedIn = (dir: string) => readFileSync(join(dir, 'out', 'pod.yaml'), 'utf8')

  it('a keeping cache: every signed image is pinned to upstream’s digest, the referrer named as the proof', async () => {
    const dir = signedWorkspace()
    const { result, lines } = await run(keeping, { rewrite: 'digest', 'rewrite-output': 'out' }, dir)
    expect(decideOutcome(result)).toMatchObject({ exitCode: 0, conclusion: 'success' })
    const pod = pinnedIn(dir)
    for (const s of SIGNED) {
      const digest = signed[s.name]?.digest as string
      expect(byRef(result, ref(s.name)).digest, s.name).toBe(digest)
      expect(pod).toContain(`image: signed/${s.name}:1@${digest}\n`)
      expect(lines).toContain(
        s.form === 'tag'
          ? `info pinned ${ref(s.name)} to ${digest} (upstream referrer): Zot holds cosign's legacy tag ${digestTag(digest)}.sig, which it copies from upstream by the name of this digest`
          : `info pinned ${ref(s.name)} to ${digest} (upstream referrer): Zot holds a signature (cosign) of this digest, and copies referrers from upstream for the digest it holds`,
      )
    }
    expect(result.rewrite?.pinnedBy).toEqual({ 'media-types': 0, 'upstream-referrer': 5 })
    expect(describeRewrite(result.rewrite as RewriteSummary)).toBe(
      `rewrite digest: 5 references rewritten in 1 file, 1 file written to ${join(dir, 'out')}; pinned as upstream's digest by upstream referrer (5)`,
    )
  })

  it('a converting cache: the converted digests get no referrer and stay unpinned; OCI images keep theirs and are pinned, run after run', async () => {
    const dir = signedWorkspace()
    for (const round of ['warmed', 'cached'] as const) {
      const { result, lines } = await run(
        converting,
        { rewrite: 'digest', 'rewrite-output': 'out', paths: 'pod.yaml' },
        dir,
      )
      expect(result.results.map((r) => r.status)).toEqual(Array(SIGNED.length).fill(round))
      const pod = pinnedIn(dir)
      for (const s of SIGNED) {
        const r = byRef(result, ref(s.name))
        const upstreamDigest = signed[s.name]?.digest as string
        const own = (r.referrers?.items ?? []).filter((i) => i.subject === r.digest)
        if (s.kind === 'oci') {
          // Not converted: the digest and its signature (OCI 1.1 or the legacy tag) are upstream's.
          expect(r.digest).toBe(upstreamDigest)
          expect(own.map((i) => [i.kind, i.form])).toEqual([['signature', s.form]])
          expect(pod).toContain(`image: signed/${s.name}:1@${upstreamDigest}\n`)
          expect(
            lines.some((l) =>
              l.startsWith(`info pinned ${ref(s.name)} to ${upstreamDigest} (upstream referrer): `),
            ),
          ).toBe(true)
          continue
        }
        // Converted: Zot asked upstream for the referrers of a digest upstream never had, and got none.
        expect(r.digest, s.name).not.toBe(upstreamDigest)
        expect(r.referrers?.state).toBe('verified')
        expect(own, s.name).toEqual([])
        expect(pod).toContain(`image: signed/${s.name}:1\n`)
        expect(r.rewrittenAs).toBeUndefined()
        expect(r.warnings.join('\n')).toContain(
          `not rewritten: the digest Zot serves (${r.digest}) may not be upstream's: Zot holds this image with OCI media types only, and no signature, attestation or SBOM of this digest.`,
        )
      }
      // The attestations Zot moved out of the converted index hang on its platform manifests, not on the
      // index: referrers of a platform prove nothing about the index's digest.
      const att = byRef(result, ref('att-sig'))
      expect(att.referrers?.items.map((i) => [i.kind, i.subject])).toEqual(
        signed['att-sig']?.manifests
          .filter((m) => m.platform !== 'unknown/unknown')
          .map((m) => ['attestation', m.digest]),
      )
      expect(result.rewrite?.pinnedBy).toEqual({ 'media-types': 0, 'upstream-referrer': 2 })
    }
  })

  it('with referrers: off nothing is read, so an OCI image stays unpinned and the warning says why', async () => {
    const dir = signedWorkspace()
    const { result } = await run(
      keeping,
      { rewrite: 'digest', 'rewrite-output': 'out', referrers: 'off' },
      dir,
    )
    const oci = byRef(result, ref('oci-sig'))
    expect(oci.rewrittenAs).toBeUndefined()
    expect(oci.warnings.join('\n')).toContain('its referrers were not read (referrers: off)')
    // Docker media types still prove it.
    expect(byRef(result, ref('docker-sig')).rewrittenAs).toBe(
      `signed/docker-sig:1@${signed['docker-sig']?.digest}`,
    )
    expect(result.rewrite?.pinnedBy).toEqual({ 'media-types': 3, 'upstream-referrer': 0 })
  })
})

describe('rewrite and a warm image whose place cannot be rewritten', () => {
  /** nginx written with an escape in JSON, multi reached through an alias of a non-image anchor: both warm. */
  function unwritableWorkspace(): string {
    const dir = workspace()
    writeFileSync(
      join(dir, 'deploy', 'job.json'),
      '{"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": {"spec": {"containers": [\n' +
        '  {"name": "j", "image": "nginx\\u003a1.27"}]}}}}\n',
    )
    writeFileSync(
      join(dir, 'deploy', 'alias.yaml'),
      'x-image: &img ghcr.io/acme/multi:2\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: *img\n',
    )
    return dir
  }
  const ESCAPES =
    'written with escapes inside double quotes; write the reference without escapes, as a plain or quoted value'
  const ALIAS =
    'reached through the alias *img, whose anchored text is not an image field rewritten here; write the reference itself in place of the alias, or put the anchor on the image field it copies'

  it('strict: the run fails (exit 2) naming each place, and nothing is written; soft writes the rest and warns', async () => {
    const dir = unwritableWorkspace()
    const strict = await run(keeping, { rewrite: 'zot', 'rewrite-output': 'out' }, dir)
    // Every image is in Zot: only the places fail the run.
    expect(strict.result.results.every((r) => r.status === 'warmed' || r.status === 'cached')).toBe(true)
    expect(decideOutcome(strict.result)).toMatchObject({
      exitCode: 2,
      conclusion: 'failure',
      reason: '2 references to warm images cannot be rewritten in place',
    })
    expect(strict.result.rewrite).toMatchObject({
      written: false,
      held: '2 references to warm images cannot be rewritten in place',
      unwritable: [
        {
          reference: 'docker.io/library/nginx:1.27',
          file: 'deploy/job.json',
          line: 2,
          column: 26,
          why: ESCAPES,
        },
        { reference: 'ghcr.io/acme/multi:2', file: 'deploy/alias.yaml', line: 7, column: 14, why: ALIAS },
      ],
    })
    expect(readdirSync(dir).sort()).toEqual(['compose.yaml', 'deploy'])
    expect(strict.lines).toContain(
      `warning cannot be rewritten: docker.io/library/nginx:1.27 (deploy/job.json:2:26): ${ESCAPES}`,
    )

    const soft = await run(keeping, { rewrite: 'zot', 'rewrite-output': 'out', strict: 'false' }, dir)
    expect(decideOutcome(soft.result)).toMatchObject({
      exitCode: 0,
      conclusion: 'warning',
      reason: '2 references to warm images not rewritten',
    })
    expect(readFileSync(join(dir, 'out', 'deploy', 'job.json'), 'utf8')).toContain(
      '"image": "nginx\\u003a1.27"',
    )
    expect(readFileSync(join(dir, 'out', 'deploy', 'app.yaml'), 'utf8')).toContain(
      `image: "${keeping.host}/hub/library/nginx:1.27@`,
    )
  })
})

describe('the bundles', () => {
  beforeAll(() => checkDist())

  it('pipe: helm template … | zot-warm --rewrite zot --rewrite-output - - | kubectl apply -f -', async () => {
    const dir = newRunDir()
    const stdin = appYaml()
    const args = [
      '--zot-url',
      keeping.url,
      '--registry-map',
      MAP,
      '--rewrite',
      'zot',
      '--rewrite-output',
      '-',
      '-',
    ]
    const res = await runBundle({ dir, node: process.execPath, script: 'dist/cli.js', args, stdin, cwd: dir })
    expect(res.code, res.stderr).toBe(0)
    const host = keeping.host
    expect(res.stdout).toBe(
      stdin
        .replace('"nginx:1.27"', `"${host}/hub/library/nginx:1.27@${pushed.nginx?.digest}"`)
        .replace('ghcr.io/acme/multi:2', `${host}/gh/acme/multi:2@${pushed.multi?.digest}`)
        .replace("'acme/dockerimg:3'", `'${host}/hub/acme/dockerimg:3@${pushed.dockerimg?.digest}'`)
        .replace(`acme/pinned:4@`, `${host}/hub/acme/pinned:4@`)
        .replace('docker.io/acme/digestonly@', `${host}/hub/acme/digestonly@`)
        .replace('image: acme/attested:5', `image: ${host}/hub/acme/attested:5@${pushed.attested?.digest}`),
    )
    // The table and the logs went to stderr.
    expect(res.stderr).toContain('==> Rewrite manifests')
    expect(res.stderr).toContain('Rewrote 6 references in 1 file; 1 file written to stdout.')

    // A failing run hands nothing to the next command.
    const bad = await runBundle({
      dir,
      node: process.execPath,
      script: 'dist/cli.js',
      args,
      stdin: `${stdin}---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: x\n      image: acme/missing:0\n`,
      cwd: dir,
    })
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toContain('Nothing written: the run failed (1 image failed).')
  })

  it('pipe, strict: a reference that cannot be rewritten fails the run at its line and prints nothing', async () => {
    const dir = newRunDir()
    const stdin = `${appYaml()}---\r\napiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n    - name: e\r\n      image: "acme/dockerimg\\x3a3"\r\n`
    const args = [
      '--zot-url',
      keeping.url,
      '--registry-map',
      MAP,
      '--rewrite',
      'zot',
      '--rewrite-output',
      '-',
      '-',
    ]
    const res = await runBundle({ dir, node: process.execPath, script: 'dist/cli.js', args, stdin, cwd: dir })
    expect(res.code).toBe(2)
    expect(res.stdout).toBe('')
    expect(res.stderr).toContain(
      '-:35:14: error: docker.io/acme/dockerimg:3 cannot be rewritten here (rewrite: zot), so the deploy would pull it from upstream: written with escapes inside double quotes; write the reference without escapes, as a plain or quoted value\n',
    )
    expect(res.stderr).toContain(
      'zot-warm: FAILED: 1 reference to warm images cannot be rewritten in place\n',
    )
    const soft = await runBundle({
      dir,
      node: process.execPath,
      script: 'dist/cli.js',
      args: ['--soft', ...args],
      stdin,
      cwd: dir,
    })
    expect(soft.code).toBe(0)
    expect(soft.stdout).toContain('image: "acme/dockerimg\\x3a3"\r\n')
    expect(soft.stdout).toContain(
      `image: '${keeping.host}/hub/acme/dockerimg:3@${pushed.dockerimg?.digest}'\r\n`,
    )
    expect(soft.stderr).toContain('-:35:14: warning: docker.io/acme/dockerimg:3 cannot be rewritten here')
  })

  it('the action writes the directory and the `rewritten` output', async () => {
    const dir = newRunDir()
    const wsDir = workspace()
    const env = githubEnv(dir, wsDir)
    const res = await runBundle({
      dir,
      node: process.execPath,
      script: 'dist/index.js',
      env,
      inputs: { 'zot-url': keeping.url, 'registry-map': MAP, rewrite: 'zot' },
      reportPath: join(env.RUNNER_TEMP as string, 'zot-warm-report.json'),
    })
    expect(res.code, res.stdout).toBe(0)
    const out = join(env.RUNNER_TEMP as string, 'zot-warm-rewritten')
    expect(res.outputs.rewritten).toBe(out)
    expect(readdirSync(out).sort()).toEqual(['compose.yaml', 'deploy'])
    expect(readFileSync(join(out, 'deploy', 'app.yaml'), 'utf8')).toContain(
      `image: ${keeping.host}/hub/acme/attested:5@${pushed.attested?.digest}\r\n`,
    )
    const report = res.report as { images: { reference: string; rewrittenAs: string | null }[] }
    expect(report.images.find((i) => i.reference === 'docker.io/acme/attested:5')?.rewrittenAs).toBe(
      `${keeping.host}/hub/acme/attested:5@${pushed.attested?.digest}`,
    )
  })
})
