import { describe, expect, test } from 'vitest'
import type { FoundImage } from '../src/model.js'
import { planImages } from '../src/plan/plan.js'
import { parseRegistryMap } from '../src/plan/registry-map.js'
import { found } from './support/references.js'

const hub = found('docker.io', 'library/nginx', { tag: '1.27', line: 3 })
const ghcr = found('ghcr.io', 'org/app', { tag: 'v1', digest: `sha256:${'a'.repeat(64)}` })
const quay = found('quay.io', 'coreos/etcd', { digest: `sha256:${'b'.repeat(64)}` })

describe('planImages', () => {
  test('no map: flatten, every image keeps its upstream path', () => {
    const plan = planImages([hub, ghcr, quay], undefined)
    expect(plan.unmapped).toEqual([])
    expect(plan.images.map((p) => [p.reference, p.zotRepository])).toEqual([
      ['docker.io/library/nginx:1.27', 'library/nginx'],
      [`ghcr.io/org/app:v1@sha256:${'a'.repeat(64)}`, 'org/app'],
      [`quay.io/coreos/etcd@sha256:${'b'.repeat(64)}`, 'coreos/etcd'],
    ])
    expect(plan.images[0]?.ref).toBe(hub.reference)
    expect(plan.images[0]?.sources).toBe(hub.sources)
  })

  test('an empty map is no map', () => {
    expect(planImages([hub], []).images.map((p) => p.zotRepository)).toEqual(['library/nginx'])
  })

  test('a map: prefixes, empty prefix, unmapped registries', () => {
    const map = parseRegistryMap('docker.io: docker-images\nghcr.io:')
    const plan = planImages([hub, ghcr, quay], map)
    expect(plan.images.map((p) => p.zotRepository)).toEqual(['docker-images/library/nginx', 'org/app'])
    expect(plan.unmapped).toEqual([quay])
  })

  test('map entries given with Docker Hub aliases still match', () => {
    const plan = planImages([hub], [{ registry: 'index.docker.io', prefix: 'hub' }])
    expect(plan.images.map((p) => p.zotRepository)).toEqual(['hub/library/nginx'])
  })

  test('an image that already lives in Zot keeps its path, map or not', () => {
    const inZot = found('zot.example.com', 'docker-images/library/nginx', { tag: '1.27' })
    const withPort = found('zot.example.com:443', 'team/tool', { tag: '2' })
    const map = parseRegistryMap('docker.io=docker-images')
    const plan = planImages([inZot, withPort], map, { zotHost: 'Zot.Example.com' })
    expect(plan.unmapped).toEqual([])
    expect(plan.images.map((p) => p.zotRepository)).toEqual(['docker-images/library/nginx', 'team/tool'])
    const local = found('127.0.0.1:5000', 'a/b', { tag: '1' })
    expect(planImages([local], map, { zotHost: '127.0.0.1:5000' }).images[0]?.zotRepository).toBe('a/b')
    expect(planImages([local], map, { zotHost: '127.0.0.1:5001' }).unmapped).toEqual([local])
  })

  test('invalid and unresolved references are not planned', () => {
    const invalid: FoundImage = {
      key: 'Bad:Ref',
      raw: 'Bad:Ref',
      status: 'invalid',
      reason: 'x',
      sources: [],
    }
    const unresolved: FoundImage = {
      key: '{{ .image }}',
      raw: '{{ .image }}',
      status: 'unresolved',
      sources: [],
    }
    expect(planImages([invalid, hub, unresolved], undefined).images.map((p) => p.reference)).toEqual([
      'docker.io/library/nginx:1.27',
    ])
  })
})
