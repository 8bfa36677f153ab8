// Transport failures in words a user can act on. Messages name the Zot URL (never credentials) and say what
// to change; the raw Node/undici code is kept on the error for logs and tests.

export type RequestErrorKind =
  /** No connection: refused, DNS, unreachable, connect timeout. The request never reached Zot. */
  | 'unreachable'
  /** The TLS handshake failed: certificate not trusted, wrong name, not TLS at all, client cert required. */
  | 'tls'
  /** Connected, but the connection closed before a response (Zot's writeTimeout during a long sync). */
  | 'closed'
  /** No response within the request's time limit. */
  | 'timeout'
  /** The caller's signal (overall timeout, SIGINT/SIGTERM). */
  | 'cancelled'
  /** A response we cannot use (too large, malformed). */
  | 'protocol'

export class ZotRequestError extends Error {
  override readonly name = 'ZotRequestError'
  constructor(
    readonly kind: RequestErrorKind,
    message: string,
    /** Node/undici error code, when there was one (ECONNREFUSED, UND_ERR_SOCKET …). */
    readonly code?: string,
    /** Tries made, retries included. */
    readonly attempts = 1,
  ) {
    super(message)
  }

  withAttempts(attempts: number): ZotRequestError {
    return new ZotRequestError(this.kind, this.message, this.code, attempts)
  }
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

/**
 * Turn a thrown transport error into a ZotRequestError with a precise message. `url` is the Zot base URL
 * (safe to print: credentials are never part of it).
 */
export function toRequestError(
  err: unknown,
  url: string,
  aborted?: 'cancelled' | 'timeout',
): ZotRequestError {
  if (err instanceof ZotRequestError) return err
  if (aborted === 'cancelled') return new ZotRequestError('cancelled', `request to Zot at ${url} cancelled`)
  if (aborted === 'timeout')
    return new ZotRequestError('timeout', `Zot at ${url} did not answer within the time limit`)
  const { code, message } = codes(err)
  if (code && CERT_CODES.has(code)) {
    return new ZotRequestError(
      'tls',
      `TLS verification failed for ${url}: ${CERT_WORDS[code] ?? code} (${code}) — pass the Zot CA certificate in the \`ca-cert\` input (or skip-tls-verify: true to skip verification, not recommended)`,
      code,
    )
  }
  if (code && code in UNREACHABLE) {
    return new ZotRequestError('unreachable', `cannot reach Zot at ${url}: ${UNREACHABLE[code]}`, code)
  }
  const lower = message.toLowerCase()
  // A plain-HTTP answer to a ClientHello: OpenSSL 3.0 (Node 20) and 3.5 (Node 24) word it differently.
  if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    lower.includes('wrong version number')
  ) {
    return new ZotRequestError(
      'tls',
      `TLS handshake with ${url} failed: the server does not speak TLS on that port — use an http:// URL or the TLS port`,
      code,
    )
  }
  if (
    (code && /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE/.test(code)) ||
    lower.includes('certificate required')
  ) {
    return new ZotRequestError(
      'tls',
      `TLS handshake with ${url} failed: Zot requires a client certificate (mutual TLS) or rejected the one sent — set \`client-cert\` and \`client-key\``,
      code,
    )
  }
  if (code?.startsWith('ERR_SSL') || code === 'EPROTO' || code?.startsWith('ERR_TLS')) {
    return new ZotRequestError('tls', `TLS handshake with ${url} failed (${code})`, code)
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ZotRequestError('timeout', `Zot at ${url} did not answer within the time limit`, code)
  }
  if ((code && CLOSED.has(code)) || lower.includes('socket hang up') || lower.includes('other side closed')) {
    return new ZotRequestError('closed', `Zot at ${url} closed the connection before answering`, code)
  }
  const name = (err as { name?: string })?.name
  if (name === 'AbortError') return new ZotRequestError('cancelled', `request to Zot at ${url} cancelled`)
  return new ZotRequestError(
    'unreachable',
    `request to Zot at ${url} failed: ${code ?? (message || 'unknown error')}`,
    code,
  )
}
