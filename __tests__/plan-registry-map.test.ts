import { describe, expect, test } from 'vitest'
import { ConfigError } from '../src/errors.js'
import { normalizeRegistryHost, parseRegistryMap } from '../src/plan/registry-map.js'

function problems(text: string): string[] {
  try {
    parseRegistryMap(text)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

describe('YAML mapping', () => {
  test('hosts to prefixes, comments, empty prefix = flatten', () => {
    expect(
      parseRegistryMap(
        [
          '# upstream: zot prefix',
          'docker.io: docker-images',
          'ghcr.io: /ghcr-images/  # slashes trimmed',
          'quay.io:',
          "registry.k8s.io: ''",
          'localhost:5000: local/dev',
          '"[::1]:5000": v6',
        ].join('\n'),
      ),
    ).toEqual([
      { registry: 'docker.io', prefix: 'docker-images' },
      { registry: 'ghcr.io', prefix: 'ghcr-images' },
      { registry: 'quay.io', prefix: '' },
      { registry: 'registry.k8s.io', prefix: '' },
      { registry: 'localhost:5000', prefix: 'local/dev' },
      { registry: '[::1]:5000', prefix: 'v6' },
    ])
  })

  test('Docker Hub aliases become docker.io; hosts are lower-cased', () => {
    expect(parseRegistryMap('index.docker.io: hub\nGHCR.IO: g')).toEqual([
      { registry: 'docker.io', prefix: 'hub' },
      { registry: 'ghcr.io', prefix: 'g' },
    ])
    expect(parseRegistryMap('registry-1.docker.io: hub')).toEqual([{ registry: 'docker.io', prefix: 'hub' }])
  })

  test('empty text or only comments: no mappings', () => {
    expect(parseRegistryMap('')).toEqual([])
    expect(parseRegistryMap('# nothing yet\n\n')).toEqual([])
  })

  test('every bad entry is reported with its line', () => {
    expect(
      problems(
        [
          'docker.io: docker-images',
          'https://ghcr.io: ghcr',
          'quay.io/org: q',
          'gcr.io: Bad_Prefix',
          'index.docker.io: again',
          'ecr: [a, b]',
          'bad host!: x',
        ].join('\n'),
      ),
    ).toEqual([
      'registry-map: line 2: "https://ghcr.io" is a URL; write the registry host only (ghcr.io).',
      'registry-map: line 3: "quay.io/org" has a path; map whole registries by host[:port] (e.g. ghcr.io).',
      'registry-map: line 4: prefix "Bad_Prefix" for gcr.io: "Bad_Prefix" must be lower case (letters, digits, ., _, - separated by /).',
      'registry-map: line 5: docker.io is already mapped on line 1; keep one entry.',
      'registry-map: line 6: the prefix of ecr must be a path such as docker-images (or empty).',
      'registry-map: line 7: "bad host!" is not a registry host[:port].',
    ])
  })

  test('not a mapping, or not YAML', () => {
    expect(problems('- docker.io\n- ghcr.io')).toEqual([
      'registry-map: line 1: expected a mapping of registry host to Zot path prefix (e.g. "docker.io: docker-images") or host=prefix lines.',
    ])
    expect(problems('docker.io: [unclosed')[0]).toMatch(/^registry-map: line \d: not valid YAML \(/)
  })
})

describe('host=prefix lines', () => {
  test('lines, comments, spaces, commas, empty prefix', () => {
    expect(
      parseRegistryMap(
        [
          '# map',
          'docker.io = docker-images',
          'ghcr.io=ghcr-images, quay.io=',
          '',
          'localhost:5000=local # dev',
        ].join('\n'),
      ),
    ).toEqual([
      { registry: 'docker.io', prefix: 'docker-images' },
      { registry: 'ghcr.io', prefix: 'ghcr-images' },
      { registry: 'quay.io', prefix: '' },
      { registry: 'localhost:5000', prefix: 'local' },
    ])
  })

  test('a line without = among pairs is named', () => {
    expect(problems('docker.io=hub\nghcr.io ghcr\n=x')).toEqual([
      'registry-map: line 2: "ghcr.io ghcr" is not host=prefix (e.g. docker.io=docker-images; an empty prefix keeps upstream paths).',
      'registry-map: line 3: "=x" is not host=prefix (e.g. docker.io=docker-images; an empty prefix keeps upstream paths).',
    ])
  })

  test('duplicates after normalisation', () => {
    expect(problems('docker.io=a\nindex.docker.io=b')).toEqual([
      'registry-map: line 2: docker.io is already mapped on line 1; keep one entry.',
    ])
  })
})

test('normalizeRegistryHost', () => {
  expect(normalizeRegistryHost(' Index.Docker.IO ')).toBe('docker.io')
  expect(normalizeRegistryHost('ghcr.io')).toBe('ghcr.io')
})
