export const id = 536;
export const ids = [536];
export const modules = {

/***/ 8667:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EY: () => (/* binding */ backoffDelay),
/* harmony export */   Ib: () => (/* binding */ RETRY_STATUSES),
/* harmony export */   a2: () => (/* binding */ retryDelay),
/* harmony export */   yy: () => (/* binding */ sleep)
/* harmony export */ });
/* unused harmony export parseRetryAfter */
/* harmony import */ var node_timers_promises__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8500);
// The one retry policy: which answers are worth another try and how long to wait before it.

/** Rate limited, or a gateway/Zot that is briefly unavailable. Every other 4xx/5xx is an answer. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or
 * unparseable, so the caller falls back to its backoff.
 */
function parseRetryAfter(value, now = Date.now()) {
    if (!value)
        return undefined;
    const text = value.trim();
    if (/^\d+$/.test(text))
        return Number(text) * 1000;
    const date = Date.parse(text);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}
/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so retries spread out but
 * never collapse to zero. `retry` is 0 for the wait before the second try.
 */
function backoffDelay(retry, opts) {
    const step = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** retry);
    const random = opts.random ?? Math.random;
    return Math.round(step / 2 + (step / 2) * random());
}
/** The wait before retry number `retry` (0-based) after an answer with `status` and `retryAfter` header. */
function retryDelay(retry, retryAfter, opts) {
    const asked = parseRetryAfter(retryAfter);
    if (asked !== undefined)
        return Math.min(asked, opts.maxRetryAfterMs);
    return backoffDelay(retry, opts);
}
/** Sleep that ends early (rejecting) when the signal aborts. */
async function sleep(ms, signal) {
    if (ms <= 0) {
        signal?.throwIfAborted();
        return;
    }
    await (0,node_timers_promises__WEBPACK_IMPORTED_MODULE_0__.setTimeout)(ms, undefined, { signal });
}


/***/ }),

/***/ 7536:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  zotStage: () => (/* binding */ zotStage)
});

// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: ./lib/inputs/duration.js
var duration = __webpack_require__(7581);
// EXTERNAL MODULE: ./lib/report/escape.js
var report_escape = __webpack_require__(2527);
// EXTERNAL MODULE: ./lib/each.js
var each = __webpack_require__(3026);
;// CONCATENATED MODULE: ./lib/warm/errors.js
// Transport failures as typed errors: what failed (kind, reason), where (Zot, the token service its challenge
// named, or a host it redirected to) and the raw Node/undici code. The message says what happened in plain
// words and names the Zot URL (never credentials); what the user should change is diagnose.ts's job.
class ZotRequestError extends Error {
    kind;
    name = 'ZotRequestError';
    reason;
    code;
    peer;
    /** Tries made, retries included. */
    attempts;
    constructor(kind, message, data = {}) {
        super(message);
        this.kind = kind;
        this.reason = data.reason;
        this.code = data.code;
        this.peer = data.peer;
        this.attempts = data.attempts ?? 1;
    }
    get data() {
        return { reason: this.reason, code: this.code, peer: this.peer, attempts: this.attempts };
    }
    withAttempts(attempts) {
        return new ZotRequestError(this.kind, this.message, { ...this.data, attempts });
    }
}
/** The one wording of a request stopped by the caller's signal. */
function cancelledError(url, attempts) {
    return new ZotRequestError('cancelled', `request to Zot at ${url} cancelled`, { attempts });
}
/**
 * What every request after a stall gets: `what` (e.g. `GET /v2/`) timed out on every try, so Zot stopped
 * answering and nothing more is sent to it in this run.
 */
function stalledError(url, what, elapsedMs, attempts) {
    const seconds = Math.round(elapsedMs / 1000);
    return new ZotRequestError('timeout', `not sent: Zot at ${url} stopped answering (${what} got no answer in ${seconds} s, ${attempts} tries)`, { reason: 'stalled', attempts: 0 });
}
/** An answer from Zot (or a peer) that cannot be used: `what` names the request, `problem` what was wrong. */
function protocolError(reason, message, data = {}) {
    return new ZotRequestError('protocol', message, { ...data, reason });
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
]);
const CERT_WORDS = {
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
};
const UNREACHABLE = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host name not found (DNS)',
    EAI_AGAIN: 'host name lookup failed temporarily (DNS)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EADDRNOTAVAIL: 'address not available',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    ETIMEDOUT: 'connection timed out',
};
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
/** Walk `cause` chains: undici wraps the socket error, fetch wraps undici's. */
function codes(err) {
    let cur = err;
    let code;
    let message = '';
    for (let depth = 0; cur && depth < 5; depth++) {
        const e = cur;
        if (typeof e.code === 'string' && !code)
            code = e.code;
        // Prefer the innermost specific code (a TLS code under a generic wrapper).
        if (typeof e.code === 'string' && (CERT_CODES.has(e.code) || e.code in UNREACHABLE))
            code = e.code;
        if (typeof e.message === 'string' && !message)
            message = e.message;
        cur = e.cause;
    }
    return { code, message };
}
/** How a message names the host that failed. */
function hostPhrase(url, peer) {
    if (!peer)
        return `Zot at ${url}`;
    return peer.role === 'token service'
        ? `the token service at ${peer.origin} (named in Zot's challenge)`
        : `${peer.origin} (where Zot redirected the request)`;
}
/**
 * Turn a thrown transport error into a ZotRequestError with a precise message. `url` is the Zot base URL
 * (safe to print: credentials are never part of it); `peer` the other host when it was not Zot.
 */
function toRequestError(err, url, peer) {
    if (err instanceof ZotRequestError)
        return err;
    const host = hostPhrase(url, peer);
    const at = peer ? peer.origin : url;
    const { code, message } = codes(err);
    const data = { code, peer };
    if (code && CERT_CODES.has(code))
        return new ZotRequestError('tls', `TLS verification failed for ${at}: ${CERT_WORDS[code] ?? code} (${code})`, { ...data, reason: 'certificate' });
    if (code && code in UNREACHABLE)
        return new ZotRequestError('unreachable', `cannot reach ${host}: ${UNREACHABLE[code]}`, data);
    const lower = message.toLowerCase();
    // A plain-HTTP answer to a ClientHello: OpenSSL 3.0 (Node 20) and 3.5 (Node 24) word it differently.
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
        code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
        lower.includes('wrong version number'))
        return new ZotRequestError('tls', `TLS handshake with ${at} failed: the server does not speak TLS on that port`, { ...data, reason: 'not-tls' });
    if ((code && /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE/.test(code)) ||
        lower.includes('certificate required'))
        return new ZotRequestError('tls', `TLS handshake with ${at} failed: Zot requires a client certificate (mutual TLS) or rejected the one sent`, { ...data, reason: 'client-certificate' });
    if (code?.startsWith('ERR_SSL') || code === 'EPROTO' || code?.startsWith('ERR_TLS'))
        return new ZotRequestError('tls', `TLS handshake with ${at} failed (${code})`, data);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
        return new ZotRequestError('timeout', `${host} did not answer within the time limit`, data);
    if ((code && CLOSED.has(code)) || lower.includes('socket hang up') || lower.includes('other side closed'))
        return new ZotRequestError('closed', `${host} closed the connection before answering`, data);
    if (err?.name === 'AbortError')
        return cancelledError(url);
    return new ZotRequestError('unreachable', `request to ${host} failed: ${code ?? (message || 'unknown error')}`, data);
}

// EXTERNAL MODULE: ./lib/warm/json.js
var warm_json = __webpack_require__(8703);
// EXTERNAL MODULE: ./lib/warm/manifest.js
var warm_manifest = __webpack_require__(1684);
// EXTERNAL MODULE: ./lib/warm/options.js
var options = __webpack_require__(2479);
;// CONCATENATED MODULE: ./lib/warm/registry.js




function answered(value, res) {
    return { ok: true, value, attempts: res.attempts };
}
function refused(res) {
    return { ok: false, refusal: readRefusal(res), attempts: res.attempts };
}
function readRefusal(res) {
    const by = res.answeredBy ? { answeredBy: res.answeredBy } : {};
    try {
        const json = JSON.parse(res.body.toString('utf8'));
        const first = json.errors?.[0];
        return { status: res.status, code: first?.code, message: first?.message, ...by };
    }
    catch {
        return { status: res.status, ...by };
    }
}
function repoPath(repo) {
    // Repository names are validated by the reference grammar; components are kept, only odd bytes escaped.
    return repo.split('/').map(encodeURIComponent).join('/');
}
/**
 * Local tags of a repository (empty when Zot does not have the repository), following `Link` pagination.
 * Never contacts upstream. `keep`: which tags to keep (memory stays bounded by what the caller needs, not by
 * what Zot sends). A listing over DEFAULTS.maxTagListBytes or DEFAULTS.maxTagListPages, or one that
 * paginates in a loop, is a protocol error.
 */
async function listTags(client, repo, signal, keep) {
    const tags = new Set();
    const seen = new Set();
    const what = `Zot at ${client.url} sent`;
    let path = `/v2/${repoPath(repo)}/tags/list`;
    let attempts = 0;
    let bytes = 0;
    while (path) {
        if (seen.size >= options/* DEFAULTS */.z.maxTagListPages)
            throw protocolError('too-large', `${what} more than ${options/* DEFAULTS */.z.maxTagListPages} pages of tags for ${repo}`);
        if (seen.has(path))
            throw protocolError('bad-shape', `${what} the tag list of ${repo} in a loop of pages`);
        seen.add(path);
        const res = await client.request({
            method: 'GET',
            path,
            signal,
            headers: { accept: 'application/json' },
        });
        attempts += res.attempts;
        if (res.status === 404)
            return { ok: true, value: tags, attempts };
        if (res.status !== 200)
            return { ...refused(res), attempts };
        bytes += res.body.length;
        if (bytes > options/* DEFAULTS */.z.maxTagListBytes)
            throw protocolError('too-large', `${what} more than ${mebibytes(options/* DEFAULTS */.z.maxTagListBytes)} of tags for ${repo}`);
        for (const t of tagsOf(client, res, repo))
            if (!keep || keep(t))
                tags.add(t);
        path = nextPage(res.headers.link, client.url);
    }
    return { ok: true, value: tags, attempts };
}
function mebibytes(bytes) {
    return `${Math.round(bytes / 1024 / 1024)} MiB`;
}
/** The names of one tags/list page; anything but `{"tags": [names…] | null}` is an unusable answer. */
function tagsOf(client, res, repo) {
    const json = (0,warm_json/* parseJson */.q)(res.body);
    const what = `Zot at ${client.url} sent a tag list for ${repo}`;
    if (json === undefined)
        throw protocolError('not-json', `${what} that is not JSON`);
    if (!json || typeof json !== 'object' || Array.isArray(json))
        throw protocolError('bad-shape', `${what} that is not a JSON object`);
    const tags = json.tags;
    if (tags === undefined || tags === null)
        return [];
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
        throw protocolError('bad-shape', `${what} whose "tags" is not a list of names`);
    return tags;
}
/** `Link: </v2/x/tags/list?n=100&last=b>; rel="next"` → path relative to the Zot base URL. */
function nextPage(link, base) {
    const m = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
    if (!m?.[1])
        return undefined;
    const url = new URL(m[1], base);
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.pathname;
    return `${path}${url.search}`;
}
/**
 * GET a manifest by tag or digest. By tag (or a missing digest) this makes Zot sync from upstream and blocks
 * until the whole image is copied; `sync` tells the client not to retry a closed connection.
 */
async function getManifest(client, repo, reference, opts) {
    const res = await client.request({
        method: 'GET',
        // Tags and digests are grammar-checked; a digest's `:` must stay literal (Zot does not decode %3A).
        path: `/v2/${repoPath(repo)}/manifests/${reference}`,
        headers: { accept: warm_manifest/* MANIFEST_ACCEPT */.dY },
        ...opts,
    });
    if (res.status !== 200)
        return refused(res);
    let manifest;
    try {
        manifest = (0,warm_manifest/* parseManifest */.Ng)(res.body, res.headers['content-type'], res.headers['docker-content-digest']);
    }
    catch (err) {
        if (!(err instanceof warm_manifest/* ManifestError */.Sh))
            throw err;
        const at = reference.includes(':') ? '@' : ':';
        throw protocolError(err.reason, `Zot at ${client.url} sent a manifest for ${repo}${at}${reference} that is ${err.message}`);
    }
    return answered(manifest, res);
}
/** HEAD a manifest by digest. Only call for digests known to be present: a missing one makes Zot sync. */
async function headManifest(client, repo, digest, signal) {
    const res = await client.request({
        method: 'HEAD',
        path: `/v2/${repoPath(repo)}/manifests/${digest}`,
        headers: { accept: warm_manifest/* MANIFEST_ACCEPT */.dY },
        signal,
    });
    if (res.status === 200 || res.status === 404)
        return answered(res.status === 200, res);
    return refused(res);
}
/**
 * Is a digest stored in the repository? Blob requests never sync, and Zot keeps manifests in the same blob
 * store, so this is the side-effect-free presence test for a digest that may be missing.
 */
async function hasBlob(client, repo, digest, signal) {
    const res = await client.request({ method: 'HEAD', path: `/v2/${repoPath(repo)}/blobs/${digest}`, signal });
    if (res.status === 200 || res.status === 404)
        return answered(res.status === 200, res);
    return refused(res);
}
/** A small blob (an image config). Local only. */
async function getBlob(client, repo, digest, signal) {
    const res = await client.request({
        method: 'GET',
        path: `/v2/${repoPath(repo)}/blobs/${digest}`,
        signal,
        maxBodyBytes: 4 * 1024 * 1024,
    });
    if (res.status !== 200)
        return refused(res);
    return answered(res.body, res);
}
/**
 * The digest a local tag points to, from Zot's search extension (MetaDB). This is the only way to learn it
 * without a manifest request by tag, which would make Zot re-check upstream.
 */
async function searchTag(client, repo, tag, signal) {
    const query = `{ Image(image: ${JSON.stringify(`${repo}:${tag}`)}) { Digest MediaType } }`;
    const res = await client.request({
        method: 'POST',
        path: '/v2/_zot/ext/search',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query }),
        signal,
    });
    if (res.status === 404 || res.status === 405)
        return answered({ kind: 'unavailable' }, res);
    if (res.status !== 200)
        return refused(res);
    try {
        const json = JSON.parse(res.body.toString('utf8'));
        const digest = json.data?.Image?.Digest;
        if (!digest)
            return answered({ kind: 'not-found' }, res);
        return answered({ kind: 'found', digest, mediaType: json.data?.Image?.MediaType ?? undefined }, res);
    }
    catch {
        return answered({ kind: 'not-found' }, res);
    }
}
/**
 * `GET /v2/<repo>/referrers/<digest>`. On a sync cache this makes Zot copy the subject's referrers from
 * upstream before it answers from storage, on every call: never a free read.
 */
async function getReferrers(client, repo, digest, signal) {
    const res = await client.request({
        method: 'GET',
        path: `/v2/${repoPath(repo)}/referrers/${digest}`,
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
        signal,
        sync: true,
        timeoutMs: 0,
    });
    if (res.status !== 200)
        return refused(res);
    let json;
    try {
        json = JSON.parse(res.body.toString('utf8'));
    }
    catch {
        return { ok: false, refusal: { status: res.status, message: 'not JSON' }, attempts: res.attempts };
    }
    const referrers = [];
    for (const m of Array.isArray(json.manifests) ? json.manifests : []) {
        const d = m;
        if (typeof d?.digest !== 'string')
            continue;
        const annotations = {};
        if (d.annotations && typeof d.annotations === 'object')
            for (const [k, v] of Object.entries(d.annotations))
                if (typeof v === 'string')
                    annotations[k] = v;
        const entry = { digest: d.digest, annotations };
        if (typeof d.mediaType === 'string')
            entry.mediaType = d.mediaType;
        if (typeof d.artifactType === 'string' && d.artifactType)
            entry.artifactType = d.artifactType;
        referrers.push(entry);
    }
    return answered(referrers, res);
}

// EXTERNAL MODULE: ./lib/rewrite/target.js
var target = __webpack_require__(703);
;// CONCATENATED MODULE: ./lib/rewrite/stored.js
// `digest` mode pins a tag only where the digest Zot serves is upstream's. Zot does not record upstream's
// digest, so the evidence is what the cache holds: a signature, attestation or SBOM that Zot copied from
// upstream for that very digest (upstreamReferrer: no request, the run already listed them), else the stored
// manifest itself (unconvertedEvidence: one local read by digest per tag-only image that warmed).




const A_KIND = {
    signature: 'a signature',
    attestation: 'an attestation',
    sbom: 'an SBOM',
    other: 'a referrer',
};
/** Preferred as proof: what a deploy verifies anyway, then what a tag names outright. */
const KIND_ORDER = ['signature', 'attestation', 'sbom', 'other'];
/**
 * Proof from the referrers the cache holds for the image's own digest. Zot copies referrers by asking
 * upstream for those of the digest it holds (OCI 1.1 referrers whose `subject` is that digest, cosign's legacy
 * `sha256-<hex>.sig/.att/.sbom` tags named after it): a digest Zot made by converting the image is unknown
 * upstream and gets none. So one such referrer proves upstream serves the digest. Referrers of a platform
 * manifest prove nothing about the index (converting an index keeps its platform manifests, and Zot hangs the
 * attestations it moves out of the index on them).
 */
function upstreamReferrer(result) {
    const own = (result.referrers?.items ?? []).filter((i) => i.subject === result.digest);
    const best = [...own].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
        (a.form === b.form ? 0 : a.form === 'tag' ? 1 : -1))[0];
    if (!best)
        return undefined;
    const tool = best.tool ? ` (${best.tool})` : '';
    return {
        by: 'upstream-referrer',
        detail: best.form === 'tag'
            ? `Zot holds cosign's legacy tag ${best.tag}, which it copies from upstream by the name of this digest`
            : `Zot holds ${A_KIND[best.kind]}${tool} of this digest, and copies referrers from upstream for the digest it holds`,
    };
}
async function readStoredForms(client, planned, results, opts) {
    const forms = new Map();
    const todo = [];
    planned.forEach((p, i) => {
        const r = results[i];
        if (!r || (r.status !== 'cached' && r.status !== 'warmed') || p.ref.digest || !r.digest)
            return;
        const proof = upstreamReferrer(r);
        if (proof)
            forms.set(p.reference, { proof });
        else
            todo.push({ repo: p.zotRepository, digest: r.digest, reference: p.reference });
    });
    await (0,each/* eachLimited */.ko)(todo, opts.concurrency, async (t) => {
        if (opts.signal?.aborted) {
            forms.set(t.reference, { problem: 'the run was cancelled before the stored manifest was read' });
            return;
        }
        try {
            // The digest was confirmed present moments ago, so a read by digest is local. Check mode promises
            // never to make Zot sync, so there a blob HEAD (never syncs) confirms it first.
            const present = opts.check ? await hasBlob(client, t.repo, t.digest, opts.signal) : undefined;
            if (present && !(present.ok && present.value)) {
                forms.set(t.reference, { problem: `${t.repo}@${t.digest} is no longer in Zot` });
                return;
            }
            const answer = await getManifest(client, t.repo, t.digest, { signal: opts.signal });
            if (!answer.ok) {
                forms.set(t.reference, {
                    problem: `Zot answered ${answer.refusal.status} for ${t.repo}@${t.digest}`,
                });
                return;
            }
            const detail = (0,target/* unconvertedEvidence */.Hn)(answer.value);
            forms.set(t.reference, detail ? { proof: { by: 'media-types', detail } } : {});
        }
        catch (err) {
            forms.set(t.reference, { problem: `reading ${t.repo}@${t.digest} failed: ${(0,errors/* describeError */.Uc)(err)}` });
        }
    });
    return forms;
}

// EXTERNAL MODULE: ./lib/words.js
var words = __webpack_require__(4842);
;// CONCATENATED MODULE: ./lib/warm/auth.js
// Registry authentication: WWW-Authenticate parsing and the bearer token cache (distribution token spec).
/**
 * Parse a WWW-Authenticate header into challenges. Handles quoted values with commas and escapes, and
 * several challenges in one header (`Bearer realm="…",scope="…", Basic realm="…"`).
 */
function parseChallenges(header) {
    if (!header)
        return [];
    const out = [];
    let i = 0;
    const s = header;
    const skipSpace = () => {
        while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === ','))
            i++;
    };
    while (i < s.length) {
        skipSpace();
        const schemeMatch = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
        if (!schemeMatch)
            break;
        const scheme = schemeMatch[0].toLowerCase();
        i += schemeMatch[0].length;
        const params = {};
        // Parameters: name=value or name="quoted", separated by commas; a bare token starts the next challenge.
        for (;;) {
            const save = i;
            skipSpace();
            const nameMatch = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(s.slice(i));
            if (!nameMatch?.[1]) {
                i = save;
                break;
            }
            i += nameMatch[0].length;
            let value = '';
            if (s[i] === '"') {
                i++;
                while (i < s.length && s[i] !== '"') {
                    if (s[i] === '\\' && i + 1 < s.length)
                        i++;
                    value += s[i];
                    i++;
                }
                i++;
            }
            else {
                const m = /^[^,\s]*/.exec(s.slice(i));
                value = m?.[0] ?? '';
                i += value.length;
            }
            params[nameMatch[1].toLowerCase()] = value;
        }
        out.push({ scheme, params });
        // Skip anything unparseable up to the next comma so one odd challenge does not hide the others.
        if (i < s.length && !/[\s,]/.test(s[i] ?? '')) {
            const next = s.indexOf(',', i);
            i = next === -1 ? s.length : next;
        }
    }
    return out;
}
/** The `repository:<name>:pull` scope a registry request needs, derived from its path. */
function scopeForPath(pathname) {
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\//.exec(pathname);
    return m?.[1] ? `repository:${m[1]}:pull` : undefined;
}
/** Tokens per (realm, service, scope). Expired entries are dropped on read. */
class TokenCache {
    #tokens = new Map();
    static key(realm, service, scope) {
        return `${realm}\n${service ?? ''}\n${scope ?? ''}`;
    }
    get(key, now = Date.now()) {
        const entry = this.#tokens.get(key);
        if (!entry)
            return undefined;
        if (entry.expiresAt <= now) {
            this.#tokens.delete(key);
            return undefined;
        }
        return entry.token;
    }
    /** `expiresIn` seconds (spec default 60); renewed 10 s early so a token does not expire mid-request. */
    set(key, token, expiresIn = 60, now = Date.now()) {
        const lifetime = Math.max(1, expiresIn - 10) * 1000;
        this.#tokens.set(key, { token, expiresAt: now + lifetime });
    }
    delete(key) {
        this.#tokens.delete(key);
    }
    get size() {
        return this.#tokens.size;
    }
}

// EXTERNAL MODULE: ./lib/warm/diagnose.js
var diagnose = __webpack_require__(6633);
// EXTERNAL MODULE: ./lib/warm/retry.js
var retry = __webpack_require__(8667);
// EXTERNAL MODULE: ./node_modules/undici/lib/api/index.js
var api = __webpack_require__(6615);
// EXTERNAL MODULE: ./node_modules/undici/lib/dispatcher/agent.js
var agent = __webpack_require__(7405);
// EXTERNAL MODULE: ./node_modules/undici/lib/dispatcher/dispatcher.js
var dispatcher = __webpack_require__(883);
// EXTERNAL MODULE: ./node_modules/undici/lib/dispatcher/env-http-proxy-agent.js
var env_http_proxy_agent = __webpack_require__(3137);
;// CONCATENATED MODULE: ./lib/warm/undici-parts.js




Object.assign(dispatcher.prototype, api);
const Agent = agent;
const EnvHttpProxyAgent = env_http_proxy_agent;

;// CONCATENATED MODULE: ./lib/warm/client.js








const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];
class ZotClient {
    /** Base URL without trailing slash, e.g. `https://zot.example.com`. Safe to print. */
    url;
    /** `host[:port]` as image references name it (for recognising images that already live in Zot). */
    host;
    username;
    /** A static bearer token is configured. */
    hasToken;
    /** A client certificate is configured (mutual TLS). */
    hasClientCert;
    /** TLS verification is off (skip-tls-verify). */
    insecure;
    #origin;
    #basePath;
    #dispatcher;
    #ownsDispatcher;
    #retry;
    #requestTimeoutMs;
    #onRetry;
    /** Causes (`429`, `timeout` …) whose retries a request of this run has used up: not retried again. */
    #usedUp = new Set();
    /** Set once Zot let a request time out on every try: later requests are not sent. */
    #stalled;
    #basic;
    #staticToken;
    #userAgent;
    #tokens = new TokenCache();
    /** Realm/service from Zot's Bearer challenge, once seen; later requests fetch tokens up front. */
    #bearer;
    /** Whether Zot asked for credentials (a challenge on /v2/ or a 401), for the report. */
    authScheme;
    constructor(opts) {
        const parsed = new URL(opts.url);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
            throw new TypeError(`Zot URL must be http:// or https://, got ${parsed.protocol}`);
        if (parsed.username || parsed.password)
            throw new TypeError('Zot URL must not contain credentials');
        this.#origin = parsed.origin;
        this.#basePath = parsed.pathname.replace(/\/+$/, '');
        this.url = `${this.#origin}${this.#basePath}`;
        this.host = parsed.host;
        this.#retry = { ...options/* DEFAULTS */.z.retry, ...opts.retry };
        this.#requestTimeoutMs = opts.requestTimeoutMs ?? options/* DEFAULTS */.z.localRequestTimeoutMs;
        this.#onRetry = opts.onRetry;
        this.#userAgent = opts.userAgent ?? 'zot-warm';
        if (opts.username && opts.password) {
            this.username = opts.username;
            this.#basic = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
        }
        if (opts.token)
            this.#staticToken = opts.token;
        this.hasToken = Boolean(opts.token);
        this.hasClientCert = Boolean(opts.cert && opts.key);
        this.insecure = Boolean(opts.insecureSkipVerify);
        if (opts.dispatcher) {
            this.#dispatcher = opts.dispatcher;
            this.#ownsDispatcher = false;
        }
        else {
            const tls = {
                ...(opts.ca ? { ca: opts.ca } : {}),
                ...(opts.cert ? { cert: opts.cert } : {}),
                ...(opts.key ? { key: opts.key } : {}),
                rejectUnauthorized: !opts.insecureSkipVerify,
            };
            const common = {
                connect: tls,
                ...(opts.keepAliveTimeoutMs ? { keepAliveTimeout: opts.keepAliveTimeoutMs } : {}),
            };
            // Only when a proxy is configured: EnvHttpProxyAgent honours NO_PROXY (loopback is usually listed) and
            // tunnels HTTPS with our TLS settings (`requestTls`).
            this.#dispatcher = PROXY_ENV.some((name) => process.env[name])
                ? new EnvHttpProxyAgent({ ...common, requestTls: tls })
                : new Agent(common);
            this.#ownsDispatcher = true;
        }
    }
    /** Things the user should know about the connection settings (skipped TLS verification …). */
    get warnings() {
        return (0,diagnose/* connectionWarnings */.oN)(this);
    }
    async close() {
        if (this.#ownsDispatcher)
            await this.#dispatcher.close();
    }
    /**
     * One logical request: retries 429/502/503/504 and transport failures; any other answer is returned.
     * Bounded: a request that cannot make Zot sync gets `retry.requestBudgetMs` in all, tries and waits
     * included (a sync request is bounded by its caller's signal). Each cause is retried within one request
     * only: once a request has used up its tries on a cause, later requests that meet it are not retried, and
     * once Zot has let a request time out on every try, no further request is sent (Zot stopped answering).
     */
    async request(spec) {
        if (this.#stalled)
            throw this.#stalled;
        const what = `${spec.method} ${spec.path}`;
        const started = Date.now();
        const deadline = spec.sync ? undefined : started + this.#retry.requestBudgetMs;
        for (let attempt = 1;; attempt++) {
            const tried = await this.#authenticated(spec, this.#tryLimit(spec, deadline)).then((res) => ({ res }), (err) => ({ error: toRequestError(err, this.url).withAttempts(attempt) }));
            const settle = () => {
                if ('error' in tried)
                    throw tried.error;
                return { ...tried.res, attempts: attempt };
            };
            const cause = 'error' in tried
                ? this.#retryCause(tried.error, spec)
                : retry/* RETRY_STATUSES */.Ib.has(tried.res.status)
                    ? String(tried.res.status)
                    : undefined;
            if (cause === undefined)
                return settle();
            const delayMs = 'error' in tried
                ? (0,retry/* backoffDelay */.EY)(attempt - 1, this.#retry)
                : (0,retry/* retryDelay */.a2)(attempt - 1, tried.res.headers['retry-after'], this.#retry);
            const stop = attempt >= this.#retry.attempts
                ? 'attempts'
                : this.#usedUp.has(cause)
                    ? 'repeated'
                    : deadline !== undefined && Date.now() + delayMs >= deadline
                        ? 'bound'
                        : undefined;
            this.#onRetry?.({
                request: what,
                attempt,
                attempts: this.#retry.attempts,
                delayMs,
                ...('error' in tried ? { error: tried.error } : { status: tried.res.status }),
                ...(stop ? { stop } : {}),
            });
            if (stop) {
                this.#usedUp.add(cause);
                if (cause === 'timeout')
                    this.#stalled = stalledError(this.url, what, Date.now() - started, attempt);
                return settle();
            }
            await this.#wait(delayMs, spec.signal, attempt);
        }
    }
    /** The time limit of the next try: the request's own, cut to what is left of its budget; 0 = none. */
    #tryLimit(spec, deadline) {
        const own = spec.timeoutMs ?? this.#requestTimeoutMs;
        if (deadline === undefined)
            return own;
        const left = Math.max(1, deadline - Date.now());
        return own > 0 ? Math.min(own, left) : left;
    }
    /** What makes a failure worth another try, as a key for the causes used up; undefined = not retried. */
    #retryCause(error, spec) {
        // Retries wait out Zot's own passing troubles; the token service and redirect targets are not Zot.
        if (error.peer)
            return undefined;
        switch (error.kind) {
            case 'unreachable':
                // A name that does not resolve will not resolve in a second either.
                return error.code === 'ENOTFOUND' ? undefined : error.kind;
            case 'closed':
            case 'timeout':
                return spec.sync ? undefined : error.kind;
            default:
                return undefined;
        }
    }
    async #wait(ms, signal, attempts) {
        const wait = this.#retry.sleep ?? retry/* sleep */.yy;
        try {
            await wait(ms, signal);
        }
        catch {
            throw cancelledError(this.url, attempts);
        }
        if (signal?.aborted)
            throw cancelledError(this.url, attempts);
    }
    /** Sends with the credentials Zot wants; answers one Bearer challenge with the token flow. */
    async #authenticated(spec, limitMs) {
        const scope = scopeForPath(spec.path.split('?')[0] ?? spec.path);
        let authorization = await this.#authorizationFor(scope, spec, limitMs);
        let res = await this.#send(spec, authorization, limitMs);
        // Credentials and the challenge flow belong to Zot's origin: a host Zot redirected to is answered as is.
        if (res.answeredBy)
            return res;
        if (res.status !== 401) {
            if (!this.authScheme)
                this.authScheme = authSchemeOf(res.headers['www-authenticate']);
            return res;
        }
        const challenges = parseChallenges(res.headers['www-authenticate']);
        this.authScheme = challenges[0]?.scheme ?? this.authScheme;
        const bearer = challenges.find((c) => c.scheme === 'bearer');
        if (!bearer?.params.realm || this.#staticToken)
            return res;
        // Token flow: the challenge names the realm and the scope this request needs.
        this.#bearer = { realm: bearer.params.realm, service: bearer.params.service };
        const wanted = bearer.params.scope ?? scope;
        const key = TokenCache.key(bearer.params.realm, bearer.params.service, wanted);
        this.#tokens.delete(key);
        const token = await this.#fetchToken(bearer.params.realm, bearer.params.service, wanted, spec.signal, limitMs);
        if (!token)
            return res;
        authorization = `Bearer ${token}`;
        res = await this.#send(spec, authorization, limitMs);
        return res;
    }
    async #authorizationFor(scope, spec, limitMs) {
        if (this.#staticToken)
            return `Bearer ${this.#staticToken}`;
        if (this.#bearer) {
            const key = TokenCache.key(this.#bearer.realm, this.#bearer.service, scope);
            const cached = this.#tokens.get(key);
            if (cached)
                return `Bearer ${cached}`;
            const token = await this.#fetchToken(this.#bearer.realm, this.#bearer.service, scope, spec.signal, limitMs);
            if (token)
                return `Bearer ${token}`;
        }
        // Zot's basic modes (htpasswd, LDAP, API keys) expect credentials up front: no 401 round trip.
        return this.#basic;
    }
    /**
     * Distribution token flow. Credentials go to the realm Zot named in its challenge, but only over HTTPS or
     * to Zot's own origin: never in clear text to another host.
     */
    async #fetchToken(realm, service, scope, signal, limitMs) {
        const key = TokenCache.key(realm, service, scope);
        const cached = this.#tokens.get(key);
        if (cached)
            return cached;
        const url = httpUrl(realm, this.#origin);
        if (!url)
            throw protocolError('bad-challenge', `Zot at ${this.url} named a token realm that is not an http(s) URL`);
        if (service)
            url.searchParams.set('service', service);
        if (scope)
            url.searchParams.set('scope', scope);
        const headers = { 'user-agent': this.#userAgent, accept: 'application/json' };
        if (this.#basic && (url.origin === this.#origin || url.protocol === 'https:'))
            headers.authorization = this.#basic;
        const peer = url.origin === this.#origin ? undefined : { role: 'token service', origin: url.origin };
        const res = await this.#dispatch(url, 'GET', headers, undefined, signal, limitMs, 1 << 20, peer);
        // Refused credentials leave Zot's 401 for the caller, which words it; anything else is the service's fault.
        if (res.status === 401 || res.status === 403)
            return undefined;
        const who = hostPhrase(this.url, { role: 'token service', origin: url.origin });
        if (res.status !== 200)
            throw protocolError('token-answer', `${who} answered ${res.status} instead of a token`, { peer });
        const parsed = (0,warm_json/* parseJson */.q)(res.body);
        const token = typeof parsed?.token === 'string'
            ? parsed.token
            : typeof parsed?.access_token === 'string'
                ? parsed.access_token
                : '';
        if (!token)
            throw protocolError('token-answer', `${who} answered 200 without a token`, { peer });
        const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined;
        this.#tokens.set(key, token, expiresIn);
        return token;
    }
    /** Follows redirects by hand: the Authorization header stays with Zot's origin and is never forwarded. */
    async #send(spec, authorization, limitMs) {
        let url = new URL(`${this.#origin}${this.#basePath}${spec.path}`);
        let method = spec.method;
        let body = spec.body;
        const base = { 'user-agent': this.#userAgent, ...spec.headers };
        for (let hop = 0;; hop++) {
            const headers = { ...base };
            const own = url.origin === this.#origin;
            if (authorization && own)
                headers.authorization = authorization;
            const peer = own ? undefined : { role: 'redirect target', origin: url.origin };
            const res = await this.#dispatch(url, method, headers, body, spec.signal, limitMs, spec.maxBodyBytes ?? options/* DEFAULTS */.z.maxManifestBytes, peer);
            const location = res.headers.location;
            if (!REDIRECTS.has(res.status) || !location)
                return own ? res : { ...res, answeredBy: url.origin };
            if (hop >= options/* DEFAULTS */.z.maxRedirects)
                throw protocolError('bad-redirect', `Zot at ${this.url} redirected more than ${options/* DEFAULTS */.z.maxRedirects} times`);
            const next = httpUrl(location, url);
            if (!next)
                throw protocolError('bad-redirect', `${hostPhrase(this.url, peer)} answered ${res.status} with a Location that is not an http(s) URL`, { peer });
            url = next;
            if (res.status === 303 && method !== 'HEAD') {
                method = 'GET';
                body = undefined;
            }
        }
    }
    async #dispatch(url, method, headers, body, signal, timeoutMs, maxBodyBytes, 
    /** The host, when it is not Zot: for the wording and data of errors. */
    peer) {
        const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
        const combined = signal && timeout ? AbortSignal.any([signal, timeout]) : (signal ?? timeout);
        if (signal?.aborted)
            throw cancelledError(this.url);
        try {
            const res = await this.#dispatcher.request({
                origin: url.origin,
                path: `${url.pathname}${url.search}`,
                method,
                headers,
                body,
                signal: combined,
                // Our own signals bound each try; undici's 300 s defaults would cut a long sync short.
                headersTimeout: 0,
                bodyTimeout: 0,
                // undici closes the connection after every HEAD (some servers send a body with it), so each of the
                // run's HEADs (children, blobs) would pay a new connection, and a TLS handshake, on both ends. Zot (Go
                // net/http) never sends a body with HEAD: its connections are kept. Other hosts get undici's default.
                ...(method === 'HEAD' && !peer ? { reset: false } : {}),
            });
            const out = { status: res.statusCode, headers: flatten(res.headers) };
            if (method === 'HEAD') {
                await res.body.dump();
                return { ...out, body: Buffer.alloc(0) };
            }
            // Error bodies only matter for their error code; success bodies are manifests, configs, JSON.
            const limit = res.statusCode >= 300 ? 64 * 1024 : maxBodyBytes;
            const chunks = [];
            let size = 0;
            for await (const chunk of res.body) {
                size += chunk.length;
                if (size > limit) {
                    res.body.destroy();
                    if (res.statusCode >= 300)
                        break;
                    throw protocolError('too-large', `${hostPhrase(this.url, peer)} sent more than ${limit} bytes for ${method} ${url.pathname}`, { peer });
                }
                chunks.push(chunk);
            }
            return { ...out, body: Buffer.concat(chunks) };
        }
        catch (err) {
            if (err instanceof ZotRequestError)
                throw err;
            if (signal?.aborted)
                throw cancelledError(this.url);
            if (timeout?.aborted)
                throw new ZotRequestError('timeout', `${hostPhrase(this.url, peer)} did not answer ${method} ${url.pathname} within ${(0,duration/* formatDuration */.a3)(timeoutMs)}`, { peer });
            throw toRequestError(err, this.url, peer);
        }
    }
}
function flatten(headers) {
    const out = {};
    for (const [name, value] of Object.entries(headers)) {
        if (value === undefined)
            continue;
        out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    return out;
}
/** `text` resolved against `base` when it is an http(s) URL; undefined otherwise. */
function httpUrl(text, base) {
    try {
        const url = new URL(text, base);
        return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
    }
    catch {
        return undefined;
    }
}
function authSchemeOf(header) {
    return parseChallenges(header)[0]?.scheme;
}

// EXTERNAL MODULE: ./lib/plan/plan.js
var plan = __webpack_require__(9164);
// EXTERNAL MODULE: ./lib/extract/reference.js
var extract_reference = __webpack_require__(8492);
;// CONCATENATED MODULE: ./lib/warm/job.js
// Per-image bookkeeping shared by the engine and the verifier: retries, warnings, and failures that carry
// their diagnosis.


/** A failure with its plain-words diagnosis. */
class ImageFailure extends Error {
    situation;
    digest;
    constructor(message, situation, digest) {
        super(message);
        this.situation = situation;
        this.digest = digest;
    }
}
/** Per-image bookkeeping: its deadline, retries and warnings. */
class Job {
    signal;
    retries = 0;
    warnings = [];
    /** Zot closed the connection during a sync at least once (its writeTimeout). */
    connectionClosed = false;
    constructor(signal) {
        this.signal = signal;
    }
    /**
     * The one way tries are counted: every registry result, and every transport error, says how many tries it
     * took; the job adds the retries among them (a result shared by several images counts on each).
     */
    count(r) {
        this.retries += Math.max(0, r.attempts - 1);
        return r;
    }
    warn(text) {
        if (!this.warnings.includes(text))
            this.warnings.push(text);
    }
}
/** Zot's refusal (and the tries it took) as the image's failure. `reference`: a tag, a digest, or `tags/list`. */
function failureFrom(client, failed, repo, reference) {
    const r = failed.refusal;
    const what = reference === 'tags/list'
        ? `the tag list of ${repo}`
        : extract_reference/* DIGEST */.Dh.test(reference)
            ? `${repo}@${reference}`
            : `${repo}:${reference}`;
    if (r.answeredBy)
        return new ImageFailure(`${r.answeredBy} answered ${r.status}${r.code ? ` ${r.code}` : ''} for ${what} (Zot redirected the request there)`, { kind: 'redirected', origin: r.answeredBy, status: r.status });
    const answer = `Zot answered ${r.status}${r.code ? ` ${r.code}` : ''} for ${what}`;
    switch (r.status) {
        case 404:
            return new ImageFailure(answer, { kind: 'missing-after-sync', repository: repo, reference });
        case 401:
            return new ImageFailure(answer, { kind: 'unauthorized', message: (0,diagnose/* authFailure */.Tu)(client) });
        case 403:
            return new ImageFailure(answer, { kind: 'forbidden', repository: repo, user: client.username });
        case 429:
            return new ImageFailure(answer, { kind: 'rate-limited', status: r.status, attempts: failed.attempts });
        default:
            return r.status >= 500
                ? new ImageFailure(answer, { kind: 'server-error', status: r.status, attempts: failed.attempts })
                : new ImageFailure(answer, { kind: 'unexpected-status', status: r.status, code: r.code });
    }
}

// EXTERNAL MODULE: ./lib/warm/platforms.js
var platforms = __webpack_require__(3541);
// EXTERNAL MODULE: ./lib/model.js
var model = __webpack_require__(9814);
;// CONCATENATED MODULE: ./lib/warm/search.js
// Batched lookups of local tags through Zot's search extension: one GraphQL document asks for many
// `repo:tag` at once (one aliased `Image` field each) and returns each one's digest and its manifests'
// platforms, from Zot's MetaDB, without contacting upstream.
//
// What Zot v2.1.20 answers (pkg/extensions/search/convert/metadb.go, checked against the binary in
// warm-batch.int.test.ts):
// - `Platform { Os Arch }` has no Variant field, but Arch carries it: `arm/v7` (getArch joins them).
// - The platform of an index child is its image config's, not the index entry's (the entry's only when the
//   config has none). Children MetaDB lacks are left out; nested indexes are flattened.
// - `Image` is non-null: one alias that errors (tag unknown to MetaDB) nulls the whole `data`, and each
//   error names its alias in `path`. Such a batch is asked again without those aliases.


const BATCH_LIMITS = { images: 50, bytes: 32 * 1024 };
const FRAGMENT = 'fragment S on ImageSummary { Digest MediaType Manifests { Digest ArtifactType Platform { Os Arch } } }';
/** The same, with what refers to the image and to each manifest. Every field exists since Zot v2.0. */
const ATTACHED = 'IsSigned SignatureInfo { Tool } Referrers { Digest ArtifactType MediaType Annotations { Key Value } }';
const FRAGMENT_REFERRERS = `fragment S on ImageSummary { Digest MediaType ${ATTACHED} Manifests { Digest ArtifactType Platform { Os Arch } ${ATTACHED} } }`;
/** Bytes one name adds to the body besides its JSON string: its variable declaration, alias and value key. */
const PER_NAME_BYTES = 64;
/**
 * The query for `names` (`repo:tag`). Names travel as GraphQL variables, so no name is ever spliced into the
 * query text (JSON escapes quotes and backslashes), and equal-sized batches share one parsed query in Zot.
 */
function batchQuery(names, opts = {}) {
    const vars = names.map((_, i) => `$r${i}: String!`).join(', ');
    const fields = names.map((_, i) => `i${i}: Image(image: $r${i}) { ...S }`).join(' ');
    return {
        query: `query ZotWarmPresence(${vars}) { ${fields} } ${opts.referrers ? FRAGMENT_REFERRERS : FRAGMENT}`,
        variables: Object.fromEntries(names.map((n, i) => [`r${i}`, n])),
    };
}
/**
 * Splits names into batches within the limits, in order. A name too big for any batch on its own is left
 * out (returned in `unbatched`): the per-image path handles it.
 */
function chunkNames(names, limits = BATCH_LIMITS, opts = {}) {
    const base = JSON.stringify(batchQuery([], opts)).length;
    const most = Math.max(1, limits.images);
    const batches = [];
    const unbatched = [];
    let current = [];
    let bytes = base;
    for (const name of names) {
        const cost = JSON.stringify(name).length + PER_NAME_BYTES;
        if (base + cost > limits.bytes) {
            unbatched.push(name);
            continue;
        }
        if (current.length >= most || bytes + cost > limits.bytes) {
            batches.push(current);
            current = [];
            bytes = base;
        }
        current.push(name);
        bytes += cost;
    }
    if (current.length)
        batches.push(current);
    return { batches, unbatched };
}
/**
 * Looks up `names` (`repo:tag`, all present in tags/list) in one request, or two when an alias errors. A
 * status other than 200 (or 404/405: no search extension) is a refusal; the caller then asks per image.
 */
async function searchImages(client, names, signal, opts = {}) {
    const first = await post(client, names, signal, opts);
    if (!first.ok)
        return first;
    if (first.value.kind !== 'retry')
        return { ok: true, value: first.value, attempts: first.attempts };
    // Ask again without the aliases Zot could not resolve; they are left to the per-image path.
    const failed = first.value.aliases;
    const rest = names.map((name, i) => ({ name, i })).filter(({ i }) => !failed.has(i));
    if (!rest.length)
        return { ok: true, value: { kind: 'answered', found: new Map() }, attempts: first.attempts };
    const second = await post(client, rest.map((r) => r.name), signal, opts);
    const attempts = first.attempts + second.attempts;
    if (!second.ok)
        return { ok: false, refusal: second.refusal, attempts };
    if (second.value.kind === 'retry')
        return { ok: true, value: { kind: 'failed', reason: 'errors again' }, attempts };
    if (second.value.kind !== 'answered')
        return { ok: true, value: second.value, attempts };
    const found = new Map();
    for (const [j, image] of second.value.found)
        found.set(rest[j].i, image);
    return { ok: true, value: { kind: 'answered', found }, attempts };
}
async function post(client, names, signal, opts) {
    const res = await client.request({
        method: 'POST',
        path: '/v2/_zot/ext/search',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(batchQuery(names, opts)),
        signal,
    });
    const answer = (value) => ({
        ok: true,
        value,
        attempts: res.attempts,
    });
    if (res.status === 404 || res.status === 405)
        return answer({ kind: 'unavailable' });
    if (res.status !== 200)
        return { ok: false, refusal: { status: res.status }, attempts: res.attempts };
    let json;
    try {
        json = JSON.parse(res.body.toString('utf8'));
    }
    catch {
        return answer({ kind: 'failed', reason: 'not JSON' });
    }
    if (!json.data) {
        // Null data: errors that all name an alias can be asked around; any other error fails the batch.
        const aliases = new Set();
        for (const e of json.errors ?? []) {
            const alias = typeof e.path?.[0] === 'string' ? /^i(\d+)$/.exec(e.path[0]) : null;
            const i = alias ? Number(alias[1]) : Number.NaN;
            if (!(i < names.length))
                return answer({ kind: 'failed', reason: 'query error' });
            aliases.add(i);
        }
        return answer(aliases.size ? { kind: 'retry', aliases } : { kind: 'failed', reason: 'no data' });
    }
    const found = new Map();
    names.forEach((_, i) => {
        const image = parseImage(json.data?.[`i${i}`]);
        if (image)
            found.set(i, image);
    });
    return answer({ kind: 'answered', found });
}
/** One alias's ImageSummary; undefined when it names no digest (e.g. a repository the user may not read). */
function parseImage(raw) {
    if (!raw || typeof raw !== 'object')
        return undefined;
    const s = raw;
    if (typeof s.Digest !== 'string' || !extract_reference/* DIGEST */.Dh.test(s.Digest))
        return undefined;
    const manifests = [];
    for (const m of Array.isArray(s.Manifests) ? s.Manifests : []) {
        if (typeof m?.Digest !== 'string' || !extract_reference/* DIGEST */.Dh.test(m.Digest))
            return undefined;
        const entry = { digest: m.Digest };
        if (typeof m.ArtifactType === 'string' && m.ArtifactType)
            entry.artifactType = m.ArtifactType;
        const platform = searchPlatform(m.Platform?.Os, m.Platform?.Arch);
        if (platform)
            entry.platform = platform;
        const attached = parseAttached(m);
        if (attached)
            entry.attached = attached;
        manifests.push(entry);
    }
    const image = { digest: s.Digest, manifests };
    if (typeof s.MediaType === 'string' && s.MediaType)
        image.mediaType = s.MediaType;
    const attached = parseAttached(s);
    if (attached)
        image.attached = attached;
    return image;
}
/** Signatures and referrers of one summary; undefined when they were not asked for. */
function parseAttached(raw) {
    if (raw.IsSigned === undefined && raw.Referrers === undefined)
        return undefined;
    const signers = new Set();
    for (const info of Array.isArray(raw.SignatureInfo) ? raw.SignatureInfo : []) {
        const tool = info?.Tool;
        if (typeof tool === 'string' && tool)
            signers.add(tool);
    }
    const referrers = [];
    for (const r of Array.isArray(raw.Referrers) ? raw.Referrers : []) {
        const ref = r;
        if (typeof ref?.Digest !== 'string' || !extract_reference/* DIGEST */.Dh.test(ref.Digest))
            continue;
        const annotations = {};
        for (const a of Array.isArray(ref.Annotations) ? ref.Annotations : []) {
            const { Key, Value } = (a ?? {});
            if (typeof Key === 'string' && typeof Value === 'string')
                annotations[Key] = Value;
        }
        const entry = { digest: ref.Digest, annotations };
        if (typeof ref.ArtifactType === 'string' && ref.ArtifactType)
            entry.artifactType = ref.ArtifactType;
        if (typeof ref.MediaType === 'string' && ref.MediaType)
            entry.mediaType = ref.MediaType;
        referrers.push(entry);
    }
    return { signed: raw.IsSigned === true || signers.size > 0, signers: [...signers].sort(), referrers };
}
/** `Os: linux, Arch: arm/v7` → linux/arm/v7. */
function searchPlatform(os, arch) {
    if (typeof os !== 'string' || typeof arch !== 'string' || !os || !arch)
        return undefined;
    const [architecture, variant, extra] = arch.split('/');
    if (!architecture || extra !== undefined)
        return undefined;
    return (0,platforms/* normalizePlatform */.FL)({ os, architecture, variant });
}

;// CONCATENATED MODULE: ./lib/warm/referrers.js
// Signatures, attestations and SBOMs ("referrers") of the images a run warms, and what the cache holds of them.
//
// What Zot v2.1.20 does (docs/zot.md; checked against the binary in referrers.int.test.ts):
// - The on-demand image sync copies no referrers. A referrers request on the cache
//   (`GET /v2/<repo>/referrers/<digest>`) makes Zot copy the subject's OCI 1.1 referrers (from upstream's
//   referrers API, else from the referrers tag schema) and cosign's legacy `sha256-<hex>.sig/.att/.sbom` tags,
//   one level deep, and then answers from storage. It asks upstream again on every call: it is how referrers
//   are warmed, never how they are read.
// - Read locally: the search extension lists the referrers of a tagged image and of each of its manifests,
//   except signatures, which it only names by signing tool (no digest); tags/list names the legacy tags.
// So an image copied in this run (or refreshed) gets one referrers request per manifest (the index and each
// platform checked), and then every image's listing comes from local reads alone: a run over a warm cache
// reports what the run that warmed it reported, and makes no request that reaches upstream.






const ARTIFACT_TYPES = {
    cosignSignature: 'application/vnd.dev.cosign.artifact.sig.v1+json',
    sigstoreBundle: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    notationSignature: 'application/vnd.cncf.notary.signature',
};
const SIGNATURE_TOOL = {
    [ARTIFACT_TYPES.cosignSignature]: 'cosign',
    [ARTIFACT_TYPES.sigstoreBundle]: 'cosign',
    [ARTIFACT_TYPES.notationSignature]: 'notation',
};
/** cosign's predicate type for a plain signature in its sigstore-bundle format (anything else attests). */
const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
/** What a referrer is, from its artifact type (and, for sigstore bundles and buildkit, its annotations). */
function kindOf(artifactType, annotations = {}) {
    const type = (artifactType ?? '').toLowerCase();
    if (type === ARTIFACT_TYPES.sigstoreBundle) {
        const predicate = annotations['dev.sigstore.bundle.predicateType'];
        return !predicate || predicate === COSIGN_SIGN_PREDICATE ? 'signature' : 'attestation';
    }
    if (SIGNATURE_TOOL[type])
        return 'signature';
    // Buildkit attestations that Zot moved out of a converted index keep this annotation.
    if (annotations['vnd.docker.reference.type'] === 'attestation-manifest')
        return 'attestation';
    if (/in-toto|dsse|attestation|provenance|slsa/.test(type))
        return 'attestation';
    if (/spdx|cyclonedx|syft|sbom/.test(type))
        return 'sbom';
    return 'other';
}
const LEGACY = /^sha256-([a-f0-9]{64})\.(sig|att|sbom)$/;
/** A cosign legacy tag (`sha256-<hex>.sig/.att/.sbom`): tag lists keep these besides the planned tags. */
function isLegacyTag(tag) {
    return LEGACY.test(tag);
}
const LEGACY_KIND = { sig: 'signature', att: 'attestation', sbom: 'sbom' };
const referrers_KIND_ORDER = ['signature', 'attestation', 'sbom', 'other'];
/** Referrers requests of one image in flight at a time (Zot keeps 3 per upstream in flight anyway). */
const COPY_CONCURRENCY = 3;
const SEARCH_FAILED = "referrers not verified: Zot's search extension failed to answer";
const NO_SEARCH = "referrers not verified: Zot's search extension is off, so what refers to a cached image cannot be read without making Zot contact upstream";
/**
 * Copies the referrers of an image synced in this run (and, with `require-signed`, of a cached image without a
 * signature in the cache), then lists what the cache holds from local reads.
 */
async function referrersOf(ctx, job, image, reads) {
    if (ctx.policy === 'off')
        return {};
    if (!image.digest) {
        const result = { state: 'not-verified', items: [], note: NO_SEARCH };
        return ctx.policy === 'require-signed'
            ? { result, failure: unsigned(ctx, image.repo, undefined, false, false) }
            : { result };
    }
    const subjects = [...new Set([image.digest, ...image.children])];
    let copied;
    if (ctx.mode === 'warm' && image.synced)
        copied = await copy(ctx, job, image.repo, subjects);
    let result = await listLocal(ctx, job, image, subjects, reads, copied !== undefined);
    // A cached image may predate its signatures' warming (a node pulled it through the cache): ask Zot once.
    // Only here, so a warm cache of signed images still costs nothing upstream.
    if (ctx.policy === 'require-signed' &&
        ctx.mode === 'warm' &&
        !copied &&
        !(0,model/* signsImage */.sQ)(result.items, image.digest)) {
        copied = await copy(ctx, job, image.repo, subjects);
        result = await listLocal(ctx, job, image, subjects, reads, true);
    }
    // Where local reads cannot list OCI 1.1 referrers (no search, an untagged digest), the answers to this
    // run's referrers requests can: they are what Zot holds after copying.
    if (copied && result.state === 'not-verified')
        result = { state: 'verified', items: sortItems([...fromAnswers(copied), ...result.items], subjects) };
    if (ctx.policy === 'require-signed' && !(0,model/* signsImage */.sQ)(result.items, image.digest))
        return {
            result,
            failure: unsigned(ctx, image.repo, image.digest, result.state === 'verified', copied !== undefined, result.items.some((i) => i.kind === 'signature')),
        };
    return { result };
}
function unsigned(ctx, repo, digest, verified, copied, platformsSigned = false) {
    const what = digest ? `${repo}@${digest}` : repo;
    return {
        error: verified
            ? `no signature of ${what} in Zot ${diagnose/* REQUIRE_SIGNED */.tG}`
            : `signature of ${what} not verified ${diagnose/* REQUIRE_SIGNED */.tG}`,
        diagnosis: (0,diagnose/* diagnose */.h4)({ kind: 'unsigned', what, verified, mode: ctx.mode, copied, platformsSigned }),
    };
}
/**
 * One referrers request per subject (Zot copies while it answers). Failures become warnings: the listing decides.
 * The image's own subject goes first and alone: for cosign's legacy tags Zot reads the upstream repository's tag
 * list, which it then keeps for 30 minutes, so the platforms' requests after it cost one upstream request each
 * instead of two (sent together, each would fetch the list).
 */
async function copy(ctx, job, repo, subjects) {
    const answers = new Map();
    const [first, ...rest] = subjects;
    const one = async (subject) => {
        try {
            const answer = job.count(await getReferrers(ctx.client, repo, subject, job.signal));
            if (answer.ok)
                answers.set(subject, answer.value);
            else
                job.warn(`referrers of ${repo}@${subject} not copied: Zot answered ${answer.refusal.status}${answer.refusal.code ? ` ${answer.refusal.code}` : ''} to the referrers request`);
        }
        catch (err) {
            if (!(err instanceof ZotRequestError) || err.kind === 'cancelled' || job.signal.aborted)
                throw err;
            job.retries += Math.max(0, err.attempts - 1);
            job.warn(`referrers of ${repo}@${subject} may be incomplete: ${err.message}`);
        }
    };
    if (first)
        await one(first);
    await (0,each/* eachLimited */.ko)(rest, COPY_CONCURRENCY, one);
    return answers;
}
/** What the cache holds, from tags/list and the search extension only (nothing that makes Zot sync). */
async function listLocal(ctx, job, image, subjects, reads, fresh) {
    const tags = await reads.tags(fresh);
    const legacy = sortItems(legacyTags(tags, subjects), subjects);
    if (reads.search() === false)
        return { state: 'not-verified', items: legacy, note: NO_SEARCH };
    const summary = await summaryOf(ctx, job, image, reads, fresh);
    if (typeof summary === 'string')
        return { state: 'not-verified', items: legacy, note: summary };
    await legacyDigests(ctx, job, image.repo, legacy);
    const items = [...fromSummary(summary, subjects, tags), ...legacy];
    return { state: 'verified', items: sortItems(items, subjects) };
}
/**
 * The search answer for the image: the look-ahead's when it still holds, else one query. A string says why
 * there is none (the `not-verified` note).
 */
async function summaryOf(ctx, job, image, reads, fresh) {
    const held = image.searched;
    if (!fresh && held && held.digest === image.digest && held.attached)
        return held;
    const untagged = `referrers not verified: Zot's search extension reads signatures and referrers of tagged images only, and no tag of ${image.repo} is known to point to ${image.digest}`;
    if (!image.tag)
        return untagged;
    const result = job.count(await searchImages(ctx.client, [`${image.repo}:${image.tag}`], job.signal, { referrers: true }));
    if (!result.ok)
        return `${SEARCH_FAILED} (HTTP ${result.refusal.status})`;
    const answer = result.value;
    if (answer.kind === 'unavailable') {
        reads.searchAnswered(false);
        return NO_SEARCH;
    }
    if (answer.kind === 'failed')
        return `${SEARCH_FAILED} (${answer.reason})`;
    reads.searchAnswered(true);
    const found = answer.found.get(0);
    return found && found.digest === image.digest && found.attached ? found : untagged;
}
/** cosign's legacy tags of the subjects: `sha256-<hex>.sig` / `.att` / `.sbom`. */
function legacyTags(tags, subjects) {
    const items = [];
    const wanted = new Map(subjects.map((s) => [s.replace(/^sha256:/, ''), s]));
    for (const tag of tags) {
        const m = LEGACY.exec(tag);
        const subject = m ? wanted.get(m[1]) : undefined;
        if (!m || !subject)
            continue;
        const kind = LEGACY_KIND[m[2]];
        items.push({ kind, subject, form: 'tag', tag, ...(kind === 'signature' ? { tool: 'cosign' } : {}) });
    }
    return items;
}
/**
 * Digests of legacy `.att` / `.sbom` tags, which Zot's MetaDB keeps as tags. A `.sig` tag is filed as a
 * signature instead, so search cannot read it by tag: it keeps no digest.
 */
async function legacyDigests(ctx, job, repo, legacy) {
    const readable = legacy.filter((i) => i.kind !== 'signature');
    if (!readable.length)
        return;
    const result = job.count(await searchImages(ctx.client, readable.map((i) => `${repo}:${i.tag}`), job.signal));
    if (!result.ok || result.value.kind !== 'answered')
        return;
    const answer = result.value;
    readable.forEach((item, i) => {
        const found = answer.found.get(i);
        if (!found)
            return;
        item.digest = found.digest;
        const type = found.manifests.find((m) => m.digest === found.digest)?.artifactType;
        if (type)
            item.artifactType = type;
    });
}
/** Referrers and signatures of each subject as search lists them. */
function fromSummary(summary, subjects, tags) {
    const items = [];
    for (const subject of subjects) {
        const attached = subject === summary.digest
            ? (summary.attached ?? summary.manifests.find((m) => m.digest === subject)?.attached)
            : summary.manifests.find((m) => m.digest === subject)?.attached;
        if (!attached)
            continue;
        for (const r of attached.referrers)
            items.push(referrerOf(r, subject));
        if (!attached.signed)
            continue;
        // Search does not tell a legacy `.sig` tag from an OCI 1.1 cosign signature: the tag, when there is one,
        // stands for cosign's signatures of this subject.
        const legacySig = tags.has(`${subject.replace(':', '-')}.sig`);
        const tools = attached.signers.length ? attached.signers : [undefined];
        for (const tool of tools) {
            if (tool === 'cosign' && legacySig)
                continue;
            items.push({ kind: 'signature', subject, form: 'referrer', ...(tool ? { tool } : {}) });
        }
    }
    return items;
}
/** The referrers answers of the copy step (used as the listing when search is off). */
function fromAnswers(answers) {
    const items = [];
    for (const [subject, list] of answers)
        for (const d of list)
            items.push(referrerOf(d, subject, SIGNATURE_TOOL[d.artifactType ?? '']));
    return items;
}
/**
 * An OCI 1.1 referrer as a referrers answer or the search extension describes it. Only a referrers answer
 * names a signature's tool (search files signatures apart, see fromSummary).
 */
function referrerOf(d, subject, tool) {
    return {
        kind: kindOf(d.artifactType, d.annotations),
        ...(d.artifactType ? { artifactType: d.artifactType } : {}),
        digest: d.digest,
        subject,
        form: 'referrer',
        ...(tool ? { tool } : {}),
    };
}
/** Grouped by kind (signatures first), then by subject (the image, then its platforms), form, tag or digest. */
function sortItems(items, subjects) {
    const key = (i) => i.tag ?? i.digest ?? i.tool ?? '';
    return [...items].sort((a, b) => referrers_KIND_ORDER.indexOf(a.kind) - referrers_KIND_ORDER.indexOf(b.kind) ||
        subjects.indexOf(a.subject) - subjects.indexOf(b.subject) ||
        a.form.localeCompare(b.form) ||
        key(a).localeCompare(key(b)));
}

;// CONCATENATED MODULE: ./lib/warm/verify.js




/**
 * Read a present manifest (by digest: local) and confirm the required platforms' manifests. `searched`:
 * what the search extension holds for the tag, used when it is about this digest.
 */
async function verifyImage(ctx, job, repo, digest, known, searched) {
    const held = searched?.digest === digest ? searched : undefined;
    let manifest = known && known.digest === digest ? known : undefined;
    if (held && !manifest) {
        const settled = verifyFromSearch(held, ctx.required);
        if (settled)
            return settled;
    }
    if (!manifest) {
        const answer = job.count(await getManifest(ctx.client, repo, digest, { signal: job.signal }));
        if (!answer.ok)
            throw failureFrom(ctx.client, answer, repo, digest);
        manifest = answer.value;
    }
    if (manifest.kind === 'index') {
        const present = held ? new Set(held.manifests.map((m) => m.digest)) : undefined;
        return { digest, ...(await verifyIndex(ctx, job, repo, manifest, present)) };
    }
    let platform;
    if (manifest.config) {
        const config = job.count(await getBlob(ctx.client, repo, manifest.config.digest, job.signal));
        if (config.ok)
            platform = (0,warm_manifest/* configPlatform */.Ko)(config.value);
    }
    if (!platform) {
        if (ctx.required)
            job.warn('platform unknown: the manifest has no image config to read it from');
        return { digest, platforms: [] };
    }
    return singlePlatform(digest, platform, ctx.required);
}
/**
 * The verdict from a search answer alone, or undefined when it cannot settle the question and the
 * manifests must be read. Search reports each platform from the image config (variant included, in Arch);
 * the index's own entries are what runtimes select by, so they are read when:
 * - a required platform has a variant (it must match the entry exactly, as containerd matches it);
 * - a 32-bit arm child has no variant (its config lacks it; arm entries carry v5/v6/v7, and which one
 *   matters to the node pulling it);
 * - a child is not a plain image (no platform, an artifact) or no platform child is known.
 * A single-platform image's platform is its config's either way, so search settles it when it has one.
 * Throws the platform-missing failure the manifest path would throw.
 */
function verifyFromSearch(held, required) {
    if (!(0,warm_manifest/* isIndexMediaType */.$$)(held.mediaType)) {
        const [only] = held.manifests;
        if (held.manifests.length !== 1 || !only?.platform || only.digest !== held.digest)
            return undefined;
        if (!(0,warm_manifest/* isImageConfigType */.Ky)(only.artifactType))
            return undefined;
        return singlePlatform(held.digest, only.platform, required);
    }
    if (required?.some((r) => r.variant))
        return undefined;
    const children = [];
    for (const m of held.manifests) {
        if (!m.platform || !(0,warm_manifest/* isImageConfigType */.Ky)(m.artifactType))
            return undefined;
        // Buildkit attestation manifests: their config says unknown/unknown.
        if (m.platform.os === 'unknown' && m.platform.architecture === 'unknown')
            continue;
        if (m.platform.architecture === 'arm' && !m.platform.variant)
            return undefined;
        children.push({ digest: m.digest, platform: m.platform });
    }
    if (!children.length)
        return undefined;
    const check = requiredEntries(children, required, held.digest);
    return {
        digest: held.digest,
        platforms: [...new Set(check.map((c) => (0,platforms/* formatPlatform */.Bq)(c.platform)))].sort(),
        children: check.map((c) => c.digest),
    };
}
function singlePlatform(digest, platform, required) {
    const missing = required?.filter((r) => !(0,platforms/* platformMatches */.J5)(r, platform)) ?? [];
    if (missing.length)
        throw new ImageFailure(`single-platform image (${(0,platforms/* formatPlatform */.Bq)(platform)}) lacks required ${missing.map(platforms/* formatPlatform */.Bq).join(', ')}`, {
            kind: 'platform-missing',
            missing: missing.map(platforms/* formatPlatform */.Bq),
            available: [(0,platforms/* formatPlatform */.Bq)(platform)],
        }, digest);
    return { digest, platforms: [(0,platforms/* formatPlatform */.Bq)(platform)] };
}
/** The entries to confirm: all of them, or those matching a required platform (each must have one). */
function requiredEntries(entries, required, indexDigest) {
    if (!required)
        return entries;
    const available = [...new Set(entries.flatMap((c) => (c.platform ? [(0,platforms/* formatPlatform */.Bq)(c.platform)] : [])))];
    const missing = required.filter((r) => !entries.some((c) => c.platform && (0,platforms/* platformMatches */.J5)(r, c.platform)));
    if (missing.length)
        throw new ImageFailure(`image does not offer ${missing.map(platforms/* formatPlatform */.Bq).join(', ')}`, { kind: 'platform-missing', missing: missing.map(platforms/* formatPlatform */.Bq), available }, indexDigest);
    return entries.filter((c) => c.platform && required.some((r) => (0,platforms/* platformMatches */.J5)(r, c.platform)));
}
async function verifyIndex(ctx, job, repo, index, 
/** Child digests the search extension lists (so Zot holds them): no request needed for those. */
known) {
    const entries = index.children.filter((c) => !c.attestation);
    const check = requiredEntries(entries, ctx.required, index.digest);
    // Children of a present index are present (Zot refuses an index whose manifests it lacks), so in warm
    // mode HEAD by digest is local; check mode tests the blob to stay side-effect-free even if storage lost one.
    // Children search lists are in Zot's MetaDB, which drops manifests that leave storage.
    const absent = [];
    const present = [];
    await Promise.all(check.map(async (child) => {
        const found = known?.has(child.digest) ||
            isPresent(job.count(ctx.mode === 'check'
                ? await hasBlob(ctx.client, repo, child.digest, job.signal)
                : await headManifest(ctx.client, repo, child.digest, job.signal)));
        const name = child.platform ? (0,platforms/* formatPlatform */.Bq)(child.platform) : child.digest;
        if (found)
            present.push(name);
        else
            absent.push(name);
    }));
    if (absent.length)
        throw new ImageFailure(`manifests of ${absent.join(', ')} missing in Zot`, { kind: 'platform-manifest-missing', platforms: absent.sort() }, index.digest);
    return {
        platforms: [...new Set(present.filter((p) => !p.startsWith('sha256:')))].sort(),
        children: check.map((c) => c.digest),
    };
}
/** A presence check that Zot refused counts as absent: the image then fails naming what is missing. */
function isPresent(r) {
    return r.ok && r.value;
}

;// CONCATENATED MODULE: ./lib/warm/engine.js
// Makes Zot hold every planned image, spending upstream requests only on what is missing.
//
// Cost model (Zot v2.1.20, pkg/api/routes.go getImageManifest): a manifest request by tag always makes Zot
// re-check upstream, and one by digest only when the digest is missing. Tag lists, blobs and the search
// extension are local. So presence is decided with tags/list (one per repository), the tag's digest comes from
// the search extension, digests are tested with blob HEADs, and a manifest is read by tag only to warm it.
// Beside the images, one look-ahead pass fetches every tag list and asks search about all present tags in
// batches; an image whose answer settles it needs no request of its own. An image whose tag is missing starts
// syncing as soon as its own repository's list is in; only a present tag waits for the search answers.
//
// `concurrency` bounds the images in their sync phase (presence, the sync, verification): what keeps Zot's
// upstream busy. An image's referrers (more requests Zot answers from upstream) are copied and listed after
// it leaves that phase, beside the next image's sync, by at most `concurrency` images at a time.














const SEARCH_OFF = "platforms not verified: Zot's search extension is off, so the digest of a cached tag cannot be read without making Zot contact upstream";
async function warmImages(images, client, opts) {
    return new Warmer(client, opts).run(images);
}
class Warmer {
    client;
    opts;
    #verifyContext;
    #tagLists = new Map();
    /** The tags this run asks about, by repository: tag lists keep only these (and cosign's legacy tags). */
    #wanted = new Map();
    #syncs = new Map();
    /** Search answers of the look-ahead, by `repo:tag`: what Zot held before this run changed anything. */
    #searched = new Map();
    /** undefined until the first search answer. */
    #search;
    /** Settles when the look-ahead has asked everything it will ask (a present tag waits for it). */
    #lookedAhead = Promise.resolve();
    /** Images copying or listing their referrers after their sync phase. */
    #following;
    #poll;
    /** The look-ahead also asks what refers to each image, so cached images need no request for it. */
    get #searchOptions() {
        return { referrers: (this.opts.referrers ?? 'off') !== 'off' };
    }
    constructor(client, opts) {
        this.client = client;
        this.opts = opts;
        const required = opts.platforms?.map((p) => {
            const parsed = (0,platforms/* parsePlatform */.Y8)(p);
            if (!parsed)
                throw new TypeError(`invalid platform "${p}"`);
            return parsed;
        });
        this.#verifyContext = { client, mode: opts.mode, ...(required ? { required } : {}) };
        this.#poll = opts.poll ?? options/* DEFAULTS */.z.poll;
    }
    async run(images) {
        // Identical references (same Zot repository, tag and digest) share one job.
        const groups = new Map();
        images.forEach((img, i) => {
            const key = `${img.zotRepository}\n${img.ref.tag ?? ''}\n${img.ref.digest ?? ''}`;
            const g = groups.get(key);
            if (g)
                g.push(i);
            else
                groups.set(key, [i]);
        });
        for (const img of images)
            if (img.ref.tag) {
                const tags = this.#wanted.get(img.zotRepository) ?? new Set();
                this.#wanted.set(img.zotRepository, tags.add(img.ref.tag));
            }
        const work = [...groups.values()];
        const outcomes = new Map();
        const total = images.length;
        let done = 0;
        let next = 0;
        const finished = [];
        const record = (members, outcome) => {
            for (const i of members) {
                outcomes.set(i, outcome);
                done++;
                this.opts.onProgress?.({
                    type: 'finish',
                    index: i,
                    total,
                    reference: images[i].reference,
                    status: outcome.status,
                    durationMs: outcome.durationMs,
                    done,
                });
            }
        };
        const worker = async () => {
            while (next < work.length) {
                if (this.opts.signal?.aborted)
                    return;
                const members = work[next++];
                const first = images[members[0]];
                for (const i of members)
                    this.opts.onProgress?.({
                        type: 'start',
                        index: i,
                        total,
                        reference: images[i].reference,
                        zotReference: (0,plan/* zotReference */.j)(first),
                    });
                // The worker takes the next image once this one has left its sync phase (or finished).
                const { promise: handedOff, resolve: handOff } = promiseWithResolvers();
                const outcome = this.#image(first, handOff).then((o) => record(members, o));
                finished.push(outcome);
                await Promise.race([handedOff, outcome]);
            }
        };
        if (!this.opts.signal?.aborted)
            this.#lookedAhead = this.#lookAhead(work.map((m) => images[m[0]])).catch(() => undefined);
        const workers = Math.max(1, Math.min(this.opts.concurrency, work.length));
        this.#following = new each/* Limiter */.jG(workers);
        await Promise.all(Array.from({ length: workers }, worker));
        await Promise.all(finished);
        await this.#lookedAhead;
        return images.map((img, i) => {
            const outcome = outcomes.get(i) ?? {
                status: 'not-attempted',
                attempts: 0,
                durationMs: 0,
                error: (0,diagnose/* cancelledImage */.fP)(false),
                warnings: [],
            };
            return {
                reference: img.reference,
                ...outcome,
                zotReference: (0,plan/* zotReference */.j)(img, outcome.digest),
                warnings: [...outcome.warnings],
                sources: img.sources,
            };
        });
    }
    /** One image; `handOff` is called when it no longer needs its sync slot (its referrers may still run). */
    async #image(img, handOff) {
        const started = performance.now();
        const deadline = AbortSignal.timeout(this.opts.imageTimeoutMs);
        const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, deadline]) : deadline;
        const job = new Job(signal);
        const finish = (o) => ({
            ...o,
            attempts: 1 + job.retries,
            durationMs: Math.round(performance.now() - started),
            warnings: job.warnings,
        });
        try {
            const { status, verified } = await this.#process(job, img);
            const leave = await this.#following.enter();
            handOff();
            const { result, failure } = await this.#referrers(job, img, status, verified).finally(leave);
            const found = { digest: verified.digest, platforms: verified.platforms, referrers: result };
            return finish(failure ? { status: 'failed', ...found, ...failure } : { status, ...found });
        }
        catch (err) {
            if (this.opts.signal?.aborted)
                return finish({ status: 'not-attempted', error: (0,diagnose/* cancelledImage */.fP)(true) });
            if (deadline.aborted) {
                const situation = {
                    kind: 'sync-timeout',
                    timeoutMs: this.opts.imageTimeoutMs,
                    connectionClosed: job.connectionClosed,
                };
                return finish({
                    status: 'failed',
                    error: `no result within the image timeout (${(0,duration/* formatSetting */.w_)(this.opts.imageTimeoutMs)})`,
                    diagnosis: (0,diagnose/* diagnose */.h4)(situation),
                });
            }
            if (err instanceof ImageFailure) {
                const situation = err.situation.kind === 'missing-after-sync'
                    ? { ...err.situation, upstream: `${img.ref.domain}/${img.ref.path}` }
                    : err.situation;
                return finish({
                    status: 'failed',
                    digest: err.digest,
                    error: err.message,
                    diagnosis: (0,diagnose/* diagnose */.h4)(situation),
                });
            }
            if (err instanceof ZotRequestError) {
                job.count(err);
                // The error says what happened; a diagnosis only when there is something to add.
                return finish({
                    status: 'failed',
                    error: err.message,
                    diagnosis: (0,diagnose/* transportAdvice */.u9)(err, this.client, true),
                });
            }
            return finish({ status: 'failed', error: `unexpected error: ${(0,errors/* describeError */.Uc)(err)}` });
        }
    }
    async #process(job, img) {
        const repo = img.zotRepository;
        const { tag, digest } = img.ref;
        if (!tag) {
            if (!digest)
                throw new TypeError(`planned image ${img.reference} has neither tag nor digest`);
            return this.#digestOnly(job, repo, digest);
        }
        const tags = await this.#tags(job, repo);
        const refresh = this.opts.refresh && !digest;
        let before;
        const wasPresent = tags.has(tag);
        if (wasPresent) {
            await this.#lookedAhead;
            const searched = this.#searched.get(`${repo}:${tag}`);
            before = searched ? searched.digest : await this.#localTagDigest(job, repo, tag);
            if (!refresh) {
                const cached = await this.#cachedTag(job, repo, tag, before, digest, searched);
                if (cached)
                    return { status: 'cached', verified: cached };
            }
            else if (!before && this.#search === false) {
                job.warn(SEARCH_OFF);
            }
        }
        if (this.opts.mode === 'check') {
            const what = wasPresent && digest ? `pinned digest ${digest} of ${repo}:${tag}` : `${repo}:${tag}`;
            throw new ImageFailure(`not in Zot: ${what}`, { kind: 'not-cached', what });
        }
        // Warm: GET by tag makes Zot copy the whole image before answering.
        const manifest = await this.#sync(job, repo, tag, false);
        tags.add(tag);
        const tagDigest = manifest?.digest ?? (await this.#localTagDigest(job, repo, tag));
        if (!digest) {
            if (!tagDigest) {
                job.warn(SEARCH_OFF);
                return { status: wasPresent ? 'cached' : 'warmed', verified: {} };
            }
            const verified = await verifyImage(this.#verifyContext, job, repo, tagDigest, manifest);
            // A refresh that found the tag where it was (or cannot tell, without search) changed nothing.
            if (wasPresent && (before === undefined || before === tagDigest))
                return { status: 'cached', verified };
            if (wasPresent)
                job.warn(`tag ${tag} moved upstream: Zot now serves ${tagDigest} (was ${before})`);
            return { status: 'warmed', verified };
        }
        if (tagDigest === digest)
            return {
                status: 'warmed',
                verified: await verifyImage(this.#verifyContext, job, repo, digest, manifest),
            };
        // The tag resolves elsewhere (or cannot be read): ask Zot for the pinned digest itself.
        const pinned = await this.#sync(job, repo, digest, true).catch((err) => {
            if (err instanceof ImageFailure && err.situation.kind === 'missing-after-sync')
                return null;
            throw err;
        });
        if (pinned === null)
            throw new ImageFailure(`pinned digest ${digest} not in Zot after syncing ${repo}:${tag}${tagDigest ? ` (the tag resolves to ${tagDigest})` : ''}`, {
                kind: 'pin-missing',
                repository: repo,
                tag,
                pinned: digest,
                tagDigest,
                storedMediaType: manifest?.mediaType,
            }, tagDigest);
        if (tagDigest)
            job.warn(`Zot's ${tag} resolves to ${tagDigest}, not the pinned ${digest}; the pinned digest was fetched by digest and is stored untagged (garbage collection may remove it)`);
        return { status: 'warmed', verified: await verifyImage(this.#verifyContext, job, repo, digest, pinned) };
    }
    /** Signatures, attestations and SBOMs of a confirmed image (src/warm/referrers.ts). */
    async #referrers(job, img, status, verified) {
        const repo = img.zotRepository;
        const synced = this.opts.mode === 'warm' && (status === 'warmed' || this.opts.refresh);
        const searched = img.ref.tag && !synced ? this.#searched.get(`${repo}:${img.ref.tag}`) : undefined;
        const reads = {
            tags: async (fresh) => {
                if (fresh)
                    this.#tagLists.delete(repo);
                return this.#tags(job, repo);
            },
            search: () => this.#search,
            searchAnswered: (available) => {
                this.#search = available;
            },
        };
        const image = {
            repo,
            tag: img.ref.tag,
            digest: verified.digest,
            children: verified.children ?? [],
            synced,
        };
        const ctx = { client: this.client, mode: this.opts.mode, policy: this.opts.referrers ?? 'off' };
        return referrersOf(ctx, job, searched ? { ...image, searched } : image, reads);
    }
    /** A tag present in tags/list: cached when its pin (if any) and platforms are there too. */
    async #cachedTag(job, repo, tag, local, pinned, searched) {
        if (pinned) {
            if (local === pinned)
                return verifyImage(this.#verifyContext, job, repo, pinned, undefined, searched);
            const manifest = await this.#localDigest(job, repo, pinned);
            if (!manifest)
                return undefined;
            if (local)
                job.warn(`Zot's ${tag} resolves to ${local}, not the pinned ${pinned}; the pinned digest is present untagged (garbage collection may remove it)`);
            return verifyImage(this.#verifyContext, job, repo, pinned, manifest);
        }
        if (local)
            return verifyImage(this.#verifyContext, job, repo, local, undefined, searched);
        // Without the search extension a cached tag's digest is unknowable without contacting upstream.
        job.warn(SEARCH_OFF);
        return {};
    }
    async #digestOnly(job, repo, digest) {
        job.warn('digest-only reference: Zot stores it untagged, and garbage collection removes untagged manifests after gcDelay unless retention keeps them; reference it with a tag too (tag@digest)');
        const local = await this.#localDigest(job, repo, digest);
        if (local)
            return { status: 'cached', verified: await verifyImage(this.#verifyContext, job, repo, digest, local) };
        if (this.opts.mode === 'check')
            throw new ImageFailure(`not in Zot: ${repo}@${digest}`, {
                kind: 'not-cached',
                what: `${repo}@${digest}`,
            });
        const manifest = await this.#sync(job, repo, digest, true);
        return { status: 'warmed', verified: await verifyImage(this.#verifyContext, job, repo, digest, manifest) };
    }
    /**
     * Beside the images: the tag list of every repository, then what search knows about every present tag, in
     * batches (the first alone: it tells whether search answers batches at all). A fully warm run then costs one tags/list per repository and one request per batch. A tag list that failed fails the
     * images of its repository with the same error (they do not ask again); a search batch that failed leaves
     * its images to ask on their own.
     */
    async #lookAhead(images) {
        const deadline = AbortSignal.timeout(this.opts.imageTimeoutMs);
        const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, deadline]) : deadline;
        // Retries of the lists are counted on the images that use them (#tags), not here.
        const job = new Job(signal);
        const tagged = images.filter((img) => img.ref.tag);
        const lists = new Map();
        await (0,each/* eachLimited */.ko)([...new Set(tagged.map((img) => img.zotRepository))], this.opts.concurrency, async (repo) => {
            if (signal.aborted)
                return;
            try {
                // A copy: images syncing meanwhile add their tags to the shared list, and search is asked only
                // about what Zot held before this run changed anything.
                lists.set(repo, new Set(await this.#tags(job, repo)));
            }
            catch {
                // Kept in #tagLists: the images of this repository report it.
            }
        });
        const names = [
            ...new Set(tagged.flatMap((img) => lists.get(img.zotRepository)?.has(img.ref.tag)
                ? [`${img.zotRepository}:${img.ref.tag}`]
                : [])),
        ];
        if (!names.length || this.#search === false || signal.aborted)
            return;
        const limits = { ...BATCH_LIMITS, images: this.opts.searchBatch ?? BATCH_LIMITS.images };
        const [probe, ...rest] = chunkNames(names, limits, this.#searchOptions).batches;
        if (!probe || !(await this.#searchBatch(probe, signal)))
            return;
        await (0,each/* eachLimited */.ko)(rest, this.opts.concurrency, async (batch) => {
            if (!signal.aborted)
                await this.#searchBatch(batch, signal);
        });
    }
    /** One batched search; false when batches do not work here (then every image asks on its own). */
    async #searchBatch(names, signal) {
        let answer;
        try {
            answer = await searchImages(this.client, names, signal, this.#searchOptions);
        }
        catch {
            return false;
        }
        if (!answer.ok)
            return false;
        const value = answer.value;
        if (value.kind === 'unavailable')
            this.#search = false;
        if (value.kind !== 'answered')
            return false;
        this.#search = true;
        for (const [i, image] of value.found)
            this.#searched.set(names[i], image);
        return true;
    }
    /** Local tags of a repository, one request per repository per run. */
    async #tags(job, repo) {
        const pending = shared(this.#tagLists, repo, () => listTags(this.client, repo, job.signal, (tag) => this.#wanted.get(repo)?.has(tag) || isLegacyTag(tag)));
        const list = job.count(await pending);
        if (!list.ok)
            throw failureFrom(this.client, list, repo, 'tags/list');
        return list.value;
    }
    /** The digest Zot's MetaDB has for a local tag (search extension), or undefined. */
    async #localTagDigest(job, repo, tag) {
        if (this.#search === false)
            return undefined;
        const result = job.count(await searchTag(this.client, repo, tag, job.signal));
        // A refusal from search says nothing about the tag: the image goes on as if search did not know it.
        const answer = result.ok ? result.value : { kind: 'not-found' };
        if (answer.kind === 'unavailable') {
            this.#search = false;
            return undefined;
        }
        this.#search = true;
        return answer.kind === 'found' ? answer.digest : undefined;
    }
    /**
     * A digest that may be missing, tested without side effects: HEAD on the blob (never syncs; Zot keeps
     * manifests in the blob store). Only when it is there is the manifest read, which is then local.
     */
    async #localDigest(job, repo, digest) {
        const present = job.count(await hasBlob(this.client, repo, digest, job.signal));
        if (!present.ok)
            throw failureFrom(this.client, present, repo, digest);
        if (!present.value)
            return undefined;
        const answer = job.count(await getManifest(this.client, repo, digest, { signal: job.signal }));
        if (!answer.ok) {
            if (answer.refusal.status === 404)
                return undefined;
            throw failureFrom(this.client, answer, repo, digest);
        }
        return answer.value;
    }
    /**
     * GET a manifest so Zot syncs it, sharing one request per repository+reference. When Zot closes the
     * connection (its writeTimeout ends before a long sync does), the sync goes on in the background: poll for
     * the image and ask again only after a few polls (a second request joins a running sync in Zot).
     * Returns undefined when the image appeared through polling (no manifest in hand).
     */
    async #sync(job, repo, reference, isDigest) {
        const pending = shared(this.#syncs, `${repo}\n${reference}`, () => this.#syncOnce(job, repo, reference, isDigest));
        const synced = job.count(await pending);
        if (!synced.ok)
            throw failureFrom(this.client, synced, repo, reference);
        return synced.value;
    }
    async #syncOnce(job, repo, reference, isDigest) {
        let attempts = 0;
        for (;;) {
            try {
                const res = await getManifest(this.client, repo, reference, {
                    signal: job.signal,
                    sync: true,
                    timeoutMs: 0,
                });
                attempts += res.attempts;
                if (res.ok)
                    return { ok: true, value: res.value, attempts };
                // A gateway in front of Zot gave up waiting; Zot itself keeps syncing.
                if (res.refusal.status !== 504)
                    return { ok: false, refusal: res.refusal, attempts };
            }
            catch (err) {
                if (!(err instanceof ZotRequestError))
                    throw err;
                if (err.kind !== 'closed' && err.kind !== 'timeout')
                    throw err.withAttempts(attempts + err.attempts);
                attempts += err.attempts;
            }
            job.connectionClosed = true;
            if (await this.#pollFor(job, repo, reference, isDigest)) {
                job.warn('Zot closed the connection during the sync (its http.writeTimeout is shorter than the sync); the image appeared while polling. Set "writeTimeout": "0s" in Zot\'s http config for large images.');
                return { ok: true, value: undefined, attempts };
            }
        }
    }
    /** Polls local presence with backoff; false after a few rounds so the caller asks Zot again. */
    async #pollFor(job, repo, reference, isDigest) {
        let delay = this.#poll.initialDelayMs;
        for (let round = 0; round < 4; round++) {
            await (0,retry/* sleep */.yy)(delay, job.signal);
            if (isDigest) {
                const blob = job.count(await hasBlob(this.client, repo, reference, job.signal));
                if (blob.ok && blob.value)
                    return true;
            }
            else {
                const list = job.count(await listTags(this.client, repo, job.signal, (tag) => tag === reference));
                if (list.ok && list.value.has(reference))
                    return true;
            }
            delay = Math.min(delay * 2, this.#poll.maxDelayMs);
        }
        return false;
    }
}
/**
 * One request per key, shared by every image that needs it, and kept for the run whatever it ended in:
 * an image never asks again what another image (or the look-ahead) already asked, so a failure costs its
 * retries once. Only a request cut off by the signal of the job that started it (its image timeout, the
 * look-ahead's deadline) is forgotten, so the next image asks on its own time.
 */
function shared(cache, key, start) {
    let pending = cache.get(key);
    if (!pending) {
        pending = start();
        cache.set(key, pending);
        pending.catch((err) => {
            if (err instanceof ZotRequestError && err.kind === 'cancelled')
                cache.delete(key);
        });
    }
    return pending;
}
/** Promise.withResolvers (Node 22+), for Node 20. */
function promiseWithResolvers() {
    let resolve;
    const promise = new Promise((r) => {
        resolve = r;
    });
    return { promise, resolve };
}

;// CONCATENATED MODULE: ./lib/warm/preflight.js
// One GET /v2/ before any image is touched: a Zot that cannot be used at all is one precise hard failure,
// not a hundred identical per-image errors.




async function preflight(client, signal) {
    let res;
    try {
        res = await client.request({
            method: 'GET',
            path: '/v2/',
            signal,
            headers: { accept: 'application/json' },
        });
    }
    catch (err) {
        if (err instanceof ZotRequestError) {
            throw new errors/* HardFailure */.qd(err.message, (0,diagnose/* transportAdvice */.u9)(err, client));
        }
        throw err;
    }
    const body = res.body.toString('utf8');
    if (res.status === 401)
        throw new errors/* HardFailure */.qd((0,diagnose/* authFailure */.Tu)(client), (0,diagnose/* authAdvice */.vc)(client));
    if (res.status === 403)
        throw new errors/* HardFailure */.qd(`Zot at ${client.url} refused access (403)${client.username ? ` to ${client.username}` : ''}`);
    if (res.status === 400 && /HTTP request to an HTTPS server/i.test(body))
        throw new errors/* HardFailure */.qd(`Zot at ${client.url} expects HTTPS`, 'Use an https:// URL in zot-url.');
    if (res.status !== 200) {
        const what = res.status === 404
            ? `${client.url} does not serve the registry API (GET /v2/ answered 404)`
            : `Zot at ${client.url} answered ${res.status} to GET /v2/`;
        throw new errors/* HardFailure */.qd(what, 'Check zot-url: it must be the base URL of the Zot registry.');
    }
    const info = { url: client.url, auth: client.authScheme ?? 'none' };
    await readManagementInfo(client, info, signal);
    return info;
}
/**
 * Version and extensions for the report, when the mgmt and discover endpoints exist. Best effort: these are
 * optional Zot extensions and their absence is normal.
 */
async function readManagementInfo(client, info, signal) {
    // Both at once: neither needs the other's answer, and each is a round trip before any image starts.
    const [mgmt, discover] = await Promise.all(['/v2/_zot/ext/mgmt', '/v2/_oci/ext/discover'].map((path) => client.request({ method: 'GET', path, signal }).catch(() => undefined)));
    try {
        const json = mgmt?.status === 200 ? (0,warm_json/* record */.g)((0,warm_json/* parseJson */.q)(mgmt.body)) : undefined;
        if (json) {
            if (isShortText(json.releaseTag))
                info.version = json.releaseTag;
            const auth = Object.keys((0,warm_json/* record */.g)((0,warm_json/* record */.g)(json.http)?.auth) ?? {}).filter((k) => k !== 'failDelay');
            if (auth.length && info.auth === 'none')
                info.auth = auth.filter(isShortText).join(',');
            const built = (typeof json.binaryType === 'string' ? json.binaryType : '')
                .split('-')
                .filter(isShortText);
            if (built.length)
                info.extensions = built;
        }
        const found = discover?.status === 200 ? (0,warm_json/* record */.g)((0,warm_json/* parseJson */.q)(discover.body))?.extensions : undefined;
        if (Array.isArray(found)) {
            const endpoints = found.flatMap((e) => {
                const list = (0,warm_json/* record */.g)(e)?.endpoints;
                return Array.isArray(list) ? list.filter((x) => typeof x === 'string') : [];
            });
            const names = endpoints.map((e) => e.replace(/^.*\//, '')).filter(isShortText);
            info.extensions = [...new Set([...(info.extensions ?? []), ...names])];
        }
    }
    catch {
        // Informational only.
    }
}
/**
 * A version or extension name as Zot reports it: a short, non-empty string. Kept as the server's text (the
 * report records it as sent; what prints it neutralises control characters); anything else is ignored.
 */
function isShortText(v) {
    return typeof v === 'string' && v.length > 0 && v.length <= 128;
}

// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(8877);
;// CONCATENATED MODULE: ./lib/warm/wasm-tiering.js
// undici parses HTTP with llhttp, compiled to WebAssembly. On Node 20 (V8 11), once llhttp has parsed a few
// responses, V8 recompiles it with its optimising compiler (TurboFan) on a background thread: 40–100 CPU-ms
// per process, more than the faster parser ever gives back in a run of a few hundred or thousand requests.
// Measured with undici against a loopback server, CPU of the whole process, Node 20: 100 requests 77 → 37 ms,
// 500: 235 → 135 ms, 2000: 447 → 360 ms; a cold warm run of 20 images: 0.38 → 0.30 CPU-s. That CPU is taken
// from the Zot the run waits on when both share a small machine. So there V8's baseline WebAssembly compiler
// (Liftoff) is kept. Node 24's V8 gains nothing from it (measured equal), and a flag V8 does not know makes it
// print an error on stdout, so only V8 11 is told.

/** Keeps WebAssembly on V8's baseline compiler where that saves CPU (V8 11, Node 20); elsewhere nothing. */
function keepWasmOnBaseline(v8Version = process.versions.v8) {
    if (v8Version.split('.')[0] !== '11')
        return false;
    (0,external_node_v8_.setFlagsFromString)('--liftoff-only');
    return true;
}

;// CONCATENATED MODULE: ./lib/warm/stage.js
// The part of a run that talks to Zot: connect (pre-flight), warm or check the planned images, and read what
// `rewrite: digest` needs. The pipeline loads this module only when the run contacts Zot, so plan mode never
// loads the HTTP client or the engine.










async function zotStage(config, zotUrl, images, signal, opts) {
    const { logger } = opts;
    const out = {};
    // Before the first request, which compiles undici's HTTP parser.
    keepWasmOnBaseline();
    const client = new ZotClient({
        ...opts.client,
        // Every wait is said: a throttled or stalled Zot is never a silent pause.
        onRetry: (e) => logger.info((0,diagnose/* retryLine */.Rn)(e)),
        url: zotUrl,
        username: config.username,
        password: config.password,
        token: config.token,
        ca: config.ca,
        cert: config.cert,
        key: config.key,
        insecureSkipVerify: config.skipTlsVerify,
        userAgent: opts.userAgent,
    });
    // e.g. skip-tls-verify: said once, before anything is sent.
    for (const w of client.warnings)
        logger.warning(w);
    try {
        out.zot = await logger.group('Connect to Zot', async () => {
            try {
                const info = await preflight(client, signal);
                logger.info(
                // What Zot says about itself is its text, not ours: one line, shown as it is.
                `Zot at ${zotUrl}: version ${(0,report_escape/* literal */.eu)(info.version ?? 'unknown', 100)}, auth ${info.auth ?? 'unknown'}` +
                    (info.extensions?.length ? `, extensions ${(0,report_escape/* literal */.eu)(info.extensions.join(', '), 300)}` : ''));
                return info;
            }
            catch (err) {
                // Cancelled while waiting for Zot: not Zot's fault; every image is reported not attempted.
                if (signal.aborted)
                    return undefined;
                if (!(err instanceof errors/* HardFailure */.qd))
                    throw err;
                out.hardFailure = { message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
                logger.warning((0,errors/* withHint */.mu)(err.message, err.hint));
                return undefined;
            }
        });
        if (!out.zot)
            delete out.zot;
        if (!out.hardFailure && !signal.aborted && images.length) {
            const verb = config.mode === 'check' ? 'Check' : 'Warm';
            const warmed = await logger.group(`${verb} ${(0,words/* plural */.L)(images.length, 'image')}`, () => warmWithProgress(images, client, config, signal, opts));
            out.warmed = warmed;
            if (config.rewrite?.mode === 'digest')
                out.stored = await readStoredForms(client, images, warmed, {
                    concurrency: config.concurrency,
                    check: config.mode === 'check',
                    signal,
                });
        }
    }
    finally {
        await client.close();
    }
    return out;
}
async function warmWithProgress(images, client, config, signal, opts) {
    const { logger } = opts;
    const started = Date.now();
    const total = images.length;
    const inFlight = new Set();
    let done = 0;
    let lastLine = Date.now();
    const say = (line) => {
        lastLine = Date.now();
        logger.progress(line);
    };
    const elapsed = () => (0,duration/* formatDuration */.a3)(Date.now() - started);
    const interval = opts.progressIntervalMs ?? 5000;
    // A long sync sends no events: the heartbeat shows the run is alive and on which image it waits.
    const heartbeat = setInterval(() => {
        if (Date.now() - lastLine < interval)
            return;
        const current = [...inFlight];
        const shown = current.slice(0, 3).join(', ') + (current.length > 3 ? ` and ${current.length - 3} more` : '');
        say(`[${done}/${total}] ${elapsed()} elapsed; in progress: ${shown || '(none)'}`);
    }, Math.max(250, Math.floor(interval / 2)));
    heartbeat.unref();
    try {
        return await warmImages(images, client, {
            mode: config.mode === 'check' ? 'check' : 'warm',
            ...(config.platforms ? { platforms: config.platforms } : {}),
            refresh: config.refresh,
            referrers: config.referrers,
            concurrency: config.concurrency,
            imageTimeoutMs: config.imageTimeoutMs,
            signal,
            onProgress: (e) => {
                if (e.type === 'start') {
                    inFlight.add(e.reference);
                    logger.debug(`start ${e.reference} → ${e.zotReference}`);
                    return;
                }
                inFlight.delete(e.reference);
                done = e.done;
                say(`[${e.done}/${e.total}] ${e.status} ${e.reference} (${(0,duration/* formatDuration */.a3)(e.durationMs)}; ${elapsed()} elapsed)`);
            },
        });
    }
    finally {
        clearInterval(heartbeat);
    }
}


/***/ })

};
