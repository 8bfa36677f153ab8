// Transport failures as typed errors: what failed (kind, reason), where (Zot, the token service its challenge
// named, or a host it redirected to) and the raw Node/undici code. The message says what happened in plain
// words and names the Zot URL (never credentials); what the user should change is diagnose.ts's job.

export type RequestErrorKind =
  /** No connection: refused, DNS, unreachable, connect timeout. The request never reached the host. */
  | 'unreachable'
  /** The TLS handshake failed: certificate not trusted, wrong name, not TLS at all, client cert required. */
  | 'tls'
  /** Connected, but the connection closed before a response (Zot's writeTimeout during a long sync). */
  | 'closed'
  /** No response within the request's time limit (or Zot had stopped answering: not sent). */
  | 'timeout'
  /** The caller's signal (overall timeout, SIGINT/SIGTERM). */
  | 'cancelled'
  /** An answer that cannot be used: too large, not JSON, the wrong shape, a bad redirect. */
  | 'protocol'

export type RequestErrorReason =
  /** tls: Zot's certificate is not trusted or names another host. */
  | 'certificate'
  /** tls: the port does not speak TLS. */
  | 'not-tls'
  /** tls: Zot wants a client certificate, or refused the one sent. */
  | 'client-certificate'
  /** timeout: an earlier request found Zot stalled; this one was not sent. */
  | 'stalled'
  | 'too-large'
  | 'not-json'
  | 'bad-shape'
  | 'bad-redirect'
  /** protocol: the token service answered something other than a token. */
  | 'token-answer'
  /** protocol: Zot's Bearer challenge names a realm that is not a URL. */
  | 'bad-challenge'

/** A host other than Zot that the request reached through Zot: the token realm, or a redirect target. */
export interface Peer {
  role: 'token service' | 'redirect target'
  /** Its origin (scheme, host, port). */
  origin: string
}

export interface RequestErrorData {
  reason?: RequestErrorReason
  /** Node/undici error code, when there was one (ECONNREFUSED, UND_ERR_SOCKET …). */
  code?: string
  /** Set when the failure was at another host than Zot. */
  peer?: Peer
  /** Tries made, retries included. */
  attempts?: number
}

export class ZotRequestError extends Error {
  override readonly name = 'ZotRequestError'
  readonly reason?: RequestErrorReason
  readonly code?: string
  readonly peer?: Peer
  /** Tries made, retries included. */
  readonly attempts: number
  constructor(
    readonly kind: RequestErrorKind,
    message: string,
    data: RequestErrorData = {},
  ) {
    super(message)
    this.reason = data.reason
    this.code = data.code
    this.peer = data.peer
    this.attempts = data.attempts ?? 1
  }

  get data(): RequestErrorData {
    return { reason: this.reason, code: this.code, peer: this.peer, attempts: this.attempts }
  }

  withAttempts(attempts: number): ZotRequestError {
    return new ZotRequestError(this.kind, this.message, { ...this.data, attempts })
  }
}

/** The one wording of a request stopped by the caller's signal. */
export function cancelledError(url: string, attempts?: number): ZotRequestError {
  return new ZotRequestError('cancelled', `request to Zot at ${url} cancelled`, { attempts })
}

/**
 * What every request after a stall gets: `what` (e.g. `GET /v2/`) timed out on every try, so Zot stopped
 * answering and nothing more is sent to it in this run.
 */
export function stalledError(
  url: string,
  what: string,
  elapsedMs: number,
  attempts: number,
): ZotRequestError {
  const seconds = Math.round(elapsedMs / 1000)
  return new ZotRequestError(
    'timeout',
    `not sent: Zot at ${url} stopped answering (${what} got no answer in ${seconds} s, ${attempts} tries)`,
    { reason: 'stalled', attempts: 0 },
  )
}

/** An answer from Zot (or a peer) that cannot be used: `what` names the request, `problem` what was wrong. */
export function protocolError(
  reason: RequestErrorReason,
  message: string,
  data: Omit<RequestErrorData, 'reason'> = {},
): ZotRequestError {
  return new ZotRequestError('protocol', message, { ...data, reason })
}

const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
])

const CERT_WORDS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is signed by an unknown authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed CA',
  CERT_UNTRUSTED: 'the certificate is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host',
  HOSTNAME_MISMATCH: 'the certificate does not name this host',
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed temporarily (DNS)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  ETIMEDOUT: 'connection timed out',
}

const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED'])

/** Walk `cause` chains: undici wraps the socket error, fetch wraps undici's. */
function codes(err: unknown): { code?: string; message: string } {
  let cur: unknown = err
  let code: string | undefined
  let message = ''
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as { code?: unknown; message?: unknown; cause?: unknown }
    if (typeof e.code === 'string' && !code) code = e.code
    // Prefer the innermost specific code (a TLS code under a generic wrapper).
    if (typeof e.code === 'string' && (CERT_CODES.has(e.code) || e.code in UNREACHABLE)) code = e.code
    if (typeof e.message === 'string' && !message) message = e.message
    cur = e.cause
  }
  return { code, message }
}

/** How a message names the host that failed. */
export function hostPhrase(url: string, peer?: Peer): string {
  if (!peer) return `Zot at ${url}`
  return peer.role === 'token service'
    ? `the token service at ${peer.origin} (named in Zot's challenge)`
    : `${peer.origin} (where Zot redirected the request)`
}

/**
 * Turn a thrown transport error into a ZotRequestError with a precise message. `url` is the Zot base URL
 * (safe to print: credentials are never part of it); `peer` the other host when it was not Zot.
 */
export function toRequestError(err: unknown, url: string, peer?: Peer): ZotRequestError {
  if (err instanceof ZotRequestError) return err
  const host = hostPhrase(url, peer)
  const at = peer ? peer.origin : url
  const { code, message } = codes(err)
  const data = { code, peer }
  if (code && CERT_CODES.has(code))
    return new ZotRequestError(
      'tls',
      `TLS verification failed for ${at}: ${CERT_WORDS[code] ?? code} (${code})`,
      { ...data, reason: 'certificate' },
    )
  if (code && code in UNREACHABLE)
    return new ZotRequestError('unreachable', `cannot reach ${host}: ${UNREACHABLE[code]}`, data)
  const lower = message.toLowerCase()
  // A plain-HTTP answer to a ClientHello: OpenSSL 3.0 (Node 20) and 3.5 (Node 24) word it differently.
  if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    lower.includes('wrong version number')
  )
    return new ZotRequestError(
      'tls',
      `TLS handshake with ${at} failed: the server does not speak TLS on that port`,
      { ...data, reason: 'not-tls' },
    )
  if (
    (code && /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE/.test(code)) ||
    lower.includes('certificate required')
  )
    return new ZotRequestError(
      'tls',
      `TLS handshake with ${at} failed: Zot requires a client certificate (mutual TLS) or rejected the one sent`,
      { ...data, reason: 'client-certificate' },
    )
  if (code?.startsWith('ERR_SSL') || code === 'EPROTO' || code?.startsWith('ERR_TLS'))
    return new ZotRequestError('tls', `TLS handshake with ${at} failed (${code})`, data)
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new ZotRequestError('timeout', `${host} did not answer within the time limit`, data)
  if ((code && CLOSED.has(code)) || lower.includes('socket hang up') || lower.includes('other side closed'))
    return new ZotRequestError('closed', `${host} closed the connection before answering`, data)
  if ((err as { name?: string })?.name === 'AbortError') return cancelledError(url)
  return new ZotRequestError(
    'unreachable',
    `request to ${host} failed: ${code ?? (message || 'unknown error')}`,
    data,
  )
}
