// Every sentence of the warm layer that tells the user what to change lives here: diagnoses of failed
// images, the advice after a transport failure, the 401 wording, connection warnings. The transport
// (client.ts, errors.ts) and the registry calls only report what happened, as typed data.
// Zot never passes sync errors to its client, so most diagnoses name the likely causes and the line to look
// for in Zot's log (docs/zot.md has the failure table).

import { formatSetting, formatDuration as formatWait } from '../inputs/duration.js'
import type { ZotRequestError } from './errors.js'
import { isDockerMediaType } from './manifest.js'
import type { RetryEvent } from './options.js'

/** What the advice needs to know about the connection settings (never the secrets themselves). */
export interface ConnectionFacts {
  /** Zot's base URL. */
  url: string
  username?: string
  /** A static bearer token is configured. */
  hasToken: boolean
  /** A client certificate is configured (mutual TLS). */
  hasClientCert: boolean
  /** TLS verification is off (skip-tls-verify). */
  insecure: boolean
}

export type Situation =
  /** Zot answered 404 to a manifest request that made it sync (tag, or a digest it did not have). */
  | { kind: 'missing-after-sync'; repository: string; reference: string; upstream?: string }
  /** tag@D: the tag was synced and resolves to `tagDigest`, but D is not in Zot even after asking for it. */
  | {
      kind: 'pin-missing'
      repository: string
      tag: string
      pinned: string
      tagDigest?: string
      /** Media type Zot stored for the tag; Docker types mean Zot does not convert (preserveDigest is on). */
      storedMediaType?: string
    }
  /** Check mode: not in Zot, and check mode never asks Zot to sync. */
  | { kind: 'not-cached'; what: string }
  /** Required platforms the image does not offer. */
  | { kind: 'platform-missing'; missing: string[]; available: string[] }
  /** The index lists the platform but its manifest is not in Zot. */
  | { kind: 'platform-manifest-missing'; platforms: string[] }
  /** The image timeout ended while Zot was still syncing (or never answered). */
  | { kind: 'sync-timeout'; timeoutMs: number; connectionClosed: boolean }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'forbidden'; repository: string; user?: string }
  /** `attempts`: tries made; one means the answer was not retried. */
  | { kind: 'rate-limited'; status: number; attempts?: number }
  | { kind: 'server-error'; status: number; attempts?: number }
  | { kind: 'unexpected-status'; status: number; code?: string }
  /** A host Zot redirected the request to refused it; Zot's credentials never go to another origin. */
  | { kind: 'redirected'; origin: string; status: number }
  /** `referrers: require-signed` and no signature of the image in the cache. */
  | {
      kind: 'unsigned'
      what: string
      /** The cache's signatures could be read locally (the search extension answered for this image). */
      verified: boolean
      mode: 'warm' | 'check'
      /** Zot was asked to copy the image's referrers in this run. */
      copied: boolean
      /** The cache holds signatures of the image's platform manifests, none of the image's own digest. */
      platformsSigned?: boolean
    }

/** Ends the error of an image `referrers: require-signed` failed (the annotations title it by this). */
export const REQUIRE_SIGNED = '(referrers: require-signed)'

/** What Zot's conversion does to a digest (in the pin diagnosis and the digestUnproven explanation). */
const conversionDiagnosis =
  'Zot converts the image on sync (preserveDigest off: Docker manifests become OCI and attestations leave the index, which changes the digest)'

/**
 * The part of a message that is the same for every image it concerns: causes and what to configure. A message
 * that carries one is `<what is wrong for this image> <explanation text>` (explained()); the JSON report keeps it
 * whole, while the summaries, the comment, the log and the annotations show the first part per image and the
 * explanation once per run (splitExplained()).
 */
export interface Explanation {
  title: string
  text: string
}

const SEARCH_OFF =
  "Zot's search extension is off (or does not know this digest under any tag). Enable it on the cache " +
  '("search": {"enable": true} under extensions)'

export const EXPLANATIONS = {
  missingAfterSync: {
    title: 'Why Zot answers 404 after syncing',
    text:
      "The image is missing upstream, the upstream is down or unreachable from Zot, Zot's upstream " +
      "credentials are refused, the registry map disagrees with Zot's sync content destinations, Zot " +
      'rejected its media types (an OCI index with Docker children, or Docker media types without ' +
      '`http.compat: ["docker2s2"]`), or the sync registry sets "onlySigned" and the image has no signature ' +
      'on its own digest upstream. In Zot\'s log, "connection refused", "no such host" or "timeout" means Zot ' +
      'cannot reach the upstream (check its sync urls and network), ' +
      '"filtered out by content" from every sync registry means the map is wrong (one ' +
      'registry saying it is normal when another serves the path), "invalid manifest content" or ' +
      '"bad manifest media type" a media type problem, "skipping image without mandatory signature" ' +
      'onlySigned (sign the image, or set "onlySigned": false), "rate limit" or 429 an upstream rate limit (add ' +
      "credentials in Zot's credentialsFile), 404/401 from upstream a wrong reference or missing credentials.",
  },
  unsigned: {
    title: 'Why an image has no signature in Zot',
    text:
      'Either the image is not signed upstream ' +
      '(sign it, e.g. cosign sign or notation sign, or deploy a signed tag); or the cache converted it ' +
      '(preserveDigest off: Docker manifests become OCI with a new digest, which no upstream signature refers ' +
      'to; set "preserveDigest": true on the sync registry and "compat": ["docker2s2"] under http); or it is ' +
      'signed only with a legacy cosign tag (sha256-<hex>.sig) and the cache sets "syncLegacyCosignTags": ' +
      'false; or the signatures live in another repository (COSIGN_REPOSITORY), where Zot does not look. ' +
      'If upstream has a signature, look in Zot\'s log for "failed to sync image referrers" or "failed to sync ' +
      'referrer": with "invalid manifest content" Zot rejected a Docker-typed signature manifest (set ' +
      '"compat": ["docker2s2"] under http); anything else is an upstream error.',
  },
  platformsSigned: {
    title: 'Why signed platform manifests do not sign an image',
    text:
      'An admission policy (Kyverno verifyImages, sigstore policy-controller) verifies the digest the reference ' +
      'resolves to, the index of a multi-platform image: sign the index too (cosign sign on the index digest; ' +
      'with --recursive it signs the platforms as well).',
  },
  signaturesUnreadable: {
    title: 'Why signatures could not be verified',
    text: `${SEARCH_OFF}.`,
  },
  signaturesUnreadableCheck: {
    title: 'Why signatures could not be verified',
    text: `${SEARCH_OFF}, or run in warm mode, which asks Zot to copy the signatures.`,
  },
  digestUnproven: {
    title: 'Why a tag was not pinned (rewrite: digest)',
    text:
      `Such an image may be published so or be Zot's conversion (${conversionDiagnosis}). ` +
      'A tag is pinned only on proof: Docker media types or attestation entries kept in the stored image (the ' +
      'conversion removes both), or a signature, attestation or SBOM that Zot copied from upstream for this ' +
      'very digest (Zot asks upstream for the referrers of the digest it holds; a converted digest has none). ' +
      'Pin the upstream digest in the manifest (tag@sha256:…, which zot-warm verifies), or use rewrite: zot ' +
      'to pull from the cache.',
  },
} as const satisfies Record<string, Explanation>

const ALL_EXPLANATIONS: readonly Explanation[] = Object.values(EXPLANATIONS)

/** The message that says `brief` for one image, followed by the explanation it shares with others. */
export function explained(brief: string, explanation: Explanation): string {
  return `${brief} ${explanation.text}`
}

/** A message split into what concerns its image and the shared explanation it ends with, if any. */
export function splitExplained(text: string): { brief: string; explanation?: Explanation } {
  for (const e of ALL_EXPLANATIONS)
    if (text.endsWith(` ${e.text}`))
      return { brief: text.slice(0, text.length - e.text.length - 1), explanation: e }
  return { brief: text }
}

function tries(attempts: number | undefined): string {
  return attempts ? ` (${attempts} tries)` : ''
}

export function diagnose(s: Situation): string {
  switch (s.kind) {
    case 'missing-after-sync': {
      // Zot logs upstream errors under the upstream path (`team/app`), local ones under `prefix/team/app`:
      // the upstream path matches both.
      const logTerm = s.upstream ? s.upstream.slice(s.upstream.indexOf('/') + 1) : s.repository
      return explained(
        `Zot answered 404 after syncing ${s.repository}${s.reference.includes(':') ? '@' : ':'}${s.reference}` +
          `${s.upstream ? ` (upstream ${s.upstream})` : ''}; Zot's log says why (look for "${logTerm}").`,
        EXPLANATIONS.missingAfterSync,
      )
    }
    case 'pin-missing': {
      const converted = s.storedMediaType ? !isDockerMediaType(s.storedMediaType) : true
      const moved = s.tagDigest
        ? `Zot's ${s.tag} is ${s.tagDigest}, not the pinned ${s.pinned}. `
        : `The pinned ${s.pinned} is not in Zot. `
      if (!converted)
        return (
          `${moved}Zot stores this image unconverted (Docker media types, so preserveDigest is on): the upstream ` +
          `tag most likely moved and ${s.pinned} is no longer available upstream. Update the pin to the current digest.`
        )
      return (
        `${moved}Either ${conversionDiagnosis}, or the upstream tag moved and the old digest ` +
        'is gone. If the image is published with Docker media types or attestations, set "preserveDigest": true ' +
        'on the registry in Zot\'s sync config and "compat": ["docker2s2"] under http; otherwise update the pin.'
      )
    }
    case 'not-cached':
      return `Zot does not hold ${s.what}; check mode never asks Zot to sync. Run in warm mode to fetch it.`
    case 'platform-missing':
      return (
        `The image does not offer ${s.missing.join(', ')} (it has ${s.available.length ? s.available.join(', ') : 'no platform information'}). ` +
        'Use an image built for those platforms, or narrow the `platforms` input.'
      )
    case 'platform-manifest-missing':
      return (
        `The index lists ${s.platforms.join(', ')} but Zot does not have their manifests: the sync was ` +
        "incomplete or storage lost them. Check Zot's log for errors on this repository, then run again."
      )
    case 'sync-timeout':
      return s.connectionClosed
        ? `Zot closed the connection while syncing (its http.writeTimeout is shorter than the sync) and the image ` +
            `did not appear within the image timeout (${formatSetting(s.timeoutMs)}). Zot may still finish in the background; ` +
            'raise image-timeout, and set "writeTimeout": "0s" (or longer than your largest sync) in Zot\'s http config. ' +
            'If it never appears, check Zot\'s log for "failed to sync image".'
        : `No answer from Zot within the image timeout (${formatSetting(s.timeoutMs)}); a large image may still be ` +
            'syncing in the background. Raise image-timeout, or check Zot\'s log for "failed to sync image" and ' +
            'an upstream rate limit.'
    case 'unauthorized':
      return `${s.message}. Check username and password (or token) and that the user may read this repository.`
    case 'forbidden':
      return `Zot refused access to ${s.repository}${s.user ? ` for ${s.user}` : ''} (403): grant read on it in Zot's accessControl.`
    case 'rate-limited':
      return s.attempts === 1
        ? `Zot answered ${s.status} (too many requests): lower concurrency or retry later.`
        : `Zot kept answering ${s.status} (too many requests) after every retry${tries(s.attempts)}: lower concurrency or retry later.`
    case 'server-error':
      return `Zot answered ${s.status}${s.attempts === 1 ? '' : ` after every retry${tries(s.attempts)}`}: check Zot's log and its storage, then run again.`
    case 'unexpected-status':
      return `Zot answered ${s.status}${s.code ? ` ${s.code}` : ''}, which a warmer cannot act on; check Zot's log.`
    case 'redirected':
      return (
        `Zot redirected the request to ${s.origin}, which answered ${s.status}. Credentials and token ` +
        "challenges are honoured for Zot's own origin only, so that host gets none: make Zot serve this " +
        'content itself, or the other host accept the redirected request as it is (e.g. a pre-signed URL).'
      )
    case 'unsigned':
      if (s.platformsSigned)
        return explained(
          "Zot holds signatures of the image's platform manifests only, not of its own digest.",
          EXPLANATIONS.platformsSigned,
        )
      if (!s.verified && !s.copied)
        return explained(
          "zot-warm cannot see whether Zot holds a signature of the image's digest without making it contact upstream.",
          s.mode === 'check' ? EXPLANATIONS.signaturesUnreadableCheck : EXPLANATIONS.signaturesUnreadable,
        )
      if (s.mode === 'check')
        return `No signature of ${s.what} is in Zot, and check mode never asks Zot to copy referrers. Run in warm mode to copy the signatures upstream has.`
      return explained(
        "Zot holds no signature of the image's digest after copying its referrers.",
        EXPLANATIONS.unsigned,
      )
  }
}

/** An image the run's cancellation (overall timeout or signal) cut off, before it started or while it ran. */
export function cancelledImage(started: boolean): string {
  const cancelled = 'cancelled (overall timeout or signal)'
  return started
    ? `${cancelled} before Zot confirmed the image; a sync already started continues in Zot`
    : `not attempted: the run was ${cancelled} before this image started`
}

/** The sentence for a 401 from Zot, by what was sent. */
export function authFailure(c: ConnectionFacts): string {
  if (c.username) return `Zot rejected the credentials for ${c.username}`
  if (c.hasToken) return 'Zot rejected the bearer token'
  return 'Zot requires credentials: set username and password'
}

/** What to do about a 401 on GET /v2/. */
export function authAdvice(c: ConnectionFacts): string {
  if (c.username)
    return 'Check username and password (a Zot API key goes in password, with the key owner as username).'
  // Zot answers a missing client certificate with the same Basic challenge as missing credentials.
  const mtls =
    c.url.startsWith('https:') && !c.hasClientCert
      ? ', or client-cert and client-key if Zot authenticates clients by certificate (mutual TLS)'
      : ''
  return `Set username and password (or token) for Zot${mtls}.`
}

/** Things the user should know about the connection settings before anything is sent. */
export function connectionWarnings(c: ConnectionFacts): string[] {
  return c.insecure && c.url.startsWith('https:')
    ? [
        `TLS verification is off for ${c.url} (skip-tls-verify): anyone on the network path can impersonate Zot and read the credentials.`,
      ]
    : []
}

/**
 * What to change after a transport failure, or undefined when the message says it all. `duringRun`: Zot
 * answered the pre-flight, so its URL and TLS settings are known to work.
 */
export function transportAdvice(
  err: ZotRequestError,
  c: ConnectionFacts,
  duringRun = false,
): string | undefined {
  if (err.kind === 'tls') {
    switch (err.reason) {
      case 'certificate':
        return err.peer
          ? `Trust the CA of ${err.peer.origin} in \`ca-cert\` (it is the one CA bundle for every host the run talks to).`
          : 'Pass the CA that signed Zot’s certificate in `ca-cert`, or (test setups only) set skip-tls-verify: true.'
      case 'not-tls':
        return 'Use an http:// URL in zot-url, or the port where Zot serves TLS.'
      case 'client-certificate':
        return "Set client-cert and client-key to a certificate signed by the CA in Zot's http.tls.cacert."
      default:
        return undefined
    }
  }
  if (err.kind === 'timeout' && !err.peer)
    return "Zot (or a proxy in front of it) stopped answering requests it answers from its own storage: check Zot's load and its log."
  if (err.peer?.role === 'token service' && err.kind !== 'protocol' && err.kind !== 'cancelled')
    return "It is the realm of Zot's bearer authentication: check that it runs and is reachable from this runner."
  if (duringRun) return undefined
  switch (err.kind) {
    case 'unreachable':
      return err.peer ? undefined : 'Check zot-url, and that Zot runs and is reachable from this runner.'
    case 'closed':
      // TLS 1.3 reports a refused client certificate after the handshake: the client only sees the close.
      if (!err.peer && c.hasClientCert && c.url.startsWith('https:'))
        return 'Zot may have refused the client certificate: check that client-cert is signed by the CA in Zot’s http.tls.cacert and that client-key belongs to it.'
      return 'Zot, or a proxy in front of it, dropped the connection: check its log.'
    default:
      return undefined
  }
}

/**
 * The log line of a failed try: the wait before the next one (`retrying in 8s: 429 from Zot …`), or why
 * there is none.
 */
export function retryLine(e: RetryEvent): string {
  const cause = e.error ? e.error.message : `${e.status} from Zot`
  const where = `${e.request}, try ${e.attempt} of ${e.attempts}`
  switch (e.stop) {
    case undefined:
      return `retrying in ${formatWait(e.delayMs)}: ${cause} (${where})`
    case 'attempts':
      return `giving up: ${cause} (${where})`
    case 'bound':
      return `not retrying: ${cause}, and the next try (in ${formatWait(e.delayMs)}) would pass the time bound of a request (${where})`
    case 'repeated':
      return `not retrying: ${cause}, which already used up the retries of an earlier request (${where})`
  }
}

/**
 * A message as a surface shows it for one image: without the explanation it shares with other images, which
 * the surface says once (explanationsOf), and with a pointer there (`pointer(title)`, e.g. `(see “…” below)`).
 */
export function briefMessage(text: string, pointer: (title: string) => string): string {
  const { brief, explanation } = splitExplained(text)
  return explanation ? `${brief} ${pointer(explanation.title)}` : text
}

/** The pointer the summaries and the log's problem list put after a message whose explanation follows it. */
export const SEE_BELOW = (title: string) => `(see “${title}” below)`
