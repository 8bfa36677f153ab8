// Property tests for the reference parser: generated valid references survive parse ∘ format, normalise as
// a small model says, and no input whatsoever makes the parser throw anything but InvalidReferenceError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidReferenceError } from '../src/errors.js'
import { formatReference, parseReference } from '../src/extract/reference.js'
import type { ImageReference } from '../src/model.js'

const lower = 'abcdefghijklmnopqrstuvwxyz'
const digits = '0123456789'
const hexChars = '0123456789abcdef'
const chars = (alphabet: string, min: number, max: number) =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''))

// Grammar pieces (distribution/reference regexp.go).
const alnum = chars(lower + digits, 1, 6)
const separator = fc.constantFrom('.', '_', '__', '-', '--')
const component = fc
  .tuple(alnum, fc.array(fc.tuple(separator, alnum), { maxLength: 2 }))
  .map(([first, rest]) => first + rest.map(([s, a]) => s + a).join(''))
const path = fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join('/'))
const hostLabel = fc
  .tuple(chars(lower + digits, 1, 1), chars(`${lower}${digits}-`, 0, 5), chars(lower + digits, 1, 1))
  .map(([a, b, c]) => a + b + c)
const dnsHost = fc.array(hostLabel, { minLength: 2, maxLength: 3 }).map((l) => l.join('.'))
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'))
const ipv6 = fc
  .ipV6()
  .filter((a) => !a.includes('.'))
  .map((a) => `[${a}]`)
const port = fc.integer({ min: 1, max: 65535 }).map((p) => `:${p}`)
const domain = fc
  .tuple(fc.oneof(dnsHost, ipv4, ipv6, fc.constant('localhost')), fc.option(port, { nil: undefined }))
  .map(([h, p]) => h + (p ?? ''))
  // `localhost` needs a port or stays a registry anyway; a bare IPv6 needs nothing more.
  .filter((d) => d !== 'docker.io')
const tagFirst = `${lower}${lower.toUpperCase()}${digits}_`
const tag = fc
  .tuple(chars(tagFirst, 1, 1), chars(`${tagFirst}.-`, 0, 20))
  .map(([a, b]) => a + b)
  .chain((t) => fc.oneof({ weight: 9, arbitrary: fc.constant(t) }, fc.constant(t.padEnd(128, 'x'))))
const digest = fc.oneof(
  chars(hexChars, 64, 64).map((h) => `sha256:${h}`),
  chars(hexChars, 96, 96).map((h) => `sha384:${h}`),
  chars(hexChars, 128, 128).map((h) => `sha512:${h}`),
)

interface Parts {
  domain?: string | undefined
  path: string
  tag?: string | undefined
  digest?: string | undefined
}
const parts = fc
  .record({
    domain: fc.option(
      fc.oneof(domain, fc.constantFrom('docker.io', 'index.docker.io', 'registry-1.docker.io')),
      {
        nil: undefined,
      },
    ),
    path,
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  // A domain-less first component with a dot or colon would be read as a registry: not what we generate.
  .filter(
    (p) => p.domain !== undefined || !p.path.includes('/') || !/^(?:[^/]*[.:][^/]*|localhost)\//.test(p.path),
  )
  // A bare 64-hex name is an image ID, not a name.
  .filter((p) => !/^[a-f0-9]{64}$/.test(p.path) || p.domain !== undefined || p.tag !== undefined)

const text = (p: Parts) =>
  `${p.domain ? `${p.domain}/` : ''}${p.path}${p.tag !== undefined ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`

/** Docker's normalisation, as a model. */
function model(p: Parts): ImageReference | 'too long' {
  let d = p.domain ?? 'docker.io'
  if (d === 'index.docker.io' || d === 'registry-1.docker.io') d = 'docker.io'
  const path = d === 'docker.io' && !p.path.includes('/') ? `library/${p.path}` : p.path
  if (`${d}/${path}`.length > 255) return 'too long'
  const ref: ImageReference = { domain: d, path }
  if (p.tag !== undefined) ref.tag = p.tag
  if (p.digest !== undefined) ref.digest = p.digest
  if (p.tag === undefined && p.digest === undefined) ref.tag = 'latest'
  return ref
}

function safeParse(input: string): ImageReference | InvalidReferenceError {
  try {
    return parseReference(input)
  } catch (err) {
    if (err instanceof InvalidReferenceError) return err
    throw err
  }
}

describe('reference parser properties', () => {
  it('normalises generated references like Docker does', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const expected = model(p)
        const got = safeParse(text(p))
        if (expected === 'too long') {
          expect(got).toBeInstanceOf(InvalidReferenceError)
          expect((got as InvalidReferenceError).reason).toContain('must not be more than 255 characters')
        } else expect(got).toEqual(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it('format ∘ parse is stable: format(parse(format(parse(x)))) == format(parse(x))', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const first = safeParse(text(p))
        fc.pre(!(first instanceof InvalidReferenceError))
        const once = formatReference(first as ImageReference)
        const again = parseReference(once)
        expect(again).toEqual(first)
        expect(formatReference(again)).toBe(once)
      }),
      { numRuns: 2000 },
    )
  })

  const hostile = [
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    // Strings from the reference alphabet (and its neighbours): mostly near-misses of the grammar.
    fc
      .array(
        fc.oneof(
          fc.constantFrom(...`${lower}ABCXYZ${digits}./:@_-[]%$ {}\t\n`.split('')),
          fc.constantFrom(
            'sha256:',
            'sha512:',
            'docker.io/',
            'localhost:5000/',
            '[::1]/',
            ':latest',
            '@',
            '//',
          ),
        ),
        { maxLength: 40 },
      )
      .map((a) => a.join('')),
    parts.map((p) => text(p)).chain((t) => fc.nat(t.length).map((i) => t.slice(0, i) + t.slice(i + 1))),
  ]
  it.each(hostile.map((a, i) => [i, a] as const))(
    'never throws anything but InvalidReferenceError (arbitrary %i)',
    (_i, arb) => {
      fc.assert(
        fc.property(arb, (input) => {
          const got = safeParse(input)
          if (got instanceof InvalidReferenceError) {
            expect(got.reason.length).toBeGreaterThan(0)
            expect(got.reference).toBe(input)
          } else {
            // Whatever parses normalises to something that parses to itself.
            expect(parseReference(formatReference(got))).toEqual(got)
          }
        }),
        { numRuns: 3000 },
      )
    },
  )

  it('rejects non-strings with InvalidReferenceError too', () => {
    for (const v of [undefined, null, 42, {}, []])
      expect(safeParse(v as unknown as string)).toBeInstanceOf(InvalidReferenceError)
  })
})
