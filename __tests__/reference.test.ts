// biome-ignore-all lint/suspicious/noTemplateCurlyInString: shell variables are the input under test
// The reference parser against distribution/reference's own cases (reference_test.go TestReferenceParse,
// normalize_test.go TestValidateReferenceName / TestNormalizedSplitHostname / TestParseRepositoryInfo /
// TestParseReferenceWithTagAndDigest), written as normalised results: we parse like ParseDockerRef
// (ParseNormalizedNamed + default tag), except that a tag next to a digest is kept.
import { describe, expect, it } from 'vitest'
import { InvalidReferenceError } from '../src/errors.js'
import { formatReference, isTemplated, parseReference } from '../src/extract/reference.js'

const F64 = 'f'.repeat(64)
const F128 = 'f'.repeat(128)

function normalised(input: string): string {
  return formatReference(parseReference(input))
}

function reasonOf(input: string): string {
  try {
    parseReference(input)
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidReferenceError)
    return (err as InvalidReferenceError).reason
  }
  throw new Error(`"${input}" parsed, expected it to be invalid`)
}

describe('distribution/reference TestReferenceParse (normalised)', () => {
  const valid: [string, string][] = [
    ['test_com', 'docker.io/library/test_com:latest'],
    ['test.com:tag', 'docker.io/library/test.com:tag'],
    ['test.com:5000', 'docker.io/library/test.com:5000'],
    ['test.com/repo:tag', 'test.com/repo:tag'],
    ['test:5000/repo', 'test:5000/repo:latest'],
    ['test:5000/repo:tag', 'test:5000/repo:tag'],
    [`test:5000/repo@sha256:${F64}`, `test:5000/repo@sha256:${F64}`],
    [`test:5000/repo:tag@sha256:${F64}`, `test:5000/repo:tag@sha256:${F64}`],
    // FIXME in the Go test too: an upper-case first component counts as a registry host, so this passes.
    ['Uppercase/lowercase:tag', 'Uppercase/lowercase:tag'],
    ['lowercase:Uppercase', 'docker.io/library/lowercase:Uppercase'],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux:latest'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux:some-long-tag'],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      'b.gcr.io/test.example.com/my-app:test.example.com',
    ],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage:xn--n3h.com'],
    [`xn--7o8h.com/myimage:xn--7o8h.com@sha512:${F128}`, `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${F128}`],
    ['foo_bar.com:8080', 'docker.io/library/foo_bar.com:8080'],
    ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com:8080'],
    ['192.168.1.1', 'docker.io/library/192.168.1.1:latest'],
    ['192.168.1.1:tag', 'docker.io/library/192.168.1.1:tag'],
    ['192.168.1.1:5000', 'docker.io/library/192.168.1.1:5000'],
    ['192.168.1.1/repo', '192.168.1.1/repo:latest'],
    ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo:latest'],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo:latest'],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo:tag'],
    ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo:latest'],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo:tag'],
    [`[2001:db8::1]:5000/repo@sha256:${F64}`, `[2001:db8::1]:5000/repo@sha256:${F64}`],
    [`[2001:db8::1]:5000/repo:tag@sha256:${F64}`, `[2001:db8::1]:5000/repo:tag@sha256:${F64}`],
    ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo:latest'],
    ['[::1]:5000/repo', '[::1]:5000/repo:latest'],
  ]
  it.each(valid)('%s → %s', (input, expected) => {
    expect(normalised(input)).toBe(expected)
  })

  const invalid: [string, string][] = [
    ['', 'at least one component'],
    [':justtag', 'repository name is missing'],
    [`@sha256:${F64}`, 'repository name is missing'],
    [`repo@sha256:${'f'.repeat(63)}`, 'sha256 digest needs 64 hex characters, got 63'],
    [`validname@invaliddigest:${F64}`, 'unsupported digest algorithm "invaliddigest"'],
    ['Uppercase:tag', 'repository name must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'repository name must be lowercase'],
    [`${'a/'.repeat(128)}a:tag`, 'must not be more than 255 characters'],
    // Valid for the raw Parse in the Go test (255 characters), too long once normalised to docker.io/…
    // (ParseNormalizedNamed checks the full name).
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, 'must not be more than 255 characters (got 265)'],
    ['aa/asdf$$^/aa', 'invalid repository path component "asdf$$^"'],
    ['[2001:db8::1]', 'needs a repository path'],
    ['[2001:db8::1]:5000', 'needs a repository path'],
    ['[2001:db8::1]:tag', 'needs a repository path'],
    ['[fe80::1%eth0]:5000/repo', 'invalid IPv6 registry host'],
    ['[fe80::1%@invalidzone]:5000/repo', 'invalid'],
  ]
  it.each(invalid)('%s is invalid: %s', (input, reason) => {
    expect(reasonOf(input)).toContain(reason)
  })
})

describe('normalize_test.go TestValidateReferenceName', () => {
  const valid = [
    'docker/docker',
    'library/debian',
    'debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '192.168.0.1',
    '192.168.0.1:80',
    '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'Docker/docker',
    'DOCKER/docker',
  ]
  it.each(valid)('%s is valid', (name) => {
    expect(() => parseReference(name)).not.toThrow()
  })

  const invalid = [
    'https://github.com/docker/docker',
    'docker/Docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker/Docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  ]
  it.each(invalid)('%s is invalid', (name) => {
    expect(() => parseReference(name)).toThrow(InvalidReferenceError)
  })

  it('gives the reason for the cases a user meets', () => {
    expect(reasonOf('docker/Docker')).toBe('repository name must be lowercase')
    expect(reasonOf('docker///docker')).toContain('empty component')
    expect(reasonOf('-docker')).toContain('invalid repository path component "-docker"')
    expect(reasonOf('https://github.com/docker/docker')).toContain('invalid registry port')
    expect(reasonOf('1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a')).toContain('image ID')
  })
})

describe('normalize_test.go TestNormalizedSplitHostname and TestParseRepositoryInfo', () => {
  const split: [string, string, string][] = [
    // input, domain, path
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['foo', 'docker.io', 'library/foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['fooo/bar', 'docker.io', 'fooo/bar'],
    ['library/ubuntu', 'docker.io', 'library/ubuntu'],
    ['nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu'],
    ['ubuntu', 'docker.io', 'library/ubuntu'],
    ['other/library', 'docker.io', 'other/library'],
    ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase'],
    ['127.0.0.1:8000/privatebase', '127.0.0.1:8000', 'privatebase'],
    ['example.com/private/moonbase', 'example.com', 'private/moonbase'],
    ['example.com:8000/privatebase', 'example.com:8000', 'privatebase'],
    ['localhost:8000/private/moonbase', 'localhost:8000', 'private/moonbase'],
    ['localhost/private/moonbase', 'localhost', 'private/moonbase'],
    ['localhost/privatebase', 'localhost', 'privatebase'],
    ['docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
    ['docker.io/ubuntu', 'docker.io', 'library/ubuntu'],
    ['index.docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
    ['index.docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
    ['index.docker.io/ubuntu', 'docker.io', 'library/ubuntu'],
    // Not Docker's own normalisation but the same registry (Docker Hub's API host): normalised too.
    ['registry-1.docker.io/ubuntu', 'docker.io', 'library/ubuntu'],
    ['registry-1.docker.io/bitnami/redis', 'docker.io', 'bitnami/redis'],
  ]
  it.each(split)('%s → domain %s, path %s', (input, domain, path) => {
    const ref = parseReference(input)
    expect(ref.domain).toBe(domain)
    expect(ref.path).toBe(path)
  })

  it('keeps tag and digest together (TestParseReferenceWithTagAndDigest)', () => {
    const digest = 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa'
    const ref = parseReference(`busybox:latest@${digest}`)
    expect(ref).toEqual({ domain: 'docker.io', path: 'library/busybox', tag: 'latest', digest })
    expect(formatReference(ref)).toBe(`docker.io/library/busybox:latest@${digest}`)
  })

  it('adds latest only when there is neither tag nor digest', () => {
    expect(parseReference('nginx')).toEqual({ domain: 'docker.io', path: 'library/nginx', tag: 'latest' })
    expect(parseReference(`nginx@sha256:${F64}`)).toEqual({
      domain: 'docker.io',
      path: 'library/nginx',
      digest: `sha256:${F64}`,
    })
    expect(normalised('ghcr.io/a/b:1.0')).toBe('ghcr.io/a/b:1.0')
  })
})

describe('reasons for invalid references', () => {
  const cases: [string, string][] = [
    ['nginx:1.27 ', 'leading or trailing whitespace'],
    [' nginx', 'leading or trailing whitespace'],
    ['ngi nx:1', 'whitespace at position 4'],
    ['- nginx:1.27', 'looks like a YAML list item'],
    ['nginx\u0007', 'control character U+0007'],
    ['ngi\u0000nx', 'control character U+0000'],
    ['nginx\u00a0:1', 'whitespace'],
    ['nginx\t', 'whitespace'],
    [`nginx:${'a'.repeat(129)}`, 'tag longer than 128 characters (got 129)'],
    [`nginx:${'a'.repeat(128)}`, ''],
    ['nginx:', 'tag is empty'],
    ['nginx:.1', 'invalid tag ".1"'],
    ['nginx:-1', 'invalid tag "-1"'],
    ['nginx@', 'digest is empty'],
    ['nginx@sha256:abc', 'sha256 digest needs 64 hex characters, got 3'],
    ['nginx@sha256:0123456789ab', 'sha256 digest needs 64 hex characters, got 12'],
    [`nginx@sha512:${F64}`, 'sha512 digest needs 128 hex characters, got 64'],
    [`nginx@sha256:${'F'.repeat(64)}`, 'sha256 digest must be lower-case hexadecimal'],
    [`nginx@sha256:${'g'.repeat(64)}`, 'sha256 digest must be hexadecimal'],
    [`nginx@SHA256:${F64}`, 'invalid digest'],
    [`nginx@md5:${'f'.repeat(32)}`, 'unsupported digest algorithm "md5"'],
    [`nginx@${F64}`, 'invalid digest'],
    ['NGINX', 'repository name must be lowercase'],
    ['ghcr.io/Org/app', 'repository name must be lowercase'],
    ['a..b', 'invalid repository path component "a..b"'],
    ['a___b', 'invalid repository path component "a___b"'],
    ['a/', 'empty component'],
    ['my_registry.local:5000/app', 'invalid registry host "my_registry.local"'],
    ['registry.local:port/app', 'invalid registry port "port"'],
    ['-registry.local/app', 'invalid registry host'],
    [`${'a'.repeat(240)}`, 'must not be more than 255 characters (got 258)'],
    ['nginx:1.27:extra', 'invalid'],
    ['café', 'invalid repository path component'],
    ['ÄPFEL', 'repository name must be lowercase'],
  ]
  it.each(cases)('%j: %s', (input, reason) => {
    if (reason === '') expect(() => parseReference(input)).not.toThrow()
    else expect(reasonOf(input)).toContain(reason)
  })

  it('says where the reference is in the error message', () => {
    try {
      parseReference('Nginx')
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidReferenceError)
      expect((err as Error).message).toBe(
        'invalid image reference "Nginx": repository name must be lowercase',
      )
    }
  })

  it('accepts the limits exactly', () => {
    const path = `a${'/b'.repeat(117)}` // docker.io/ + 235 = 245 … fill to 255 below
    const name = `${path}${'c'.repeat(255 - 'docker.io/'.length - path.length)}`
    expect(`docker.io/${name}`.length).toBe(255)
    expect(() => parseReference(name)).not.toThrow()
    expect(reasonOf(`${name}c`)).toContain('(got 256)')
  })
})

describe('isTemplated', () => {
  const cases: [string, string | undefined][] = [
    ['{{ .Values.image }}', 'helm template'],
    ['{{ .Values.image.repository }}:{{ .Values.image.tag }}', 'helm template'],
    ['repo/app:{{ .Chart.AppVersion }}', 'helm template'],
    ['{{inputs.parameters.image}}', 'Argo Workflows parameter'],
    ['{{workflow.parameters.img}}', 'Argo Workflows parameter'],
    ['${IMAGE}', 'envsubst'],
    ['${REGISTRY:-docker.io}/nginx:1', 'envsubst'],
    ['$IMAGE', 'envsubst'],
    ['registry/app:$TAG', 'envsubst'],
    ['$(params.builderImage)', 'Tekton'],
    ['{% raw %}', 'render the templates'],
    ['app:<no value>', 'missing value'],
    ['nginx:1.27', undefined],
    [`ghcr.io/a/b@sha256:${F64}`, undefined],
    ['', undefined],
  ]
  it.each(cases)('%j → %s', (text, hint) => {
    const got = isTemplated(text)
    if (hint === undefined) expect(got).toBeUndefined()
    else expect(got).toContain(hint)
  })
})
