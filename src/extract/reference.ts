// Image references, parsed and normalised like the container ecosystem: the grammar of
// github.com/distribution/reference (regexp.go) and Docker's normalisation (normalize.go: ParseDockerRef),
// with one deliberate difference: a reference with both tag and digest keeps both (Docker drops the tag).
// Instead of one big regular expression the parts are checked one by one, so an invalid reference gets a
// reason a user can act on ("sha256 digest needs 64 hex characters, got 12") rather than "invalid format".
import { InvalidReferenceError } from '../errors.js'
import type { ImageReference } from '../model.js'

export const DEFAULT_DOMAIN = 'docker.io'
/** Docker Hub's names; the others are normalised to `docker.io` (the registry map does the same). */
export const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
])
const OFFICIAL_PREFIX = 'library/'
/** distribution/reference NameTotalLengthMax, measured on the normalised `domain/path`. */
export const NAME_TOTAL_MAX = 255
export const TAG_MAX = 128

/** One component of a repository path (also of a registry-map prefix). */
export const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN_NAME = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*$`)
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/
const PORT = /^[0-9]+$/
const TAG = /^\w[\w.-]*$/
/** go-digest's algorithm grammar (lower case only). */
const ALGORITHM = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*'
const DIGEST_ALGORITHM = new RegExp(`^${ALGORITHM}$`)
/** A digest as a registry sends it (OCI image-spec grammar): `algorithm:encoded`, at least 32 characters. */
export const DIGEST = new RegExp(`^${ALGORITHM}:[a-zA-Z0-9=_-]{32,}$`)
/** Algorithms go-digest registers, with their hex length. */
const DIGEST_HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }
/** A bare 64-hex string is an image ID, never a name (normalize.go anchoredIdentifierRegexp). */
const IMAGE_ID = /^[a-f0-9]{64}$/
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f)

const fail = (input: string, reason: string): never => {
  throw new InvalidReferenceError(input, reason)
}

/**
 * Parse and normalise an image reference. Throws InvalidReferenceError (and nothing else) with a reason.
 * `nginx` → docker.io/library/nginx:latest; `index.docker.io/x` → docker.io/library/x; tag and digest kept.
 */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string') return fail(String(input), `expected a string, got ${typeof input}`)
  if (input === '')
    return fail(input, 'repository name must have at least one component (the reference is empty)')
  checkCharacters(input)
  if (IMAGE_ID.test(input))
    fail(input, 'a 64-character hexadecimal string is an image ID, not a repository name')

  let rest = input
  let digest: string | undefined
  const at = input.indexOf('@')
  if (at !== -1) {
    digest = input.slice(at + 1)
    rest = input.slice(0, at)
    if (digest.includes('/')) fail(input, 'invalid "@" inside the name (a digest goes last: name@sha256:…)')
  }
  let name = rest
  let tag: string | undefined
  // The tag separator is a colon after the last slash; colons before it belong to a registry port.
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/') && !(rest.startsWith('[') && colon < rest.indexOf(']'))) {
    name = rest.slice(0, colon)
    tag = rest.slice(colon + 1)
  }

  const { domain, path } = splitDomain(input, name)
  if (tag !== undefined) checkTag(input, tag)
  if (digest !== undefined) checkDigest(input, digest)
  const full = `${domain}/${path}`
  if (full.length > NAME_TOTAL_MAX)
    fail(input, `repository name must not be more than ${NAME_TOTAL_MAX} characters (got ${full.length})`)

  const ref: ImageReference = { domain, path }
  if (tag !== undefined) ref.tag = tag
  if (digest !== undefined) ref.digest = digest
  if (tag === undefined && digest === undefined) ref.tag = 'latest'
  return ref
}

function checkCharacters(input: string): void {
  for (let i = 0; i < input.length; i++) {
    const code = input.charCodeAt(i)
    if (code === 32 || (code >= 9 && code <= 13) || (code > 0x7f && /\s/.test(input.charAt(i)))) {
      const where =
        i === 0 || i === input.length - 1
          ? 'leading or trailing whitespace'
          : `whitespace at position ${i + 1}`
      const hint = /^-\s/.test(input)
        ? ' (looks like a YAML list item: write the reference without "- ")'
        : ''
      fail(input, `contains ${where}${hint}`)
    }
    if (isControl(code)) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0')
      fail(input, `contains control character U+${hex} at position ${i + 1}`)
    }
  }
}

/** Docker's splitDockerDomain: the first component is a registry only if it has a `.` or `:`, is `localhost`, or has upper case. */
function splitDomain(input: string, name: string): { domain: string; path: string } {
  if (name === '') fail(input, 'repository name is missing')
  if (name.startsWith('[') && !name.includes('/'))
    fail(input, 'a registry host needs a repository path after it (e.g. [::1]:5000/app)')
  const slash = name.indexOf('/')
  const first = slash === -1 ? '' : name.slice(0, slash)
  let domain = DEFAULT_DOMAIN
  let path = name
  if (slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    checkDomain(input, first)
    domain = first
    path = name.slice(slash + 1)
  }
  if (DOCKER_HUB_HOSTS.has(domain)) domain = DEFAULT_DOMAIN
  checkPath(input, path)
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path
  return { domain, path }
}

function checkDomain(input: string, domain: string): void {
  let host = domain
  let port: string | undefined
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']')
    host = close === -1 ? domain : domain.slice(0, close + 1)
    const after = close === -1 ? '' : domain.slice(close + 1)
    if (after !== '') {
      if (!after.startsWith(':')) fail(input, `invalid registry host "${domain}"`)
      port = after.slice(1)
    }
    if (!IPV6_HOST.test(host))
      fail(input, `invalid IPv6 registry host "${host}" (hex digits and colons in brackets)`)
  } else {
    const c = domain.indexOf(':')
    if (c !== -1) {
      host = domain.slice(0, c)
      port = domain.slice(c + 1)
    }
    if (!DOMAIN_NAME.test(host))
      fail(input, `invalid registry host "${host}" (letters, digits, "-" and "." only; IPv6 in brackets)`)
  }
  if (port !== undefined && !PORT.test(port)) fail(input, `invalid registry port "${port}" (digits only)`)
}

function checkPath(input: string, path: string): void {
  if (path === '') fail(input, 'repository path is empty')
  if (path.toLowerCase() !== path) fail(input, 'repository name must be lowercase')
  for (const component of path.split('/')) {
    if (component === '') fail(input, 'repository path has an empty component ("//" or a trailing "/")')
    if (!PATH_COMPONENT.test(component))
      fail(
        input,
        `invalid repository path component "${component}" (lowercase letters and digits, joined by single ".", "_", "__" or "-")`,
      )
  }
}

function checkTag(input: string, tag: string): void {
  if (tag === '') fail(input, 'tag is empty (nothing after ":"; a templated tag may have rendered empty)')
  if (tag.length > TAG_MAX) fail(input, `tag longer than ${TAG_MAX} characters (got ${tag.length})`)
  if (!TAG.test(tag))
    fail(input, `invalid tag "${tag}" (letters, digits, "_", "." and "-", not starting with "." or "-")`)
}

function checkDigest(input: string, digest: string): void {
  if (digest === '') fail(input, 'digest is empty (nothing after "@")')
  const colon = digest.indexOf(':')
  const algorithm = colon === -1 ? '' : digest.slice(0, colon)
  const hex = colon === -1 ? '' : digest.slice(colon + 1)
  if (colon <= 0 || hex === '' || !DIGEST_ALGORITHM.test(algorithm))
    fail(input, `invalid digest "${digest}" (expected algorithm:hex, e.g. sha256: and 64 hex characters)`)
  const length = DIGEST_HEX_LENGTH[algorithm]
  if (length === undefined)
    fail(input, `unsupported digest algorithm "${algorithm}" (sha256, sha384 or sha512)`)
  if (!/^[0-9a-fA-F]+$/.test(hex)) fail(input, `${algorithm} digest must be hexadecimal`)
  if (hex.length !== length)
    fail(input, `${algorithm} digest needs ${length} hex characters, got ${hex.length}`)
  if (hex.toLowerCase() !== hex) fail(input, `${algorithm} digest must be lower-case hexadecimal`)
}

/** The normalised text: `docker.io/library/nginx:1.27`, `host/p@sha256:…`, `host/p:tag@sha256:…`. */
export function formatReference(ref: ImageReference): string {
  let s = `${ref.domain}/${ref.path}`
  if (ref.tag !== undefined) s += `:${ref.tag}`
  if (ref.digest !== undefined) s += `@${ref.digest}`
  return s
}

const RENDER_HINT = 'render the templates first (e.g. `helm template`) and scan the output'
/**
 * When the text still holds templating, a hint saying what to do; otherwise undefined. Such values are
 * reported as unresolved (never as invalid, never dropped): the real image is only known after rendering.
 */
export function isTemplated(text: string): string | undefined {
  if (text.includes('{{')) {
    if (/\{\{\s*(?:inputs|outputs|workflow|steps|tasks|item|pod|retries|node)\b/.test(text))
      return 'Argo Workflows parameter, resolved only at run time: list the concrete image under `images` to warm it'
    return `unrendered template (\`{{ … }}\`): ${RENDER_HINT}`
  }
  if (text.includes('{%')) return `unrendered template (\`{% … %}\`): ${RENDER_HINT}`
  // `$(` with a `)` anywhere after it. Found with two forward searches: the regular expression
  // /\$\([^)]*\)/ rescans the rest of the text from every `$(` (quadratic on `$($($(…`).
  const paren = text.indexOf('$(')
  if (paren !== -1 && text.indexOf(')', paren + 2) !== -1)
    return 'run-time parameter (`$(…)`, Tekton/Kubernetes variable): list the concrete image under `images` to warm it'
  if (/\$[{A-Za-z_]/.test(text))
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows shell syntax
    return 'unexpanded variable (`${…}`): run `envsubst` or `docker compose config` first, or list the image under `images`'
  if (text.includes('<no value>'))
    return `a template rendered a missing value (\`<no value>\`): ${RENDER_HINT} with the values set`
  return undefined
}

/** Hint for an image field that is empty or null. */
export const EMPTY_HINT =
  'image is empty: a template probably rendered nothing here; render with the right values, or set the image'
