export const id = 486;
export const ids = [486];
export const modules = {

/***/ 3026:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   jG: () => (/* binding */ Limiter),
/* harmony export */   ko: () => (/* binding */ eachLimited),
/* harmony export */   sf: () => (/* binding */ mapLimit)
/* harmony export */ });
// Bounded concurrency, shared by extraction (resolving links), the warm engine and the rewrite stage.
/** `fn` over `items`, at most `limit` at a time, results in order; stops starting new ones once aborted. */
async function mapLimit(items, limit, signal, fn) {
    const out = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length && !signal?.aborted) {
            const i = next++;
            out[i] = await fn(items[i]);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return out;
}
/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited(items, limit, fn) {
    await mapLimit(items, limit, undefined, fn);
}
/** At most `limit` holders at a time; the others wait in arrival order. */
class Limiter {
    #free;
    #waiting = [];
    constructor(limit) {
        this.#free = Math.max(1, limit);
    }
    /** Resolves with the release function once a place is free. */
    async enter() {
        if (this.#free > 0)
            this.#free--;
        else
            await new Promise((resolve) => this.#waiting.push(resolve));
        let left = false;
        return () => {
            if (left)
                return;
            left = true;
            const next = this.#waiting.shift();
            if (next)
                next();
            else
                this.#free++;
        };
    }
}


/***/ }),

/***/ 452:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Uc: () => (/* binding */ describeError),
/* harmony export */   mu: () => (/* binding */ withHint),
/* harmony export */   qd: () => (/* binding */ HardFailure),
/* harmony export */   xL: () => (/* binding */ ConfigError),
/* harmony export */   x_: () => (/* binding */ InvalidReferenceError)
/* harmony export */ });
// Errors a user can act on. They carry where the problem is and what to do, and are printed without
// a stack trace. Anything else that escapes is a bug and is reported as one.
/** Bad configuration or input: the run cannot start. Exit code 1 in the CLI, a failed step in the action. */
class ConfigError extends Error {
    problems;
    places;
    name = 'ConfigError';
    constructor(
    /** One line per problem, each naming the input and what to do. */
    problems, 
    /** Per problem (same index): where in the configuration file it is written, when it is. */
    places = []) {
        super(problems.join('\n'));
        this.problems = problems;
        this.places = places;
    }
}
/** Zot cannot be used at all (unreachable, TLS failure, credentials rejected). Exit code 1. */
class HardFailure extends Error {
    hint;
    name = 'HardFailure';
    constructor(message, 
    /** What the user should do about it. */
    hint) {
        super(message);
        this.hint = hint;
    }
}
/** A reference that does not follow the distribution/reference grammar. */
class InvalidReferenceError extends Error {
    reference;
    reason;
    name = 'InvalidReferenceError';
    constructor(reference, reason) {
        super(`invalid image reference "${reference}": ${reason}`);
        this.reference = reference;
        this.reason = reason;
    }
}
/** Render any thrown value as one line for a user, never a stack trace. */
function describeError(err) {
    if (err instanceof Error) {
        const cause = err.cause;
        const code = err.code;
        let text = err.message || err.name;
        if (typeof code === 'string' && !text.includes(code))
            text += ` (${code})`;
        if (cause instanceof Error && cause.message && !text.includes(cause.message))
            text += `: ${describeError(cause)}`;
        return text;
    }
    return String(err);
}
/** "message. hint" as one sentence pair, whatever punctuation the message ends with. */
function withHint(message, hint) {
    if (!hint)
        return message;
    return `${/[.!?:]$/.test(message.trimEnd()) ? message.trimEnd() : `${message.trimEnd()}.`} ${hint}`;
}


/***/ }),

/***/ 8492:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dh: () => (/* binding */ DIGEST),
/* harmony export */   F2: () => (/* binding */ parseReference),
/* harmony export */   FH: () => (/* binding */ formatReference),
/* harmony export */   SH: () => (/* binding */ PATH_COMPONENT),
/* harmony export */   dw: () => (/* binding */ isTemplated),
/* harmony export */   lV: () => (/* binding */ DEFAULT_DOMAIN),
/* harmony export */   nL: () => (/* binding */ DOCKER_HUB_HOSTS),
/* harmony export */   wi: () => (/* binding */ EMPTY_HINT)
/* harmony export */ });
/* unused harmony exports NAME_TOTAL_MAX, TAG_MAX */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(452);
// Image references, parsed and normalised like the container ecosystem: the grammar of
// github.com/distribution/reference (regexp.go) and Docker's normalisation (normalize.go: ParseDockerRef),
// with one deliberate difference: a reference with both tag and digest keeps both (Docker drops the tag).
// Instead of one big regular expression the parts are checked one by one, so an invalid reference gets a
// reason a user can act on ("sha256 digest needs 64 hex characters, got 12") rather than "invalid format".

const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's names; the others are normalised to `docker.io` (the registry map does the same). */
const DOCKER_HUB_HOSTS = new Set([
    'docker.io',
    'index.docker.io',
    'registry-1.docker.io',
]);
const OFFICIAL_PREFIX = 'library/';
/** distribution/reference NameTotalLengthMax, measured on the normalised `domain/path`. */
const NAME_TOTAL_MAX = 255;
const TAG_MAX = 128;
/** One component of a repository path (also of a registry-map prefix). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = new RegExp(`^${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*$`);
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^\w[\w.-]*$/;
/** go-digest's algorithm grammar (lower case only). */
const ALGORITHM = '[a-z0-9]+(?:[.+_-][a-z0-9]+)*';
const DIGEST_ALGORITHM = new RegExp(`^${ALGORITHM}$`);
/** A digest as a registry sends it (OCI image-spec grammar): `algorithm:encoded`, at least 32 characters. */
const DIGEST = new RegExp(`^${ALGORITHM}:[a-zA-Z0-9=_-]{32,}$`);
/** Algorithms go-digest registers, with their hex length. */
const DIGEST_HEX_LENGTH = { sha256: 64, sha384: 96, sha512: 128 };
/** A bare 64-hex string is an image ID, never a name (normalize.go anchoredIdentifierRegexp). */
const IMAGE_ID = /^[a-f0-9]{64}$/;
const isControl = (code) => code < 0x20 || (code >= 0x7f && code <= 0x9f);
const fail = (input, reason) => {
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InvalidReferenceError */ .x_(input, reason);
};
/**
 * Parse and normalise an image reference. Throws InvalidReferenceError (and nothing else) with a reason.
 * `nginx` → docker.io/library/nginx:latest; `index.docker.io/x` → docker.io/library/x; tag and digest kept.
 */
function parseReference(input) {
    if (typeof input !== 'string')
        return fail(String(input), `expected a string, got ${typeof input}`);
    if (input === '')
        return fail(input, 'repository name must have at least one component (the reference is empty)');
    checkCharacters(input);
    if (IMAGE_ID.test(input))
        fail(input, 'a 64-character hexadecimal string is an image ID, not a repository name');
    let rest = input;
    let digest;
    const at = input.indexOf('@');
    if (at !== -1) {
        digest = input.slice(at + 1);
        rest = input.slice(0, at);
        if (digest.includes('/'))
            fail(input, 'invalid "@" inside the name (a digest goes last: name@sha256:…)');
    }
    let name = rest;
    let tag;
    // The tag separator is a colon after the last slash; colons before it belong to a registry port.
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/') && !(rest.startsWith('[') && colon < rest.indexOf(']'))) {
        name = rest.slice(0, colon);
        tag = rest.slice(colon + 1);
    }
    const { domain, path } = splitDomain(input, name);
    if (tag !== undefined)
        checkTag(input, tag);
    if (digest !== undefined)
        checkDigest(input, digest);
    const full = `${domain}/${path}`;
    if (full.length > NAME_TOTAL_MAX)
        fail(input, `repository name must not be more than ${NAME_TOTAL_MAX} characters (got ${full.length})`);
    const ref = { domain, path };
    if (tag !== undefined)
        ref.tag = tag;
    if (digest !== undefined)
        ref.digest = digest;
    if (tag === undefined && digest === undefined)
        ref.tag = 'latest';
    return ref;
}
function checkCharacters(input) {
    for (let i = 0; i < input.length; i++) {
        const code = input.charCodeAt(i);
        if (code === 32 || (code >= 9 && code <= 13) || (code > 0x7f && /\s/.test(input.charAt(i)))) {
            const where = i === 0 || i === input.length - 1
                ? 'leading or trailing whitespace'
                : `whitespace at position ${i + 1}`;
            const hint = /^-\s/.test(input)
                ? ' (looks like a YAML list item: write the reference without "- ")'
                : '';
            fail(input, `contains ${where}${hint}`);
        }
        if (isControl(code)) {
            const hex = code.toString(16).toUpperCase().padStart(4, '0');
            fail(input, `contains control character U+${hex} at position ${i + 1}`);
        }
    }
}
/** Docker's splitDockerDomain: the first component is a registry only if it has a `.` or `:`, is `localhost`, or has upper case. */
function splitDomain(input, name) {
    if (name === '')
        fail(input, 'repository name is missing');
    if (name.startsWith('[') && !name.includes('/'))
        fail(input, 'a registry host needs a repository path after it (e.g. [::1]:5000/app)');
    const slash = name.indexOf('/');
    const first = slash === -1 ? '' : name.slice(0, slash);
    let domain = DEFAULT_DOMAIN;
    let path = name;
    if (slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
        checkDomain(input, first);
        domain = first;
        path = name.slice(slash + 1);
    }
    if (DOCKER_HUB_HOSTS.has(domain))
        domain = DEFAULT_DOMAIN;
    checkPath(input, path);
    if (domain === DEFAULT_DOMAIN && !path.includes('/'))
        path = OFFICIAL_PREFIX + path;
    return { domain, path };
}
function checkDomain(input, domain) {
    let host = domain;
    let port;
    if (domain.startsWith('[')) {
        const close = domain.indexOf(']');
        host = close === -1 ? domain : domain.slice(0, close + 1);
        const after = close === -1 ? '' : domain.slice(close + 1);
        if (after !== '') {
            if (!after.startsWith(':'))
                fail(input, `invalid registry host "${domain}"`);
            port = after.slice(1);
        }
        if (!IPV6_HOST.test(host))
            fail(input, `invalid IPv6 registry host "${host}" (hex digits and colons in brackets)`);
    }
    else {
        const c = domain.indexOf(':');
        if (c !== -1) {
            host = domain.slice(0, c);
            port = domain.slice(c + 1);
        }
        if (!DOMAIN_NAME.test(host))
            fail(input, `invalid registry host "${host}" (letters, digits, "-" and "." only; IPv6 in brackets)`);
    }
    if (port !== undefined && !PORT.test(port))
        fail(input, `invalid registry port "${port}" (digits only)`);
}
function checkPath(input, path) {
    if (path === '')
        fail(input, 'repository path is empty');
    if (path.toLowerCase() !== path)
        fail(input, 'repository name must be lowercase');
    for (const component of path.split('/')) {
        if (component === '')
            fail(input, 'repository path has an empty component ("//" or a trailing "/")');
        if (!PATH_COMPONENT.test(component))
            fail(input, `invalid repository path component "${component}" (lowercase letters and digits, joined by single ".", "_", "__" or "-")`);
    }
}
function checkTag(input, tag) {
    if (tag === '')
        fail(input, 'tag is empty (nothing after ":"; a templated tag may have rendered empty)');
    if (tag.length > TAG_MAX)
        fail(input, `tag longer than ${TAG_MAX} characters (got ${tag.length})`);
    if (!TAG.test(tag))
        fail(input, `invalid tag "${tag}" (letters, digits, "_", "." and "-", not starting with "." or "-")`);
}
function checkDigest(input, digest) {
    if (digest === '')
        fail(input, 'digest is empty (nothing after "@")');
    const colon = digest.indexOf(':');
    const algorithm = colon === -1 ? '' : digest.slice(0, colon);
    const hex = colon === -1 ? '' : digest.slice(colon + 1);
    if (colon <= 0 || hex === '' || !DIGEST_ALGORITHM.test(algorithm))
        fail(input, `invalid digest "${digest}" (expected algorithm:hex, e.g. sha256: and 64 hex characters)`);
    const length = DIGEST_HEX_LENGTH[algorithm];
    if (length === undefined)
        fail(input, `unsupported digest algorithm "${algorithm}" (sha256, sha384 or sha512)`);
    if (!/^[0-9a-fA-F]+$/.test(hex))
        fail(input, `${algorithm} digest must be hexadecimal`);
    if (hex.length !== length)
        fail(input, `${algorithm} digest needs ${length} hex characters, got ${hex.length}`);
    if (hex.toLowerCase() !== hex)
        fail(input, `${algorithm} digest must be lower-case hexadecimal`);
}
/** The normalised text: `docker.io/library/nginx:1.27`, `host/p@sha256:…`, `host/p:tag@sha256:…`. */
function formatReference(ref) {
    let s = `${ref.domain}/${ref.path}`;
    if (ref.tag !== undefined)
        s += `:${ref.tag}`;
    if (ref.digest !== undefined)
        s += `@${ref.digest}`;
    return s;
}
const RENDER_HINT = 'render the templates first (e.g. `helm template`) and scan the output';
/**
 * When the text still holds templating, a hint saying what to do; otherwise undefined. Such values are
 * reported as unresolved (never as invalid, never dropped): the real image is only known after rendering.
 */
function isTemplated(text) {
    if (text.includes('{{')) {
        if (/\{\{\s*(?:inputs|outputs|workflow|steps|tasks|item|pod|retries|node)\b/.test(text))
            return 'Argo Workflows parameter, resolved only at run time: list the concrete image under `images` to warm it';
        return `unrendered template (\`{{ … }}\`): ${RENDER_HINT}`;
    }
    if (text.includes('{%'))
        return `unrendered template (\`{% … %}\`): ${RENDER_HINT}`;
    // `$(` with a `)` anywhere after it. Found with two forward searches: the regular expression
    // /\$\([^)]*\)/ rescans the rest of the text from every `$(` (quadratic on `$($($(…`).
    const paren = text.indexOf('$(');
    if (paren !== -1 && text.indexOf(')', paren + 2) !== -1)
        return 'run-time parameter (`$(…)`, Tekton/Kubernetes variable): list the concrete image under `images` to warm it';
    if (/\$[{A-Za-z_]/.test(text))
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the hint shows shell syntax
        return 'unexpanded variable (`${…}`): run `envsubst` or `docker compose config` first, or list the image under `images`';
    if (text.includes('<no value>'))
        return `a template rendered a missing value (\`<no value>\`): ${RENDER_HINT} with the values set`;
    return undefined;
}
/** Hint for an image field that is empty or null. */
const EMPTY_HINT = 'image is empty: a template probably rendered nothing here; render with the right values, or set the image';


/***/ }),

/***/ 7581:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   E9: () => (/* binding */ parseDuration),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   rG: () => (/* binding */ MAX_DURATION_MS),
/* harmony export */   w_: () => (/* binding */ formatSetting),
/* harmony export */   yM: () => (/* binding */ MAX_DURATION_TEXT)
/* harmony export */ });
// Durations as users write them in workflows: `90s`, `10m`, `1h30m`, `500ms` or plain seconds.
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/**
 * The longest time limit accepted: 5 days, the longest a runner job may run. Timers cannot go much
 * further anyway: Node fires a timer of more than 2^31 - 1 ms (24.8 days) after 1 ms.
 */
const MAX_DURATION_MS = 120 * 3_600_000;
const MAX_DURATION_TEXT = '120h (5 days)';
/** Milliseconds, or undefined when the text is not a duration. */
function parseDuration(text) {
    const t = text.trim().toLowerCase();
    if (/^\d+(\.\d+)?$/.test(t))
        return Math.round(Number(t) * 1000);
    if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t))
        return undefined;
    let total = 0;
    for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
        total += Number(m[1]) * (UNIT_MS[m[2]] ?? 0);
    return Math.round(total);
}
/** A measured time: `95000` → `1m35s`; sub-second values as `0.4s`. */
function formatDuration(ms) {
    if (ms < 1000)
        return `${(ms / 1000).toFixed(1)}s`;
    let s = Math.round(ms / 1000);
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    if (h)
        return `${h}h${String(m).padStart(2, '0')}m`;
    if (m)
        return `${m}m${String(s).padStart(2, '0')}s`;
    return `${s}s`;
}
/** A configured time as a user writes it: `90s`, `15m`, `1h`, `250ms` (what parseDuration reads back). */
function formatSetting(ms) {
    if (ms < 1000)
        return `${ms}ms`;
    if (ms % 3_600_000 === 0)
        return `${ms / 3_600_000}h`;
    if (ms % 60_000 === 0)
        return `${ms / 60_000}m`;
    return `${Math.round(ms / 1000)}s`;
}


/***/ }),

/***/ 4486:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  exitWhenDone: () => (/* reexport */ exitWhenDone),
  run: () => (/* binding */ run)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 14 modules
var core = __webpack_require__(6421);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./lib/extract/reference.js
var extract_reference = __webpack_require__(8492);
// EXTERNAL MODULE: ./lib/plan/registry-map.js
var registry_map = __webpack_require__(203);
// EXTERNAL MODULE: ./lib/warm/options.js
var options = __webpack_require__(2479);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
// EXTERNAL MODULE: ./lib/inputs/duration.js
var inputs_duration = __webpack_require__(7581);
;// CONCATENATED MODULE: ./lib/inputs/spec.js
// The inputs of the action and the CLI, in one place: action.yml, `zot-warm --help` and the README tables
// are checked against this list (__tests__/inputs-spec.test.ts, __tests__/readme.test.ts) so they cannot drift apart.


const INPUTS = [
    {
        name: 'paths',
        description: 'Files, directories and globs to scan for image references, relative to `workspace` (one per line or comma-separated; `!pattern` excludes). Directories and globs select .yaml, .yml and .json files; a file named here as it is (no glob characters) is read whatever its kind, so a plain image list must be named (one a directory or glob comes across gets a notice). Empty: scan the whole workspace for YAML and JSON files.',
        default: '',
        arg: 'LIST',
    },
    {
        name: 'images',
        description: 'Extra image references to warm that appear in no manifest (one per line or comma-separated).',
        default: '',
        arg: 'LIST',
    },
    {
        name: 'runtime-images',
        description: 'Also warm the images workloads start later: operator flags in container `args`/`command` (`--prometheus-config-reloader=…`, `--*-image=…`) and `RELATED_IMAGE_*` / `*_IMAGE` env values, when they name a registry host and a tag or digest (or the flag is a known operator flag). `false`: image fields only.',
        default: 'true',
        boolean: true,
    },
    {
        name: 'zot-url',
        description: 'Base URL of the Zot cache, e.g. `https://zot.example.com`. Required unless `mode` is `plan`.',
        default: '',
        envAliases: ['ZOT_REGISTRY_URL'],
        arg: 'URL',
    },
    {
        name: 'username',
        description: 'Zot user name (basic auth; with an API key, the key owner).',
        default: '',
        envAliases: ['ZOT_USERNAME'],
        arg: 'USER',
    },
    {
        name: 'password',
        description: 'Zot password or API key (`zak_…`). Pass it from a secret; it is masked.',
        default: '',
        secret: true,
        envAliases: ['ZOT_PASSWORD'],
        arg: 'SECRET',
    },
    {
        name: 'token',
        description: 'Bearer token for Zot (e.g. an OIDC token), instead of username/password. Masked.',
        default: '',
        secret: true,
        arg: 'SECRET',
    },
    {
        name: 'ca-cert',
        description: 'CA certificate(s) to trust for Zot: PEM text or a file path.',
        default: '',
        arg: 'PEM|FILE',
    },
    {
        name: 'client-cert',
        description: 'Client certificate for mutual TLS: PEM text or a file path (needs `client-key`).',
        default: '',
        arg: 'PEM|FILE',
    },
    {
        name: 'client-key',
        description: 'Private key of `client-cert`: PEM text or a file path. Masked.',
        default: '',
        secret: true,
        arg: 'PEM|FILE',
    },
    {
        name: 'skip-tls-verify',
        description: 'Do not verify Zot’s TLS certificate (test setups only).',
        default: 'false',
        boolean: true,
    },
    {
        name: 'registry-map',
        description: 'Upstream registry → Zot path prefix, as YAML (`docker.io: docker-images`) or `host=prefix` lines; must match the `destination` of the cache’s sync `content` entries. Empty: images are requested under their upstream path.',
        default: '',
        envAliases: ['ZOT_REGISTRY_MAP'],
        arg: 'MAP',
    },
    {
        name: 'unmapped',
        description: 'What to do with images whose registry is not in `registry-map`: `skip` (report) or `fail`.',
        default: 'skip',
        arg: 'skip|fail',
    },
    {
        name: 'platforms',
        description: 'Platforms that must be present, e.g. `linux/amd64,linux/arm64`; `all` checks every platform of the index.',
        default: 'all',
        arg: 'LIST',
    },
    {
        name: 'mode',
        description: '`warm` makes Zot sync missing images; `check` only reports what is missing; `plan` lists images and their Zot references without contacting Zot.',
        default: 'warm',
        arg: 'warm|check|plan',
    },
    {
        name: 'referrers',
        description: 'Signatures, attestations and SBOMs of each image: `warm` makes Zot copy them with the images it syncs and reports what the cache holds; `require-signed` also fails an image whose own digest has no signature in the cache (the index of a multi-platform image, as admission policies verify); `off` ignores them.',
        default: 'warm',
        arg: 'warm|require-signed|off',
    },
    {
        name: 'refresh',
        description: 'Ask Zot to re-check upstream tags that are already cached (spends upstream pull quota).',
        default: 'false',
        boolean: true,
    },
    {
        name: 'concurrency',
        description: 'How many images are warmed at the same time.',
        default: String(options/* DEFAULTS */.z.concurrency),
        arg: 'N',
    },
    {
        name: 'image-timeout',
        description: 'Time limit per image: `90s`, `10m`, `1h` or plain seconds.',
        default: (0,inputs_duration/* formatSetting */.w_)(options/* DEFAULTS */.z.imageTimeoutMs),
        arg: 'DURATION',
    },
    {
        name: 'timeout',
        description: 'Time limit for the whole run (same format; `0` = none). When it ends, the rest is reported as not attempted.',
        default: String(options/* DEFAULTS */.z.overallTimeoutMs / 1000),
        arg: 'DURATION',
    },
    {
        name: 'strict',
        description: 'Fail the step when an image failed or a reference is invalid (and, as configured, unresolved or unmapped). `false`: warn instead.',
        default: 'true',
        boolean: true,
    },
    {
        name: 'fail-on-unresolved',
        description: 'In strict mode, also fail on references that could not be resolved (templated or empty values).',
        default: 'true',
        boolean: true,
    },
    {
        name: 'pr-comment',
        description: 'Results as one comment on the pull request, kept up to date by later runs: `auto` comments when a run has problems and updates that comment when a later run is clean; `always` on every run; `off`. Only on `pull_request` and `pull_request_target` events, not in `mode: plan` (unless `always`).',
        default: 'auto',
        arg: 'auto|always|off',
        actionOnly: true,
    },
    {
        name: 'github-token',
        description: 'Token for the pull request comment (GitHub: needs `pull-requests: write`; Forgejo: the job token works). Not Zot’s token (that is `token`). Masked.',
        // Not `${{ … }}` in a description: runners refuse expressions outside `default:`.
        defaultText: 'the job token (`github.token`)',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the runner expands this expression.
        runnerDefault: '${{ github.token }}',
        secret: true,
        arg: 'SECRET',
        actionOnly: true,
    },
    {
        name: 'report',
        description: 'Where to write the JSON report.',
        default: '',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the runner variable literally.
        defaultText: '`${RUNNER_TEMP}/zot-warm-report.json` (action); none (CLI)',
        arg: 'FILE',
    },
    {
        name: 'rewrite',
        description: 'Rewrite the scanned manifests to pull what was verified: `zot` (from the cache: `<pull host>/<prefix>/<path>:<tag>@<digest>`) or `digest` (same registry, pinned `@<digest>` where the cache holds upstream’s digest). Empty: off. Only each reference’s own text changes.',
        default: '',
        arg: 'zot|digest',
    },
    {
        name: 'pull-host',
        description: 'Registry host[:port] nodes pull the cache from, for `rewrite: zot` (when they reach Zot under another name than `zot-url`). Empty: the host of `zot-url`.',
        default: '',
        arg: 'HOST',
    },
    {
        name: 'rewrite-output',
        description: 'Directory that receives every scanned manifest file, rewritten or not, at its workspace-relative path (relative to `workspace`; the workspace itself rewrites in place). CLI: `-` prints the manifests read from stdin, rewritten, on stdout.',
        default: '',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: documents the runner variable literally.
        defaultText: '`${RUNNER_TEMP}/zot-warm-rewritten` (action); required with `rewrite` (CLI)',
        arg: 'DIR|-',
    },
    {
        name: 'workspace',
        description: 'Directory that `paths` are relative to.',
        default: '',
        defaultText: '`GITHUB_WORKSPACE` (action); the current directory (CLI)',
        arg: 'DIR',
    },
    {
        name: 'config',
        description: 'Configuration file: YAML whose keys are these input names; its values count only where an input is not set. The CLI, when this is empty, reads the first of `./zot-warm.yaml`, `$XDG_CONFIG_HOME/zot-warm/config.yaml` (`~/.config` when unset) and `/etc/zot-warm/config.yaml`; the action reads only the file named here.',
        default: '',
        arg: 'FILE',
    },
];
/** The inputs the CLI takes as flags and ZOT_WARM_* variables. */
const CLI_INPUTS = INPUTS.filter((i) => !i.actionOnly);
const SECRET_INPUTS = new Set(INPUTS.filter((i) => i.secret).map((i) => i.name));
/** `zot-url` → `ZOT_WARM_ZOT_URL`. */
function envName(input) {
    return `ZOT_WARM_${input.toUpperCase().replace(/-/g, '_')}`;
}
/** Outputs of the action (the CLI writes the same data into the report). */
const OUTPUTS = [
    { name: 'total', description: 'Distinct image references found (including invalid and unresolved).' },
    { name: 'cached', description: 'Images that were already in Zot.' },
    { name: 'warmed', description: 'Images Zot synced during this run.' },
    { name: 'failed', description: 'Images that could not be warmed or verified.' },
    {
        name: 'skipped',
        description: 'Images not attempted: registry not in `registry-map`, `mode: plan`, or cut off by cancellation.',
    },
    { name: 'unresolved', description: 'References that are templated or empty and could not be resolved.' },
    { name: 'invalid', description: 'References that are not valid image references.' },
    {
        name: 'signed',
        description: 'Images with a signature of their own digest in Zot (a signature of one platform only does not count; `referrers` not `off`).',
    },
    { name: 'attested', description: 'Images with an attestation (provenance, in-toto) in Zot.' },
    { name: 'sbom', description: 'Images with an SBOM in Zot.' },
    {
        name: 'images',
        description: 'JSON array `[{reference, status, zotReference, digest, platforms}]`, one entry per image; kept under 900 KiB (GitHub allows 1 MB per output): past that the worst images are listed, in run order, and the log says how many and where the full list is (the JSON report).',
    },
    { name: 'report', description: 'Path of the JSON report.' },
    {
        name: 'rewritten',
        description: 'Directory holding the rewritten manifests (`rewrite-output`); empty when nothing was written (rewrite off, or the run failed).',
    },
];

;// CONCATENATED MODULE: ./lib/inputs/config-file.js
// The configuration file: a YAML mapping whose keys are the input names (`zot-url: https://…`). It sits
// beneath every other source: the CLI reads flags, then ZOT_WARM_*, then the seed CronJob's ZOT_* variables,
// then the file, then the defaults; the action reads its inputs, then the file. The CLI looks for the file
// in the places the seed CLI used; the action reads only the one its `config` input names (a workflow says
// what it reads). Every value keeps its line, so a bad value is reported where it is written.




const SYSTEM_CONFIG = '/etc/zot-warm/config.yaml';
const LOCAL_CONFIG = 'zot-warm.yaml';
/** The search locations of a process: its current directory, environment and home. */
function configSearch(cwd, env, home) {
    return {
        cwd,
        xdgConfigHome: env.XDG_CONFIG_HOME,
        home: env.HOME || homeOrEmpty(home),
        system: env.ZOT_WARM_SYSTEM_CONFIG || SYSTEM_CONFIG,
    };
}
/** A container user without a passwd entry and without HOME has no home: then there is no ~/.config. */
function homeOrEmpty(home) {
    try {
        return home();
    }
    catch {
        return '';
    }
}
/** The files the CLI looks for, in order. */
function configCandidates(search) {
    const xdg = search.xdgConfigHome && (0,external_node_path_.isAbsolute)(search.xdgConfigHome)
        ? search.xdgConfigHome
        : (0,external_node_path_.isAbsolute)(search.home)
            ? (0,external_node_path_.join)(search.home, '.config')
            : undefined;
    return [
        (0,external_node_path_.join)(search.cwd, LOCAL_CONFIG),
        ...(xdg ? [(0,external_node_path_.join)(xdg, 'zot-warm', 'config.yaml')] : []),
        search.system,
    ];
}
/** Inputs whose value may be written as a YAML list. */
const LIST_KEYS = new Set(['paths', 'images', 'platforms']);
/** Inputs naming a file: a relative path in the configuration file is relative to the file, as in a kubeconfig. */
const FILE_KEYS = new Set(['ca-cert', 'client-cert', 'client-key', 'report', 'workspace']);
const KEYS = INPUTS.map((i) => i.name).filter((n) => n !== 'config');
/**
 * The configuration file to read: `explicit` (the `config` input; relative to `base`), else the first of the
 * search locations that exists. Undefined when there is none. A file that exists but cannot be read is a
 * problem, not a reason to look further: the user meant that one.
 */
function loadConfigFile(explicit, where) {
    if (explicit) {
        const path = (0,external_node_path_.resolve)(where.base, explicit);
        return readConfigPath(path, shown(path, where.cwd), `config: cannot read "${explicit}"`);
    }
    for (const path of where.search ? configCandidates(where.search) : []) {
        let exists;
        try {
            (0,external_node_fs_.statSync)(path);
            exists = true;
        }
        catch (err) {
            const code = err.code;
            exists = code !== 'ENOENT' && code !== 'ENOTDIR';
        }
        const name = shown(path, where.cwd);
        if (exists)
            return readConfigPath(path, name, `cannot read the configuration file ${name}`);
    }
    return undefined;
}
/** `./zot-warm.yaml` inside the current directory, the absolute path elsewhere. */
function shown(path, cwd) {
    const rel = (0,external_node_path_.relative)(cwd, path);
    return rel && !rel.startsWith('..') && !(0,external_node_path_.isAbsolute)(rel) ? `./${rel.split(external_node_path_.sep).join('/')}` : path;
}
function readConfigPath(path, name, what) {
    let text;
    try {
        text = (0,external_node_fs_.readFileSync)(path, 'utf8');
    }
    catch (err) {
        const code = err.code;
        const why = code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
                ? 'it is a directory'
                : code === 'EACCES' || code === 'EPERM'
                    ? 'permission denied'
                    : err.message;
        return {
            path,
            shown: name,
            values: new Map(),
            problems: [`${what}: ${why}${code ? ` (${code})` : ''}.`],
            places: [undefined],
        };
    }
    return parseConfigFile(path, text, name);
}
/** Parse the text of a configuration file (pure; `path` anchors relative file paths, `name` is shown). */
function parseConfigFile(path, text, name = path) {
    const lines = new dist/* LineCounter */.HN();
    const values = new Map();
    const problems = [];
    const places = [];
    const problem = (offset, message) => {
        const p = lines.linePos(offset);
        const label = `${name}:${p.line}:${p.col}`;
        problems.push(`${label}: ${message}`);
        places.push({ file: path, line: p.line, column: p.col, label });
    };
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    // prettyErrors off: the messages then carry no excerpt of the file, which may hold a password.
    const docs = (0,dist/* parseAllDocuments */.hR)(body, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length > 1)
        problem(list[1]?.range[0] ?? 0, 'one YAML document expected; remove the `---` and what follows.');
    const doc = list[0];
    if (!doc)
        return { path, shown: name, values, problems, places };
    for (const e of doc.errors)
        problem(e.pos[0], e.code === 'DUPLICATE_KEY' ? 'key given twice.' : `invalid YAML: ${e.message}`);
    if (problems.length)
        return { path, shown: name, values, problems, places };
    const deref = (node) => ((0,dist/* isAlias */.Vj)(node) ? node.resolve(doc) : node);
    const root = deref(doc.contents);
    if (root === null || root === undefined || ((0,dist/* isScalar */.jn)(root) && root.value === null))
        return { path, shown: name, values, problems, places };
    if (!(0,dist/* isMap */.jh)(root)) {
        problem(root.range?.[0] ?? 0, 'expected a mapping of input names to values, e.g. `zot-url: https://zot.example.com`.');
        return { path, shown: name, values, problems, places };
    }
    for (const pair of root.items) {
        const keyNode = deref(pair.key);
        const keyAt = keyNode?.range?.[0] ?? 0;
        const key = (0,dist/* isScalar */.jn)(keyNode) && typeof keyNode.value === 'string' ? keyNode.value : undefined;
        if (key === undefined) {
            problem(keyAt, 'keys are input names such as `zot-url`.');
            continue;
        }
        if (key === 'config') {
            problem(keyAt, '"config" names the configuration file itself and cannot be set inside it.');
            continue;
        }
        if (!KEYS.includes(key)) {
            problem(keyAt, `unknown key "${key}"; ${unknownKeyAdvice(key, deref(pair.value))}`);
            continue;
        }
        const node = deref(pair.value);
        const valueAt = node?.range?.[0] ?? keyAt;
        const value = toInputValue(key, node, (message, at) => problem(at ?? valueAt, `${key}: ${message}`));
        if (value === undefined)
            continue;
        const pos = lines.linePos(valueAt);
        const each = linePositions(node, lines, body);
        values.set(key, {
            value: FILE_KEYS.has(key) && isRelativePath(value) ? (0,external_node_path_.resolve)((0,external_node_path_.dirname)(path), value) : value,
            line: pos.line,
            column: pos.col,
            ...(each ? { lines: each } : {}),
        });
    }
    return { path, shown: name, values, problems, places };
}
/** A YAML value as the input's text; undefined for an empty value (unset) or a wrong type (reported). */
function toInputValue(key, node, problem) {
    if (node === null || ((0,dist/* isScalar */.jn)(node) && node.value === null))
        return undefined;
    if ((0,dist/* isScalar */.jn)(node))
        return scalarText(node);
    if ((0,dist/* isSeq */.oP)(node)) {
        if (!LIST_KEYS.has(key)) {
            problem(key === 'registry-map'
                ? 'expects `registry: prefix` entries.'
                : 'expects a single value, not a list.');
            return undefined;
        }
        const items = [];
        for (const item of node.items) {
            if (!(0,dist/* isScalar */.jn)(item) || item.value === null || typeof item.value === 'object') {
                problem('list items must be plain values.', item?.range?.[0]);
                return undefined;
            }
            items.push(scalarText(item));
        }
        return items.join('\n');
    }
    if ((0,dist/* isMap */.jh)(node) && key === 'registry-map') {
        const lines = [];
        for (const pair of node.items) {
            if (!(0,dist/* isScalar */.jn)(pair.key) || !((0,dist/* isScalar */.jn)(pair.value) || pair.value === null)) {
                problem('expects `registry: prefix` entries.');
                return undefined;
            }
            const prefix = pair.value === null ? '' : scalarText(pair.value);
            lines.push(`${scalarText(pair.key)}=${prefix}`);
        }
        return lines.join('\n');
    }
    problem(key === 'registry-map' ? 'expects `registry: prefix` entries.' : 'expects a single value, not a mapping.');
    return undefined;
}
/** Where each line of the value toInputValue made of `node` is written (see FileValue.lines). */
function linePositions(node, lines, text) {
    const at = (offset) => {
        const p = lines.linePos(offset);
        return { line: p.line, column: p.col };
    };
    if ((0,dist/* isSeq */.oP)(node) || (0,dist/* isMap */.jh)(node)) {
        const out = [];
        for (const item of node.items) {
            const start = ((0,dist/* isMap */.jh)(node) ? item.key : item)?.range?.[0];
            if (start === undefined)
                return undefined;
            out.push(at(start));
        }
        return out;
    }
    // A literal block keeps its lines: the content starts on the line after the `|`, at its indentation.
    if ((0,dist/* isScalar */.jn)(node) && node.type === 'BLOCK_LITERAL' && typeof node.value === 'string' && node.range) {
        const first = at(node.range[0]).line + 1;
        return node.value.split('\n').map((_, i) => {
            const start = lines.lineStarts[first + i - 1] ?? text.length;
            const indent = /^[ \t]*/.exec(text.slice(start, start + 200))?.[0].length ?? 0;
            return { line: first + i, column: indent + 1 };
        });
    }
    return undefined;
}
/** The text as written for numbers (`1.10` stays `1.10`), the value otherwise. */
function scalarText(node) {
    if (typeof node.value === 'number' || typeof node.value === 'bigint')
        return node.source ?? String(node.value);
    return String(node.value);
}
function isRelativePath(value) {
    return value !== '-' && !value.includes('-----BEGIN') && !value.includes('\n') && !(0,external_node_path_.isAbsolute)(value);
}
/** What to write instead of an unknown key: the seed CLI's `soft`, else the nearest key, else what keys are. */
function unknownKeyAdvice(key, value) {
    if (key.toLowerCase() === 'soft') {
        const soft = !((0,dist/* isScalar */.jn)(value) && [false, 'false', 'no', 'off', 0, '0'].includes(value.value));
        return `write strict: ${!soft} instead (soft: true is strict: false).`;
    }
    const near = nearestKey(key);
    return near
        ? `did you mean "${near}"?`
        : "keys are the input names, e.g. zot-url, paths, registry-map (all in the README's Inputs and zot-warm --help).";
}
/**
 * The input name closest to `key` (case, `_` and camelCase forgiven first; then a few typos, or a key that
 * starts with it or has it as a word: `registry` → `registry-map`); undefined when none is that close.
 */
function nearestKey(key) {
    const kebab = key
        .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
        .replace(/_/g, '-')
        .toLowerCase();
    if (KEYS.includes(kebab))
        return kebab;
    let best;
    let bestDistance = Math.max(2, Math.floor(kebab.length / 3)) + 1;
    for (const k of KEYS) {
        const d = distance(kebab, k);
        if (d < bestDistance) {
            best = k;
            bestDistance = d;
        }
    }
    return best ?? KEYS.find((k) => k.startsWith(kebab) || k.split('-').includes(kebab));
}
/** Levenshtein distance. */
function distance(a, b) {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const row = [i];
        for (let j = 1; j <= b.length; j++)
            row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = row;
    }
    return prev[b.length];
}

;// CONCATENATED MODULE: ./lib/inputs/list.js
// Multi-value inputs: one item per line or comma-separated. Commas inside `{…}` belong to a glob
// (`**/*.{yaml,yml}`) and do not split. `#` starts a comment line.
function splitList(text) {
    if (!text)
        return [];
    const items = [];
    for (const rawLine of text.split(/\r?\n/)) {
        const line = rawLine.trim();
        if (!line || line.startsWith('#'))
            continue;
        let depth = 0;
        let current = '';
        for (const ch of line) {
            if (ch === '{')
                depth++;
            else if (ch === '}' && depth > 0)
                depth--;
            if (ch === ',' && depth === 0) {
                items.push(current);
                current = '';
            }
            else
                current += ch;
        }
        items.push(current);
    }
    return items.map((i) => i.trim()).filter((i) => i.length > 0);
}

;// CONCATENATED MODULE: ./lib/inputs/pem.js
// Certificates and keys arrive as PEM text (from a secret) or as a path to a PEM file.


/** Inline PEM is used as is; anything else is read as a file relative to `baseDir`. */
function loadPem(input, value, baseDir, expect) {
    const text = value.trim();
    const inline = text.includes('-----BEGIN ');
    let pem = text;
    if (!inline) {
        // A PEM body without its BEGIN line would otherwise be taken for a file name and echoed: keep a
        // key's text out of the message.
        const looksLikeFile = text.length < 4096 && !/\s/.test(text);
        if (!looksLikeFile)
            return { problem: `${input}: expected PEM text (starting with "-----BEGIN") or a path to a PEM file.` };
        try {
            pem = (0,external_node_fs_.readFileSync)((0,external_node_path_.resolve)(baseDir, text), 'utf8');
        }
        catch (err) {
            const code = err.code;
            const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable');
            const shown = expect === 'key' ? 'the given path' : `"${text}"`;
            return {
                problem: `${input}: cannot read ${shown} (${why}); give PEM text or the path of a readable PEM file.`,
            };
        }
    }
    const wanted = expect === 'key' ? /-----BEGIN [A-Z ]*PRIVATE KEY-----/ : /-----BEGIN CERTIFICATE-----/;
    if (!wanted.test(pem)) {
        const what = expect === 'key' ? 'a PEM private key (-----BEGIN … PRIVATE KEY-----)' : 'a PEM certificate';
        return { problem: `${input}: ${inline ? 'the text' : 'the file'} does not contain ${what}.` };
    }
    return { pem };
}
/**
 * The lines of a PEM key to mask. The runner masks line by line, so a multi-line secret is only hidden
 * when each of its lines is registered.
 */
function pemSecretLines(pem) {
    return pem
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 8 && !l.startsWith('-----'));
}

;// CONCATENATED MODULE: ./lib/inputs/redact.js
// Defence in depth: secrets are masked by the runner, but the report, the outputs and the CLI's
// terminal are not; every text that leaves the process passes through here.
/**
 * Shorter values would turn ordinary words into `***` everywhere; the runner still masks them in the log,
 * and no message of ours contains a secret by construction.
 */
const MIN_REDACT_LENGTH = 4;
/** Replace every secret in `text` by `***`, longest first (one secret may contain another). */
function redact(text, secrets) {
    let out = text;
    for (const s of [...secrets].sort((a, b) => b.length - a.length))
        if (s.length >= MIN_REDACT_LENGTH)
            out = out.split(s).join('***');
    return out;
}
/** Deep copy of a JSON-like value with every string redacted. */
function redactDeep(value, secrets) {
    if (secrets.length === 0)
        return value;
    if (typeof value === 'string')
        return redact(value, secrets);
    if (Array.isArray(value))
        return value.map((v) => redactDeep(v, secrets));
    if (value && typeof value === 'object') {
        const out = {};
        for (const [k, v] of Object.entries(value))
            out[k] = redactDeep(v, secrets);
        return out;
    }
    return value;
}
/**
 * The credentials written into a URL (`scheme://user:password@host`), found in the text itself because the
 * URL may not parse: everything between `://` (or the start) and the last `@`. `shown` is the URL with them
 * masked (`user:***@`, or `***@` for a bare user part, which may be a token); `password` is what
 * follows the user name's `:`.
 */
function urlCredentials(text) {
    const at = text.lastIndexOf('@');
    if (at === -1)
        return undefined;
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
    if (at < scheme.length)
        return undefined;
    const info = text.slice(scheme.length, at);
    const colon = info.indexOf(':');
    if (colon === -1)
        return { shown: `${scheme}***${text.slice(at)}` };
    return { password: info.slice(colon + 1), shown: `${scheme}${info.slice(0, colon)}:***${text.slice(at)}` };
}
/** `%40` → `@`; the text as is when it is not valid percent-encoding. */
function percentDecoded(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}

;// CONCATENATED MODULE: ./lib/inputs/config.js
// One configuration parser for the action (core.getInput) and the CLI (flags, then environment).
// Every problem is collected, so a user fixes their workflow in one round trip.












const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(\/[a-z0-9_.]+)?$/;
const BOOLEAN_TRUE = new Set(['true', 'yes', 'on', '1']);
const BOOLEAN_FALSE = new Set(['false', 'no', 'off', '0']);
function parseConfig(get, defaults = { workspace: process.cwd() }) {
    const problems = [];
    const secrets = [];
    const secret = (...values) => {
        for (const v of values) {
            if (!v || secrets.includes(v))
                continue;
            secrets.push(v);
            defaults.onSecret?.(v);
        }
    };
    const specDefault = new Map(INPUTS.map((i) => [i.name, i.default ?? '']));
    const cwd = defaults.cwd ?? process.cwd();
    // The configuration file sits beneath every input; its secrets are registered before anything can fail.
    const file = loadConfigFile(get('config')?.trim(), {
        base: defaults.cwd ?? defaults.workspace,
        cwd,
        ...(defaults.configSearch ? { search: defaults.configSearch } : {}),
    });
    for (const name of SECRET_INPUTS) {
        const v = file?.values.get(name)?.value;
        if (v)
            secret(v, ...v
                .split(/\r?\n/)
                .filter((l) => l.trim().length >= 8)
                .map((l) => l.trim()));
    }
    /** Inputs whose value came from the file: their problems are reported at its line. */
    const fromFile = {};
    /** Problems that also need these inputs to have no value (`set rewrite too`): see `given` below. */
    const alsoUnset = new Map();
    const value = (name) => {
        const v = get(name)?.trim();
        if (v)
            return v;
        const f = file?.values.get(name);
        if (f?.value.trim()) {
            fromFile[name] = { line: f.line, column: f.column };
            const text = f.value.trim();
            // Lines of the trimmed value: leading empty items are gone from it.
            const skipped = f.value.slice(0, f.value.indexOf(text)).split('\n').length - 1;
            const items = text.split('\n');
            f.lines?.slice(skipped).forEach((p, i) => {
                fromFile[`${name} line ${i + 1}`] = p;
                const item = items[i]?.trim();
                if (item)
                    fromFile[`${name} "${item}"`] = p;
            });
            return text;
        }
        return specDefault.get(name) ?? '';
    };
    const bool = (name) => {
        const v = value(name).toLowerCase();
        if (BOOLEAN_TRUE.has(v))
            return true;
        if (BOOLEAN_FALSE.has(v))
            return false;
        problems.push(`${name}: "${v}" is not a boolean; use true or false.`);
        return specDefault.get(name) === 'true';
    };
    const oneOf = (name, allowed) => {
        const v = value(name).toLowerCase();
        if (allowed.includes(v))
            return v;
        problems.push(`${name}: "${v}" is not one of ${allowed.join(', ')}.`);
        return allowed[0];
    };
    const duration = (name) => {
        const v = value(name);
        const ms = (0,inputs_duration/* parseDuration */.E9)(v);
        if (ms === undefined)
            problems.push(`${name}: "${v}" is not a duration; write e.g. 90s, 10m, 1h or a number of seconds.`);
        else if (!(ms <= inputs_duration/* MAX_DURATION_MS */.rG)) {
            problems.push(`${name}: "${v}" is longer than the maximum of ${inputs_duration/* MAX_DURATION_TEXT */.yM}.`);
            return undefined;
        }
        return ms;
    };
    // Secrets first, so they are registered before anything else can fail and print.
    const password = value('password') || undefined;
    const token = value('token') || undefined;
    if (password)
        secret(password);
    if (token)
        secret(token);
    // Not the spec default: `${{ github.token }}` means something only to the runner, which expands it.
    const githubToken = get('github-token')?.trim() || undefined;
    if (githubToken)
        secret(githubToken);
    const mode = oneOf('mode', ['warm', 'check', 'plan']);
    const workspace = (0,external_node_path_.resolve)(cwd, value('workspace') || defaults.workspace);
    if (!isDirectory(workspace))
        problems.push(`workspace: "${workspace}" is not a directory.`);
    let zotUrl;
    const rawUrl = value('zot-url');
    if (rawUrl) {
        const parsed = canParseUrl(rawUrl);
        // Credentials in the URL are masked before anything can print it, also when it does not parse (then they
        // are found in the text). A valid URL without user info keeps any `@` of its path.
        const credentials = !parsed || parsed.username || parsed.password || !/^https?:$/.test(parsed.protocol)
            ? urlCredentials(rawUrl)
            : undefined;
        if (credentials?.password)
            secret(credentials.password, percentDecoded(credentials.password));
        const shownUrl = credentials?.shown ?? rawUrl;
        if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
            problems.push(`zot-url: "${shownUrl}" is not an http:// or https:// URL (e.g. https://zot.example.com).`);
        }
        else if (parsed.username || parsed.password) {
            if (parsed.password)
                secret(percentDecoded(parsed.password), parsed.password);
            problems.push('zot-url: must not contain credentials; pass them in the username and password inputs.');
        }
        else if (parsed.search || parsed.hash) {
            problems.push(`zot-url: "${shownUrl}" must not have a query or fragment; give the registry's base URL.`);
        }
        else {
            zotUrl = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
        }
    }
    else if (mode !== 'plan') {
        problems.push('zot-url: required (the base URL of the Zot cache), unless mode is plan.');
    }
    const username = value('username') || undefined;
    if (password && !username)
        problems.push('username: required with password (for a Zot API key, the user who owns the key).');
    if (username && !password && !token)
        problems.push('password: required with username (or remove username).');
    if (password && token)
        problems.push('token: set either password or token, not both.');
    if (username && password) {
        const b64 = Buffer.from(`${username}:${password}`).toString('base64');
        secret(b64, `Basic ${b64}`);
    }
    const pem = (name, expect) => {
        const v = value(name);
        if (!v)
            return undefined;
        if (expect === 'key')
            secret(...pemSecretLines(v));
        const result = loadPem(name, v, workspace, expect);
        if ('problem' in result) {
            problems.push(result.problem);
            return undefined;
        }
        if (expect === 'key')
            secret(...pemSecretLines(result.pem));
        return result.pem;
    };
    const ca = pem('ca-cert', 'certificate');
    const cert = pem('client-cert', 'certificate');
    const key = pem('client-key', 'key');
    if (value('client-cert') && !value('client-key'))
        problems.push('client-key: required with client-cert.');
    if (value('client-key') && !value('client-cert'))
        problems.push('client-cert: required with client-key.');
    let registryMap;
    const mapText = value('registry-map');
    if (mapText) {
        try {
            registryMap = (0,registry_map/* parseRegistryMap */.V)(mapText);
        }
        catch (err) {
            if (err instanceof errors/* ConfigError */.xL)
                problems.push(...err.problems.map((p) => prefixed('registry-map', p)));
            else
                problems.push(`registry-map: ${err.message}`);
        }
    }
    let platforms;
    const platformItems = splitList(value('platforms')).map((p) => p.toLowerCase());
    if (!(platformItems.length === 0 || (platformItems.length === 1 && platformItems[0] === 'all'))) {
        const bad = platformItems.filter((p) => !PLATFORM.test(p));
        if (bad.length)
            problems.push(`platforms: ${bad.map((b) => `"${b}"`).join(', ')} not of the form os/arch[/variant] (e.g. linux/arm64/v8), or use all.`);
        platforms = [...new Set(platformItems)];
    }
    const concurrencyText = value('concurrency');
    const concurrency = Number(concurrencyText);
    if (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > 64)
        problems.push(`concurrency: "${concurrencyText}" must be a whole number from 1 to 64.`);
    const imageTimeoutMs = duration('image-timeout') ?? 0;
    if (imageTimeoutMs === 0 && (0,inputs_duration/* parseDuration */.E9)(value('image-timeout')) === 0)
        problems.push('image-timeout: must be more than 0.');
    const timeoutMs = duration('timeout') ?? 0;
    const reportText = value('report') || defaults.report;
    const report = reportText === '-' ? '-' : reportText ? (0,external_node_path_.resolve)(cwd, reportText) : undefined;
    const rewrite = rewriteConfig(value, mode, zotUrl, workspace, defaults.rewriteOutput, problems, (p) => alsoUnset.set(p, ['rewrite']));
    if (rewrite?.output === '-' && report === '-')
        problems.push('rewrite-output: - and report: - both want stdout; write the report to a file.');
    const config = {
        mode,
        workspace,
        paths: splitList(value('paths')),
        images: splitList(value('images')),
        runtimeImages: bool('runtime-images'),
        zotUrl,
        username,
        password,
        token,
        ca,
        cert,
        key,
        skipTlsVerify: bool('skip-tls-verify'),
        registryMap,
        unmapped: oneOf('unmapped', ['skip', 'fail']),
        platforms,
        refresh: bool('refresh'),
        referrers: oneOf('referrers', options/* REFERRERS_POLICIES */.q),
        concurrency,
        imageTimeoutMs,
        timeoutMs: timeoutMs > 0 ? timeoutMs : undefined,
        strict: bool('strict'),
        failOnUnresolved: bool('fail-on-unresolved'),
        report,
        ...(rewrite ? { rewrite } : {}),
        prComment: oneOf('pr-comment', ['auto', 'always', 'off']),
        githubToken,
    };
    const origin = file ? { path: file.path, shown: file.shown, at: fromFile } : undefined;
    if (file) {
        config.configFile = file.shown;
        config.fromFile = origin;
    }
    // A file that failed gave none of its values, or not all: a problem about an input without a value
    // (`zot-url: required`) may be nothing but that, and would send the user after the wrong thing. Then only
    // the file's own problems count, and those about values that were given (by an input or by the file).
    const given = (name) => Boolean(get(name)?.trim() || file?.values.get(name)?.value.trim());
    const standing = file?.problems.length
        ? problems.filter((p) => {
            const name = /^([a-z-]+): /.exec(p)?.[1];
            return name !== undefined && given(name) && (alsoUnset.get(p) ?? []).every(given);
        })
        : problems;
    if (file?.problems.length || standing.length) {
        const located = locate(standing, origin);
        throw new errors/* ConfigError */.xL([...(file?.problems ?? []), ...located.map((l) => l.text)].map((p) => redact(p, secrets)), [...(file?.places ?? []), ...located.map((l) => l.place)]);
    }
    return { config, secrets };
}
/**
 * `concurrency: "lots" …` → `./zot-warm.yaml:3:14: concurrency: "lots" …` when that input's value came from
 * the configuration file (problems name their input first). Also for problems found later, such as a path
 * in `paths` that selects nothing. A problem about one item is placed at that item: the first quoted text
 * names it (`paths: "deploy/*.yml" matches no file`), or `line N:` the Nth line of the value
 * (`registry-map: line 2: …`, said then at the file's line instead).
 */
function locateProblems(problems, origin) {
    return locate(problems, origin).map((l) => l.text);
}
/** locateProblems as a ConfigError: the problems placed in the file carry their place (the action annotates it). */
function configError(problems, origin) {
    const located = locate(problems, origin);
    return new errors/* ConfigError */.xL(located.map((l) => l.text), located.map((l) => l.place));
}
function locate(problems, origin) {
    return problems.map((p) => {
        const m = /^([a-z-]+): (?:line (\d+): )?/.exec(p);
        const name = m?.[1];
        const whole = name ? origin?.at[name] : undefined;
        if (!m || !name || !origin || !whole)
            return { text: p, place: undefined };
        const placed = (at, text) => {
            const label = `${origin.shown}:${at.line}:${at.column}`;
            return { text: `${label}: ${text}`, place: { file: origin.path, ...at, label } };
        };
        const atLine = (n) => origin.at[`${name} line ${n}`];
        const line = m[2] ? atLine(m[2]) : undefined;
        if (line) {
            const rest = p.slice(m[0].length).replace(/ on line (\d+)/, (all, n) => {
                const other = atLine(n)?.line;
                return other ? ` on line ${other}` : all;
            });
            return placed(line, `${name}: ${rest}`);
        }
        const quoted = /"([^"]*)"/.exec(p.slice(m[0].length))?.[1];
        const item = quoted === undefined ? undefined : origin.at[`${name} "${quoted}"`];
        return placed(item ?? whole, p);
    });
}
function rewriteConfig(value, mode, zotUrl, workspace, defaultOutput, problems, 
/** A problem that stands only while `rewrite` has no value. */
withoutRewrite) {
    const kind = value('rewrite').toLowerCase();
    const pullHost = value('pull-host');
    const outputText = value('rewrite-output');
    if (kind === '') {
        const unused = [
            outputText && 'rewrite-output: set rewrite (zot or digest) too, or remove rewrite-output.',
            pullHost && 'pull-host: set rewrite: zot too, or remove pull-host.',
        ].filter((p) => p !== '');
        for (const p of unused)
            withoutRewrite(p);
        problems.push(...unused);
        return undefined;
    }
    if (kind !== 'zot' && kind !== 'digest') {
        problems.push(`rewrite: "${kind}" is not one of zot, digest (or empty to turn it off).`);
        return undefined;
    }
    if (mode === 'plan')
        problems.push('rewrite: needs mode warm or check (plan mode does not learn the digests to pin).');
    let host = '';
    if (kind === 'digest') {
        if (pullHost)
            problems.push('pull-host: only used with rewrite: zot (digest keeps each registry).');
    }
    else if (pullHost) {
        host = pullHost;
        const problem = pullHostProblem(pullHost);
        if (problem)
            problems.push(`pull-host: ${problem}`);
    }
    else if (zotUrl) {
        const url = new URL(zotUrl);
        host = url.host;
        const problem = pullHostProblem(host);
        if (url.pathname !== '/' && url.pathname !== '')
            problems.push(`pull-host: required because zot-url has a path (${url.pathname}) and nodes pull from a registry host's root; set pull-host to the host[:port] nodes use.`);
        else if (problem)
            problems.push(`pull-host: required because the host of zot-url does not work in a reference: ${problem}`);
    }
    const text = outputText || defaultOutput || '';
    if (!text)
        problems.push('rewrite-output: required with rewrite: a directory (the workspace itself rewrites in place), or - to print the rewritten manifests read from stdin.');
    return { mode: kind, pullHost: host, output: text === '-' ? '-' : (0,external_node_path_.resolve)(workspace, text) };
}
/** Why `host` cannot start a reference nodes pull (undefined when it can). */
function pullHostProblem(host) {
    try {
        const ref = (0,extract_reference/* parseReference */.F2)(`${host}/x`);
        if (ref.domain === host)
            return undefined;
        return /[.:]/.test(host) || host === 'localhost'
            ? `"${host}" is read as ${ref.domain}; give the host[:port] as nodes write it.`
            : `"${host}" would be read as a Docker Hub path (a registry host needs a "." or a port, e.g. ${host}:5000 or ${host}.example.com).`;
    }
    catch (err) {
        return `"${host}" is not a registry host[:port] (${err.message.replace(/^invalid image reference "[^"]*": /, '')}).`;
    }
}
function prefixed(input, problem) {
    return problem.startsWith(`${input}:`) ? problem : `${input}: ${problem}`;
}
function canParseUrl(text) {
    try {
        return new URL(text);
    }
    catch {
        return undefined;
    }
}
function isDirectory(path) {
    try {
        return (0,external_node_fs_.statSync)(path).isDirectory();
    }
    catch {
        return false;
    }
}

// EXTERNAL MODULE: ./lib/model.js
var model = __webpack_require__(9814);
// EXTERNAL MODULE: ./lib/warm/diagnose.js
var diagnose = __webpack_require__(6633);
// EXTERNAL MODULE: ./lib/words.js
var words = __webpack_require__(4842);
// EXTERNAL MODULE: ./lib/report/escape.js
var report_escape = __webpack_require__(2527);
// EXTERNAL MODULE: ./lib/report/format.js
var format = __webpack_require__(7703);
;// CONCATENATED MODULE: ./lib/report/annotations.js
// Which annotations to emit. GitHub shows at most 10 errors and 10 warnings (and 10 notices) per step;
// anything past that is silently dropped from the PR diff. So: worst first, the first site of every
// image before second sites, and when a level overflows, one aggregated line in its last slot.





const GITHUB_ANNOTATION_LIMIT = 10;
function planAnnotations(run, opts = {}) {
    const failLevel = run.strict ? 'error' : 'warning';
    // A path with line breaks or escape sequences cannot be pointed at: such a site is named in the message.
    const toRepo = (f) => {
        const path = opts.toRepoPath ? opts.toRepoPath(f) : f;
        return path !== undefined && (0,report_escape/* isPlain */.$i)(path) ? path : undefined;
    };
    const candidates = [];
    let order = 0;
    const levelOf = (r) => {
        if (r.status === 'failed' || r.status === 'invalid')
            return failLevel;
        if (r.status === 'unresolved')
            return run.failOnUnresolved ? failLevel : 'warning';
        return undefined;
    };
    for (const r of run.results) {
        const level = levelOf(r);
        if (!level)
            continue;
        const { title, message } = describe(r, opts.explainedIn ?? 'the job summary');
        r.sources.forEach((s, i) => {
            const file = (0,model/* isWorkspaceFile */.Ud)(s) ? toRepo(s.file) : undefined;
            // An image the workload starts later: say so where it is annotated (a flag, not an image field).
            const runtime = (0,format/* runtimeLabel */.T6)(s);
            const said = runtime ? `${message} (${runtime}: the workload starts this image later)` : message;
            candidates.push({
                level,
                title,
                message: file || !(0,model/* isWorkspaceFile */.Ud)(s) ? said : `${said} (in ${(0,format/* sourceLabel */.en)(s)})`,
                ...(file ? { file, line: s.line, column: s.column } : {}),
                where: s.file === model/* IMAGES_INPUT_FILE */.TM ? (0,format/* sourceLabel */.en)(s) : (0,format/* locationLabel */.GE)(s),
                rank: (0,format/* statusRank */.Tx)(r.status),
                repeat: i === 0 ? 0 : 1,
                order: order++,
            });
        });
    }
    for (const n of run.notices)
        candidates.push(noticeCandidate(n, failLevel, toRepo, order++));
    // A warm image's place that `rewrite` cannot replace: the deploy would pull it from upstream there.
    for (const u of run.rewrite?.unwritable ?? []) {
        const file = u.file !== model/* STDIN_FILE */.ER ? toRepo(u.file) : undefined;
        const where = (0,format/* locationLabel */.GE)(u);
        const message = `${(0,report_escape/* literal */.eu)(u.reference, 200)} cannot be rewritten here (rewrite: ${run.rewrite?.mode}), so the deploy would pull it from upstream: ${(0,report_escape/* oneLine */.TN)(u.why, 1000)}`;
        candidates.push({
            level: failLevel,
            title: 'reference cannot be rewritten',
            message: file || u.file === model/* STDIN_FILE */.ER ? message : `${message} (in ${where})`,
            ...(file ? { file, line: u.line, column: u.column } : {}),
            where,
            rank: (0,format/* statusRank */.Tx)('failed') + 0.5,
            repeat: 0,
            order: order++,
        });
    }
    const limit = opts.limit ?? GITHUB_ANNOTATION_LIMIT;
    const out = [];
    for (const level of ['error', 'warning', 'notice']) {
        const mine = candidates
            .filter((c) => c.level === level)
            .sort((a, b) => a.repeat - b.repeat || a.rank - b.rank || a.order - b.order);
        const slots = Math.max(1, limit - (opts.reserve?.[level] ?? 0));
        if (mine.length <= slots) {
            out.push(...mine.map(strip));
            continue;
        }
        const shown = mine.slice(0, slots - 1);
        out.push(...shown.map(strip));
        const rest = mine.slice(slots - 1);
        const byTitle = new Map();
        for (const c of rest)
            byTitle.set(c.title, (byTitle.get(c.title) ?? 0) + 1);
        const what = [...byTitle].map(([t, n]) => `${n} × ${t}`).join(', ');
        out.push({
            level,
            title: `zot-warm: ${(0,words/* plural */.L)(rest.length, 'more problem')}`,
            message: `… and ${rest.length} more (${what}): see ${opts.seeAlso ?? 'the job summary and the JSON report'}.`,
        });
    }
    return out;
}
function describe(r, explainedIn) {
    const ref = (0,report_escape/* literal */.eu)(r.reference, 200);
    if (r.status === 'invalid')
        return {
            title: 'invalid image reference',
            message: `"${ref}" is not a valid image reference: ${r.error ?? 'invalid'}`,
        };
    if (r.status === 'unresolved')
        return {
            title: 'unresolved image reference',
            message: `"${ref}" could not be resolved${r.error ? `: ${r.error}` : ''}`,
        };
    const parts = [`${ref} ${format/* STATUS_LABEL */._P[r.status]}${r.error ? `: ${r.error}` : ''}`];
    if (r.diagnosis)
        parts.push((0,diagnose/* briefMessage */.gM)(r.diagnosis, (t) => `See “${t}” in ${explainedIn}.`));
    // In Zot, but `referrers: require-signed` found no signature of it there.
    const unsigned = r.referrers !== undefined && r.error?.endsWith(diagnose/* REQUIRE_SIGNED */.tG);
    return {
        title: unsigned ? 'image not signed' : 'image not warmed',
        message: (0,report_escape/* oneLine */.TN)(parts.join('. '), 1500),
    };
}
function noticeCandidate(n, failLevel, toRepo, order) {
    // An unreadable input hides images, so it weighs like a failure (and is softened like one).
    const level = n.level === 'error' ? failLevel : n.level;
    const file = n.file && n.file !== '-' ? toRepo(n.file) : undefined;
    return {
        level,
        title: n.level === 'error' ? 'input problem' : `input ${n.level}`,
        // Named in the message when its path cannot be pointed at (see toRepo).
        message: file || (0,report_escape/* isPlain */.$i)(n.file)
            ? (0,report_escape/* oneLine */.TN)(n.message, 1500)
            : `${(0,report_escape/* oneLine */.TN)(n.message, 1500)} (in ${(0,format/* locationLabel */.GE)(n)})`,
        ...(file ? { file, line: n.line ?? 1, column: n.column ?? 1 } : {}),
        where: (0,format/* locationLabel */.GE)(n),
        rank: n.level === 'error' ? 1.5 : 3.5,
        repeat: 0,
        order,
    };
}
function strip(c) {
    const { rank: _r, repeat: _p, order: _o, ...a } = c;
    return a;
}

// EXTERNAL MODULE: ./lib/report/comment.js
var comment = __webpack_require__(7023);
// EXTERNAL MODULE: ./lib/report/links.js
var links = __webpack_require__(4503);
// EXTERNAL MODULE: ./lib/report/outcome.js
var report_outcome = __webpack_require__(5102);
;// CONCATENATED MODULE: ./lib/report/report.js



const REPORT_SCHEMA_VERSION = 2;
/** Kept equal to package.json's version by a test (the bundle cannot read package.json). */
const TOOL_VERSION = '0.1.0';
function buildReport(run, outcome) {
    return {
        schemaVersion: REPORT_SCHEMA_VERSION,
        tool: { name: 'zot-warm', version: TOOL_VERSION },
        startedAt: run.startedAt,
        durationMs: run.durationMs,
        mode: run.mode,
        strict: run.strict,
        zot: { url: run.zotUrl ?? null, version: run.zot?.version ?? null },
        outcome: { exitCode: outcome.exitCode, conclusion: outcome.conclusion, reason: outcome.reason },
        summary: {
            ...(0,report_outcome/* countResults */.aD)(run.results),
            files: run.files,
            bytes: run.bytes,
            referrers: (0,report_outcome/* countReferrers */.AF)(run.results) ?? null,
        },
        images: run.results.map((r) => ({
            reference: r.reference,
            status: r.status,
            zotReference: r.zotReference ?? null,
            digest: r.digest ?? null,
            platforms: r.platforms ?? [],
            sources: r.sources.map(reportSource),
            error: r.error ?? null,
            diagnosis: r.diagnosis ?? null,
            warnings: r.warnings,
            attempts: r.attempts,
            durationMs: r.durationMs,
            referrers: r.referrers
                ? {
                    state: r.referrers.state,
                    items: r.referrers.items.map((i) => ({
                        kind: i.kind,
                        artifactType: i.artifactType ?? null,
                        digest: i.digest ?? null,
                        subject: i.subject,
                        form: i.form,
                        tag: i.tag ?? null,
                        tool: i.tool ?? null,
                    })),
                    note: r.referrers.note ?? null,
                }
                : null,
            rewrittenAs: r.rewrittenAs ?? null,
        })),
        notices: run.notices.map((n) => ({
            level: n.level,
            file: n.file,
            line: n.line ?? null,
            column: n.column ?? null,
            message: n.message,
        })),
    };
}
function reportSource(s) {
    return {
        file: s.file,
        line: s.line,
        column: s.column,
        document: s.document ?? null,
        kind: s.kind ?? null,
        namespace: s.namespace ?? null,
        name: s.name ?? null,
        container: s.container ?? null,
        field: s.field ?? null,
        chartSource: s.chartSource ?? null,
        runtime: s.runtime ?? null,
        runtimeName: s.runtimeName ?? null,
    };
}
/** The report as written to its file or to stdout. */
function reportJson(report) {
    return `${(0,report_escape/* safeJson */.oi)(report, 2)}\n`;
}
/** GitHub keeps at most 1 MB per step output: the `images` output stays below this. */
const OUTPUT_BUDGET_BYTES = 900 * 1024;
/** The `images` output: compact, without sources (outputs are small; the report has everything). */
function imagesOutput(run, budgetBytes = OUTPUT_BUDGET_BYTES) {
    const entries = run.results.map((r) => (0,report_escape/* safeJson */.oi)({
        reference: r.reference,
        status: r.status,
        zotReference: r.zotReference ?? null,
        digest: r.digest ?? null,
        platforms: r.platforms ?? [],
    }));
    const total = entries.length;
    // The worst images first, as many as fit (2 bytes of brackets, a comma each), shown in run order.
    const index = new Map(run.results.map((r, i) => [r, i]));
    const order = (0,format/* worstFirst */.md)(run.results).map((r) => index.get(r) ?? 0);
    const { kept } = (0,format/* fitting */._Q)(order.map((i) => entries[i] ?? ''), budgetBytes - 2, 1);
    const keep = new Set(order.slice(0, kept.length));
    return { json: `[${entries.filter((_, i) => keep.has(i)).join(',')}]`, shown: keep.size, total };
}

// EXTERNAL MODULE: ./lib/report/summary.js
var report_summary = __webpack_require__(3394);
// EXTERNAL MODULE: ./lib/report/table.js
var report_table = __webpack_require__(8330);
// EXTERNAL MODULE: ./lib/report/text-summary.js
var text_summary = __webpack_require__(2461);
;// CONCATENATED MODULE: ./lib/extract/classify.js
// Turns the text (or YAML value) found in an image field into an ok / invalid / unresolved finding.



/** Picture file names that the reference grammar happens to accept (`logo.png`): not images of ours. */
const PICTURE = /\.(?:png|jpe?g|gif|svg|webp|ico|bmp|tiff?)$/i;
/**
 * Classify a string from an image field. `known`: the field must hold an image (a container's `image`), so
 * anything wrong with it is reported; otherwise (a stray `image` key of an unknown kind) only references
 * and templated values are taken, and anything else is not ours to judge.
 */
function classifyText(raw, known) {
    const hint = (0,extract_reference/* isTemplated */.dw)(raw);
    if (hint !== undefined)
        return { status: 'unresolved', key: raw, raw, reason: hint };
    if (raw.trim() === '')
        return known ? { status: 'unresolved', key: raw, raw, reason: extract_reference/* EMPTY_HINT */.wi } : undefined;
    if (!known && PICTURE.test(raw))
        return undefined;
    try {
        const reference = (0,extract_reference/* parseReference */.F2)(raw);
        return { status: 'ok', key: (0,extract_reference/* formatReference */.FH)(reference), raw, reference };
    }
    catch (err) {
        if (!(err instanceof errors/* InvalidReferenceError */.x_))
            throw err;
        return known ? { status: 'invalid', key: raw, raw, reason: err.reason } : undefined;
    }
}
/** Classify a YAML value found in an image field; `source` is the text the node's range points into. */
function classifyNode(node, known, source) {
    if (node === null || ((0,dist/* isScalar */.jn)(node) && node.value === null))
        return known ? { status: 'unresolved', key: '', raw: '', reason: extract_reference/* EMPTY_HINT */.wi } : undefined;
    if ((0,dist/* isScalar */.jn)(node) && typeof node.value === 'string')
        return classifyText(node.value, known);
    if (!known)
        return undefined;
    const text = node.range ? source.slice(node.range[0], node.range[1]).trim() : String(node);
    const raw = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    const what = (0,dist/* isMap */.jh)(node)
        ? 'a mapping'
        : (0,dist/* isSeq */.oP)(node)
            ? 'a list'
            : `a ${typeof node.value}`;
    return { status: 'invalid', key: raw, raw, reason: `image must be a string, got ${what}` };
}

;// CONCATENATED MODULE: ./lib/extract/kinds.js
// Which Kubernetes kinds can never hold an image, and which need a rule of their own. Shared by the
// document walker and the cheap pre-scan, so a document the pre-scan skips is one the walker would
// have returned nothing for.
/** Kinds that hold no image field, by API group (`''` is the core group). Their documents are not searched. */
const NON_IMAGE_KINDS = {
    '': [
        'ConfigMap',
        'Secret',
        'Service',
        'ServiceAccount',
        'Namespace',
        'Endpoints',
        'PersistentVolumeClaim',
        'PersistentVolume',
        'LimitRange',
        'ResourceQuota',
        'Event',
        'Node',
    ],
    'apiextensions.k8s.io': ['CustomResourceDefinition'],
    'rbac.authorization.k8s.io': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    'networking.k8s.io': ['Ingress', 'IngressClass', 'NetworkPolicy'],
    policy: ['PodDisruptionBudget'],
    autoscaling: ['HorizontalPodAutoscaler'],
    'admissionregistration.k8s.io': [
        'ValidatingWebhookConfiguration',
        'MutatingWebhookConfiguration',
        'ValidatingAdmissionPolicy',
        'ValidatingAdmissionPolicyBinding',
    ],
    'storage.k8s.io': ['StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment'],
    'scheduling.k8s.io': ['PriorityClass'],
    'apiregistration.k8s.io': ['APIService'],
    'discovery.k8s.io': ['EndpointSlice'],
    'coordination.k8s.io': ['Lease'],
    'monitoring.coreos.com': ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'Probe'],
    'cert-manager.io': ['Certificate', 'CertificateRequest', 'Issuer', 'ClusterIssuer'],
};
const NON_IMAGE = new Set(Object.entries(NON_IMAGE_KINDS).flatMap(([group, kinds]) => kinds.map((k) => `${group}/${k}`)));
/** Never searched whatever their apiVersion says: their data is text that merely mentions images. */
const NEVER_SEARCHED = new Set(['ConfigMap', 'Secret', 'CustomResourceDefinition']);
function apiGroup(apiVersion) {
    const slash = apiVersion.indexOf('/');
    return slash === -1 ? '' : apiVersion.slice(0, slash);
}
/** True when a document of this kind holds no image (ConfigMap, Secret, CRD schemas, RBAC, Service …). */
function isNonImageKind(apiVersion, kind) {
    if (kind === undefined)
        return false;
    if (NEVER_SEARCHED.has(kind))
        return true;
    if (apiVersion === undefined)
        return false;
    return NON_IMAGE.has(`${apiGroup(apiVersion)}/${kind}`);
}
function specRule(apiVersion, kind) {
    if (apiVersion === undefined || kind === undefined)
        return undefined;
    const group = apiGroup(apiVersion);
    // CloudNativePG: spec.imageName is the PostgreSQL operand image.
    if (group === 'postgresql.cnpg.io' && kind === 'Cluster')
        return 'cnpg-cluster';
    // prometheus-operator: spec.image (and spec.thanos.image) are the operand images.
    if (group === 'monitoring.coreos.com' &&
        (kind === 'Prometheus' || kind === 'Alertmanager' || kind === 'ThanosRuler' || kind === 'PrometheusAgent'))
        return 'monitoring';
    return undefined;
}

;// CONCATENATED MODULE: ./lib/extract/span.js
/**
 * The span of a string scalar's value inside `source` (the text the node's range points into), or why
 * there is none.
 */
function scalarSpan(node, source) {
    const value = node.value;
    const range = node.range;
    if (typeof value !== 'string' || !range)
        return { why: 'the value is not a string' };
    const [start, end] = range;
    switch (node.type) {
        case 'PLAIN':
            return source.slice(start, end) === value
                ? { start, end }
                : { why: 'a plain value spread over several lines' };
        case 'QUOTE_DOUBLE':
        case 'QUOTE_SINGLE': {
            const inner = source.slice(start + 1, end - 1);
            if (inner === value)
                return { start: start + 1, end: end - 1 };
            if (node.type === 'QUOTE_DOUBLE' && inner.includes('\\'))
                return { why: 'written with escapes inside double quotes' };
            if (node.type === 'QUOTE_SINGLE' && inner.includes("''"))
                return { why: "written with a doubled quote ('') inside single quotes" };
            return { why: 'a quoted value spread over several lines' };
        }
        case 'BLOCK_LITERAL':
        case 'BLOCK_FOLDED':
            return blockSpan(value, source, start, end);
        default:
            return { why: 'a value of an unknown scalar style' };
    }
}
/** A block scalar (`|`, `>-` …) whose content is one line: the span of that line's text. */
function blockSpan(value, source, start, end) {
    // Trailing line breaks off by a backward scan: /\n+$/ retries every break of a long run of them.
    let cut = value.length;
    while (cut > 0 && value.charCodeAt(cut - 1) === 10)
        cut--;
    const content = value.slice(0, cut);
    if (content.includes('\n') || content === '')
        return { why: 'a block scalar of several lines' };
    // The header line (`|-`, `>2`, with an optional comment) is skipped; the first non-blank line is the text.
    let at = source.indexOf('\n', start);
    while (at !== -1 && at < end) {
        const lineStart = at + 1;
        const nl = source.indexOf('\n', lineStart);
        const lineEnd = nl === -1 || nl > end ? end : nl;
        let first = lineStart;
        while (first < lineEnd && source.charCodeAt(first) === 32)
            first++;
        let last = lineEnd;
        if (last > first && source.charCodeAt(last - 1) === 13)
            last--;
        if (last > first) {
            return source.slice(first, last) === content
                ? { start: first, end: last }
                : { why: 'a block scalar whose text differs from its value (indentation or folding)' };
        }
        at = nl;
    }
    return { why: 'a block scalar of several lines' };
}

;// CONCATENATED MODULE: ./lib/extract/runtime.js


/**
 * Flags whose value the operator passes unchanged as the image of pods it starts. Names without dashes;
 * matched exactly. Most spell `image` anyway; the table is what lets their values omit the registry host.
 */
const KNOWN_FLAGS = new Map([
    // prometheus-operator: the config reloader sidecar of every Prometheus / Alertmanager / ThanosRuler pod
    ['prometheus-config-reloader', 'prometheus-operator'],
    ['config-reloader-image', 'prometheus-operator (before v0.40)'],
    // cert-manager: the pod that answers each ACME HTTP-01 challenge
    ['acme-http01-solver-image', 'cert-manager'],
    // Argo Workflows: the executor sidecar of every workflow pod
    ['executor-image', 'Argo Workflows'],
    // Longhorn manager: engine, instance manager, share manager … pods
    ['engine-image', 'Longhorn'],
    ['instance-manager-image', 'Longhorn'],
    ['share-manager-image', 'Longhorn'],
    ['backing-image-manager-image', 'Longhorn'],
    ['support-bundle-manager-image', 'Longhorn'],
    ['manager-image', 'Longhorn'],
    // Tekton Pipelines controller: images injected into every TaskRun pod
    ['entrypoint-image', 'Tekton'],
    ['nop-image', 'Tekton'],
    ['shell-image', 'Tekton'],
    ['shell-image-win', 'Tekton'],
    ['workingdirinit-image', 'Tekton'],
    ['sidecarlogresults-image', 'Tekton'],
    ['gsutil-image', 'Tekton (before v0.40)'],
]);
/** Container keys whose items may carry a runtime image. */
const RUNTIME_KEYS = new Set(['args', 'command', 'env']);
const IMAGE_WORDS = ['image', 'Image', 'IMAGE'];
const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Text without which no runtime image can be found: every flag and env name taken spells `image` in one of
 * these ways, or is a known flag. Used by the pre-scan and the pruning to keep what may hold one.
 */
const RUNTIME_TEXT = new RegExp([...IMAGE_WORDS, ...[...KNOWN_FLAGS.keys()].filter((f) => !IMAGE_WORDS.some((w) => f.includes(w)))]
    .map(escapeRegExp)
    .join('|'), 'g');
/**
 * Where in `text[start, end)` a flag or env name a runtime image is taken from may be spelled: the RUNTIME_TEXT
 * matches that stand in a flag — a run of flag-name characters (`[A-Za-z0-9_.-]`) that starts with a dash:
 * `--executor-image`, `-nop-image`, `--prometheus-config-reloader` — or in an env name, `IMAGE` right after
 * `_` (`RELATED_IMAGE_DB`, `AGENT_IMAGE`: isImageEnvName needs the `_`). Any other match names no runtime
 * image: `imagePullPolicy`, `image.openshift.io`, "Image" in prose, the `image` of an image reference
 * (`…/prometheus-config-reloader:v0.76`), an `image` key inside the JSON text of an annotation. The pre-scan
 * and the pruning keep what holds one of these (and `image` keys, found apart). A flag or name written with
 * escapes is kept by the escape checks there.
 *
 * Linear: going back from a match to the start of its run never passes the end of the previous match (a run
 * that reaches back to it is the previous match's own run: every RUNTIME_TEXT character is a flag character).
 */
function runtimeMarks(text, start, end) {
    const out = [];
    const re = new RegExp(RUNTIME_TEXT.source, 'g');
    re.lastIndex = start;
    let floor = start;
    let floorRun = start;
    for (let m = re.exec(text); m !== null && m.index < end; m = re.exec(text)) {
        const at = m.index;
        let i = at;
        while (i > floor && isFlagChar(text.charCodeAt(i - 1)))
            i--;
        const run = i === floor && floor > start ? floorRun : i;
        if (text.charCodeAt(run) === 45 /* - */ || (m[0] === 'IMAGE' && text.charCodeAt(at - 1) === 95) /* _ */)
            out.push(at);
        floor = at + m[0].length;
        floorRun = run;
    }
    return out;
}
/** `[A-Za-z0-9_.-]`: what a flag name (FLAG_NAME) and its dashes are made of. */
function isFlagChar(c) {
    return ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45);
}
const FLAG_NAME = /^[A-Za-z0-9][\w.-]*$/;
const ENV_NAME = /^[A-Za-z_][\w.-]*$/;
const spellsImage = (name) => IMAGE_WORDS.some((w) => name.includes(w));
/** References passed as flags in a list of `args` or `command` items (undefined: not a string). */
function flagImages(items) {
    const out = [];
    for (let i = 0; i < items.length; i++) {
        const item = items[i];
        if (item === undefined || item.charCodeAt(0) !== 45 /* - */)
            continue;
        if (item === '--')
            break; // the rest are operands, not flags
        const dashes = item.charCodeAt(1) === 45 ? 2 : 1;
        const body = item.slice(dashes);
        const eq = body.indexOf('=');
        const name = eq === -1 ? body : body.slice(0, eq);
        if (!FLAG_NAME.test(name))
            continue;
        const known = KNOWN_FLAGS.has(name);
        if (!known && !spellsImage(name))
            continue;
        const flag = item.slice(0, dashes + name.length);
        if (eq !== -1) {
            const text = body.slice(eq + 1);
            const finding = runtimeFinding(text, known);
            if (finding)
                out.push({ index: i, flag, text, finding });
            continue;
        }
        const next = items[i + 1];
        if (next === undefined || next.charCodeAt(0) === 45)
            continue;
        const finding = runtimeFinding(next, known);
        if (finding) {
            out.push({ index: i + 1, flag, text: next, finding });
            i++;
        }
    }
    return out;
}
/** Whether an environment variable's name marks its value as an image: `*_IMAGE`, `*_IMAGE_*`. */
function isImageEnvName(name) {
    if (!ENV_NAME.test(name))
        return false;
    const inner = name.indexOf('_IMAGE_');
    if (inner > 0)
        return true;
    return name.length > 6 && name.endsWith('_IMAGE');
}
/** The finding for an env entry's literal value, when its name and value qualify. */
function envImage(name, value) {
    return isImageEnvName(name) ? runtimeFinding(value, false) : undefined;
}
/**
 * A runtime value as a finding, or undefined when it is not taken: not a valid reference, templated, or
 * (unless `knownFlag`) without an explicit registry host or without a tag or digest. Never invalid or
 * unresolved: a flag or variable that is not an image is not ours to judge.
 */
function runtimeFinding(text, knownFlag) {
    if (text === '' || (0,extract_reference/* isTemplated */.dw)(text) !== undefined)
        return undefined;
    let reference;
    try {
        reference = (0,extract_reference/* parseReference */.F2)(text);
    }
    catch {
        return undefined;
    }
    if (!knownFlag && !(explicitRegistry(text) && explicitVersion(text)))
        return undefined;
    return { status: 'ok', key: (0,extract_reference/* formatReference */.FH)(reference), raw: text, reference };
}
/** The first path component is a registry host: it has a `.` or `:`, or is `localhost`. */
function explicitRegistry(text) {
    const slash = text.indexOf('/');
    if (slash <= 0)
        return false;
    const first = text.slice(0, slash);
    return first === 'localhost' || first.includes('.') || first.includes(':');
}
/** A tag (a `:` after the last `/`) or a digest is written out. */
function explicitVersion(text) {
    return text.includes('@') || text.indexOf(':', text.lastIndexOf('/')) !== -1;
}
/**
 * Locate `text`, the tail of the string scalar `node`'s value, in `source` (the text the node was parsed
 * from). Exact when the whole value is written as is (span.ts), or when at least its tail is (an escape only
 * in the flag's name). Otherwise: after the literally written flag part (`"--x-image=ghcr.io\x2f…"`), else
 * the last literal occurrence inside the node, else the node's start; with span.ts's reason.
 */
function locateTail(node, text, source) {
    const own = scalarSpan(node, source);
    if (!('why' in own))
        return { offset: own.end - text.length, end: own.end };
    const range = node.range;
    if (!range || typeof node.value !== 'string')
        return { offset: range?.[0] ?? 0, why: own.why };
    const type = node.type;
    const start = range[0];
    if (type === 'PLAIN' || type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') {
        const quoted = type !== 'PLAIN';
        const innerStart = quoted ? start + 1 : start;
        const innerEnd = quoted ? range[1] - 1 : range[1];
        const at = innerEnd - text.length;
        // Every character of a literal tail is itself; an escape (at most `\UXXXXXXXX`, 10 characters) or a
        // line break within reach would make the decoded tail differ from what is written.
        if (at >= innerStart &&
            source.slice(at, innerEnd) === text &&
            !escapeIn(type, source, at - 9, innerEnd, innerStart))
            return { offset: at, end: innerEnd };
        const prefix = node.value.slice(0, node.value.length - text.length);
        const after = innerStart + prefix.length;
        if (prefix !== '' &&
            source.slice(innerStart, after) === prefix &&
            !escapeIn(type, source, innerStart, after, innerStart))
            return { offset: after, why: own.why };
    }
    const found = source.slice(start, range[1]).lastIndexOf(text);
    return { offset: found === -1 ? start : start + found, why: own.why };
}
/** Whether a double-quoted scalar has a backslash in source[from, to) (from clipped to `min`). */
function escapeIn(type, source, from, to, min) {
    return type === 'QUOTE_DOUBLE' && source.slice(Math.max(min, from), to).includes('\\');
}

;// CONCATENATED MODULE: ./lib/extract/documents.js
// First speed trick (prune.ts is the second), kept apart so it can be checked on its own: a YAML stream is
// cut into documents at `---` / `...` lines without parsing, and a document that provably holds no image is
// never parsed.
//
// Why the cut is exact: a line starting with `---` or `...` followed by white space or the end of the line
// is a document marker wherever it appears (YAML 1.2 c-forbidden: no scalar or collection may contain one).
// Streams with directives (`%YAML`, `%TAG`) are not cut at all.
//
// Why a skipped document holds no image:
// - "no image key": every field we take is named `image` or `imageName`, and every flag or env name a
//   runtime image is taken from spells `image`, `Image` or `IMAGE` or is a known operator flag (RUNTIME_TEXT,
//   runtime.ts), so a document whose text has none of these holds no image — unless a double-quoted scalar
//   spells one with escapes (`"\x69mage"`, `"\u0069mage"`, an escaped line break), so any \x, \u, \U or
//   backslash-newline makes the document parsed anyway.
// - "non-image kind": the document is a block mapping at column 0 (first content line is a plain `key:` at
//   column 0, every column-0 line is a plain `key:`, a `- ` entry, a comment or blank), so its root keys are
//   exactly the column-0 `key:` lines (continuation lines of any value are indented, YAML 1.2 §8). When
//   exactly one of them is `kind:` and one `apiVersion:`, both plain or quoted words, the document's kind is
//   known without parsing, and isNonImageKind() is what the walker itself uses to return nothing.


const isBreak = (c) => c === 10 || c === 13;
const isBlankOrBreak = (c) => c === 32 || c === 9 || isBreak(c);
/** True when a marker (`---` or `...`) starts at `at` (a line start) and is followed by white space or EOL. */
function markerAt(text, at, ch) {
    if (text.charAt(at) !== ch || text.charAt(at + 1) !== ch || text.charAt(at + 2) !== ch)
        return false;
    return at + 3 >= text.length || isBlankOrBreak(text.charCodeAt(at + 3));
}
/** Offset of the next line's start. */
function lineEnd(text, at) {
    const nl = text.indexOf('\n', at);
    return nl === -1 ? text.length : nl + 1;
}
/** The line starting at `at` without its line break (a `\r` before it stays). */
function lineText(text, at, limit) {
    const nl = text.indexOf('\n', at);
    return text.slice(at, nl === -1 || nl > limit ? limit : nl);
}
/** Cut a YAML stream into documents (slices of `text`), in order. */
function splitDocuments(text) {
    if (text.startsWith('%') || text.includes('\n%'))
        return [{ start: 0, end: text.length, marker: false }];
    const slices = [];
    let start = 0;
    let marker = false;
    const close = (end) => {
        if (end > start)
            slices.push({ start, end, marker });
    };
    const next = (from, ch) => {
        const needle = `\n${ch}${ch}${ch}`;
        for (let i = text.indexOf(needle, from); i !== -1; i = text.indexOf(needle, i + 1))
            if (markerAt(text, i + 1, ch))
                return i + 1;
        return -1;
    };
    let dash = markerAt(text, 0, '-') ? 0 : next(0, '-');
    let dots = markerAt(text, 0, '.') ? 0 : next(0, '.');
    while (dash !== -1 || dots !== -1) {
        if (dots === -1 || (dash !== -1 && dash < dots)) {
            close(dash);
            start = dash;
            marker = true;
            dash = next(dash, '-');
        }
        else {
            // `...` ends the document: it belongs to the slice it closes.
            const end = lineEnd(text, dots);
            close(end);
            start = end;
            marker = false;
            dots = next(dots, '.');
        }
    }
    close(text.length);
    return slices;
}
const KEY_LINE = /^([A-Za-z_][\w./-]*):(?:[ \t]|\r?$)/;
const WORD = '[A-Za-z][A-Za-z0-9]*';
const KIND_LINE = new RegExp(`^kind:[ \\t]+(?:"(${WORD})"|'(${WORD})'|(${WORD}))(?:[ \\t]+#.*|[ \\t]*)\\r?$`);
const VERSION = '[A-Za-z0-9][A-Za-z0-9.-]*(?:/[A-Za-z0-9][A-Za-z0-9.-]*)?';
const API_LINE = new RegExp(`^apiVersion:[ \\t]+(?:"(${VERSION})"|'(${VERSION})'|(${VERSION}))(?:[ \\t]+#.*|[ \\t]*)\\r?$`);
const MARKER_ONLY = /^(?:---|\.\.\.)(?:[ \t]+#.*|[ \t]*)\r?$/;
/**
 * Decides per document whether it must be parsed. Keeps forward-only cursors into the text, so checking all
 * documents of a file costs one pass over it; documents must be checked in order.
 */
class Prescanner {
    text;
    imageAt = -2;
    escapeAt = -2;
    imageRe = new RegExp(RUNTIME_TEXT.source, 'g');
    constructor(text) {
        this.text = text;
    }
    check(slice) {
        // Only a document that is a mapping is skipped unread: a list or scalar document gets its notice.
        if (!this.mayHoldImageKey(slice))
            return this.opensWithKey(slice) ? 'no-image-key' : 'parse';
        if (this.nonImageKind(slice))
            return 'non-image-kind';
        return 'parse';
    }
    /** Whether the text could spell a key `image` (or `imageName`) or a flag or env name of a runtime image. */
    mayHoldImageKey(slice) {
        if (this.imageAt !== -1 && this.imageAt < slice.start) {
            this.imageRe.lastIndex = slice.start;
            this.imageAt = this.imageRe.exec(this.text)?.index ?? -1;
        }
        if (this.imageAt !== -1 && this.imageAt < slice.end)
            return true;
        if (this.escapeAt !== -1 && this.escapeAt < slice.start)
            this.escapeAt = this.nextEscape(slice.start);
        return this.escapeAt !== -1 && this.escapeAt < slice.end;
    }
    /** Next backslash escape that could produce letters or join lines in a double-quoted scalar. */
    nextEscape(from) {
        for (let i = this.text.indexOf('\\', from); i !== -1; i = this.text.indexOf('\\', i + 1)) {
            const c = this.text.charAt(i + 1);
            if (c === 'x' || c === 'u' || c === 'U' || c === '\n' || c === '\r')
                return i;
        }
        return -1;
    }
    /** Whether the first content line is a plain `key:` at column 0 (the root is a block mapping). */
    opensWithKey(slice) {
        const { text } = this;
        let at = slice.start;
        if (slice.marker) {
            if (!MARKER_ONLY.test(lineText(text, at, slice.end)))
                return false;
            at = lineEnd(text, at);
        }
        for (; at < slice.end; at = lineEnd(text, at)) {
            const line = lineText(text, at, slice.end);
            const trimmed = line.trim();
            if (trimmed === '' || trimmed.startsWith('#'))
                continue;
            return KEY_LINE.test(line);
        }
        return false;
    }
    /** Whether the document is a block mapping whose single `kind`/`apiVersion` name a kind without images. */
    nonImageKind(slice) {
        const { text } = this;
        let at = slice.start;
        if (slice.marker) {
            if (!MARKER_ONLY.test(lineText(text, at, slice.end)))
                return false;
            at = lineEnd(text, at);
        }
        let keys = 0;
        let kind;
        let apiVersion;
        let kinds = 0;
        let versions = 0;
        while (at < slice.end) {
            const end = lineEnd(text, at);
            const c = text.charCodeAt(at);
            if (c === 32 || isBreak(c)) {
                // Indented or blank: part of the value of the key above. Content before the first key means the
                // root is not a column-0 block mapping.
                if (keys === 0 && c === 32 && lineText(text, at, slice.end).trim() !== '')
                    return false;
            }
            else if (c === 35 /* # */) {
                // comment
            }
            else if (c === 45 /* - */ && (at + 1 >= end || isBlankOrBreak(text.charCodeAt(at + 1)))) {
                if (keys === 0)
                    return false;
            }
            else {
                const line = lineText(text, at, slice.end);
                if (c === 46 /* . */ && MARKER_ONLY.test(line)) {
                    at = end;
                    continue;
                }
                const key = KEY_LINE.exec(line);
                if (!key)
                    return false;
                keys++;
                if (key[1] === 'kind') {
                    const m = KIND_LINE.exec(line);
                    if (!m)
                        return false;
                    kinds++;
                    kind = m[1] ?? m[2] ?? m[3];
                }
                else if (key[1] === 'apiVersion') {
                    const m = API_LINE.exec(line);
                    if (!m)
                        return false;
                    versions++;
                    apiVersion = m[1] ?? m[2] ?? m[3];
                }
            }
            at = end;
        }
        return kinds === 1 && versions === 1 && isNonImageKind(apiVersion, kind);
    }
}
/** Whether a slice would make a document of its own: it starts with `---` or has any non-comment content. */
function holdsDocument(text, slice) {
    if (slice.marker)
        return true;
    for (let at = slice.start; at < slice.end; at = lineEnd(text, at)) {
        const line = lineText(text, at, slice.end).trim();
        if (line !== '' && !line.startsWith('#'))
            return true;
    }
    return false;
}
// Applied to a trimmed line, so the greedy `.*` ends at the last non-blank (a lazy `.*?` followed by `\s*$`
// retries the blank run from each of its characters: quadratic).
const SOURCE_COMMENT = /^#\s*Source:\s*(\S.*)$/;
/** Helm's `# Source: chart/templates/x.yaml` comment among the comment lines that open the document. */
function chartSourceOf(text, slice) {
    let at = slice.start;
    if (slice.marker)
        at = lineEnd(text, at);
    while (at < slice.end) {
        const line = lineText(text, at, slice.end).trim();
        if (line !== '' && !line.startsWith('#'))
            return undefined;
        const m = SOURCE_COMMENT.exec(line);
        if (m)
            return m[1];
        at = lineEnd(text, at);
    }
    return undefined;
}

// EXTERNAL MODULE: ./node_modules/tinyglobby/dist/index.mjs + 1 modules
var tinyglobby_dist = __webpack_require__(3382);
// EXTERNAL MODULE: ./lib/each.js
var each = __webpack_require__(3026);
;// CONCATENATED MODULE: ./lib/extract/boundary.js
// Symbolic links and the workspace boundary. A pull request controls the files of the workspace, links
// included: `notes.yaml -> ~/.git-credentials` would put a token into the table, the log and the report.
// The rule:
// - a link is followed only when its target (every link on the way resolved) is inside the workspace; a
//   path named outside the workspace (`../shared`, `/abs/dir`) is its own boundary, as its author chose it;
// - a file or directory link that leads out is not read, not even listed: an error notice names the link
//   (input the scan or a path selected and that was not read fails strict mode), never its target;
// - a file read through a link inside the workspace is reported at its real path, so file links on GitHub
//   resolve, and a file reached twice is read once;
// - a directory that cannot be listed gets an error notice: its files were not scanned;
// - a link to nothing, or a loop, is selected like a file: the read names it as not read.



const LINK_OUT_MESSAGE = 'symbolic link leads outside the workspace: not read (links are followed only inside it; exclude the link with `!path` if that is intended)';
const DIRECTORY_LINK_OUT_MESSAGE = 'symbolic link to a directory outside the workspace: not searched (links are followed only inside it; exclude the link with `!path` if that is intended)';
/** `abs` relative to `workspace`, with `/` on every system (`.` for the workspace itself). */
function toWorkspacePath(workspace, abs) {
    const rel = (0,external_node_path_.relative)(workspace, abs);
    return (rel === '' ? '.' : rel).split(external_node_path_.sep).join('/');
}
/** Whether `path` is `root` or below it (both real, absolute). */
function isInside(path, root) {
    const rel = (0,external_node_path_.relative)(root, path);
    return rel === '' || (!rel.startsWith(`..${external_node_path_.sep}`) && rel !== '..' && !(0,external_node_path_.isAbsolute)(rel));
}
/** What listing the files met: links leading out, directories that could not be read, link loops. */
class Listing {
    workspace;
    notices = [];
    seen = new Set();
    constructor(
    /** The workspace as given (relative paths in notices are relative to it). */
    workspace) {
        this.workspace = workspace;
    }
    record(path, level, message) {
        const file = this.label(path);
        if (this.seen.has(file))
            return;
        this.seen.add(file);
        this.notices.push({ level, file, message });
    }
    label(path) {
        return toWorkspacePath(this.workspace, path.replace(/[/\\]+$/, ''));
    }
}
/**
 * The file system the glob crawls with: a directory reached through a link whose target is outside `root`
 * is not listed (the link is recorded; the glob still decides first whether it would descend into it, so
 * an excluded link is never named), and a directory that cannot be listed is recorded. `root` is real.
 */
function globFs(root, io, listing) {
    const readdir = (io.readdir ?? external_node_fs_.readdir);
    /** Target → the first link seen resolving to it (the crawler lists a link's target by its real path). */
    const linkTo = new Map();
    // The crawler drops a link it cannot resolve without a word, yet `kubectl apply -f` on the same folder
    // fails on it. So a link to nothing (or a loop) is handed on as a file at its own path: the glob's
    // patterns and excludes decide on it as on any file, and the read names what was not read.
    const realpath = (path, callback) => {
        io.realpath(String(path)).then((real) => {
            if (!linkTo.has(real))
                linkTo.set(real, String(path));
            callback(null, real);
        }, (err) => callback(unresolvable(err) ? null : err, String(path)));
    };
    const stat = (path, callback) => {
        external_node_fs_.stat(path, (err, stats) => callback(null, err && unresolvable(err) ? UNRESOLVED_LINK : stats));
    };
    const hooked = (path, options, callback) => {
        const dir = String(path);
        const link = linkTo.get(dir.length > 1 ? dir.replace(/[/\\]+$/, '') : dir);
        if (link !== undefined && !isInside(dir, root)) {
            listing.record(link, 'error', DIRECTORY_LINK_OUT_MESSAGE);
            callback(null, []);
            return;
        }
        readdir(dir, options, (err, entries) => {
            if (err)
                listing.record(link ?? dir, 'error', `cannot read directory: ${dirProblem(err)}`);
            callback(err, err ? [] : entries);
        });
    };
    return {
        realpath: realpath,
        readdir: hooked,
        stat: stat,
    };
}
const unresolvable = (err) => err.code === 'ENOENT' || err.code === 'ELOOP';
/** What the crawler sees of a link to nothing: a file, not a directory to walk into. */
const UNRESOLVED_LINK = { isDirectory: () => false, isFile: () => true };
function dirProblem(err) {
    const what = err.code === 'EACCES' || err.code === 'EPERM'
        ? `permission denied (${err.code}): make it readable by the runner`
        : err.code === 'ELOOP'
            ? 'symbolic link loop (ELOOP)'
            : `${err.message.split(',')[0]}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
    return `${what}; the files in it were not scanned`;
}
/**
 * Files as they will be read: each link resolved (once, at most `limit` at a time), a file whose real
 * path is outside its root dropped with a notice naming it, a file inside the workspace named by its real
 * path, and a file reached twice kept once.
 */
async function settle(found, realWorkspace, io, limit, signal) {
    const reals = await (0,each/* mapLimit */.sf)(found, limit, signal, async (f) => {
        if (!f.abs)
            return undefined;
        try {
            return { real: await io.realpath(f.abs) };
        }
        catch {
            // Unreadable (a link to nothing, a loop): the read reports it. Its directory's real path still
            // tells one place from another, so a loop met through a directory link is named once.
            try {
                return { unresolved: (0,external_node_path_.join)(await io.realpath((0,external_node_path_.dirname)(f.abs)), (0,external_node_path_.basename)(f.abs)) };
            }
            catch {
                return undefined;
            }
        }
    });
    const notices = [];
    const seen = new Set();
    const files = [];
    found.forEach((f, i) => {
        const at = reals[i];
        const real = at?.real;
        if (f.abs === undefined || real === undefined) {
            const key = at?.unresolved ?? f.abs ?? f.file;
            if (seen.has(key))
                return;
            seen.add(key);
            const file = at?.unresolved && isInside(at.unresolved, realWorkspace)
                ? toWorkspacePath(realWorkspace, at.unresolved)
                : f.file;
            files.push({ file, ...(f.abs ? { abs: f.abs } : {}) });
            return;
        }
        if (!isInside(real, f.root ?? realWorkspace)) {
            notices.push({ level: 'error', file: f.file, message: LINK_OUT_MESSAGE });
            return;
        }
        if (seen.has(real))
            return;
        seen.add(real);
        const file = isInside(real, realWorkspace) ? toWorkspacePath(realWorkspace, real) : f.file;
        files.push({ file, abs: real });
    });
    // A link named twice (or by a path and a glob): one notice.
    const unique = new Map(notices.map((n) => [n.file, n]));
    return { files, notices: [...unique.values()] };
}

;// CONCATENATED MODULE: ./lib/extract/nodes.js
// The parse bound: what a document costs to parse is its number of nodes, not its bytes. The `yaml` library
// holds about 1 KB per node while it builds a document (tokens, nodes, ranges), so a 50 MB one-line JSON
// with 600 000 objects took 3 GB and crashed the run; 1 MB of `[],` is already half a million collections.
// Before a document (or the part of it that the pruning keeps) is parsed, its nodes are counted from the
// characters that start one, and a document over the bound is reported and skipped.
/** Nodes one parse may create: about 250 MB of parser memory, ≈ 2 s of parsing. */
const MAX_PARSE_NODES = 250_000;
/**
 * An upper estimate of the nodes parsing `text` creates, counted until it passes `limit`: every node but
 * the first starts after one of these — a flow indicator (`[`, `{`, `,`), a `:` (a value; a key before it
 * starts a line or follows a flow indicator), a line break (the next key or entry), a `- ` block entry.
 * Characters inside scalars count too, which only overestimates.
 */
function countNodes(text, limit) {
    let n = 1;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 91 || c === 123 || c === 44 || c === 58 || c === 10)
            n++;
        else if (c === 45) {
            const next = text.charCodeAt(i + 1);
            if (next === 32 || next === 10 || next === 13 || next === 9 || i + 1 === text.length)
                n++;
        }
        else
            continue;
        if (n > limit)
            return n;
    }
    return n;
}
/** Whether parsing `text` stays within the bound (only texts longer than the bound are counted). */
function withinParseBound(text) {
    return text.length <= MAX_PARSE_NODES || countNodes(text, MAX_PARSE_NODES) <= MAX_PARSE_NODES;
}

;// CONCATENATED MODULE: ./lib/extract/formats.js
// What a file is — YAML stream, JSON, a plain image list, or an image-sync configuration — decided by
// content, with the extension as a tie-breaker. The ambiguity: a file of one reference per line is also valid
// YAML (a single multi-line plain scalar), so a file without any YAML structure (no `key: value`, no
// `- item`, no `---`, no flow collection) whose every line is a single token is read as an image list;
// `.txt`/`.list`/`.images` files always are.
//
// image-sync (the CronJob that copies a fixed list of images) is configured with
//   images:
//     - source: docker.io/library/nginx
//       tag: "1.27"
// Its entries have no `image` key, so the manifest reader would find nothing (and its pre-scan would not
// even parse the file); such a file is recognised by its root `images:` key and read here, each reference
// `source:tag` reported at its `source` value.



const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);
const LIST_EXTENSIONS = new Set(['.txt', '.list', '.lst', '.images']);
function extensionOf(file) {
    const base = file.slice(file.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}
function isManifestExtension(ext) {
    return YAML_EXTENSIONS.has(ext) || ext === '.json';
}
function isListExtension(ext) {
    return LIST_EXTENSIONS.has(ext);
}
function detectFormat(text, file) {
    const ext = extensionOf(file);
    if (LIST_EXTENSIONS.has(ext))
        return { format: 'list' };
    const first = firstContentChar(text);
    const jsonLike = first === '{' || (first === '[' && !/^\s*\[[0-9a-fA-F:]*\]:?[0-9]*\//.test(text));
    if (ext === '.json' || jsonLike) {
        try {
            JSON.parse(text);
            return { format: 'json' };
        }
        catch (err) {
            // Only a .json file must be JSON; a flow-style YAML file merely looks like it.
            if (ext === '.json')
                return { format: 'json', jsonError: err.message };
        }
    }
    if (looksLikeImageList(text))
        return { format: 'list' };
    if (looksLikeImageSync(text))
        return { format: 'image-sync' };
    return { format: 'yaml' };
}
/** A root `images:` key and a `source:` key, and no `kind:` at the root (a Kubernetes object is not one). */
function looksLikeImageSync(text) {
    return (/^images:[ \t]*(?:#.*)?\r?$/m.test(text) &&
        /^[ \t]*(?:-[ \t]+)?source:/m.test(text) &&
        !/^kind:/m.test(text));
}
/**
 * The entries of an image-sync configuration; undefined when the text does not have that shape after all
 * (then it is read as any other YAML), or when it does not parse (the YAML reader reports why).
 */
function readImageSync(text) {
    // Over the parse bound it is read as YAML, document by document, where the bound is reported.
    if (!withinParseBound(text))
        return undefined;
    const doc = (0,dist/* parseDocument */.Tp)(text, { prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length)
        return undefined;
    const root = doc.contents;
    if (!(0,dist/* isMap */.jh)(root))
        return undefined;
    const images = root.items.find((p) => (0,dist/* isScalar */.jn)(p.key) && p.key.value === 'images')?.value;
    if (!(0,dist/* isSeq */.oP)(images) || !images.items.some((i) => (0,dist/* isMap */.jh)(i) && i.has('source')))
        return undefined;
    const entries = [];
    const issues = [];
    images.items.forEach((item, i) => {
        const at = item?.range?.[0] ?? 0;
        if (!(0,dist/* isMap */.jh)(item)) {
            issues.push({ offset: at, message: `images[${i}] is not a mapping with source and tag: skipped` });
            return;
        }
        const source = item.get('source', true);
        if (!(0,dist/* isScalar */.jn)(source) || typeof source.value !== 'string' || source.value.trim() === '') {
            issues.push({ offset: source?.range?.[0] ?? at, message: `images[${i}] has no source: skipped` });
            return;
        }
        const field = `images[${i}].source`;
        const tagNode = item.get('tag', true);
        const name = source.value.trim();
        const start = source.range?.[0] ?? at;
        if (tagNode === undefined || ((0,dist/* isScalar */.jn)(tagNode) && tagNode.value === null)) {
            const entry = { raw: name, offset: start, field };
            const span = scalarSpan(source, text);
            if ('why' in span)
                entry.unwritable = span.why;
            else
                entry.span = span;
            entries.push(entry);
            return;
        }
        if (!(0,dist/* isScalar */.jn)(tagNode)) {
            entries.push({ raw: name, offset: start, field, problem: `images[${i}].tag must be a single value` });
            return;
        }
        const tag = scalarSource(tagNode).trim();
        const raw = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(tag)
            ? `${name}@${tag}`
            : `${name}:${tag}`;
        const lastPart = name.slice(name.lastIndexOf('/') + 1);
        if (lastPart.includes(':') || name.includes('@'))
            entries.push({
                raw,
                offset: start,
                field,
                problem: `source "${name}" already names a tag or digest, and tag "${tag}" is given too: write it once`,
            });
        else
            entries.push({ raw, offset: start, field, unwritable: 'its source and tag are written apart' });
    });
    return { entries, issues };
}
/** The text of a scalar as written for numbers (`tag: 1.10` is "1.10", not 1.1). */
function scalarSource(node) {
    if (typeof node.value === 'number' || typeof node.value === 'bigint')
        return node.source ?? String(node.value);
    return String(node.value);
}
/** First character that is not white space or part of a `#` comment line. */
function firstContentChar(text) {
    for (let at = 0; at < text.length;) {
        const nl = text.indexOf('\n', at);
        const line = text.slice(at, nl === -1 ? text.length : nl).trim();
        if (line !== '' && !line.startsWith('#'))
            return line.charAt(0);
        if (nl === -1)
            break;
        at = nl + 1;
    }
    return '';
}
/** One entry per non-blank, non-comment line; ` # comment` at the end of a line is dropped. */
function parseImageList(text) {
    const out = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const entry = listLine(lines[i] ?? '');
        if (entry)
            out.push({ raw: entry.raw, line: i + 1, column: entry.column });
    }
    return out;
}
/** The reference on one line of an image list (or one entry of the `images` input), if any. */
function listLine(line) {
    let text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const comment = /(?:^|[ \t])#/.exec(text);
    if (comment)
        text = text.slice(0, comment.index);
    const lead = /^\s*/.exec(text)?.[0].length ?? 0;
    const raw = text.trim();
    if (raw === '')
        return undefined;
    return { raw, column: lead + 1 };
}
const TOKEN_START_YAML = /^[-{}[\]"'&*!|>%@`,?]/;
/** No YAML structure and every content line is a single token. */
function looksLikeImageList(text) {
    let seen = false;
    for (let at = 0; at < text.length;) {
        const nl = text.indexOf('\n', at);
        const end = nl === -1 ? text.length : nl;
        const entry = listLine(text.slice(at, end));
        at = end + 1;
        if (!entry)
            continue;
        const t = entry.raw;
        if (/\s/.test(t) || t.endsWith(':'))
            return false;
        if (TOKEN_START_YAML.test(t) && !/^\[[0-9a-fA-F:]+\]/.test(t))
            return false;
        seen = true;
    }
    return seen;
}

;// CONCATENATED MODULE: ./lib/extract/read.js
/** Files read ahead of the one being extracted. */
const READ_AHEAD = 16;
/** Larger files are read only when their turn comes, so reading ahead holds at most this much per file. */
const READ_AHEAD_MAX_BYTES = 1024 * 1024;
/** Longest stretch of extraction without a turn for the event loop (signals, timers). */
const SLICE_MS = 50;
/** The pace of one extraction: turns for the event loop, and whether to go on. */
class Pacer {
    signal;
    last = performance.now();
    constructor(signal) {
        this.signal = signal;
    }
    /** Why the run stopped, once it has. */
    get stopped() {
        if (!this.signal?.aborted)
            return undefined;
        const reason = this.signal.reason;
        return typeof reason === 'string' ? reason : 'cancelled';
    }
    /** Gives the event loop a turn when the slice is used up; false when the run must stop. */
    async pause() {
        if (performance.now() - this.last >= SLICE_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            this.last = performance.now();
        }
        return this.stopped === undefined;
    }
}
/** Reads files ahead of the consumer, in order of `take`, at most READ_AHEAD at a time. */
class ReadAhead {
    items;
    load;
    started = new Map();
    next = 0;
    constructor(items, load) {
        this.items = items;
        this.load = load;
    }
    /** The file at `index` (indexes taken in increasing order). */
    async take(index) {
        for (; this.next < this.items.length && this.next <= index + READ_AHEAD; this.next++)
            if (this.next !== index)
                this.started.set(this.next, this.load(this.items[this.next], false));
        const ahead = this.started.get(index);
        this.started.delete(index);
        const loaded = ahead ? await ahead : undefined;
        return !loaded || 'later' in loaded ? this.load(this.items[index], true) : loaded;
    }
}
/** Why a file (or stdin) of `size` bytes is not read, when it is over the limit. */
function overLimit(what, size, max) {
    return size > max
        ? `${what} is ${mib(size)}, over the ${mib(max)} limit: skipped; split it, or exclude it with \`!path\` if it holds no images`
        : undefined;
}
/** One file's bytes, or why it cannot be read. `now`: read it whatever its size (its turn has come). */
async function readInput(abs, max, io, now) {
    // Input that is not read is an error: a strict run must not pass on what it did not look at.
    const tooBig = (size) => {
        const message = overLimit('file', size, max);
        return message ? { problem: { level: 'error', message } } : undefined;
    };
    try {
        const { size } = await io.stat(abs);
        const big = tooBig(size);
        if (big)
            return big;
        if (!now && size > READ_AHEAD_MAX_BYTES)
            return { later: true };
        // Checked again after reading: the file may have grown since stat.
        const buf = await io.readFile(abs);
        return tooBig(buf.length) ?? { buf };
    }
    catch (err) {
        return { problem: { level: 'error', message: `cannot read file: ${readProblem(err)}; skipped` } };
    }
}
function readProblem(err) {
    const code = err.code;
    if (code === 'EACCES' || code === 'EPERM')
        return `permission denied (${code}): make it readable by the runner`;
    if (code === 'ELOOP')
        return 'symbolic link loop (ELOOP)';
    if (code === 'ENOENT')
        return 'it vanished or is a dangling symbolic link (ENOENT)';
    if (code === 'EISDIR')
        return 'it is a directory (EISDIR)';
    const message = err instanceof Error ? err.message : String(err);
    return code ? `${message.split(',')[0]} (${code})` : message;
}
const mib = (n) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 3 : 1)} MiB`;
const startsWith = (buf, bytes) => bytes.every((b, i) => buf[i] === b);
/**
 * UTF-8 (with or without a byte order mark), and UTF-16 with one (both byte orders: kubectl reads those
 * too). Anything else with NUL bytes is not text we can read: UTF-32, UTF-16 without a mark, binary.
 */
function decode(buf) {
    const notRead = (message) => ({ problem: { level: 'error', message } });
    // UTF-32's little-endian mark starts with UTF-16's: look for it first.
    if (startsWith(buf, [0xff, 0xfe, 0, 0]) || startsWith(buf, [0, 0, 0xfe, 0xff]))
        return notRead('file is UTF-32 encoded: convert it to UTF-8 (e.g. `iconv -f UTF-32 -t UTF-8`); skipped');
    if (startsWith(buf, [0xff, 0xfe]))
        return { text: buf.toString('utf16le'), encoding: 'UTF-16LE' };
    if (startsWith(buf, [0xfe, 0xff])) {
        const even = Buffer.from(buf.subarray(0, buf.length & ~1));
        return { text: even.swap16().toString('utf16le'), encoding: 'UTF-16BE' };
    }
    if (buf.indexOf(0) === -1)
        return { text: buf.toString('utf8'), encoding: 'UTF-8' };
    return notRead(looksLikeUtf16(buf)
        ? 'file looks UTF-16 encoded but has no byte order mark: convert it to UTF-8; skipped'
        : 'binary file (contains NUL bytes): skipped');
}
/** Text of ASCII characters in UTF-16: every other byte of the first ones is NUL, the others are not. */
function looksLikeUtf16(buf) {
    const n = Math.min(buf.length, 4096) & ~1;
    if (n < 4)
        return false;
    const nul = [0, 0];
    for (let i = 0; i < n; i++)
        if (buf[i] === 0)
            nul[i & 1] = nul[i & 1] + 1;
    const [even, odd] = nul;
    const half = n / 2;
    return (even > half * 0.9 && odd === 0) || (odd > half * 0.9 && even === 0);
}

;// CONCATENATED MODULE: ./lib/extract/unread-lists.js


/** Larger files are not opened for the check: image lists are short, and the scan must stay cheap. */
const MAX_CHECKED_BYTES = 256 * 1024;
const UNREAD_LIST_MESSAGE = 'looks like an image list: not read (a directory scan or glob reads .yaml, .yml and .json files); name it in `paths` to read it as an image list';
/** One notice per file of `candidates` (workspace-relative → absolute) whose content is an image list. */
async function unreadListNotices(candidates, io) {
    const notices = [];
    for (const c of candidates) {
        try {
            if ((await io.stat(c.abs)).size > MAX_CHECKED_BYTES)
                continue;
            if (isImageList((await io.readFile(c.abs)).toString('utf8')))
                notices.push({ level: 'notice', file: c.file, message: UNREAD_LIST_MESSAGE });
        }
        catch {
            // Not read, not named: whether it is readable is none of this run's business.
        }
    }
    return notices;
}
/**
 * One reference per line and nothing else: every entry is a valid (or templated) image reference and at
 * least one carries a registry, path, tag or digest, so a list of plain words does not count.
 */
function isImageList(text) {
    if (text.includes('\u0000') || !looksLikeImageList(text))
        return false;
    let specific = false;
    for (const line of text.split('\n')) {
        const entry = listLine(line);
        if (!entry)
            continue;
        const finding = classifyText(entry.raw, true);
        if (!finding || finding.status === 'invalid')
            return false;
        if (/[/:@]/.test(entry.raw))
            specific = true;
    }
    return specific;
}

;// CONCATENATED MODULE: ./lib/extract/files.js
// Which files to read: paths, directories and globs relative to the workspace, `!pattern` excludes, and
// the default scan. A file named as it is, is read whatever its kind (an image list too); directories,
// globs and the default scan select .yaml, .yml and .json files only. Every include that selects nothing is
// a configuration problem naming it: a typo in a path must stop the run (exit 1), not let the deploy go on
// with a cold cache.







const MANIFEST_GLOB = '**/*.{yaml,yml,json}';
/** Files a scan does not read but checks for image lists (unread-lists.ts). */
const LIST_GLOB = '**/*.{txt,list,lst,images}';
const ALWAYS_IGNORED = ['**/.git/**', '**/node_modules/**'];
/** CI workflow folders: they name runner images, not images the deploy pulls. */
const WORKFLOW_DIRS = ['.github/workflows/**', '.forgejo/workflows/**', '.gitea/workflows/**'];
async function resolveInputs(opts, io) {
    const workspace = (0,external_node_path_.resolve)(opts.workspace);
    // Links are followed only inside the workspace's real path (boundary.ts).
    const realWorkspace = await io.realpath(workspace).catch(() => workspace);
    const listing = new Listing(workspace);
    const notices = [];
    /** Configuration problems: includes that select nothing. */
    const problems = [];
    /** Image-list-like files in scanned directories (checked once every include is known). */
    const lists = [];
    /** Manifests under `base` (`''` or `dir/`), and the list-like files beside them. */
    const scan = async (base, ignored, root) => {
        const all = await (0,tinyglobby_dist/* glob */.TI)([`${base}${MANIFEST_GLOB}`, `${base}${LIST_GLOB}`], {
            cwd: workspace,
            dot: true,
            ignore: ignored,
            expandDirectories: false,
            fs: globFs(root, io, listing),
            ...(opts.signal ? { signal: opts.signal } : {}),
        });
        const manifests = [];
        for (const f of all.sort()) {
            if (isListExtension(extensionOf(f)))
                lists.push({ file: f, abs: (0,external_node_path_.resolve)(workspace, f), root });
            else
                manifests.push(f);
        }
        return manifests;
    };
    const entries = opts.paths.map((p) => p.trim()).filter((p) => p !== '');
    const excludes = entries.filter((p) => p.startsWith('!')).map((p) => stripDot(p.slice(1)));
    const includes = entries.filter((p) => !p.startsWith('!'));
    /** With the real path links may lead to: the workspace, or a path named outside it. */
    const found = [];
    const ignore = [...ALWAYS_IGNORED, ...excludes];
    if (opts.stdin !== undefined && !includes.includes('-'))
        found.push({ file: '-', root: realWorkspace });
    if (includes.length === 0 && opts.stdin === undefined && opts.scan !== false) {
        const files = await scan('', [...ignore, ...WORKFLOW_DIRS], realWorkspace);
        for (const f of files)
            found.push({ file: f, abs: (0,external_node_path_.resolve)(workspace, f), root: realWorkspace });
        // Stopped while listing: the list is partial, and the caller says so.
        if (opts.signal?.aborted)
            return { files: found, notices, problems };
        if (files.length === 0 && !opts.images?.length)
            notices.push({
                level: 'warning',
                file: '.',
                message: 'no .yaml, .yml or .json file in the workspace: set `paths` to the rendered manifests',
            });
    }
    for (const raw of includes) {
        if (raw === '-') {
            if (opts.stdin === undefined)
                problems.push('paths: "-" means stdin, which only the CLI reads, given as an argument (… | zot-warm -)');
            else
                found.push({ file: '-', root: realWorkspace });
            continue;
        }
        const pattern = stripDot(raw);
        const abs = (0,external_node_path_.resolve)(workspace, pattern);
        const rel = toWorkspacePath(workspace, abs);
        // A path named outside the workspace is its own boundary: the named file, or the directory a glob
        // starts from.
        const outside = !isInside(abs, workspace);
        const root = outside
            ? await io.realpath((0,tinyglobby_dist/* isDynamicPattern */.ey)(pattern) ? staticBase(abs) : abs).catch(() => abs)
            : realWorkspace;
        let st;
        try {
            st = await io.stat(abs);
        }
        catch (err) {
            const code = err.code;
            if (code !== 'ENOENT' && code !== 'ENOTDIR' && !(0,tinyglobby_dist/* isDynamicPattern */.ey)(pattern)) {
                notices.push({ level: 'error', file: rel, message: `cannot read "${raw}": ${(0,errors/* describeError */.Uc)(err)}` });
                continue;
            }
            if (code === 'ENOENT' && !(0,tinyglobby_dist/* isDynamicPattern */.ey)(pattern) && (await isLink(abs, io))) {
                // The name exists: an unreadable file, reported like one.
                notices.push({
                    level: 'error',
                    file: rel,
                    message: `cannot read "${raw}": symbolic link to a file that does not exist`,
                });
                continue;
            }
        }
        let files;
        if (st?.isFile()) {
            files = [rel];
            if (excludes.length && !rel.startsWith('../') && !(0,external_node_path_.isAbsolute)(rel)) {
                const kept = await (0,tinyglobby_dist/* glob */.TI)([(0,tinyglobby_dist/* escapePath */.ft)(rel)], {
                    cwd: workspace,
                    dot: true,
                    ignore: excludes,
                    expandDirectories: false,
                });
                if (kept.length === 0)
                    continue; // named, but excluded on purpose
            }
        }
        else if (st?.isDirectory()) {
            if (!isInside(await io.realpath(abs).catch(() => abs), root)) {
                notices.push({ level: 'error', file: rel, message: DIRECTORY_LINK_OUT_MESSAGE });
                continue;
            }
            const before = lists.length;
            files = await scan(rel === '.' ? '' : `${(0,tinyglobby_dist/* escapePath */.ft)(rel)}/`, ignore, root);
            if (opts.signal?.aborted)
                return { files: found, notices, problems };
            if (files.length === 0) {
                const beside = lists.slice(before).map((l) => l.file);
                problems.push(`paths: directory "${raw}" holds no .yaml, .yml or .json file${excludes.length ? ' (after excludes)' : ''}` +
                    (beside.length
                        ? listAdvice(beside, 'in it')
                        : `; check the path (relative to the workspace ${workspace})`));
                continue;
            }
        }
        else if ((0,tinyglobby_dist/* isDynamicPattern */.ey)(pattern)) {
            const matched = await (0,tinyglobby_dist/* glob */.TI)([pattern], {
                cwd: workspace,
                ignore,
                expandDirectories: false,
                fs: globFs(root, io, listing),
                ...(opts.signal ? { signal: opts.signal } : {}),
            });
            if (opts.signal?.aborted)
                return { files: found, notices, problems };
            // What a glob selects is read as a directory scan reads: manifests only. `deploy/*` also matches a
            // chart's NOTES.txt or a README, which are no image lists; a list is read when it is named.
            files = matched.filter((f) => isManifestExtension(extensionOf(f)));
            const beside = matched.filter((f) => isListExtension(extensionOf(f))).sort();
            lists.push(...beside.map((f) => ({ file: f, abs: (0,external_node_path_.resolve)(workspace, f), root })));
            if (files.length === 0 && matched.length > 0) {
                problems.push(`paths: "${raw}" matches no .yaml, .yml or .json file${excludes.length ? ' (after excludes)' : ''}` +
                    (beside.length
                        ? listAdvice(beside, 'it matches')
                        : '; a glob reads manifests only: name another kind of file to read it'));
                continue;
            }
        }
        else {
            problems.push(`paths: "${raw}" does not exist (relative to the workspace ${workspace})`);
            continue;
        }
        if (files.length === 0) {
            problems.push(`paths: "${raw}" matches no file${excludes.length ? ' (after excludes)' : ''} (relative to the workspace ${workspace}); check the pattern`);
            continue;
        }
        for (const f of files.sort())
            found.push({ file: f, abs: (0,external_node_path_.resolve)(workspace, f), root });
    }
    // A path named and also met by a scan or glob (a link to nothing, a loop) is said once: as named.
    const named = new Set(notices.map((n) => n.file));
    const settled = await settle(found.filter((f) => !named.has(f.file)), realWorkspace, io, READ_AHEAD, opts.signal);
    const files = settled.files;
    notices.push(...listing.notices, ...settled.notices);
    if (problems.length === 0) {
        const read = new Set(files.map((f) => f.file));
        // Image lists are looked into only where a link would be followed.
        const candidates = (await settle(dedupeFiles(lists), realWorkspace, io, READ_AHEAD, opts.signal)).files;
        notices.push(...(await unreadListNotices(candidates.flatMap((l) => (l.abs && !read.has(l.file) ? [{ file: l.file, abs: l.abs }] : [])), io)));
    }
    return { files, notices, problems };
}
/** `; to read the image list in it, name it in paths: deploy/images.txt` (the first five named). */
function listAdvice(lists, where) {
    const one = lists.length === 1;
    const named = `${lists.slice(0, 5).join(', ')}${lists.length > 5 ? ', …' : ''}`;
    return `; to read ${one ? 'the image list' : 'image lists'} ${where}, name ${one ? 'it' : 'them'} in paths: ${named}`;
}
async function isLink(abs, io) {
    try {
        await io.lstat?.(abs);
        return io.lstat !== undefined;
    }
    catch {
        return false;
    }
}
function dedupeFiles(files) {
    const seen = new Set();
    return files.flatMap((f) => f.abs && !seen.has(f.file) && seen.add(f.file) ? [{ file: f.file, abs: f.abs, root: f.root }] : []);
}
/** The directory a glob starts from: its leading path segments without glob syntax. */
function staticBase(abs) {
    const parts = abs.split('/');
    const i = parts.findIndex((p) => (0,tinyglobby_dist/* isDynamicPattern */.ey)(p));
    return i === -1 ? abs : parts.slice(0, i).join('/') || '/';
}
function stripDot(p) {
    let s = p;
    while (s.startsWith('./'))
        s = s.slice(2);
    return s === '' ? '.' : s;
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
;// CONCATENATED MODULE: ./lib/extract/io.js
// How extraction reaches the file system: one interface, so tests can inject failures root cannot produce
// (EACCES), and the node:fs implementation.


// The callback API, promisified: per call it costs a fraction of what node:fs/promises' FileHandle-based
// functions cost (measured on 20 000 small files: 0.8 s against 1.8 s, 16 at a time).
const statCb = (0,external_node_util_.promisify)(external_node_fs_.stat);
const readFileCb = (0,external_node_util_.promisify)(external_node_fs_.readFile);
const realpathCb = (0,external_node_util_.promisify)(external_node_fs_.realpath.native);
const lstatCb = (0,external_node_util_.promisify)(external_node_fs_.lstat);
const nodeIo = {
    stat: (p) => statCb(p),
    readFile: (p) => readFileCb(p),
    realpath: (p) => realpathCb(p),
    lstat: (p) => lstatCb(p),
    readdir: external_node_fs_.readdir,
};

;// CONCATENATED MODULE: ./lib/extract/lines.js
// Offset → 1-based line and column over a whole file, with the `yaml` library's LineCounter. Documents are
// parsed one by one from slices of the file (and pruned, prune.ts), so every offset the parser reports is
// first mapped back to the file; positions stay exact whichever way a document was read.

/** A line ends at LF, CR, or Unicode's line and paragraph separators (as YAML and JavaScript read them). */
const isLineTerminator = (c) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
class LineIndex {
    text;
    counter = new dist/* LineCounter */.HN();
    constructor(text) {
        this.text = text;
        this.counter.addNewLine(0);
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1))
            this.counter.addNewLine(i + 1);
    }
    get lineCount() {
        return this.counter.lineStarts.length;
    }
    /** Offset at which the 0-based line starts. */
    lineStart(line) {
        return this.counter.lineStarts[line] ?? this.text.length;
    }
    position(offset) {
        const { line, col } = this.counter.linePos(offset);
        return { line, column: col };
    }
}

;// CONCATENATED MODULE: ./lib/extract/keys.js
// Duplicate mapping keys, found in linear time. The `yaml` library's own check (`uniqueKeys`) compares
// each new key with every earlier key of the same mapping, which is quadratic in the size of a mapping:
// a 400 KB mapping took half a minute. Here each mapping gets one hash set, and the keys are visited in the
// order the library reports its errors (a pair's key, the check, then its value), so the first duplicates
// named are the same ones the library would name.


/**
 * Offsets of the first `limit` keys that repeat an earlier key of the same mapping, in document order.
 * Keys are equal when they are the same node or scalars of the same value (the library's rule); a
 * collection used as a key never equals another.
 */
function duplicateKeys(doc, limit) {
    const found = [];
    // Depth-first with an explicit stack (documents may nest deeper than the call stack allows), children
    // pushed in reverse so they pop in document order: a pair's key, its duplicate mark, then its value.
    const stack = [doc.contents];
    while (stack.length > 0 && found.length < limit) {
        const item = stack.pop();
        if (item instanceof Duplicate)
            found.push(item.offset);
        else if ((0,dist/* isMap */.jh)(item)) {
            const seen = new Set();
            const children = [];
            for (const pair of item.items) {
                const key = pair.key;
                // Scalars are equal by value (NaN never is), anything else only to itself.
                const id = (0,dist/* isScalar */.jn)(key) && !Number.isNaN(key.value) ? key.value : key;
                children.push(key, seen.has(id) ? new Duplicate(offsetOf(key)) : undefined, pair.value);
                seen.add(id);
            }
            for (let i = children.length - 1; i >= 0; i--)
                stack.push(children[i]);
        }
        else if ((0,dist/* isSeq */.oP)(item)) {
            for (let i = item.items.length - 1; i >= 0; i--)
                stack.push(item.items[i]);
        }
        else if ((0,dist/* isPair */.tO)(item)) {
            stack.push(item.value, item.key);
        }
    }
    return found;
}
class Duplicate {
    offset;
    constructor(offset) {
        this.offset = offset;
    }
}
const offsetOf = (node) => ((0,dist/* isNode */.Ll)(node) && node.range ? node.range[0] : 0);
/** The key written at `offset` (plain or quoted) on its line, for a duplicate-key message. */
function keyAt(source, offset) {
    const nl = source.indexOf('\n', offset);
    const line = source.slice(offset, nl === -1 ? source.length : nl);
    const q = line.charAt(0);
    if (q === '"') {
        const close = doubleQuoteEnd(line);
        if (close !== -1 && colonFollows(line, close + 1))
            return line.slice(1, close);
    }
    else if (q === "'") {
        // `''` is an escaped quote, so every quote followed by another may also be the closing one: the
        // longest candidate followed by `:` wins.
        const closes = [];
        for (let i = 1; i < line.length; i++) {
            if (line.charCodeAt(i) !== 39)
                continue;
            closes.push(i);
            if (line.charCodeAt(i + 1) !== 39)
                break;
            i++;
        }
        for (let c = closes.length - 1; c >= 0; c--) {
            const close = closes[c];
            if (colonFollows(line, close + 1))
                return line.slice(1, close);
        }
    }
    // A plain key: everything before the first `:` (no `#` before it), without the white space before `:`.
    for (let i = 0; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (c === 35)
            return undefined;
        if (c === 58)
            return line.slice(0, i).trimEnd();
    }
    return undefined;
}
/** Index of the closing `"` of the double-quoted scalar opening the line, or -1. */
function doubleQuoteEnd(line) {
    for (let i = 1; i < line.length; i++) {
        const c = line.charCodeAt(i);
        if (c === 34)
            return i;
        if (c === 92) {
            if (i + 1 >= line.length || isLineTerminator(line.charCodeAt(i + 1)))
                return -1;
            i++;
        }
    }
    return -1;
}
/** Whether white space and then `:` follow at `at`. */
function colonFollows(line, at) {
    let i = at;
    while (i < line.length && /\s/.test(line.charAt(i)))
        i++;
    return line.charCodeAt(i) === 58;
}

;// CONCATENATED MODULE: ./lib/extract/prune.js
// Second speed trick, inside a document that must be parsed: drop the lines of block-mapping entries that
// provably hold no image (`args`, `env`, `resources`, probes, labels …) before the YAML parser sees them.
// Whole lines are dropped and the kept ones are unchanged, so every position maps back exactly.
//
// Why it is safe. In block context every line of an entry's value is indented more than its key (YAML 1.2
// §8.2: block nodes and the continuation lines of flow and quoted scalars, s-l+flow-in-block at n+1), so
// "key line + the following lines indented deeper" is exactly the entry. An entry is dropped (at the root:
// its value lines only, as Compose detection looks at the set of root keys) only when
// - its key line is a plain `key:` (letters, digits, `_ . / -`) not needed by the walker (kind, apiVersion,
//   metadata, name, namespace);
// - its text holds no `image` or `imageName` followed by anything but a name character (every field we take
//   is named so; `imagePullPolicy` is not) and no runtimeMarks (runtime.ts: where a flag or env name of a
//   runtime image may be spelled, `--executor-image`, `RELATED_IMAGE_DB`) but in plain key names (runtime
//   images are taken from values); no anchor or alias (`&name`, `*name` where a node can start)
//   and no merge key (`<<`), so nothing elsewhere refers to it or pulls an image into it, and no escape that
//   could spell a key (\x, \u, \U, escaped line break);
// - it is not inside an `image` entry, nor an `args` / `command` / `env` entry holding runtimeMarks: those are
//   kept whole (an env entry's `value` line holds no marker of its own);
// - it is not inside a region whose structure a line-local look cannot know: once a line opens a block
//   scalar, a multi-line quoted or flow scalar, carries node properties (`&`, `!`), or is not a plain key /
//   `- ` entry (a quoted key, a continuation line), everything up to the end of the owning entry is kept.
// A line with a tab in its indentation stops pruning for the document (YAML forbids it; the parser reports it).
/** Below this share of dropped bytes the original is parsed: the saving would not pay for the copy. */
const MIN_GAIN = 0.2;


const IMAGE_KEY_TEXT = /image(?:Name)?(?![\w.-])/g;
const IMAGE_KEY_JSON = /"image(?:Name)?"/g;
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:])[&*][^\s,[\]{}]/g;
/** Keys the walker reads even when no image is below them. */
const KEEP = new Set(['kind', 'apiVersion', 'metadata', 'name', 'namespace']);
const KEY = /^([A-Za-z_][\w./-]*):(?=[ \t\r\n]|$)/;
const REST_BLANK = /^[ \t]*(?:#[^\n]*)?[\r\n]*$/;
const ALIAS = /^\*[^\s,[\]{}]+[ \t]*(?:#[^\n]*)?[\r\n]*$/;
var Line;
(function (Line) {
    Line[Line["Blank"] = 0] = "Blank";
    Line[Line["Comment"] = 1] = "Comment";
    Line[Line["Dash"] = 2] = "Dash";
    Line[Line["Key"] = 3] = "Key";
    Line[Line["Other"] = 4] = "Other";
})(Line || (Line = {}));
/** Drop what cannot hold an image from `text[start, end)`. Undefined when nothing worth dropping was found. */
function pruneDocument(text, start, end, minGain = MIN_GAIN) {
    const starts = [];
    for (let at = start; at < end;) {
        starts.push(at);
        const nl = text.indexOf('\n', at);
        at = nl === -1 || nl >= end ? end : nl + 1;
    }
    const n = starts.length;
    const lineEnd = (i) => (i + 1 < n ? starts[i + 1] : end);
    const indent = new Int32Array(n);
    const kind = new Uint8Array(n);
    const keyEnd = new Int32Array(n); // end of the key name on a Key line
    for (let i = 0; i < n; i++) {
        const s = starts[i];
        const e = lineEnd(i);
        let p = s;
        while (p < e && text.charCodeAt(p) === 32)
            p++;
        const c = p < e ? text.charCodeAt(p) : 10;
        if (c === 9)
            return undefined; // tab in the indentation
        indent[i] = p - s;
        if (c === 10 || (c === 13 && p + 1 >= e - 1))
            kind[i] = Line.Blank;
        else if (c === 35)
            kind[i] = Line.Comment;
        else if (c === 45 && isSpaceOrEnd(text, p + 1, e))
            kind[i] = Line.Dash;
        else {
            const k = plainKeyEnd(text, p, e);
            kind[i] = k === -1 ? Line.Other : Line.Key;
            keyEnd[i] = k;
        }
    }
    // A `---` line opening the document stays as it is; with content after it the root is not a block node.
    let first = 0;
    if (n > 0 && text.startsWith('---', start)) {
        if (!REST_BLANK.test(text.slice(start + 3, lineEnd(0)).replace(/\n$/, '')))
            return undefined;
        first = 1;
    }
    /** The plain key name `text[p]` is part of, when it is one (on a Key line): [its start, its end). */
    const keyAround = (p) => {
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= p)
                lo = mid;
            else
                hi = mid - 1;
        }
        if (kind[lo] !== Line.Key)
            return undefined;
        const from = starts[lo] + indent[lo];
        return p < keyEnd[lo] ? [from, keyEnd[lo]] : undefined;
    };
    const risk = riskFinder(text, start, end, keyAround);
    /**
     * First line after the entry on line i: deeper lines, blanks and comments belong to it, and for a key also
     * `- ` lines at its own indentation (a block sequence may sit at the indentation of its key).
     */
    const entryEnd = (i) => {
        const ind = indent[i];
        const compact = kind[i] === Line.Key;
        let j = i + 1;
        for (; j < n; j++) {
            const k = kind[j];
            const d = indent[j];
            if (k === Line.Blank || k === Line.Comment || d > ind || (compact && d === ind && k === Line.Dash))
                continue;
            break;
        }
        return j;
    };
    const kept = []; // pairs of line indexes [from, to)
    const keep = (from, to) => {
        if (from >= to)
            return;
        if (kept.length && kept[kept.length - 1] === from)
            kept[kept.length - 1] = to;
        else
            kept.push(from, to);
    };
    keep(0, first);
    const parents = []; // indents of the kept key / `- ` lines above the current line
    let rootKey;
    let dropped = 0;
    let i = first;
    while (i < n) {
        const k = kind[i];
        if (k === Line.Blank || k === Line.Comment) {
            dropped += lineEnd(i) - starts[i];
            i++;
            continue;
        }
        const ind = indent[i];
        while (parents.length && parents[parents.length - 1] >= ind)
            parents.pop();
        const s = starts[i] + ind;
        const e = lineEnd(i);
        if (k === Line.Other) {
            // Not a line we can read on its own: keep the rest of the owning entry untouched.
            const parent = parents.length ? parents[parents.length - 1] : -1;
            let j = i + 1;
            while (j < n && (kind[j] === Line.Blank || indent[j] > parent))
                j++;
            keep(i, j);
            i = j;
            continue;
        }
        const stop = entryEnd(i);
        if (k === Line.Key) {
            const key = text.slice(s, plainKeyEnd(text, s, e));
            const root = parents.length === 0;
            if (root)
                rootKey = key;
            const from = starts[i];
            const to = stop < n ? starts[stop] : end;
            // The walker never reads the root `status` nor any of the root `metadata` but name and namespace:
            // there only anchors (used elsewhere) must be kept.
            const ignored = (root && key === 'status') ||
                (parents.length === 1 && rootKey === 'metadata' && key !== 'name' && key !== 'namespace');
            const droppable = ignored ? !risk.anchors(from, to) : !KEEP.has(key) && !risk.any(from, to);
            const value = text.slice(s + key.length + 1, e).replace(/\n$/, '');
            if (droppable && !root) {
                dropped += to - from;
                i = stop;
                continue;
            }
            keep(i, i + 1);
            if (droppable && closedValue(value)) {
                // A root key stays (Compose detection looks at the set of root keys); its value lines go.
                dropped += to - (i + 1 < n ? starts[i + 1] : end);
                i = stop;
                continue;
            }
            // Inside an `image` entry everything may matter (an image volume's `reference`), and inside flags or env
            // that may name a runtime image too: kept whole.
            if (!closedValue(value) ||
                key === 'image' ||
                key === 'imageName' ||
                (RUNTIME_KEYS.has(key) && risk.runtime(from, to))) {
                keep(i + 1, stop);
                i = stop;
                continue;
            }
        }
        else {
            keep(i, i + 1);
            if (!closedDashValue(text.slice(s + 1, e).replace(/\n$/, ''))) {
                keep(i + 1, stop);
                i = stop;
                continue;
            }
        }
        parents.push(ind);
        i++;
    }
    if (dropped === 0 || dropped < (end - start) * minGain)
        return undefined;
    const ranges = [];
    for (let p = 0; p < kept.length; p += 2) {
        const to = kept[p + 1];
        ranges.push(starts[kept[p]], to < n ? starts[to] : end);
    }
    return fromRanges(text, start, ranges);
}
/** The text made of `ranges` (pairs [from, to) of offsets, ascending) and the map back. */
function fromRanges(text, start, ranges) {
    const origStarts = [];
    const prunedStarts = [];
    const parts = [];
    let length = 0;
    for (let p = 0; p < ranges.length; p += 2) {
        const a = ranges[p];
        const b = ranges[p + 1];
        if (b <= a)
            continue;
        origStarts.push(a);
        prunedStarts.push(length);
        parts.push(text.slice(a, b));
        length += b - a;
    }
    return {
        text: parts.join(''),
        toOriginal(offset) {
            if (prunedStarts.length === 0)
                return start;
            let lo = 0;
            let hi = prunedStarts.length - 1;
            while (lo < hi) {
                const mid = (lo + hi + 1) >> 1;
                if (prunedStarts[mid] <= offset)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            return origStarts[lo] + offset - prunedStarts[lo];
        },
    };
}
/** End of a plain `key` followed by `:` and white space or the line end at `p`, or -1 (the KEY pattern). */
function plainKeyEnd(text, p, e) {
    let c = text.charCodeAt(p);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95))
        return -1;
    let q = p + 1;
    for (; q < e; q++) {
        c = text.charCodeAt(q);
        const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
        if (!word && c !== 46 && c !== 47 && c !== 45)
            break;
    }
    if (q >= e || text.charCodeAt(q) !== 58)
        return -1;
    return isSpaceOrEnd(text, q + 1, e) ? q : -1;
}
function isSpaceOrEnd(text, p, e) {
    if (p >= e)
        return true;
    const c = text.charCodeAt(p);
    return c === 32 || c === 9 || c === 10 || c === 13;
}
/** Sorted offsets → whether any lies in [a, b). */
function anyIn(marks) {
    marks.sort((x, y) => x - y);
    return (a, b) => {
        let lo = 0;
        let hi = marks.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (marks[mid] < a)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < marks.length && marks[lo] < b;
    };
}
/**
 * Whether `text[a, b)` holds anything that forbids dropping it (`any`): an `image` key, runtime image text,
 * an anchor, alias or merge key, or an escape that could spell a key; or (`anchors`) an anchor something else
 * may refer to; or (`runtime`) text a runtime image needs.
 * Positions are collected once per document.
 */
function riskFinder(text, start, end, keyAround) {
    const doc = text.slice(start, end); // bounded searches: indexOf on the whole file would run past `end`
    const marks = [];
    const anchors = [];
    // A key `image` / `imageName` is followed by `:`, a quote, white space … never by a name character, so
    // `imagePullPolicy` or `images` cannot be one.
    for (const m of doc.matchAll(IMAGE_KEY_TEXT))
        marks.push(start + m.index);
    // Where a flag or env name of a runtime image may be; inside a plain key name it is none (runtime images
    // are found by values, a flag item or an env entry's `name`, and no name that is taken holds `: `).
    const runtime = runtimeMarks(text, start, end);
    for (const at of runtime)
        if (!keyAround(at))
            marks.push(at);
    // An anchor or alias starts a node: after white space, a flow indicator or `:`, and a name follows.
    // `cp /config/* /work`, `"*/5 * * * *"` hold none; `a && b` is taken to (it cannot be told apart here).
    for (const m of doc.matchAll(ANCHOR_OR_ALIAS)) {
        const at = start + m.index + m[0].length - 2;
        marks.push(at);
        if (text.charCodeAt(at) === 38)
            anchors.push(at);
    }
    for (let at = doc.indexOf('<<'); at !== -1; at = doc.indexOf('<<', at + 1))
        marks.push(start + at);
    for (let at = doc.indexOf('\\'); at !== -1; at = doc.indexOf('\\', at + 1)) {
        const c = doc.charAt(at + 1);
        if (c === 'x' || c === 'u' || c === 'U' || c === '\n' || c === '\r')
            marks.push(start + at);
    }
    return { any: anyIn(marks), anchors: anyIn(anchors), runtime: anyIn(runtime) };
}
/** After `- `: nested `- `, then either `key: value` or a value. */
function closedDashValue(tail) {
    // One index over the line: re-slicing it per `- ` is quadratic on `- - - - …`.
    let i = 0;
    for (;;) {
        while (i < tail.length && isBlank(tail.charCodeAt(i)))
            i++;
        const next = tail.charCodeAt(i + 1);
        if (tail.charCodeAt(i) === 45 && (i + 1 === tail.length || isBlank(next) || next === 13))
            i++;
        else
            break;
    }
    const t = tail.slice(i);
    const key = KEY.exec(t);
    return key ? closedValue(t.slice(key[1].length + 1)) : closedValue(t);
}
/**
 * Whether the value that starts on this line also ends on it (or continues only as block structure on the
 * next lines). Anything else — block scalars, node properties, multi-line quoted or flow scalars, oddities —
 * is "not closed", which only makes the caller keep more.
 */
function closedValue(value) {
    const s = value.replace(/^[ \t]+/, '');
    if (REST_BLANK.test(s))
        return true;
    const c = s.charAt(0);
    if (c === '"' || c === "'") {
        const close = quoteEnd(s, 0);
        return close !== -1 && REST_BLANK.test(s.slice(close));
    }
    if (c === '[' || c === '{')
        return flowClosed(s);
    if (c === '*')
        return ALIAS.test(s);
    if ('|>&!%@`?:,]}#'.includes(c))
        return false;
    if (c === '-' && /^-[ \t\r]/.test(s))
        return false;
    // A plain scalar: one on a line is complete; `: ` inside would make it a mapping (not expected here).
    return !/:[ \t]/.test(withoutComment(s));
}
const isBlank = (c) => c === 32 || c === 9;
/**
 * `s.replace(/[ \t]+#.*$/, '')` in one pass: the first `#` after a blank with no line terminator after
 * it, and the blanks before it, to the end. (The regular expression retries from every blank of a long
 * run of blanks: quadratic.)
 */
function withoutComment(s) {
    let lastBreak = -1;
    for (let i = s.length - 1; i >= 0; i--)
        if (isLineTerminator(s.charCodeAt(i))) {
            lastBreak = i;
            break;
        }
    for (let h = s.indexOf('#', lastBreak + 1); h !== -1; h = s.indexOf('#', h + 1)) {
        if (h === 0 || !isBlank(s.charCodeAt(h - 1)))
            continue;
        let from = h - 1;
        while (from > 0 && isBlank(s.charCodeAt(from - 1)))
            from--;
        return s.slice(0, from);
    }
    return s;
}
/** Index after the closing quote of the quoted scalar opening at `at`, or -1 when it goes on past the line. */
function quoteEnd(s, at) {
    const q = s.charAt(at);
    for (let i = at + 1; i < s.length; i++) {
        const c = s.charAt(i);
        if (q === '"' && c === '\\')
            i++;
        else if (c === q) {
            if (q === "'" && s.charAt(i + 1) === "'")
                i++;
            else
                return i + 1;
        }
    }
    return -1;
}
/** A flow collection that closes on this line, followed by nothing but a comment. */
function flowClosed(s) {
    let depth = 0;
    let atStart = true; // where a quoted scalar may start
    let afterJson = false; // after a quoted scalar or a collection: `:` is an indicator even without a space
    for (let i = 0; i < s.length; i++) {
        const c = s.charAt(i);
        if (c === '[' || c === '{') {
            depth++;
            atStart = true;
            afterJson = false;
        }
        else if (c === ']' || c === '}') {
            depth--;
            if (depth < 0)
                return false;
            if (depth === 0)
                return REST_BLANK.test(s.slice(i + 1));
            atStart = false;
            afterJson = true;
        }
        else if (c === ',') {
            atStart = true;
            afterJson = false;
        }
        else if (c === ' ' || c === '\t') {
            // separation
        }
        else if (c === '#') {
            const before = s.charAt(i - 1);
            if (before === ' ' || before === '\t')
                return false; // a comment inside: the collection goes on
            atStart = false;
            afterJson = false;
        }
        else if ((c === '"' || c === "'") && atStart) {
            const close = quoteEnd(s, i);
            if (close === -1)
                return false;
            i = close - 1;
            atStart = false;
            afterJson = true;
        }
        else if (c === ':') {
            const next = s.charAt(i + 1);
            if (afterJson || next === '' || ' \t\r,[]{}'.includes(next))
                atStart = true;
            else
                atStart = false;
            afterJson = false;
        }
        else if ((c === '?' || c === '-') && atStart && ' \t'.includes(s.charAt(i + 1) || ' ')) {
            // indicator; a scalar may still start
        }
        else if (c === '\r') {
            // line end
        }
        else {
            atStart = false;
            afterJson = false;
        }
    }
    return false;
}
// JSON (already accepted by JSON.parse, so the scan below may assume valid JSON): object members are dropped
// when their key is not one the walker reads, their text holds no `"image"` / `"imageName"` key, their value no
// runtimeMarks (runtime.ts: a flag or env name of a runtime image; a match in the member's own key, as in
// `"RELATED_IMAGE_X"`, names none), and neither holds a `\u` escape (which could spell a key); `args` /
// `command` / `env` members holding runtimeMarks are kept whole; array elements are never dropped (indexes
// are part of the field path). A member is dropped with the comma after it; a trailing comma left behind is
// valid in a YAML flow collection. (An `image` in the JSON text of an annotation, `\"image\":`, is no key.)
/** Drop what cannot hold an image from a JSON text. Undefined when nothing worth dropping was found. */
function pruneJson(text, minGain = MIN_GAIN) {
    // JSON keys are quoted strings; with no \u escape around, a key `image` is exactly `"image"`.
    const keys = [];
    for (const m of text.matchAll(IMAGE_KEY_JSON))
        keys.push(m.index);
    const imageKey = anyIn(keys);
    const runtimeRisky = anyIn(runtimeMarks(text, 0, text.length));
    const escapes = [];
    for (let at = text.indexOf('\\u'); at !== -1; at = text.indexOf('\\u', at + 1))
        escapes.push(at);
    const escaped = anyIn(escapes);
    const dropped = []; // pairs [from, to)
    const ws = (i) => {
        let j = i;
        for (;;) {
            const c = text.charCodeAt(j);
            if (c === 32 || c === 10 || c === 13 || c === 9)
                j++;
            else
                return j;
        }
    };
    const stringEnd = (i) => {
        for (let j = i + 1;;) {
            const q = text.indexOf('"', j);
            if (q === -1)
                throw new Error('unterminated string');
            let b = q - 1;
            while (text.charCodeAt(b) === 92)
                b--;
            if ((q - 1 - b) % 2 === 0)
                return q + 1;
            j = q + 1;
        }
    };
    /** End of the value at i, pruning inside it. */
    const valueEnd = (i) => {
        const c = text.charCodeAt(i);
        if (c === 34)
            return stringEnd(i);
        if (c === 123)
            return objectEnd(i);
        if (c === 91)
            return arrayEnd(i);
        let j = i;
        while (j < text.length && !',]} \t\r\n'.includes(text.charAt(j)))
            j++;
        return j;
    };
    const objectEnd = (i, root = false) => {
        let j = ws(i + 1);
        if (text.charCodeAt(j) === 125)
            return j + 1;
        for (;;) {
            const keyStart = j;
            const keyEnd = stringEnd(j);
            const key = text.slice(keyStart + 1, keyEnd - 1);
            const v = ws(ws(keyEnd) + 1);
            // The value is walked once (finding its end and what to drop inside it); when the member goes as a
            // whole, or stays whole, the drops found inside are forgotten. (Finding the end first and walking
            // again rescans every nested kept member once per level: quadratic in the nesting.)
            const mark = dropped.length;
            const after = valueEnd(v);
            // Root members stay (Compose detection looks at the set of root keys); their values are pruned.
            const drop = !root &&
                !KEEP.has(key) &&
                !imageKey(keyStart, after) &&
                !runtimeRisky(keyEnd, after) &&
                !escaped(keyStart, after);
            // Inside an `image` member everything may matter (an image volume's `reference`), and inside flags or
            // env that may name a runtime image too.
            const whole = key === 'image' || key === 'imageName' || (RUNTIME_KEYS.has(key) && runtimeRisky(keyStart, after));
            if (drop || whole)
                dropped.length = mark;
            let k = ws(after);
            const comma = text.charCodeAt(k) === 44;
            if (comma)
                k = ws(k + 1);
            if (drop) {
                dropped.push(keyStart, k === text.length || text.charCodeAt(k) === 125 ? after : k);
            }
            if (!comma)
                return k + 1;
            if (text.charCodeAt(k) === 125)
                return k + 1;
            j = k;
        }
    };
    const arrayEnd = (i) => {
        let j = ws(i + 1);
        if (text.charCodeAt(j) === 93)
            return j + 1;
        for (;;) {
            const after = valueEnd(j);
            let k = ws(after);
            if (text.charCodeAt(k) === 44)
                k = ws(k + 1);
            if (text.charCodeAt(k) === 93)
                return k + 1;
            j = k;
        }
    };
    try {
        const first = ws(0);
        if (text.charCodeAt(first) === 123)
            objectEnd(first, true);
        else
            valueEnd(first);
    }
    catch {
        return undefined; // not the JSON JSON.parse accepted (cannot happen) or nested too deep: parse it whole
    }
    // Line breaks and indentation outside strings go too (a JSON string never spans lines): the parser then
    // reads one token where it read three.
    const ranges = [];
    let kept = 0;
    // The next line break at or after a position, remembered: ranges come in order, and searching afresh
    // for each range runs to the end of a one-line file every time (a 50 MB line took 6 minutes).
    let nextBreak = -2;
    const breakFrom = (at) => {
        if (nextBreak !== -1 && nextBreak < at)
            nextBreak = text.indexOf('\n', at);
        return nextBreak;
    };
    const keep = (a, b) => {
        let at = a;
        for (let nl = breakFrom(at); nl !== -1 && nl < b; nl = breakFrom(at)) {
            let end = nl;
            while (end > at && (text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 32))
                end--;
            if (end > at)
                ranges.push(at, end);
            kept += end - at;
            at = ws(nl + 1);
            if (at > b)
                return;
        }
        if (b > at) {
            ranges.push(at, b);
            kept += b - at;
        }
    };
    let from = 0;
    for (let p = 0; p < dropped.length; p += 2) {
        keep(from, dropped[p]);
        from = dropped[p + 1];
    }
    keep(from, text.length);
    if (text.length - kept === 0 || text.length - kept < text.length * minGain)
        return undefined;
    return fromRanges(text, 0, ranges);
}

;// CONCATENATED MODULE: ./lib/extract/walk.js
// Finds image fields in one parsed YAML/JSON document. Containers are recognised by shape wherever they
// are (`containers`, `initContainers`, `ephemeralContainers`, `sidecars`, `steps` lists; `container`,
// `script`, `stepTemplate` maps), so every pod spec (Deployment … CronJob jobTemplate, PodTemplate, Argo
// Rollouts, OpenKruise, KEDA ScaledJob, Knative) and the Argo Workflows / Tekton shapes need no per-kind
// paths. Kinds with a rule of their own are in kinds.ts. Any other `image` key is taken only when its value
// parses as a reference (the generic walk). Never searched: `metadata` (labels, annotations), the root
// `status`, and kinds that hold no images (ConfigMap, Secret, CRDs …).
//
// Anchors and aliases: an image reached through an alias (`image: *img`, `<<: *defaults`, `- *sidecar`) is
// reported at the alias use site, the `*name` token, because that is the container that uses it; the
// anchor's own occurrence is reported where it is written when it is itself in an image field.
//
// Runtime images (runtime.ts): a container's `args`, `command` and `env` items are read for the images the
// workload starts later (operator flags, `RELATED_IMAGE_*`), unless `runtime: false`.



const COMPOSE_KEYS = new Set([
    'version',
    'name',
    'services',
    'networks',
    'volumes',
    'configs',
    'secrets',
    'include',
]);
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers', 'sidecars', 'steps']);
const CONTAINER_MAPS = new Set(['container', 'script', 'stepTemplate']);
/** Deep enough for any manifest; guards the walk against alias expansion and pathological nesting. */
const MAX_DEPTH = 256;
/** Expansions of aliases to collections per document ("billion laughs" guard). */
const MAX_ALIAS_EXPANSIONS = 10_000;
/**
 * Nodes the walk may visit per document, aliases expanded. Counting expansions alone lets a few thousand
 * aliases to one large collection cost billions of steps; the document itself is bounded by the parse limit.
 */
const MAX_WALK_NODES = 1_000_000;
const IDENT = /^[A-Za-z_$][\w$-]*$/;
const join = (path, key) => IDENT.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
function start(node) {
    return (0,dist/* isNode */.Ll)(node) && node.range ? node.range[0] : 0;
}
function walkDocument(doc, emit, issue, opts = {}) {
    new Walker(doc, emit, issue, opts.runtime !== false).root();
}
class Walker {
    doc;
    emit;
    issue;
    runtime;
    anchors;
    expansions = 0;
    visited = 0;
    stopped = false;
    names = new WeakMap();
    badAliases = new Set();
    constructor(doc, emit, issue, runtime) {
        this.doc = doc;
        this.emit = emit;
        this.issue = issue;
        this.runtime = runtime;
    }
    root() {
        const contents = this.doc.contents;
        if (contents === null)
            return;
        const [node, site] = this.deref(contents, undefined);
        if ((0,dist/* isMap */.jh)(node)) {
            if (this.isCompose(node))
                this.compose(node, site);
            else
                this.object(node, '', site, 0);
        }
        else if ((0,dist/* isSeq */.oP)(node)) {
            const maps = node.items.filter((item) => (0,dist/* isMap */.jh)(this.deref(item, undefined)[0]));
            if (maps.length === 0 && node.items.length > 0)
                this.issue({
                    level: 'notice',
                    offset: start(node),
                    message: 'document is a list of plain values, not a manifest: nothing taken from it (give extra images as a plain image list, one per line)',
                });
            node.items.forEach((item, i) => {
                const [m, s] = this.deref(item, site);
                if ((0,dist/* isMap */.jh)(m))
                    this.object(m, `[${i}]`, s, 1);
            });
        }
        else if ((0,dist/* isScalar */.jn)(node) && node.value !== null && node.value !== '') {
            this.issue({
                level: 'notice',
                offset: start(node),
                message: 'document is a plain value, not a mapping: nothing taken from it',
            });
        }
    }
    /** A Kubernetes object (or any mapping at the root of a document or in a List). */
    object(map, path, site, depth) {
        const info = this.objectInfo(map);
        if (info.kind?.endsWith('List')) {
            const [items, itemsSite] = this.deref(this.get(map, 'items'), site);
            if ((0,dist/* isSeq */.oP)(items)) {
                const base = join(path, 'items');
                items.items.forEach((item, i) => {
                    const [m, s] = this.deref(item, itemsSite);
                    if ((0,dist/* isMap */.jh)(m))
                        this.object(m, `${base}[${i}]`, s, depth + 1);
                });
                return;
            }
        }
        if (isNonImageKind(info.apiVersion, info.kind))
            return;
        this.map(map, path, 'object-root', undefined, info, site, depth, specRule(info.apiVersion, info.kind));
    }
    objectInfo(map) {
        const info = {};
        const kind = this.string(this.get(map, 'kind'));
        const apiVersion = this.string(this.get(map, 'apiVersion'));
        if (kind !== undefined)
            info.kind = kind;
        if (apiVersion !== undefined)
            info.apiVersion = apiVersion;
        const [metadata] = this.deref(this.get(map, 'metadata'), undefined);
        if ((0,dist/* isMap */.jh)(metadata)) {
            const name = this.string(this.get(metadata, 'name'));
            const namespace = this.string(this.get(metadata, 'namespace'));
            if (name !== undefined)
                info.name = name;
            if (namespace !== undefined)
                info.namespace = namespace;
        }
        return info;
    }
    /** A Compose file: `services` is a mapping and every top-level key is one Compose knows (or `x-…`). */
    isCompose(map) {
        if (!(0,dist/* isMap */.jh)(this.deref(this.get(map, 'services'), undefined)[0]))
            return false;
        return map.items.every((p) => {
            const key = this.keyString(p.key);
            return key !== undefined && (COMPOSE_KEYS.has(key) || key.startsWith('x-'));
        });
    }
    compose(map, site) {
        const [services, servicesSite] = this.deref(this.get(map, 'services'), site);
        if (!(0,dist/* isMap */.jh)(services))
            return;
        for (const e of this.entries(services, servicesSite, 1)) {
            if (e.key === undefined)
                continue;
            const [service, s] = this.deref(e.value, e.site);
            if (!(0,dist/* isMap */.jh)(service))
                continue;
            const path = join('services', e.key);
            for (const f of this.entries(service, s, 2)) {
                if (f.key === 'image')
                    this.candidate(f, join(path, 'image'), true, e.key, {});
            }
        }
    }
    map(map, path, role, owner, object, site, depth, rule) {
        if (this.tooDeep(map, depth))
            return;
        const entries = this.entries(map, site, depth);
        for (const e of entries) {
            const key = e.key;
            if (key === undefined) {
                this.value(e.value, path, 'plain', undefined, object, e.site, depth + 1);
                continue;
            }
            if (key === 'metadata')
                continue;
            if (role === 'object-root' && (key === 'status' || key === 'kind' || key === 'apiVersion'))
                continue;
            const field = join(path, key);
            if (key === 'image') {
                this.image(e, field, role, owner, entries, object, depth);
                continue;
            }
            if (key === 'imageName' && role === 'cnpg-spec') {
                this.candidate(e, field, true, undefined, object);
                continue;
            }
            if (role === 'container' && this.runtime && RUNTIME_KEYS.has(key))
                this.runtimeImages(e, key, field, this.ownName(entries) ?? owner, object, depth);
            let child = 'plain';
            let childOwner;
            if (CONTAINER_LISTS.has(key))
                child = 'container';
            else if (CONTAINER_MAPS.has(key) || (key === 'thanos' && role === 'monitoring-spec')) {
                child = 'container';
                childOwner = this.ownName(entries);
            }
            else if (key === 'volumes')
                child = 'volume';
            else if (role === 'object-root' && key === 'spec' && rule)
                child = rule === 'cnpg-cluster' ? 'cnpg-spec' : 'monitoring-spec';
            this.value(e.value, field, child, childOwner, object, e.site, depth + 1);
        }
    }
    /** An `image` key: a container's image, an image volume, or (anywhere else) a value that may be a reference. */
    image(e, field, role, owner, siblings, object, depth) {
        const [value, site] = this.deref(e.value, e.site);
        if (role === 'volume' && (0,dist/* isMap */.jh)(value)) {
            // Kubernetes image volumes: volumes[].image.reference
            for (const f of this.entries(value, site, depth + 1))
                if (f.key === 'reference')
                    this.candidate(f, join(field, 'reference'), true, undefined, object);
            return;
        }
        const known = role === 'container' || role === 'monitoring-spec';
        if (!known && ((0,dist/* isMap */.jh)(value) || (0,dist/* isSeq */.oP)(value))) {
            // e.g. Helm-style values `image: {repository: …, tag: …}`: not a reference, but may hold one.
            this.value(value, field, 'plain', undefined, object, site, depth + 1);
            return;
        }
        const container = role === 'container' ? (this.ownName(siblings) ?? owner) : this.ownName(siblings);
        this.candidate(e, field, known, role === 'monitoring-spec' ? undefined : container, object);
    }
    /** A container's `args` / `command` (flags) or `env` (literal values of `*_IMAGE*` variables). */
    runtimeImages(e, key, field, container, object, depth) {
        const [list, site] = this.deref(e.value, e.site);
        if (!(0,dist/* isSeq */.oP)(list) || this.tooDeep(list, depth + 1))
            return;
        const emit = (node, nodeSite, path, runtime) => {
            const c = {
                value: node,
                offset: nodeSite ?? start(node),
                field: path,
                known: false,
                object,
                runtime,
            };
            if (container !== undefined)
                c.container = container;
            this.emit(c);
        };
        if (key === 'env') {
            for (const item of list.items) {
                const [m, s] = this.deref(item, site);
                if (!(0,dist/* isMap */.jh)(m))
                    continue;
                let name;
                let value;
                let valueFrom = false;
                for (const f of this.entries(m, s, depth + 2)) {
                    if (f.key === 'name')
                        name = this.string(f.value);
                    else if (f.key === 'value')
                        value = f;
                    else if (f.key === 'valueFrom')
                        valueFrom = true;
                }
                if (name === undefined || value === undefined || valueFrom)
                    continue;
                const [v, vSite] = this.deref(value.value, value.site);
                if (!(0,dist/* isScalar */.jn)(v) || typeof v.value !== 'string')
                    continue;
                const finding = envImage(name, v.value);
                if (finding)
                    emit(v, vSite, `${field}[${name}]`, {
                        via: 'env',
                        name,
                        text: v.value,
                        finding,
                        aliased: vSite !== undefined,
                    });
            }
            return;
        }
        const items = list.items.map((item) => this.deref(item, site));
        const texts = items.map(([n]) => ((0,dist/* isScalar */.jn)(n) && typeof n.value === 'string' ? n.value : undefined));
        for (const f of flagImages(texts)) {
            const [node, nodeSite] = items[f.index];
            emit(node, nodeSite, `${field}[${f.index}]`, {
                via: 'arg',
                name: f.flag,
                text: f.text,
                finding: f.finding,
                aliased: nodeSite !== undefined,
            });
        }
    }
    value(node, path, role, owner, object, site, depth) {
        if (this.stopped || !this.visit(1, node))
            return;
        const [value, s] = this.deref(node, site);
        if ((0,dist/* isMap */.jh)(value)) {
            // An object embedded in another (OpenShift Template objects, Crossplane Object …) is an object of its own.
            if (role === 'plain' &&
                this.string(this.get(value, 'kind')) &&
                this.string(this.get(value, 'apiVersion')))
                this.object(value, path, s, depth);
            else
                this.map(value, path, role, owner, object, s, depth);
        }
        else if ((0,dist/* isSeq */.oP)(value)) {
            if (this.tooDeep(value, depth))
                return;
            value.items.forEach((item, i) => {
                this.value(item, `${path}[${i}]`, role, owner, object, s, depth + 1);
            });
        }
    }
    candidate(e, field, known, container, object) {
        if ((0,dist/* isAlias */.Vj)(e.value) && this.resolve(e.value) === undefined) {
            this.deref(e.value, e.site); // reports it
            return;
        }
        const [value, site] = this.deref(e.value, e.site);
        let offset;
        if (site !== undefined)
            offset = site;
        else if ((0,dist/* isNode */.Ll)(value) && value.range && value.range[1] > value.range[0])
            offset = value.range[0];
        else
            offset = start(e.keyNode);
        const c = { value: (0,dist/* isNode */.Ll)(value) ? value : null, offset, field, known, object };
        if (container !== undefined)
            c.container = container;
        this.emit(c);
    }
    /** Counts `n` more nodes visited; false (and the walk stops) past MAX_WALK_NODES. */
    visit(n, at) {
        this.visited += n;
        if (this.visited <= MAX_WALK_NODES)
            return true;
        if (!this.stopped)
            this.issue({
                level: 'error',
                offset: start(at),
                message: `aliases expand the document to more than ${MAX_WALK_NODES} nodes: the rest of it was not searched`,
            });
        this.stopped = true;
        return false;
    }
    tooDeep(node, depth) {
        if (depth <= MAX_DEPTH)
            return false;
        if (!this.stopped)
            this.issue({
                level: 'error',
                offset: start(node),
                message: `document nests deeper than ${MAX_DEPTH} levels: the rest of it was not searched`,
            });
        this.stopped = true;
        return true;
    }
    /** Entries of a mapping with `<<` merge keys applied: own keys win, then earlier merge sources. */
    entries(map, site, depth) {
        const out = [];
        let merges;
        if (!this.visit(map.items.length, map))
            return out;
        for (const pair of map.items) {
            if ((0,dist/* isScalar */.jn)(pair.key) && typeof pair.key.value === 'symbol') {
                merges ??= [];
                merges.push(pair);
                continue;
            }
            out.push({ key: this.keyString(pair.key), keyNode: pair.key, value: pair.value, site });
        }
        if (!merges || depth > MAX_DEPTH)
            return out;
        const seen = new Set(out.map((e) => e.key));
        for (const pair of merges) {
            const [source, sourceSite] = this.deref(pair.value, site);
            const sources = (0,dist/* isSeq */.oP)(source)
                ? source.items.map((item) => this.deref(item, sourceSite))
                : [[source, sourceSite]];
            for (const [m, s] of sources) {
                if (!(0,dist/* isMap */.jh)(m))
                    continue;
                for (const e of this.entries(m, s, depth + 1)) {
                    if (seen.has(e.key))
                        continue;
                    seen.add(e.key);
                    out.push(e);
                }
            }
        }
        return out;
    }
    /** Resolve an alias; the site of the first alias on the way is kept as the location to report. */
    deref(node, site) {
        if (!(0,dist/* isAlias */.Vj)(node))
            return [node, site];
        const target = this.resolve(node);
        if (target === undefined) {
            if (!this.badAliases.has(start(node))) {
                this.badAliases.add(start(node));
                this.issue({
                    level: 'warning',
                    offset: start(node),
                    message: `alias *${node.source} refers to no anchor defined before it: ignored`,
                });
            }
            return [undefined, site];
        }
        if ((0,dist/* isMap */.jh)(target) || (0,dist/* isSeq */.oP)(target)) {
            if (++this.expansions > MAX_ALIAS_EXPANSIONS) {
                if (this.expansions === MAX_ALIAS_EXPANSIONS + 1)
                    this.issue({
                        level: 'error',
                        offset: start(node),
                        message: `more than ${MAX_ALIAS_EXPANSIONS} alias expansions in one document: the rest was not searched`,
                    });
                this.stopped = true;
                return [undefined, site];
            }
        }
        return [target, site ?? start(node)];
    }
    resolve(alias) {
        if (!this.anchors) {
            const anchors = new Map();
            (0,dist/* visit */.YR)(this.doc, (_key, node) => {
                if ((0,dist/* isNode */.Ll)(node) && !(0,dist/* isAlias */.Vj)(node) && node.anchor) {
                    const list = anchors.get(node.anchor);
                    if (list)
                        list.push(node);
                    else
                        anchors.set(node.anchor, [node]);
                }
            });
            for (const list of anchors.values())
                list.sort((a, b) => start(a) - start(b));
            this.anchors = anchors;
        }
        // The last anchor of that name defined before the alias (binary search: a document may redefine one
        // name thousands of times).
        const list = this.anchors.get(alias.source) ?? [];
        const at = start(alias);
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (start(list[mid]) < at)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo > 0 ? list[lo - 1] : undefined;
    }
    get(map, key) {
        for (const pair of map.items)
            if (this.keyString(pair.key) === key)
                return pair.value;
        return undefined;
    }
    /** The `name` among a mapping's entries; remembered, as every `image` key of the mapping asks. */
    ownName(entries) {
        if (this.names.has(entries))
            return this.names.get(entries);
        let name;
        for (const e of entries)
            if (e.key === 'name') {
                name = this.string(e.value);
                break;
            }
        this.names.set(entries, name);
        return name;
    }
    keyString(key) {
        const [k] = this.deref(key, undefined);
        if (!(0,dist/* isScalar */.jn)(k))
            return undefined;
        const v = k.value;
        return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    }
    string(node) {
        const [n] = this.deref(node, undefined);
        if (!(0,dist/* isScalar */.jn)(n))
            return undefined;
        const v = n.value;
        return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
    }
}

;// CONCATENATED MODULE: ./lib/extract/index.js
// extract(): every image reference in the given files, with where it was found. Reads files one by one,
// cuts YAML streams into documents and parses only the documents that can hold an image (documents.ts), and
// of those only the entries that can (prune.ts); walks them (walk.ts) and classifies each value
// (classify.ts). Container flags and env carry the images a workload starts later (runtime.ts). One bad file
// or document never hides the others; a path that selects nothing is a configuration error (ConfigError),
// raised before anything is read.
















const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;
async function extract(opts, io = nodeIo) {
    const max = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const pacer = new Pacer(opts.signal);
    const ex = new Extractor({ runtime: opts.runtime !== false, pacer });
    const { files, notices, problems } = await resolveInputs(opts, io);
    if (pacer.stopped) {
        ex.notices.push(...notices);
        ex.stop(pacer.stopped, ' while listing the files: nothing was read');
        return ex.result();
    }
    const kept = await withoutReport(files, opts.report, io);
    if ('problem' in kept)
        problems.push(kept.problem);
    if (problems.length)
        throw new errors/* ConfigError */.xL(problems);
    ex.notices.push(...notices);
    if ('notice' in kept)
        ex.notices.push(kept.notice);
    const reads = new ReadAhead(files, (f, now) => f.abs === undefined ? Promise.resolve({ later: true }) : readInput(f.abs, max, io, now));
    for (let i = 0; i < files.length; i++) {
        const f = files[i];
        if (!(await pacer.pause())) {
            ex.stop(pacer.stopped ?? 'cancelled', `: ${notRead(files.slice(i).map((n) => n.file), files.length)}`);
            break;
        }
        let whole;
        if (f.file === '-' || f.abs === undefined) {
            const text = opts.stdin ?? '';
            const size = Buffer.byteLength(text);
            const tooBig = overLimit('stdin', size, max);
            if (tooBig) {
                ex.notice('error', '-', tooBig);
                continue;
            }
            ex.files++;
            ex.bytes += size;
            whole = await ex.addTextPaced(text, '-');
            if (whole)
                ex.read.push('-');
        }
        else {
            const loaded = await reads.take(i);
            if (!('buf' in loaded)) {
                if ('problem' in loaded)
                    ex.notice(loaded.problem.level, f.file, loaded.problem.message);
                continue;
            }
            const buf = loaded.buf;
            ex.files++;
            ex.bytes += buf.length;
            const decoded = decode(buf);
            if ('problem' in decoded) {
                ex.notice(decoded.problem.level, f.file, decoded.problem.message);
                continue;
            }
            // Positions and spans index the decoded text; a rewrite writes UTF-8 only, so not into this file.
            const unwritable = decoded.encoding === 'UTF-8'
                ? undefined
                : `the file is ${decoded.encoding} encoded (rewrites are written in UTF-8 only)`;
            whole = await ex.addTextPaced(decoded.text, f.file, unwritable);
            // Only whole files are handed on (a rewrite must not treat a cut file as done).
            if (whole)
                ex.read.push(f.file);
        }
        if (!whole && ex.cut) {
            const rest = files.slice(i + 1).map((n) => n.file);
            const left = `document ${ex.cut.document} at line ${ex.cut.line} and after not read`;
            ex.stop(pacer.stopped ?? 'cancelled', ` while reading ${f.file} (${left})${rest.length ? `; ${notRead(rest, files.length)}` : ''}`);
            break;
        }
    }
    ex.addImagesInput(opts.images ?? []);
    return ex.result();
}
/**
 * The inputs without the report file. The report of an earlier run holds no manifest and is left out
 * (a notice says so); any other input at the report's path is a configuration problem: the run would
 * write over a manifest it reads.
 */
async function withoutReport(files, report, io) {
    if (report === undefined)
        return {};
    const real = await io.realpath(report).catch(() => undefined);
    const i = real === undefined ? -1 : files.findIndex((f) => f.abs === real);
    const input = files[i];
    if (!input || real === undefined)
        return {};
    const head = await io
        .readFile(real)
        .then((b) => b.subarray(0, 512).toString('utf8'))
        .catch(() => '');
    if (EARLIER_REPORT.test(head)) {
        files.splice(i, 1);
        return {
            notice: {
                level: 'notice',
                file: input.file,
                message: 'the JSON report of an earlier run (the report input): not read as a manifest',
            },
        };
    }
    return {
        problem: `report: "${report}" is ${input.file}, one of the files this run reads; write the report elsewhere (e.g. outside the workspace)`,
    };
}
const EARLIER_REPORT = /^\{\s*"schemaVersion":\s*\d+,\s*"tool":\s*\{\s*"name":\s*"zot-warm"/;
/** "3 of 50000 files not read: a.yaml, b.yaml, c.yaml" (the first few named). */
function notRead(rest, total) {
    const shown = rest.slice(0, NOT_READ_SHOWN).join(', ');
    const more = rest.length > NOT_READ_SHOWN ? ` and ${rest.length - NOT_READ_SHOWN} more` : '';
    return `${rest.length} of ${total} ${total === 1 ? 'file' : 'files'} not read: ${shown}${more}`;
}
const NOT_READ_SHOWN = 10;
// uniqueKeys off: the library's check is quadratic in the size of a mapping; keys.ts finds duplicates.
const YAML_OPTIONS = { prettyErrors: false, merge: true, uniqueKeys: false, logLevel: 'silent' };
/** Duplicate keys named per document; more would only repeat the same advice. */
const DUPLICATES_SHOWN = 3;
/** Image list entries classified between two looks at the pace. */
const LIST_ENTRIES_PER_PAUSE = 4096;
/** Order key: files in the order read, then position in the file. */
const orderOf = (seq, offset) => seq * 2 ** 32 + offset;
/** Collects findings across files; exported for tests that feed text directly. */
class Extractor {
    options;
    notices = [];
    files = 0;
    bytes = 0;
    read = [];
    /** Why extraction stopped before reading everything (signal, timeout). */
    stopped;
    /** Where the file being read when the run stopped was left: its first document not read. */
    cut;
    pacer;
    /** Why the text of the file being read cannot be replaced in place, whatever its spans say. */
    unwritable;
    found = new Map();
    seq = 0;
    /**
     * `runtime: false`: container flags and env are not read (see ExtractOptions). `pacer`: when extract()
     * drives it, the pace of the run (turns for the event loop, when to stop).
     */
    constructor(options = {}) {
        this.options = options;
        this.pacer = options.pacer ?? new Pacer();
    }
    /** Records that the run stopped, as an error (input was not read): `detail` says what was left. */
    stop(reason, detail) {
        this.stopped = reason;
        this.notice('error', '.', `scan stopped (${reason})${detail}`);
    }
    notice(level, file, message, at) {
        const n = { level, file, message };
        if (at) {
            n.line = at.line;
            n.column = at.column;
        }
        this.notices.push(n);
    }
    /**
     * One file's text (format detected by content, with the name's extension as a tie-breaker).
     * `prescan: false` parses every document (the slow path the fast one is tested against).
     */
    addText(text, file, opts = {}) {
        for (const _ of this.readText(text, file, opts)) {
            // no pauses: the caller waits for the whole file
        }
    }
    /**
     * addText for extract(): gives the event loop a turn between documents (and list chunks) and stops when
     * the run must; then `cut` says where. False when stopped.
     */
    async addTextPaced(text, file, unwritable) {
        let first = true;
        this.unwritable = unwritable;
        try {
            for (const at of this.readText(text, file, {})) {
                // The caller looked at the pace just before this file: its first document is always read.
                if (first)
                    first = false;
                else if (!(await this.pacer.pause())) {
                    this.cut = { file, ...at };
                    return false;
                }
            }
            return true;
        }
        finally {
            this.unwritable = undefined;
        }
    }
    /** Reads one file; yields before each document (list chunk) with where it starts. */
    *readText(text, file, opts) {
        const seq = this.seq++;
        // Positions are those of the text after a byte order mark; spans count it (they index the file's text).
        const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
        const body = bom ? text.slice(1) : text;
        if (!/\S/.test(body)) {
            this.notice('notice', file, 'file is empty: nothing to extract');
            return;
        }
        const detected = detectFormat(body, file);
        if (detected.format === 'image-sync' && this.addImageSync(body, bom, file, seq))
            return;
        if (detected.format === 'list') {
            const lines = new LineIndex(body);
            const entries = parseImageList(body);
            for (let i = 0; i < entries.length; i++) {
                const e = entries[i];
                if (i % LIST_ENTRIES_PER_PAUSE === 0)
                    yield { document: 0, line: e.line };
                const finding = classifyText(e.raw, true);
                if (!finding)
                    continue;
                const start = lines.lineStart(e.line - 1) + e.column - 1;
                const span = { start: bom + start, end: bom + start + e.raw.length };
                this.add(finding, { file, line: e.line, column: e.column, span }, orderOf(seq, start));
            }
            return;
        }
        yield* new StreamReader(this, body, bom, file, seq, detected.format === 'json', detected.jsonError, opts).read();
    }
    /** An image-sync configuration; false when the text is not one after all (then read as YAML). */
    addImageSync(text, bom, file, seq) {
        const read = readImageSync(text);
        if (!read)
            return false;
        const lines = new LineIndex(text);
        for (const issue of read.issues)
            this.notice('warning', file, issue.message, lines.position(issue.offset));
        for (const e of read.entries) {
            const finding = e.problem
                ? { status: 'invalid', key: e.raw, raw: e.raw, reason: e.problem }
                : classifyText(e.raw, true);
            if (!finding)
                continue;
            const source = { file, ...lines.position(e.offset), field: e.field };
            if (e.span)
                source.span = { start: bom + e.span.start, end: bom + e.span.end };
            else if (e.unwritable)
                source.unwritable = e.unwritable;
            this.add(finding, source, orderOf(seq, e.offset));
        }
        return true;
    }
    addImagesInput(images) {
        const seq = this.seq++;
        images.forEach((text, i) => {
            const entry = listLine(text);
            if (!entry)
                return;
            const finding = classifyText(entry.raw, true);
            if (finding)
                this.add(finding, { file: model/* IMAGES_INPUT_FILE */.TM, line: i + 1, column: entry.column }, orderOf(seq, i));
        });
    }
    add(finding, source, order) {
        if (this.unwritable !== undefined && source.file !== model/* IMAGES_INPUT_FILE */.TM) {
            delete source.span;
            delete source.aliasOf;
            source.unwritable = this.unwritable;
        }
        const id = `${finding.status}\u0000${finding.key}`;
        const entry = this.found.get(id);
        if (entry) {
            entry.sources.push({ source, order });
            if (order < entry.first)
                entry.first = order;
        }
        else
            this.found.set(id, { finding, first: order, sources: [{ source, order }] });
    }
    result() {
        const images = [...this.found.values()]
            .sort((a, b) => a.first - b.first)
            .map(({ finding, sources }) => {
            const img = {
                key: finding.key,
                raw: finding.raw,
                status: finding.status,
                sources: sources.sort((a, b) => a.order - b.order).map((s) => s.source),
            };
            if (finding.reference)
                img.reference = finding.reference;
            if (finding.reason !== undefined)
                img.reason = finding.reason;
            return img;
        });
        return {
            images,
            notices: this.notices,
            files: this.files,
            bytes: this.bytes,
            read: this.read,
            ...(this.stopped !== undefined ? { stopped: this.stopped } : {}),
        };
    }
}
/** One YAML stream or JSON file. */
class StreamReader {
    ex;
    text;
    bom;
    file;
    seq;
    json;
    jsonError;
    opts;
    lines;
    templated;
    constructor(ex, text, 
    /** 1 when the file starts with a byte order mark `text` leaves out: added to every span. */
    bom, file, seq, json, jsonError, opts) {
        this.ex = ex;
        this.text = text;
        this.bom = bom;
        this.file = file;
        this.seq = seq;
        this.json = json;
        this.jsonError = jsonError;
        this.opts = opts;
        this.lines = new LineIndex(text);
        this.templated = text.includes('{{');
    }
    *read() {
        const { text } = this;
        const slices = this.json
            ? [{ start: 0, end: text.length, marker: false }]
            : splitDocuments(text);
        const prescan = this.opts.prescan !== false ? new Prescanner(text) : undefined;
        let index = 0;
        for (const slice of slices) {
            yield { document: index, line: this.at(slice.start).line };
            if (prescan && prescan.check(slice) !== 'parse') {
                if (holdsDocument(text, slice))
                    index++;
                continue;
            }
            // Inside a document, drop entries that cannot hold an image (prune.ts); positions map back exactly.
            const pruned = !prescan
                ? undefined
                : this.json
                    ? this.jsonError === undefined
                        ? pruneJson(text, this.opts.minGain)
                        : undefined
                    : pruneDocument(text, slice.start, slice.end, this.opts.minGain);
            const parsed = pruned
                ? { source: pruned.text, toAbsolute: pruned.toOriginal }
                : { source: text.slice(slice.start, slice.end), toAbsolute: (o) => slice.start + o };
            // Memory is bounded per parse: a document with too many nodes is named and skipped, never parsed.
            if (!withinParseBound(parsed.source)) {
                this.ex.notice('error', this.file, this.json
                    ? `too large to search: more than ${MAX_PARSE_NODES} JSON values (the bound keeps memory in check); file skipped — split it, or exclude it with \`!path\` if it holds no images`
                    : `document ${index} is too large to search: more than ${MAX_PARSE_NODES} YAML nodes (the bound keeps memory in check); document skipped, the others were read — split it, or exclude the file with \`!path\` if it holds no images`, this.at(slice.start));
                if (holdsDocument(text, slice))
                    index++;
                continue;
            }
            let docs;
            try {
                docs = [...new dist/* Composer */.Dk(YAML_OPTIONS).compose(new dist/* Parser */.iX().parse(parsed.source))];
            }
            catch (err) {
                // The parser reports its own failures as errors; this is a last resort (e.g. stack exhaustion).
                this.ex.notice(this.level(), this.file, `cannot parse: ${err.message}; document skipped`, this.at(slice.start));
                if (holdsDocument(text, slice))
                    index++;
                continue;
            }
            for (const doc of docs)
                this.document(doc, slice, parsed, index++);
        }
        if (index === 0)
            this.ex.notice('notice', this.file, 'no YAML document in the file (only comments): nothing to extract');
    }
    /** Not a .yaml/.yml/.json file, not an image list: only a real YAML structure is worth reading. */
    get foreign() {
        return !this.json && !isManifestExtension(extensionOf(this.file)) && this.file !== '-';
    }
    notForeign(doc) {
        if (!this.foreign || (doc.errors.length === 0 && !(0,dist/* isScalar */.jn)(doc.contents)))
            return true;
        const first = doc.errors[0];
        this.ex.notice('warning', this.file, `not a YAML or JSON manifest, Compose file or image list${first ? ` (YAML parser: ${first.message})` : ''}: skipped`);
        return false;
    }
    /** Invalid YAML is an error, except in a file that still holds templating (an unrendered chart). */
    level() {
        return this.templated ? 'warning' : 'error';
    }
    at(offset) {
        return this.lines.position(offset);
    }
    document(doc, slice, parsed, index) {
        if (!this.notForeign(doc))
            return;
        if (doc.errors.length > 0) {
            this.parseError(doc.errors, parsed, index);
            return;
        }
        if (this.jsonError !== undefined)
            this.ex.notice('warning', this.file, `not valid JSON (${jsonProblem(this.jsonError).message}): read as YAML`);
        for (const offset of duplicateKeys(doc, DUPLICATES_SHOWN)) {
            const key = keyAt(parsed.source, offset);
            this.ex.notice('warning', this.file, `duplicate key${key ? ` "${key}"` : ''}: Kubernetes rejects duplicate keys; both values were searched`, this.at(parsed.toAbsolute(offset)));
        }
        let chartSource = null;
        walkDocument(doc, (c) => {
            const finding = c.runtime ? c.runtime.finding : classifyNode(c.value, c.known, parsed.source);
            if (!finding)
                return;
            if (chartSource === null)
                chartSource = chartSourceOf(this.text, slice);
            if (c.runtime) {
                this.runtimeSource(c, parsed, index, chartSource);
                return;
            }
            const offset = parsed.toAbsolute(c.offset);
            const source = this.source(c, offset, index, chartSource);
            if ((0,dist/* isScalar */.jn)(c.value) && typeof c.value.value === 'string')
                this.place(source, c, c.value, parsed);
            this.ex.add(finding, source, orderOf(this.seq, offset));
        }, (issue) => this.ex.notice(issue.level, this.file, `${issue.message}${this.json ? '' : ` (document ${index})`}`, this.at(parsed.toAbsolute(issue.offset))), { runtime: this.ex.options.runtime !== false });
    }
    /**
     * A runtime image, at the reference's own first character (also inside `--flag=REF`), with its span or
     * why it has none; reached through an alias, the anchored text's span goes into `aliasOf` (as in place()).
     */
    runtimeSource(c, parsed, index, chartSource) {
        const rt = c.runtime;
        if (!rt || !(0,dist/* isScalar */.jn)(c.value))
            return;
        const at = locateTail(c.value, rt.text, parsed.source);
        const alias = rt.aliased ? aliasAt(parsed.source, c.offset) : undefined;
        const offset = parsed.toAbsolute(rt.aliased ? c.offset : at.offset);
        const s = this.source(c, offset, index, chartSource);
        s.runtime = rt.via;
        s.runtimeName = rt.name;
        if (rt.aliased)
            s.unwritable = `reached through the alias${alias === undefined ? '' : ` *${alias}`}`;
        const own = at.end === undefined ? { why: at.why } : { start: at.offset, end: at.end };
        this.setSpan(s, own, rt.text, rt.aliased, parsed);
        this.ex.add(rt.finding, s, orderOf(this.seq, offset));
    }
    source(c, offset, index, chartSource) {
        const pos = this.at(offset);
        const s = { file: this.file, line: pos.line, column: pos.column, document: index };
        const o = c.object;
        if (o.kind !== undefined)
            s.kind = o.kind;
        if (o.namespace !== undefined)
            s.namespace = o.namespace;
        if (o.name !== undefined)
            s.name = o.name;
        if (c.container !== undefined)
            s.container = c.container;
        s.field = c.field;
        if (chartSource !== undefined)
            s.chartSource = chartSource;
        return s;
    }
    /**
     * Where the reference's own text is (Source.span), or why it cannot be replaced in place. Reached through
     * an alias, the anchored text's span goes into `aliasOf` instead: the text is shared with the anchor.
     */
    place(s, c, node, parsed) {
        const own = scalarSpan(node, parsed.source);
        const alias = node.range && c.offset !== node.range[0] ? aliasAt(parsed.source, c.offset) : undefined;
        if (alias !== undefined)
            s.unwritable = `reached through the alias *${alias}`;
        this.setSpan(s, own, String(node.value), alias !== undefined, parsed);
    }
    /**
     * Records where `text` stands (`own`: offsets in the parsed text, or why it has no place of its own): as the
     * source's span, or as `aliasOf` when it was reached through an alias (whose reason is already set).
     */
    setSpan(s, own, text, aliased, parsed) {
        if ('why' in own) {
            if (!aliased)
                s.unwritable = own.why;
            return;
        }
        // Pruning drops whole lines, so a text on one line maps back by its start alone.
        const start = parsed.toAbsolute(own.start);
        const end = start + own.end - own.start;
        if (this.text.slice(start, end) !== text) {
            s.unwritable = 'internal: the text at its position is not its value';
            return;
        }
        const span = { start: this.bom + start, end: this.bom + end };
        if (aliased)
            s.aliasOf = span;
        else
            s.span = span;
    }
    parseError(errors, parsed, index) {
        const first = errors[0];
        const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : '';
        const skipped = this.json ? 'file skipped' : `document ${index} skipped, the others were read`;
        if (this.json) {
            const problem = jsonProblem(this.jsonError ?? first.message);
            const at = this.at(problem.position ?? parsed.toAbsolute(first.pos[0]));
            this.ex.notice(this.level(), this.file, `invalid JSON: ${problem.message}; ${skipped}`, at);
            return;
        }
        let hint = '';
        if (first.code === 'TAB_AS_INDENT')
            hint = ' (indent with spaces: YAML does not allow tabs for indentation)';
        else if (first.code === 'RESOURCE_EXHAUSTION')
            hint = ' (the document nests too deeply to parse)';
        if (this.templated)
            hint +=
                ' — this looks like an unrendered template: render it first (e.g. `helm template`) and scan the output, or exclude it with `!path`';
        this.ex.notice(this.level(), this.file, `invalid YAML: ${first.message}${hint}${more}; ${skipped}`, this.at(parsed.toAbsolute(first.pos[0])));
    }
}
/** The name of the alias written at `offset` (`*name`), if one is. */
function aliasAt(source, offset) {
    return source.charCodeAt(offset) === 42
        ? /^\*([^\s,[\]{}]+)/.exec(source.slice(offset, offset + 300))?.[1]
        : undefined;
}
/** JSON.parse messages differ between Node versions; keep the words, take the position as an offset. */
function jsonProblem(message) {
    const m = /^(.*?)(?: in JSON)? at position (\d+)/s.exec(message);
    if (m?.[1] && m[2])
        return { message: m[1], position: Number(m[2]) };
    const token = /^(Unexpected token .+?), (?:\.\.\.)?".*" is not valid JSON$/s.exec(message);
    if (token?.[1])
        return { message: token[1] };
    return { message: message.length > 200 ? `${message.slice(0, 200)}…` : message };
}


// EXTERNAL MODULE: ./lib/plan/plan.js
var plan_plan = __webpack_require__(9164);
;// CONCATENATED MODULE: ./lib/pipeline.js
// extract → plan → preflight → warm, shared by the action and the CLI. It talks to the world only through
// the Logger it is given, and returns a RunResult that accounts for every reference found, whatever happened
// (hard failure, cancellation, overall timeout).








async function runPipeline(config, opts) {
    const { logger } = opts;
    checkRewriteStreams(config, opts);
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    // The caller's signal (a signal, the overall timeout: the run shell), with its reason as a string.
    const controller = new AbortController();
    const onAbort = () => controller.abort(reasonOf(opts.signal?.reason, 'cancelled'));
    if (opts.signal?.aborted)
        onAbort();
    else
        opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
        if (config.configFile)
            logger.info(`Configuration file: ${config.configFile}`);
        const extraction = await logger.group('Find image references', async () => {
            const ex = await extract({
                workspace: config.workspace,
                paths: config.paths,
                ...(config.scan === false ? { scan: false } : {}),
                images: config.images,
                runtime: config.runtimeImages,
                ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
                signal: controller.signal,
                ...(config.report && config.report !== '-' ? { report: config.report } : {}),
            }).catch((err) => {
                // A path that selects nothing: said at its line when `paths` came from the configuration file.
                throw err instanceof errors/* ConfigError */.xL ? configError(err.problems, config.fromFile) : err;
            });
            const by = (s) => ex.images.filter((i) => i.status === s).length;
            logger.info(`${(0,words/* plural */.L)(ex.images.length, 'distinct reference')} in ${(0,words/* plural */.L)(ex.files, 'file')} (${ex.bytes} bytes): ` +
                `${by('ok')} valid, ${by('invalid')} invalid, ${by('unresolved')} unresolved`);
            for (const n of ex.notices) {
                const line = `${(0,format/* locationLabel */.GE)(n)}: ${(0,report_escape/* oneLine */.TN)(n.message, 1000)}`;
                if (n.level === 'notice')
                    logger.info(line);
                else
                    logger.warning(line);
            }
            for (const img of ex.images) {
                if (img.status !== 'ok') {
                    const s = img.sources[0];
                    logger.warning(`${s ? `${(0,format/* locationLabel */.GE)(s)}: ` : ''}${img.status} reference "${(0,report_escape/* literal */.eu)(img.raw, 200)}": ${(0,report_escape/* oneLine */.TN)(img.reason ?? '', 1000)}`);
                }
            }
            return ex;
        });
        const valid = extraction.images.filter((i) => i.status === 'ok');
        const zotHost = config.zotUrl ? new URL(config.zotUrl).host : undefined;
        const plan = await logger.group('Map images to Zot', async () => {
            const p = (0,plan_plan/* planImages */.y)(valid, config.registryMap, {
                ...(zotHost ? { zotHost } : {}),
                ...(config.rewrite?.pullHost ? { pullHost: config.rewrite.pullHost } : {}),
            });
            for (const img of p.images)
                logger.info(`${img.reference} → ${(0,plan_plan/* zotReference */.j)(img)}`);
            if (p.unmapped.length) {
                const registries = [...new Set(p.unmapped.map((u) => u.reference?.domain ?? '?'))];
                const what = `${(0,words/* plural */.L)(p.unmapped.length, 'image')} from ${registries.join(', ')}: registry not in registry-map`;
                logger.warning(config.unmapped === 'fail' ? `${what} (unmapped: fail)` : `${what}, skipped`);
            }
            return p;
        });
        // Loaded only when the run talks to Zot: plan mode never loads the HTTP client or the engine (start-up).
        const { zot, hardFailure, warmed, stored } = config.mode !== 'plan' && config.zotUrl && !controller.signal.aborted
            ? await (await __webpack_require__.e(/* import() */ 536).then(__webpack_require__.bind(__webpack_require__, 7536))).zotStage(config, config.zotUrl, plan.images, controller.signal, opts)
            : {};
        const results = assemble(extraction.images, plan.images, plan.unmapped, warmed, config);
        const cancelled = controller.signal.aborted ? reasonOf(controller.signal.reason, 'cancelled') : undefined;
        const run = {
            mode: config.mode,
            strict: config.strict,
            failOnUnresolved: config.failOnUnresolved,
            unmapped: config.unmapped,
            ...(config.zotUrl ? { zotUrl: config.zotUrl } : {}),
            ...(zot ? { zot } : {}),
            results,
            notices: extraction.notices,
            files: extraction.files,
            bytes: extraction.bytes,
            startedAt,
            durationMs: Date.now() - started,
            ...(hardFailure ? { hardFailure } : {}),
            ...(cancelled && (extraction.stopped || results.some((r) => r.status === 'not-attempted'))
                ? { cancelled }
                : {}),
        };
        if (config.rewrite) {
            const rewrite = config.rewrite;
            // A failed run hands no manifests on: a pipe into `kubectl apply` then receives nothing at all.
            const outcome = (0,report_outcome/* decideOutcome */.dl)(run);
            // Loaded here only, like the Zot stages: most runs do not rewrite.
            const { rewriteManifests } = await __webpack_require__.e(/* import() */ 401).then(__webpack_require__.bind(__webpack_require__, 9401));
            run.rewrite = await logger.group('Rewrite manifests', () => rewriteManifests({
                mode: rewrite.mode,
                pullHost: rewrite.pullHost,
                output: rewrite.output,
                workspace: config.workspace,
            }, {
                results,
                planned: plan.images,
                read: extraction.read,
                ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
                ...(stored ? { stored } : {}),
                ...(outcome.exitCode !== 0 ? { hold: `the run failed (${outcome.reason})` } : {}),
                strict: config.strict,
                ...(opts.stdout ? { stdout: opts.stdout } : {}),
                log: (level, line) => (level === 'info' ? logger.info(line) : logger.warning(line)),
            }));
            run.durationMs = Date.now() - started;
        }
        return run;
    }
    finally {
        opts.signal?.removeEventListener('abort', onAbort);
    }
}
/** One result per extracted reference, in extraction order. */
function assemble(found, planned, unmapped, warmed, config) {
    const byReference = new Map();
    planned.forEach((p, i) => {
        const r = warmed?.[i];
        byReference.set(p.reference, r ?? {
            reference: p.reference,
            status: 'not-attempted',
            zotReference: (0,plan_plan/* zotReference */.j)(p),
            attempts: 0,
            durationMs: 0,
            warnings: [],
            sources: p.sources,
        });
    });
    const unmappedKeys = new Set(unmapped.map((u) => u.key));
    return found.map((f) => {
        const base = { attempts: 0, durationMs: 0, warnings: [], sources: f.sources };
        if (f.status !== 'ok') {
            const reference = (0,report_escape/* clip */.$Q)(f.raw, format/* MAX_REFERENCE_TEXT */.p9);
            return { ...base, reference, status: f.status, ...(f.reason ? { error: (0,report_escape/* clip */.$Q)(f.reason, 2000) } : {}) };
        }
        if (unmappedKeys.has(f.key)) {
            const registry = f.reference?.domain ?? 'its registry';
            return config.unmapped === 'fail'
                ? {
                    ...base,
                    reference: f.key,
                    status: 'failed',
                    error: `registry ${registry} is not in registry-map`,
                    diagnosis: `Add "${registry}: <prefix>" to registry-map (the destination of the Zot sync content entry for ${registry}), or set unmapped: skip.`,
                }
                : {
                    ...base,
                    reference: f.key,
                    status: 'skipped-unmapped',
                    diagnosis: `registry ${registry} is not in registry-map`,
                };
        }
        const r = byReference.get(f.key);
        if (r)
            return r;
        // The planner and the extractor disagree on a key: say so rather than drop the image.
        return { ...base, reference: f.key, status: 'failed', error: 'internal: image missing from the plan' };
    });
}
/** `rewrite-output: -` prints what was read from stdin, and only that; a directory never receives stdin. */
function checkRewriteStreams(config, opts) {
    const output = config.rewrite?.output;
    if (output === undefined)
        return;
    if (output === '-') {
        if (opts.stdin === undefined || config.paths.length || !opts.stdout)
            throw configError([
                'rewrite-output: - prints the rewritten manifests read from stdin: read them from - only (e.g. `helm template … | zot-warm --rewrite zot --rewrite-output - -`), or give a directory.',
            ], config.fromFile);
    }
    else if (opts.stdin !== undefined)
        throw configError([
            'rewrite-output: manifests read from - (stdin) are printed only with rewrite-output -; give the files as paths to write them into a directory.',
        ], config.fromFile);
}
function reasonOf(reason, fallback) {
    if (typeof reason === 'string')
        return reason;
    if (reason instanceof Error && reason.name !== 'AbortError')
        return (0,errors/* describeError */.Uc)(reason);
    return fallback;
}

;// CONCATENATED MODULE: ./lib/shell.js
// The run shell, shared by the action (main.ts) and the CLI (cli.ts): read the configuration through the
// entry point, run the pipeline until it ends, a signal stops it or the overall timeout does, redact, decide
// the outcome, write the report file, and hand everything to the entry point's publish step. An entry point
// keeps only what is its own: where the configuration comes from (the runner's inputs; flags, environment
// and file) and how the result is shown (the runner's log, summary, outputs and annotations; the terminal).








/** Runs one entry point from configuration to exit code. Never throws. */
async function runShell(entry) {
    try {
        const input = await entry.configure();
        const stopped = await runUntilStopped(input, entry);
        const run = redactDeep(stopped.run, entry.secrets);
        const outcome = (0,report_outcome/* decideOutcome */.dl)(run);
        const report = buildReport(run, outcome);
        const reportFile = writeReportFile(input.config.report, report);
        return await entry.publish({
            config: input.config,
            run,
            outcome,
            report,
            ...(reportFile ? { reportFile } : {}),
            ...(stopped.signal ? { signal: stopped.signal } : {}),
        });
    }
    catch (err) {
        // Configuration problems come from reading the configuration, or from extraction (a path that selects
        // nothing): the same message either way.
        if (err instanceof errors/* ConfigError */.xL)
            await entry.configProblems(err.problems.map((p) => redact(p, entry.secrets)), err.places);
        else
            await entry.internalError(err);
        return report_outcome/* EXIT_HARD */.bQ;
    }
}
/** The pipeline, stopped by the first SIGINT/SIGTERM or by the overall timeout. */
async function runUntilStopped(input, entry) {
    const controller = new AbortController();
    let signalled;
    const onSignal = (signal) => {
        // A second signal means "now": the runner follows SIGINT with SIGTERM/SIGKILL after a few seconds.
        if (signalled)
            process.exit(report_outcome/* EXIT_HARD */.bQ);
        signalled = signal;
        entry.stopping(`Received ${signal}: stopping; unfinished images are reported as not attempted.`);
        controller.abort(`cancelled by ${signal}`);
    };
    const { timeoutMs } = input.config;
    const timer = timeoutMs !== undefined
        ? setTimeout(() => controller.abort(`overall timeout of ${(0,inputs_duration/* formatDuration */.a3)(timeoutMs)} reached`), timeoutMs)
        : undefined;
    timer?.unref();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
        const run = await runPipeline(input.config, {
            logger: entry.logger,
            signal: controller.signal,
            userAgent: entry.userAgent,
            ...(input.stdin !== undefined ? { stdin: input.stdin } : {}),
            ...(input.stdout ? { stdout: input.stdout } : {}),
        });
        return signalled ? { run, signal: signalled } : { run };
    }
    finally {
        clearTimeout(timer);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
    }
}
function writeReportFile(path, report) {
    if (!path || path === '-')
        return undefined;
    try {
        (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(path), { recursive: true });
        (0,external_node_fs_.writeFileSync)(path, reportJson(report));
        return { path };
    }
    catch (err) {
        return { path, error: (0,errors/* describeError */.Uc)(err) };
    }
}
/**
 * The bundles' last step. Everything is written by now; should a handle outlive the run (a socket not yet
 * closed), the process does not keep the job or the terminal waiting for it.
 */
function exitWhenDone(code) {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
}

;// CONCATENATED MODULE: ./lib/main.js
// The action's own part of a run: its configuration comes from the runner's inputs, and the result goes to
// the runner (log table, job summary, outputs, annotations, the step's conclusion). The run itself is the
// shell's (shell.ts). The only file that imports @actions/core.



















/** The bundle's last step (src/index.ts). */

const YELLOW = '\u001b[33m';
const RESET = '\u001b[0m';
/** What the action's requests (to Zot and to the forge's API) say they come from. */
const userAgentOf = (forge) => `zot-warm/${TOOL_VERSION} (${forge} action)`;
/** Runs the action; returns the exit code (also set on process.exitCode). Never throws. */
async function run(env = process.env) {
    const secrets = [];
    const runner = runnerSinks(secrets, env);
    const forge = (0,links/* detectForge */.Jk)(env);
    const code = await runShell({
        secrets,
        logger: runner.logger,
        userAgent: userAgentOf(forge),
        configure: () => ({ config: readInputs(env, secrets) }),
        stopping: runner.yellow,
        configProblems: (problems, places) => showConfigProblems(problems, places, env.GITHUB_WORKSPACE || process.cwd(), runner),
        internalError: (err) => {
            // e.g. a runner without a GITHUB_OUTPUT file: one line, not a stack trace.
            runner.logger.debug(err?.stack ?? String(err));
            runner.annotate('error', `zot-warm: internal error: ${(0,errors/* describeError */.Uc)(err)}`);
        },
        publish: (finished) => publish(finished, env, forge, runner),
    });
    process.exitCode = code;
    return code;
}
/**
 * What the action writes to the runner, each through one writer that redacts the secrets and escapes for
 * where it goes: a file name or a value from the pull request can hold line breaks, `::error …::` or escape
 * sequences, and must never become a workflow command, an annotation elsewhere or a mask.
 */
function runnerSinks(secrets, env) {
    const clean = (text) => redact(text, secrets);
    const info = (text) => core/* info */.pq((0,report_escape/* logText */.kc)(clean(text)));
    // Coloured after escaping, so that our colours survive and nobody else's get through.
    const yellow = (text) => core/* info */.pq(`${YELLOW}${(0,report_escape/* logText */.kc)(clean(text))}${RESET}`);
    const logger = {
        info,
        // Not core.warning: annotations are few per step and reserved for the images (see annotations.ts).
        warning: (m) => yellow(`Warning: ${m}`),
        debug: (m) => core/* debug */.Yz((0,report_escape/* logText */.kc)(clean(m))),
        group: (name, fn) => core/* group */.Os((0,report_escape/* logLine */.BP)(clean(name)), fn),
        progress: info,
    };
    const annotate = (level, message, props = {}) => {
        const safe = { ...props };
        if (props.title !== undefined)
            safe.title = (0,report_escape/* logLine */.BP)(clean(props.title));
        // planAnnotations never points at a path that needs escaping; should one come, name it instead.
        if (props.file !== undefined && !(0,report_escape/* isPlain */.$i)(props.file)) {
            delete safe.file;
            delete safe.startLine;
            delete safe.startColumn;
            message = `${message} (in ${props.file})`;
        }
        const text = (0,report_escape/* logLine */.BP)(clean(message));
        if (level === 'error')
            core/* error */.z3(text, safe);
        else if (level === 'warning')
            core/* warning */.$e(text, safe);
        else
            core/* notice */.lm(text, safe);
    };
    const output = (name, value) => core/* setOutput */.uH(name, (0,report_escape/* printable */.g$)(clean(value)));
    /**
     * Appends to the job summary file, when the runner names one (what core.summary does, but from the env
     * this run was given: core reads process.env, once).
     */
    const summary = async (markup) => {
        if (env.GITHUB_STEP_SUMMARY)
            await (0,promises_.appendFile)(env.GITHUB_STEP_SUMMARY, `${markup}${external_node_os_.EOL}`);
    };
    return { logger, yellow, annotate, output, summary };
}
/** The configuration from the action's inputs; every secret masked the moment it is read. */
function readInputs(env, secrets) {
    const mask = (value) => {
        if (!value || secrets.includes(value))
            return;
        secrets.push(value);
        core/* setSecret */.Pq(value);
    };
    const getInput = (name) => {
        const value = core/* getInput */.V4(name);
        if (SECRET_INPUTS.has(name) && value) {
            mask(value);
            for (const line of value.split(/\r?\n/))
                if (line.trim().length >= 8)
                    mask(line.trim());
        }
        return value;
    };
    // Derived forms (the basic-auth value and header, PEM key lines) are masked the moment they exist.
    return parseConfig(getInput, {
        workspace: env.GITHUB_WORKSPACE || process.cwd(),
        ...(env.RUNNER_TEMP
            ? {
                report: (0,external_node_path_.join)(env.RUNNER_TEMP, 'zot-warm-report.json'),
                rewriteOutput: (0,external_node_path_.join)(env.RUNNER_TEMP, 'zot-warm-rewritten'),
            }
            : {}),
        onSecret: mask,
    }).config;
}
/** Everything the runner shows of a finished run, in the order a reader meets it. */
async function publish(finished, env, forge, runner) {
    const { run, outcome } = finished;
    const repo = (0,links/* readRepoContext */.ac)(env);
    await showTable(finished, forge, runner);
    const reportPath = showReportFile(finished, runner);
    if (env.GITHUB_STEP_SUMMARY)
        await writeJobSummary(finished, forge, repo, reportPath, runner);
    setOutputs(finished, reportPath, runner);
    // A run stopped by a signal must not replace the comment of a finished one.
    const commentNotices = (0,comment/* wantsPrComment */.d7)(finished.config, env.GITHUB_EVENT_NAME) && !finished.signal
        ? await commentOnPullRequest(finished, env, forge, repo, runner)
        : 0;
    if (!run.hardFailure)
        annotateImages(finished, forge, repo, runner, commentNotices);
    if (outcome.exitCode !== 0)
        runner.annotate('error', `zot-warm: ${outcome.reason}`);
    else if (outcome.conclusion === 'warning')
        runner.annotate('warning', `zot-warm: ${outcome.reason}`);
    else
        runner.logger.info(`zot-warm: ${outcome.reason}`);
    return outcome.exitCode;
}
/** Forgejo shows no summary page, so there the table stays visible; GitHub gets it collapsed. */
async function showTable({ run, outcome }, forge, { logger }) {
    const table = `${(0,report_table/* renderTable */.bo)(run.results, run.mode)}\n${(0,report_table/* renderProblems */.x8)(run.results)}`.trimEnd();
    if (forge === 'forgejo')
        logger.info(`\n${table}`);
    else
        await logger.group(`Results: ${outcome.reason}`, async () => logger.info(table));
}
/** The report file's path, said in the log; a report that could not be written is a warning, not a failure. */
function showReportFile({ reportFile }, { logger }) {
    if (!reportFile)
        return undefined;
    if (reportFile.error) {
        logger.warning(`could not write the JSON report to ${reportFile.path}: ${reportFile.error}`);
        return undefined;
    }
    logger.info(`JSON report: ${reportFile.path}`);
    return reportFile.path;
}
async function writeJobSummary({ run, outcome, config }, forge, repo, reportPath, { logger, summary }) {
    const where = {
        workspace: config.workspace,
        ...(repo ? { repo } : {}),
        ...(reportPath ? { reportPath } : {}),
    };
    try {
        await summary(forge === 'forgejo' ? (0,text_summary/* renderTextSummary */.k)(run, outcome, where) : (0,report_summary/* renderSummary */.Br)(run, outcome, where));
    }
    catch (err) {
        logger.warning(`could not write the job summary: ${(0,errors/* describeError */.Uc)(err)}`);
    }
}
function setOutputs({ run }, reportPath, { logger, output }) {
    const counts = (0,report_outcome/* countResults */.aD)(run.results);
    for (const name of ['total', 'cached', 'warmed', 'failed', 'skipped', 'unresolved', 'invalid'])
        output(name, String(counts[name]));
    const referrers = (0,report_outcome/* countReferrers */.AF)(run.results);
    for (const name of ['signed', 'attested', 'sbom'])
        output(name, String(referrers?.[name] ?? 0));
    const images = imagesOutput(run);
    output('images', images.json);
    if (images.shown < images.total)
        logger.warning(`the images output lists ${images.shown} of ${images.total} images (worst first), to stay under GitHub's 1 MB limit per output; ` +
            (reportPath
                ? `the JSON report (${reportPath}) has them all`
                : 'write the JSON report (report input) for all of them'));
    output('report', reportPath ?? '');
    output('rewritten', run.rewrite?.written ? run.rewrite.output : '');
}
/**
 * The pull request comment (pr-comment.ts, loaded only here: runs that do not comment never load octokit).
 * Returns the notices it wrote (a failed comment is one notice; the step's result does not change).
 */
async function commentOnPullRequest({ run, outcome, config }, env, forge, repo, { logger, annotate }) {
    const { publishPrComment } = await Promise.all(/* import() */[__webpack_require__.e(413), __webpack_require__.e(685)]).then(__webpack_require__.bind(__webpack_require__, 2685));
    const result = await publishPrComment({
        run,
        outcome,
        config,
        forge,
        env,
        userAgent: userAgentOf(forge),
        debug: logger.debug,
        ...(repo ? { repo } : {}),
    });
    if (result.action === 'failed') {
        annotate('notice', result.notice, { title: 'zot-warm: pull request comment' });
        return 1;
    }
    if (result.action === 'kept-newer')
        logger.info(`Pull request comment: a newer run already wrote its result there (${result.url}); left as it is.`);
    else if (result.action !== 'none')
        logger.info(`Pull request comment ${result.action}: ${result.url}`);
    return 0;
}
/** At most 10 per level (GitHub drops the rest), one slot kept for the step's own conclusion. */
function annotateImages({ run, outcome, config }, forge, repo, { annotate }, 
/** Notices already written (the comment's): their slots are taken. */
notices) {
    const annotations = planAnnotations(run, {
        reserve: {
            error: outcome.exitCode !== 0 ? 1 : 0,
            warning: outcome.exitCode === 0 && outcome.conclusion === 'warning' ? 1 : 0,
            notice: notices,
        },
        toRepoPath: (file) => (repo ? (0,links/* repoPath */.qN)(repo, config.workspace, file) : file),
        // Forgejo has no summary page: there the explanations are in the problem list of the log.
        explainedIn: forge === 'forgejo' ? 'the results in the log' : 'the job summary',
    });
    for (const a of annotations) {
        const props = { title: `zot-warm: ${a.title}` };
        if (a.file)
            Object.assign(props, { file: a.file, startLine: a.line, startColumn: a.column });
        annotate(a.level, a.message, props);
    }
}
/**
 * Each problem as an error annotation: at its line of the configuration file when the file is in the
 * workspace (the path relative to it, as the runner links it), else naming the place in its text.
 */
async function showConfigProblems(problems, places, workspace, runner) {
    problems.forEach((p, i) => {
        const place = places[i];
        const file = place && (0,links/* repoPath */.qN)({ root: workspace }, workspace, place.file);
        const prefix = `${place?.label}: `;
        // A path that needs escaping is named in the text instead (as for the images' annotations).
        if (!place || !file || !(0,report_escape/* isPlain */.$i)(file) || !p.startsWith(prefix))
            runner.annotate('error', p, { title: 'zot-warm: configuration' });
        else
            runner.annotate('error', p.slice(prefix.length), {
                title: 'zot-warm: configuration',
                file,
                startLine: place.line,
                startColumn: place.column,
            });
    });
    const items = problems.map((p) => `<li>${(0,report_escape/* htmlText */.js)(p)}</li>`).join('\n');
    await runner
        .summary(`<h2>❌ zot-warm: invalid configuration</h2>\n<ul>\n${items}\n</ul>\n`)
        .catch(() => undefined);
    runner.annotate('error', `zot-warm: invalid configuration (${(0,words/* plural */.L)(problems.length, 'problem')}, listed above)`);
}


/***/ }),

/***/ 9814:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ER: () => (/* binding */ STDIN_FILE),
/* harmony export */   TM: () => (/* binding */ IMAGES_INPUT_FILE),
/* harmony export */   Ud: () => (/* binding */ isWorkspaceFile),
/* harmony export */   sQ: () => (/* binding */ signsImage)
/* harmony export */ });
// The data that flows through the pipeline: inputs → extract → plan → warm → report.
// Every stage is a pure library; only src/main.ts talks to @actions/core and src/cli.ts to the terminal.
/** Sources that are not files in the workspace. */
const IMAGES_INPUT_FILE = '<images input>';
const STDIN_FILE = '-';
function isWorkspaceFile(source) {
    return source.file !== IMAGES_INPUT_FILE && source.file !== STDIN_FILE;
}
/**
 * Whether the image itself is signed: a signature whose subject is the image's own digest. Admission policies
 * (Kyverno verifyImages, sigstore policy-controller) and Zot's `onlySigned` verify the digest the reference
 * resolves to, the index of a multi-platform image: a signature of one of its platforms does not count.
 */
function signsImage(items, digest) {
    return digest !== undefined && items.some((i) => i.kind === 'signature' && i.subject === digest);
}


/***/ }),

/***/ 9164:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   j: () => (/* binding */ zotReference),
/* harmony export */   y: () => (/* binding */ planImages)
/* harmony export */ });
/* harmony import */ var _registry_map_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(203);

/**
 * Plan the valid images. No map (or an empty one) = flatten: every image keeps its upstream path. With a map, an
 * image whose registry is not in it goes to `unmapped`. Invalid and unresolved references are not planned.
 */
function planImages(images, map, opts = {}) {
    const prefixes = map?.length
        ? new Map(map.map((m) => [(0,_registry_map_js__WEBPACK_IMPORTED_MODULE_0__/* .normalizeRegistryHost */ .Z)(m.registry), m.prefix]))
        : undefined;
    const zotHosts = new Set([opts.zotHost, opts.pullHost].flatMap((h) => (h ? [canonicalHost(h)] : [])));
    const planned = [];
    const unmapped = [];
    for (const image of images) {
        const ref = image.reference;
        if (image.status !== 'ok' || !ref)
            continue;
        const domain = canonicalHost(ref.domain);
        let zotRepository;
        if (zotHosts.has(domain)) {
            zotRepository = ref.path;
        }
        else if (!prefixes) {
            zotRepository = ref.path;
        }
        else {
            const prefix = prefixes.get(domain);
            if (prefix === undefined) {
                unmapped.push(image);
                continue;
            }
            zotRepository = prefix ? `${prefix}/${ref.path}` : ref.path;
        }
        planned.push({ reference: image.key, ref, zotRepository, sources: image.sources });
    }
    return { images: planned, unmapped };
}
/** Lower case, Docker Hub aliases folded, default ports dropped (`zot.example.com:443` = `zot.example.com`). */
function canonicalHost(host) {
    return (0,_registry_map_js__WEBPACK_IMPORTED_MODULE_0__/* .normalizeRegistryHost */ .Z)(host).replace(/:(443|80)$/, '');
}
/**
 * The image inside Zot: `docker-images/library/nginx:1.27`, `…@sha256:…`, `…:1.27@sha256:…`; a tag-only
 * image gets the digest it resolved to, when known.
 */
function zotReference(img, resolvedDigest) {
    const digest = img.ref.digest ?? (resolvedDigest || undefined);
    return `${img.zotRepository}${img.ref.tag ? `:${img.ref.tag}` : ''}${digest ? `@${digest}` : ''}`;
}


/***/ }),

/***/ 203:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   V: () => (/* binding */ parseRegistryMap),
/* harmony export */   Z: () => (/* binding */ normalizeRegistryHost)
/* harmony export */ });
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8815);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(452);
/* harmony import */ var _extract_reference_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8492);
// The registry map: upstream registry host → Zot path prefix, written either as YAML (`docker.io: docker-images`)
// or as `host=prefix` lines (or comma-separated pairs, for one-line inputs). An empty prefix keeps the upstream
// path as is. Every bad entry is reported with its line, in one ConfigError.



const INPUT = 'registry-map';
const HOST_LABEL = '(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])';
const HOST = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-f:.]+\\])(?::[0-9]{1,5})?$`);
/** `index.docker.io` → `docker.io`; lower case. */
function normalizeRegistryHost(host) {
    const h = host.trim().toLowerCase();
    return _extract_reference_js__WEBPACK_IMPORTED_MODULE_2__/* .DOCKER_HUB_HOSTS */ .nL.has(h) ? _extract_reference_js__WEBPACK_IMPORTED_MODULE_2__/* .DEFAULT_DOMAIN */ .lV : h;
}
function parseRegistryMap(text) {
    const problems = [];
    const entries = looksLikePairs(text) ? parsePairs(text, problems) : parseYaml(text, problems);
    const seen = new Map();
    const out = [];
    for (const e of entries) {
        const registry = checkHost(e, problems);
        const prefix = checkPrefix(e, problems);
        if (registry === undefined || prefix === undefined)
            continue;
        const first = seen.get(registry);
        if (first !== undefined) {
            problems.push(`${INPUT}: line ${e.line}: ${registry} is already mapped on line ${first}; keep one entry.`);
            continue;
        }
        seen.set(registry, e.line);
        out.push({ registry, prefix });
    }
    if (problems.length)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ConfigError */ .xL(byLine(problems));
    return out;
}
/** Problems in file order (parse problems are found before per-entry ones). */
function byLine(problems) {
    const line = (p) => Number(/ line (\d+):/.exec(p)?.[1] ?? 0);
    return problems
        .map((p, i) => ({ p, i }))
        .sort((a, b) => line(a.p) - line(b.p) || a.i - b.i)
        .map((x) => x.p);
}
function stripComment(line) {
    return line.replace(/(^|\s)#.*$/, '').trim();
}
/** `host=prefix` form: any non-comment line with `=` (YAML mappings never need one here). */
function looksLikePairs(text) {
    return text.split(/\r?\n/).some((l) => stripComment(l).includes('='));
}
function parsePairs(text, problems) {
    const entries = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = i + 1;
        const content = stripComment(raw);
        if (!content)
            return;
        for (const part of content.split(',')) {
            const pair = part.trim();
            if (!pair)
                continue;
            const eq = pair.indexOf('=');
            if (eq <= 0) {
                problems.push(`${INPUT}: line ${line}: "${pair}" is not host=prefix (e.g. docker.io=docker-images; an empty prefix keeps upstream paths).`);
                continue;
            }
            entries.push({ line, registry: pair.slice(0, eq).trim(), prefix: pair.slice(eq + 1).trim() });
        }
    });
    return entries;
}
function parseYaml(text, problems) {
    const lineCounter = new yaml__WEBPACK_IMPORTED_MODULE_0__/* .LineCounter */ .HN();
    const doc = (0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseDocument */ .Tp)(text, { lineCounter, uniqueKeys: false });
    const lineOf = (offset) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
    if (doc.errors.length) {
        for (const err of doc.errors)
            problems.push(`${INPUT}: line ${lineOf(err.pos[0])}: not valid YAML (${err.message.split('\n')[0]}).`);
        return [];
    }
    if (doc.contents === null)
        return [];
    if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isMap */ .jh)(doc.contents)) {
        problems.push(`${INPUT}: line ${lineOf(doc.contents.range?.[0])}: expected a mapping of registry host to Zot path prefix (e.g. "docker.io: docker-images") or host=prefix lines.`);
        return [];
    }
    const entries = [];
    for (const pair of doc.contents.items) {
        const keyNode = pair.key;
        const line = lineOf((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(keyNode) ? keyNode.range?.[0] : undefined);
        if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
            problems.push(`${INPUT}: line ${line}: the key must be a registry host such as docker.io.`);
            continue;
        }
        const valueNode = pair.value;
        let prefix = '';
        if (valueNode !== null && valueNode !== undefined) {
            if (!(0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(valueNode) ||
                typeof valueNode.value === 'object' ||
                typeof valueNode.value === 'boolean') {
                if (!((0,yaml__WEBPACK_IMPORTED_MODULE_0__/* .isScalar */ .jn)(valueNode) && valueNode.value === null)) {
                    problems.push(`${INPUT}: line ${line}: the prefix of ${String(keyNode.value)} must be a path such as docker-images (or empty).`);
                    continue;
                }
            }
            else {
                prefix = String(valueNode.value);
            }
        }
        entries.push({ line, registry: String(keyNode.value), prefix });
    }
    return entries;
}
function checkHost(e, problems) {
    const host = e.registry.trim().toLowerCase();
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(host)) {
        const bare = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/.*$/, '');
        problems.push(`${INPUT}: line ${e.line}: "${e.registry}" is a URL; write the registry host only (${bare}).`);
        return undefined;
    }
    if (host.includes('/')) {
        problems.push(`${INPUT}: line ${e.line}: "${e.registry}" has a path; map whole registries by host[:port] (e.g. ghcr.io).`);
        return undefined;
    }
    if (!HOST.test(host)) {
        problems.push(`${INPUT}: line ${e.line}: "${e.registry}" is not a registry host[:port].`);
        return undefined;
    }
    return normalizeRegistryHost(host);
}
function checkPrefix(e, problems) {
    const prefix = e.prefix.trim().replace(/^\/+|\/+$/g, '');
    if (!prefix)
        return '';
    const bad = prefix.split('/').find((c) => !_extract_reference_js__WEBPACK_IMPORTED_MODULE_2__/* .PATH_COMPONENT */ .SH.test(c));
    if (bad !== undefined) {
        const why = bad !== bad.toLowerCase() ? 'must be lower case' : 'is not a valid repository path component';
        problems.push(`${INPUT}: line ${e.line}: prefix "${e.prefix}" for ${e.registry}: "${bad}" ${why} (letters, digits, ., _, - separated by /).`);
        return undefined;
    }
    return prefix;
}


/***/ }),

/***/ 7023:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   B1: () => (/* binding */ runOrderOf),
/* harmony export */   CZ: () => (/* binding */ isOurComment),
/* harmony export */   Td: () => (/* binding */ commentKey),
/* harmony export */   d7: () => (/* binding */ wantsPrComment),
/* harmony export */   tr: () => (/* binding */ compareRunOrder),
/* harmony export */   wQ: () => (/* binding */ renderComment)
/* harmony export */ });
/* unused harmony exports COMMENT_LIMIT_CHARS, COMMENT_BUDGET_BYTES, PULL_REQUEST_EVENTS, commentMarker */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var _escape_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2527);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3394);
/* harmony import */ var _text_summary_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(2461);
// The pull request comment's text: the job summary's pieces (HTML on GitHub, Markdown on Forgejo, where
// comments are Markdown too) laid out for review, problems first, behind two hidden lines: the marker that
// finds the comment again on the next run, and the run that wrote it (so an older run never overwrites a
// newer one's result).




/** GitHub refuses comment bodies over 65536 characters; Forgejo has no lower limit. */
const COMMENT_LIMIT_CHARS = 65_536;
/** Bytes, which are never fewer than UTF-16 characters: a body within this budget is within the limit. */
const COMMENT_BUDGET_BYTES = 60_000;
// Referrers only when an image has some to show (the renderers drop the column otherwise).
const COLUMNS = ['status', 'image', 'digest', 'referrers', 'usedIn'];
/** Events whose runs belong to a pull request (GitHub's names; Forgejo's runner uses the same). */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target']);
/**
 * Whether this run may comment at all: decided before anything is loaded or asked, so every other run pays
 * nothing. Plan mode warms and verifies nothing; it comments only when asked to `always`.
 */
function wantsPrComment(config, eventName) {
    if (config.prComment === 'off' || !eventName || !PULL_REQUEST_EVENTS.has(eventName))
        return false;
    return config.prComment === 'always' || config.mode !== 'plan';
}
/**
 * One comment per pull request and job: the workflow and job, and what the step looks at (a matrix runs the
 * same job over other manifests or another cache). Hashed: short, and nothing of the inputs shows.
 */
function commentKey(parts) {
    const text = [
        parts.workflow ?? '',
        parts.job ?? '',
        parts.zotUrl ?? '',
        parts.paths.join('\n'),
        parts.images.join('\n'),
    ];
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(text.join('\0')).digest('hex').slice(0, 16);
}
function commentMarker(key) {
    return `<!-- zot-warm:pr-comment ${key} -->`;
}
/** Whether a comment is this job's: the marker starts the body (a reply quoting it does not). */
function isOurComment(body, key) {
    return body.startsWith(commentMarker(key));
}
function runOrderOf(body) {
    const m = /^<!-- zot-warm:run (\d+) (\d+) -->$/m.exec(body);
    return m ? { id: Number(m[1]), attempt: Number(m[2]) } : undefined;
}
function compareRunOrder(a, b) {
    return a.id - b.id || a.attempt - b.attempt;
}
function renderComment(run, outcome, opts) {
    const { meta } = opts;
    const hidden = `${commentMarker(meta.key)}\n<!-- zot-warm:run ${meta.run.id} ${meta.run.attempt} -->\n`;
    const budget = (opts.budgetBytes ?? COMMENT_BUDGET_BYTES) - 1024; // hidden lines and footer
    const base = { workspace: opts.workspace, budgetBytes: budget, ...(opts.repo ? { repo: opts.repo } : {}) };
    if (opts.forge === 'forgejo') {
        const runLink = meta.runUrl ? `[${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .markdownText */ .p7)(meta.runLabel)}](${meta.runUrl})` : (0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .markdownText */ .p7)(meta.runLabel);
        const body = (0,_text_summary_js__WEBPACK_IMPORTED_MODULE_3__/* .renderMarkdownResults */ ._)(run, outcome, base, {
            table: { columns: COLUMNS },
            first: 'problems',
            limit: 'the comment size limit',
            rest: meta.runUrl ? ` All results are in the log of ${runLink}.` : '',
        });
        const footer = [
            meta.job ? `job ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .markdownCode */ .D9)(meta.job, 200)}` : '',
            meta.workflow ? `workflow ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .markdownCode */ .D9)(meta.workflow, 200)}` : '',
            runLink,
            meta.sha ? `commit ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .markdownCode */ .D9)(meta.sha.slice(0, 7))}` : '',
        ].filter(Boolean);
        return `${hidden}\n${body}\n<sub>${footer.join(' · ')}</sub>\n`;
    }
    const runLink = meta.runUrl
        ? `<a href="${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .htmlText */ .js)(meta.runUrl, Number.MAX_SAFE_INTEGER)}">${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .htmlText */ .js)(meta.runLabel)}</a>`
        : (0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .htmlText */ .js)(meta.runLabel);
    const body = (0,_summary_js__WEBPACK_IMPORTED_MODULE_2__/* .renderHtmlResults */ .UU)(run, outcome, base, {
        columns: COLUMNS,
        first: 'problems',
        limit: 'the comment size limit',
        rest: meta.runUrl ? ` All results are in the job summary of ${runLink}.` : '',
    });
    const footer = [
        meta.job ? `job <code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .htmlText */ .js)(meta.job, 200)}</code>` : '',
        meta.workflow ? `workflow <code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .htmlText */ .js)(meta.workflow, 200)}</code>` : '',
        runLink,
        meta.sha ? `commit <code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_1__/* .htmlText */ .js)(meta.sha.slice(0, 7))}</code>` : '',
    ].filter(Boolean);
    return `${hidden}${body}<p><sub>${footer.join(' · ')}</sub></p>\n`;
}


/***/ }),

/***/ 2527:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $Q: () => (/* binding */ clip),
/* harmony export */   $i: () => (/* binding */ isPlain),
/* harmony export */   BP: () => (/* binding */ logLine),
/* harmony export */   D9: () => (/* binding */ markdownCode),
/* harmony export */   TN: () => (/* binding */ oneLine),
/* harmony export */   eu: () => (/* binding */ literal),
/* harmony export */   g$: () => (/* binding */ printable),
/* harmony export */   js: () => (/* binding */ htmlText),
/* harmony export */   kc: () => (/* binding */ logText),
/* harmony export */   oi: () => (/* binding */ safeJson),
/* harmony export */   p7: () => (/* binding */ markdownText)
/* harmony export */ });
/* unused harmony export MAX_LINE */
// Text from outside (file names and values in a pull request, answers from a server) reaches the log, the
// terminal, annotations, outputs, the job summary and the JSON report. Each sink has one function here that
// makes any text safe for it; the writers of each sink (the Logger, the annotation and output writers, the
// summary renderers) call it on everything they write, so no caller has to remember. What each sink must
// withstand is in docs/architecture.md ("Printing hostile text").
/**
 * Characters a reader cannot see or a terminal or runner would act on: C0/C1 controls (CR, LF, ESC, …),
 * format characters (bidi overrides and isolates, zero-width characters, BOM) and the Unicode line and
 * paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** The same, but line feeds stay: text the tool composed of several lines. */
const UNSAFE_KEEP_LF = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** Every line break a reader of the text might honour (CommonMark: CR, LF, CRLF; .NET's ReadLine: the same). */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/;
/** The longest line the log and the terminal get; longer ones are cut in the middle. */
const MAX_LINE = 4000;
const NAMED = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };
/** `\r`, `\n`, `\t`, `\x1b`, `\u202e`: what the character is, as text that does nothing. */
function visible(ch) {
    const named = NAMED[ch];
    if (named)
        return named;
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x100)
        return `\\x${code.toString(16).padStart(2, '0')}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}
/**
 * At most `max` characters: longer text keeps its start and end around `…[N characters]…`, N being the
 * length of the whole. Never splits a surrogate pair.
 */
function clip(text, max) {
    if (text.length <= max)
        return text;
    const marker = `…[${text.length} characters]…`;
    const room = Math.max(2, max - marker.length);
    let head = Math.ceil(room * 0.7);
    let tail = room - head;
    if (isHighSurrogate(text.charCodeAt(head - 1)))
        head--;
    if (tail > 0 && isLowSurrogate(text.charCodeAt(text.length - tail)))
        tail--;
    return `${text.slice(0, head)}${marker}${tail > 0 ? text.slice(text.length - tail) : ''}`;
}
const isHighSurrogate = (c) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c) => c >= 0xdc00 && c <= 0xdfff;
/** Line breaks (and the blanks around them) become one space; cut in the middle past `max`. */
function oneLine(text, max = 500) {
    // Cut first: the rest of the work then sees a bounded text, whatever came in.
    return clip(text, max)
        .split(LINE_BREAKS)
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .join(' ');
}
/**
 * The log and the terminal (and annotation messages and titles): every unsafe character shown as an escape,
 * no line that a runner reads as a workflow command (`::name::` at the start of a line, after blanks; the
 * legacy `##[name]` anywhere in it), each line at most MAX_LINE characters. Text of several lines keeps its
 * line feeds; use oneLine first where a value must stay on its line.
 */
function logText(text) {
    return text.split('\n').map(logLine).join('\n');
}
/** One line for the log or the terminal (a line feed in it is shown as `\n`). */
function logLine(text) {
    return defuseCommands(clip(text, MAX_LINE).replace(UNSAFE, visible));
}
function defuseCommands(line) {
    // GitHub's runner trims leading white space (any Unicode white space) before looking for `::`.
    return line.replace(/^(\s*)::/u, '$1\\x3a:').replace(/##\[/g, '##\\x5b');
}
/** Unsafe characters shown as escapes, nothing else changed: file names in labels (`x/a\nb.yaml`). */
function printable(text) {
    return text.replace(UNSAFE, visible);
}
/**
 * A value from outside (a reference, a version) on one line exactly as it is: unsafe characters, line
 * breaks included, shown as escapes; cut in the middle past `max`.
 */
function literal(text, max) {
    return printable(clip(text, max));
}
/** Whether the text needs no escaping in the log (e.g. a path an annotation can point at as it is). */
function isPlain(text) {
    return logLine(text) === text;
}
/**
 * HTML text (the job summary): one line, because a line break could end the HTML block the summary is
 * made of and let Markdown render what follows (`\r\r![x](https://…)`); unsafe characters shown as escapes.
 */
function htmlText(text, max = 2000) {
    return oneLine(text, max)
        .replace(UNSAFE, visible)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;'); // attribute values are always in double quotes
}
/**
 * Markdown text inside a line (the Forgejo summary): one line, unsafe characters shown, the inline syntax
 * (emphasis, code, links and images, raw HTML, tables, strikethrough) escaped.
 */
function markdownText(text, max = 2000) {
    const md = oneLine(text, max)
        .replace(UNSAFE, visible)
        .replace(/[\\`*_[\]<>|~]/g, (ch) => `\\${ch}`)
        // What would start a block (heading, quote, list) if the text ever began a line.
        .replace(/^[#+-]/, '\\$&')
        .replace(/^(\d+)([.)])/, '$1\\$2');
    return defuseCommands(md); // as in the log: the Forgejo runner prints the summary into the log
}
/**
 * A Markdown code span: nothing inside is interpreted but backticks (which would close it), and a line
 * break could still end the paragraph.
 */
function markdownCode(text, max = 2000) {
    // `##[` as in the log: the Forgejo runner prints the summary into the log.
    return `\`${defuseCommands(oneLine(text, max).replace(UNSAFE, visible)).replace(/`/g, "'")}\``;
}
/**
 * JSON for outputs and the report: the same data, but every unsafe character and `[` after `##` written
 * as a `\uXXXX` escape, so the text holds nothing a terminal, a runner or a reader would act on.
 */
function safeJson(value, indent) {
    return JSON.stringify(value, null, indent).replace(UNSAFE_KEEP_LF, jsonEscape).replace(/##\[/g, '##\\u005b');
}
/** `\uXXXX` per UTF-16 unit (a character past U+FFFF is a surrogate pair in JSON). */
function jsonEscape(ch) {
    let out = '';
    for (let i = 0; i < ch.length; i++)
        out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return out;
}


/***/ }),

/***/ 7703:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Ce: () => (/* binding */ explanationsOf),
/* harmony export */   D0: () => (/* binding */ referrersLabel),
/* harmony export */   FJ: () => (/* binding */ zotReferenceLabel),
/* harmony export */   GE: () => (/* binding */ locationLabel),
/* harmony export */   Ge: () => (/* binding */ describeRewrite),
/* harmony export */   I8: () => (/* binding */ statusIcon),
/* harmony export */   Rh: () => (/* binding */ statusLabel),
/* harmony export */   T6: () => (/* binding */ runtimeLabel),
/* harmony export */   Tx: () => (/* binding */ statusRank),
/* harmony export */   VK: () => (/* binding */ shortDigest),
/* harmony export */   _P: () => (/* binding */ STATUS_LABEL),
/* harmony export */   _Q: () => (/* binding */ fitting),
/* harmony export */   ee: () => (/* binding */ bytes),
/* harmony export */   en: () => (/* binding */ sourceLabel),
/* harmony export */   hl: () => (/* binding */ compactReference),
/* harmony export */   md: () => (/* binding */ worstFirst),
/* harmony export */   nm: () => (/* binding */ showsReferrers),
/* harmony export */   p9: () => (/* binding */ MAX_REFERENCE_TEXT),
/* harmony export */   tW: () => (/* binding */ STATUS_ICON)
/* harmony export */ });
/* unused harmony export STATUS_ORDER */
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9814);
/* harmony import */ var _rewrite_target_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(703);
/* harmony import */ var _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6633);
/* harmony import */ var _words_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4842);
/* harmony import */ var _escape_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2527);
// Small presentation helpers shared by the table, the summary and the annotations.





/** Worst first: the order of tables, annotations and what survives when rows must be cut. */
const STATUS_ORDER = [
    'failed',
    'invalid',
    'unresolved',
    'not-attempted',
    'skipped-unmapped',
    'warmed',
    'cached',
];
const STATUS_LABEL = {
    failed: 'failed',
    invalid: 'invalid',
    unresolved: 'unresolved',
    'not-attempted': 'not attempted',
    'skipped-unmapped': 'skipped',
    warmed: 'warmed',
    cached: 'cached',
};
const STATUS_ICON = {
    failed: '❌',
    invalid: '⛔',
    unresolved: '❓',
    'not-attempted': '⏸️',
    'skipped-unmapped': '⏭️',
    warmed: '🔥',
    cached: '✅',
};
/** In plan mode nothing is attempted on purpose: say "planned". */
function statusLabel(status, mode) {
    return mode === 'plan' && status === 'not-attempted' ? 'planned' : STATUS_LABEL[status];
}
function statusIcon(status, mode) {
    return mode === 'plan' && status === 'not-attempted' ? '📋' : STATUS_ICON[status];
}
function statusRank(status) {
    return STATUS_ORDER.indexOf(status);
}
/** Stable sort, worst status first; ties keep extraction order. */
function worstFirst(results) {
    return results
        .map((r, i) => ({ r, i }))
        .sort((a, b) => statusRank(a.r.status) - statusRank(b.r.status) || a.i - b.i)
        .map((x) => x.r);
}
/** `sha256:0123456789abcdef…` → `sha256:0123456789ab`. */
function shortDigest(digest) {
    if (!digest)
        return '';
    const [alg, hex] = digest.split(':');
    return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
}
/**
 * A reference as a table shows it: a pinned digest cut to 12 hex digits and `…`. A 64-hex digest would push the
 * rest of the row off the screen; the JSON report keeps the full value.
 */
function compactReference(ref) {
    return ref.replace(/@([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([0-9a-fA-F]{16,})$/, (_, alg, hex) => `@${alg}:${hex.slice(0, 12)}…`);
}
/** `repo:tag@sha256:…` → `repo:tag` (the digest has its own column); `repo@sha256:…` is compacted. */
function zotReferenceLabel(ref) {
    const at = ref.indexOf('@');
    if (at < 0)
        return ref;
    const name = ref.slice(0, at);
    return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : compactReference(ref);
}
/**
 * `deploy/app.yaml:12`, `images input #3`, `stdin:4`. File names may hold anything a file system allows
 * (line breaks, escape sequences): they are shown escaped, so a label is always one harmless line. An image
 * the workload starts later is marked: `deploy/op.yaml:27 (runtime: arg --prometheus-config-reloader)` (the
 * 120-column table has its own, shorter mark).
 */
function sourceLabel(source) {
    const runtime = runtimeLabel(source);
    const suffix = runtime ? ` (${runtime})` : '';
    if (source.file === _model_js__WEBPACK_IMPORTED_MODULE_3__/* .IMAGES_INPUT_FILE */ .TM)
        return `images input #${source.line}`;
    if (source.file === _model_js__WEBPACK_IMPORTED_MODULE_3__/* .STDIN_FILE */ .ER)
        return `stdin:${source.line}${suffix}`;
    return `${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .printable */ .g$)(source.file)}:${source.line}${suffix}`;
}
/** `runtime: arg --executor-image`, `runtime: env RELATED_IMAGE_DB`; undefined for an image field. */
function runtimeLabel(source) {
    if (!source.runtime)
        return undefined;
    return `runtime: ${source.runtime}${source.runtimeName ? ` ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(source.runtimeName, 100)}` : ''}`;
}
/** `deploy/app.yaml:12:7` (or less, as known), the file name escaped like sourceLabel's. */
function locationLabel(where) {
    const file = (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .printable */ .g$)(where.file);
    if (!where.line)
        return file;
    return `${file}:${where.line}${where.column ? `:${where.column}` : ''}`;
}
/**
 * References longer than this are never valid (a name has at most 255 characters, a tag 128, a digest
 * 135): the run keeps such text cut in the middle, with its length, so a 50 MB value cannot bloat the
 * report, the outputs or the log.
 */
const MAX_REFERENCE_TEXT = 1024;
/** What `rewrite` did, in one line for the summaries (plain text: each renderer escapes it). */
function describeRewrite(r) {
    if (!r.written)
        return `rewrite ${r.mode}: nothing written: ${r.held ?? 'the run stopped'}`;
    const where = r.output === '-' ? 'to stdout' : r.inPlace ? 'in place' : `to ${r.output}`;
    const left = r.left.reduce((n, l) => n + l.places, 0);
    const parts = [
        `rewrite ${r.mode}: ${(0,_words_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .L)(r.rewritten, 'reference')} rewritten in ${(0,_words_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .L)(r.changedFiles, 'file')}, ${(0,_words_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .L)(r.files, 'file')} written ${where}`,
    ];
    if (r.unchanged)
        parts.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .L)(r.unchanged, 'reference')} already as verified`);
    const proofs = Object.entries(r.pinnedBy ?? {}).filter(([, n]) => n > 0);
    if (proofs.length)
        parts.push(`pinned as upstream's digest by ${proofs.map(([by, n]) => `${_rewrite_target_js__WEBPACK_IMPORTED_MODULE_0__/* .PROOF_LABEL */ .Ck[by]} (${n})`).join(', ')}`);
    if (left)
        parts.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .L)(left, 'place')} left as written (see the warnings and statuses)`);
    if (r.problems.length)
        parts.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_4__/* .plural */ .L)(r.problems.length, 'file')} not written`);
    return parts.join('; ');
}
const KIND_LABEL = {
    signature: 'signed',
    attestation: 'attested',
    sbom: 'sbom',
    other: 'other',
};
/**
 * The referrers column: what the cache holds for the image (`signed, sbom`), `—` for nothing, `not verified`
 * when it could not be read without a sync, empty when not looked at (`referrers: off`, plan mode). `signed`
 * means a signature of the image's own digest (signsImage), not of one of its platforms only.
 */
function referrersLabel(r) {
    if (!r.referrers || r.referrers.state === 'off')
        return '';
    const present = new Set(r.referrers.items.map((i) => i.kind));
    if (!(0,_model_js__WEBPACK_IMPORTED_MODULE_3__/* .signsImage */ .sQ)(r.referrers.items, r.digest))
        present.delete('signature');
    const kinds = Object.keys(KIND_LABEL)
        .filter((k) => present.has(k))
        .map((k) => KIND_LABEL[k]);
    if (r.referrers.state === 'not-verified')
        kinds.push('not verified');
    return kinds.length ? kinds.join(', ') : '—';
}
/** Whether any result has referrers to show (the column is left out otherwise). */
function showsReferrers(results) {
    return results.some((r) => referrersLabel(r) !== '');
}
/** Size as GitHub counts a summary: UTF-8 bytes. */
function bytes(text) {
    return Buffer.byteLength(text, 'utf8');
}
/**
 * The longest prefix of `items` that fits in `budget` bytes (each item counted with `separator` more bytes,
 * e.g. 1 for the line feed that joins them), and the bytes it takes: what a summary keeps when rows must be cut.
 */
function fitting(items, budget, separator = 0) {
    const kept = [];
    let used = 0;
    for (const item of items) {
        const size = bytes(item) + separator;
        if (used + size > budget)
            break;
        kept.push(item);
        used += size;
    }
    return { kept, used };
}
/** The explanations the diagnoses and warnings of these results share, each once, in order of first use. */
function explanationsOf(results) {
    const out = [];
    for (const r of results)
        for (const text of [r.diagnosis, ...r.warnings]) {
            const e = text === undefined ? undefined : (0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .splitExplained */ .tT)(text).explanation;
            if (e && !out.some((o) => o.title === e.title && o.text === e.text))
                out.push(e);
        }
    return out;
}


/***/ }),

/***/ 4503:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Jk: () => (/* binding */ detectForge),
/* harmony export */   Vp: () => (/* binding */ runUrl),
/* harmony export */   ac: () => (/* binding */ readRepoContext),
/* harmony export */   iw: () => (/* binding */ fileUrl),
/* harmony export */   qN: () => (/* binding */ repoPath)
/* harmony export */ });
/* unused harmony export commitSha */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
// Links from the summary to the line in the repository, at the commit under test.
// GitHub: /blob/SHA/PATH#Lnn; Forgejo (and Gitea): /src/commit/SHA/PATH#Lnn. No REST calls: the context
// is the runner's environment and the event payload.


/**
 * Forgejo's runner sets FORGEJO_ACTIONS, Gitea's GITEA_ACTIONS, and both serve their API under /api/v1.
 * A server URL other than github.com alone is not enough: GitHub Enterprise Server has its own host.
 */
function detectForge(env) {
    if (env.FORGEJO_ACTIONS === 'true' || env.GITEA_ACTIONS === 'true')
        return 'forgejo';
    if (env.GITHUB_API_URL && /\/api\/v1\/?$/.test(env.GITHUB_API_URL))
        return 'forgejo';
    return 'github';
}
/** The commit to link to; undefined when the environment has none. */
function commitSha(env, readEvent = (p) => (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(p, 'utf8')) {
    const eventPath = env.GITHUB_EVENT_PATH;
    if (eventPath) {
        try {
            const event = JSON.parse(readEvent(eventPath));
            const head = event.pull_request?.head?.sha;
            if (typeof head === 'string' && /^[0-9a-f]{7,64}$/i.test(head))
                return head;
        }
        catch {
            // No readable event: fall back to GITHUB_SHA.
        }
    }
    return env.GITHUB_SHA || undefined;
}
function readRepoContext(env, readEvent) {
    const serverUrl = (env.GITHUB_SERVER_URL || '').replace(/\/+$/, '');
    const repository = env.GITHUB_REPOSITORY;
    const sha = commitSha(env, readEvent);
    const root = env.GITHUB_WORKSPACE;
    if (!serverUrl || !repository || !sha || !root)
        return undefined;
    return { forge: detectForge(env), serverUrl, repository, sha, root: (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(root) };
}
/** Path of a workspace file inside the repository, or undefined when it lies outside the checkout. */
function repoPath(ctx, workspace, file) {
    const rel = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.relative)(ctx.root, (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(workspace, file));
    if (!rel || rel.startsWith('..') || (0,node_path__WEBPACK_IMPORTED_MODULE_1__.isAbsolute)(rel))
        return undefined;
    return rel.split(node_path__WEBPACK_IMPORTED_MODULE_1__.sep).join('/');
}
function fileUrl(ctx, path, line) {
    // Also `(`, `)` and the other characters encodeURIComponent leaves: a `)` would end a Markdown link.
    // A lone surrogate (no file system gives one, but a caller might) would make encodeURIComponent throw.
    const encoded = path
        .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
        .split('/')
        .map((part) => encodeURIComponent(part).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`))
        .join('/');
    const kind = ctx.forge === 'forgejo' ? 'src/commit' : 'blob';
    return `${ctx.serverUrl}/${ctx.repository}/${kind}/${ctx.sha}/${encoded}${line ? `#L${line}` : ''}`;
}
/**
 * The run's page. GitHub addresses runs by id (a re-run by attempt too), Forgejo by the run's number in the
 * repository, Gitea (1.26) by id again. Forgejo's runner sets FORGEJO_ACTIONS, Gitea's only GITEA_ACTIONS.
 */
function runUrl(forge, serverUrl, repository, run, env = {}) {
    const server = serverUrl.replace(/\/+$/, '');
    if (!server || !repository)
        return undefined;
    const gitea = env.GITEA_ACTIONS === 'true' && env.FORGEJO_ACTIONS !== 'true';
    const id = forge === 'forgejo' && !gitea ? run.number : run.id;
    if (!id || !Number.isInteger(id))
        return undefined;
    const attempt = forge === 'github' && run.attempt && run.attempt > 1 ? `/attempts/${run.attempt}` : '';
    return `${server}/${repository}/actions/runs/${id}${attempt}`;
}


/***/ }),

/***/ 5102:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AF: () => (/* binding */ countReferrers),
/* harmony export */   aD: () => (/* binding */ countResults),
/* harmony export */   bQ: () => (/* binding */ EXIT_HARD),
/* harmony export */   dl: () => (/* binding */ decideOutcome)
/* harmony export */ });
/* unused harmony exports EXIT_OK, EXIT_IMAGES */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(452);
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(9814);
/* harmony import */ var _words_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4842);
// The one place that decides how a run ends, so the action and the CLI always agree.
//   0: all good (or soft mode);  1: hard failure (config, Zot unreachable, credentials rejected);
//   2: images failed / invalid / (unresolved, unmapped, not attempted) in strict mode.



const EXIT_OK = 0;
const EXIT_HARD = 1;
const EXIT_IMAGES = 2;
function countResults(results) {
    const c = {
        total: results.length,
        cached: 0,
        warmed: 0,
        failed: 0,
        skipped: 0,
        skippedUnmapped: 0,
        notAttempted: 0,
        unresolved: 0,
        invalid: 0,
    };
    for (const r of results) {
        if (r.status === 'cached')
            c.cached++;
        else if (r.status === 'warmed')
            c.warmed++;
        else if (r.status === 'failed')
            c.failed++;
        else if (r.status === 'unresolved')
            c.unresolved++;
        else if (r.status === 'invalid')
            c.invalid++;
        else if (r.status === 'skipped-unmapped')
            c.skippedUnmapped++;
        else if (r.status === 'not-attempted')
            c.notAttempted++;
    }
    c.skipped = c.skippedUnmapped + c.notAttempted;
    return c;
}
/** Undefined when no image's referrers were looked at (`referrers: off`, plan mode, nothing in Zot). */
function countReferrers(results) {
    const c = { checked: 0, signed: 0, attested: 0, sbom: 0, unsigned: 0, notVerified: 0 };
    for (const r of results) {
        if (!r.referrers || r.referrers.state === 'off')
            continue;
        const kinds = new Set(r.referrers.items.map((i) => i.kind));
        const signed = (0,_model_js__WEBPACK_IMPORTED_MODULE_1__/* .signsImage */ .sQ)(r.referrers.items, r.digest);
        c.checked++;
        if (signed)
            c.signed++;
        if (kinds.has('attestation'))
            c.attested++;
        if (kinds.has('sbom'))
            c.sbom++;
        if (r.referrers.state === 'not-verified')
            c.notVerified++;
        else if (!signed)
            c.unsigned++;
    }
    return c.checked ? c : undefined;
}
function decideOutcome(run) {
    const counts = countResults(run.results);
    if (run.hardFailure) {
        return {
            exitCode: EXIT_HARD,
            conclusion: 'failure',
            reason: (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .withHint */ .mu)(run.hardFailure.message, run.hardFailure.hint).replace(/\s*\n\s*/g, ' '),
            problems: [run.hardFailure.message],
            warnings: [],
        };
    }
    const problems = [];
    const warnings = [];
    if (counts.failed)
        problems.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(counts.failed, 'image')} failed`);
    if (counts.invalid)
        problems.push((0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(counts.invalid, 'invalid reference'));
    if (counts.unresolved)
        (run.failOnUnresolved ? problems : warnings).push((0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(counts.unresolved, 'unresolved reference'));
    const unreadable = run.notices.filter((n) => n.level === 'error').length;
    if (unreadable)
        problems.push((0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(unreadable, 'input problem'));
    if (counts.notAttempted && run.mode !== 'plan') {
        const why = run.cancelled ? ` (${run.cancelled})` : '';
        problems.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(counts.notAttempted, 'image')} not attempted${why}`);
    }
    else if (run.cancelled) {
        // Stopped while reading the input: what was not read is in the notices.
        problems.push(`stopped early (${run.cancelled})`);
    }
    // A manifest missing from the output directory would silently not be deployed.
    if (run.rewrite?.problems.length)
        problems.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(run.rewrite.problems.length, 'manifest file')} not written`);
    // A reference left as written sends the deploy upstream for that image: what rewrite is there to prevent.
    // Soft mode writes the rest and counts it with the other places left (leftWarmed).
    if (run.strict && run.rewrite?.unwritable.length)
        problems.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(run.rewrite.unwritable.length, 'reference')} to warm images cannot be rewritten in place`);
    if (counts.total === 0 && unreadable === 0)
        warnings.push('no image references found; check paths');
    if (counts.skippedUnmapped)
        warnings.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(counts.skippedUnmapped, 'image')} skipped (registry not in registry-map)`);
    const left = leftWarmed(run);
    if (left)
        warnings.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(left, 'reference')} to warm images not rewritten`);
    if (problems.length) {
        const reason = `${problems.join(', ')}${warnings.length ? `; ${warnings.join(', ')}` : ''}`;
        return run.strict
            ? { exitCode: EXIT_IMAGES, conclusion: 'failure', reason, problems, warnings }
            : { exitCode: EXIT_OK, conclusion: 'warning', reason: `${reason} (strict: false)`, problems, warnings };
    }
    if (warnings.length)
        return { exitCode: EXIT_OK, conclusion: 'warning', reason: warnings.join(', '), problems, warnings };
    return {
        exitCode: EXIT_OK,
        conclusion: 'success',
        reason: successLine(run.mode, counts),
        problems,
        warnings,
    };
}
/** Places of cached or warmed images that `rewrite` left as written (the others' status says why). */
function leftWarmed(run) {
    if (!run.rewrite?.written)
        return 0;
    const warm = new Set(run.results.filter((r) => r.status === 'cached' || r.status === 'warmed').map((r) => r.reference));
    return run.rewrite.left.filter((l) => warm.has(l.reference)).reduce((n, l) => n + l.places, 0);
}
function successLine(mode, c) {
    if (mode === 'plan')
        return `${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(c.total, 'image')} planned`;
    if (mode === 'check')
        return `all ${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(c.total, 'image')} present in Zot`;
    return `all ${(0,_words_js__WEBPACK_IMPORTED_MODULE_2__/* .plural */ .L)(c.total, 'image')} in Zot (${c.cached} cached, ${c.warmed} warmed)`;
}


/***/ }),

/***/ 3394:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Br: () => (/* binding */ renderSummary),
/* harmony export */   MO: () => (/* binding */ CONCLUSION_ICON),
/* harmony export */   Pl: () => (/* binding */ headline),
/* harmony export */   QT: () => (/* binding */ unwritableHeading),
/* harmony export */   UU: () => (/* binding */ renderHtmlResults),
/* harmony export */   Xb: () => (/* binding */ SUMMARY_BUDGET_BYTES),
/* harmony export */   hW: () => (/* binding */ COLUMN_HEADER),
/* harmony export */   jv: () => (/* binding */ referrersLine),
/* harmony export */   lt: () => (/* binding */ unwritableShown),
/* harmony export */   mo: () => (/* binding */ breakable),
/* harmony export */   t1: () => (/* binding */ needsDetail),
/* harmony export */   xR: () => (/* binding */ tableCell)
/* harmony export */ });
/* harmony import */ var _inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7581);
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(9814);
/* harmony import */ var _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6633);
/* harmony import */ var _words_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(4842);
/* harmony import */ var _escape_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2527);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7703);
/* harmony import */ var _links_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4503);
/* harmony import */ var _outcome_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5102);
// The job summary (GITHUB_STEP_SUMMARY) as one string. HTML tables rather than Markdown ones: a reference
// or an error may contain `|`, backticks or `*`, and inside an HTML block only `& < > "` need escaping, as
// long as no text adds a line break (a blank line would end the block): every value goes through htmlText.
// GitHub refuses summaries over 1 MiB per step, so rows are cut (worst kept) to stay within a budget.
// The pull request comment on GitHub is built from the same pieces (renderHtmlResults).








/** Well below GitHub's 1 MiB per step, leaving room for other steps' habits of appending. */
const SUMMARY_BUDGET_BYTES = 900 * 1024;
const COLUMN_HEADER = {
    status: 'Status',
    image: 'Image',
    zot: 'Zot reference',
    digest: 'Digest',
    digestPlatforms: 'Digest · platforms',
    referrers: 'Referrers',
    time: 'Time',
    usedIn: 'Used in',
};
const SUMMARY_COLUMNS = [
    'status',
    'image',
    'zot',
    'digestPlatforms',
    'referrers',
    'time',
    'usedIn',
];
const CONCLUSION_ICON = { success: '✅', warning: '⚠️', failure: '❌' };
/** The title line: why the run failed or warned, or its success line. */
function headline(outcome) {
    return outcome.conclusion === 'success'
        ? outcome.reason
        : `${outcome.conclusion === 'failure' ? 'failed' : 'warning'}: ${outcome.reason}`;
}
function renderSummary(run, outcome, opts) {
    const rest = opts.reportPath
        ? ` The full list is in the JSON report (<code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(opts.reportPath)}</code>, also in the step's <code>report</code> output).`
        : ' Write the JSON report (<code>report</code> input) for the full list.';
    return renderHtmlResults(run, outcome, opts, {
        columns: SUMMARY_COLUMNS,
        first: 'table',
        limit: "GitHub's summary size limit",
        rest,
    });
}
/** Head, input problems, the image table and the problem details, cut (worst kept) to the byte budget. */
function renderHtmlResults(run, outcome, opts, layout) {
    const budget = opts.budgetBytes ?? SUMMARY_BUDGET_BYTES;
    const head = renderHead(run, outcome) + renderUnwritable(run, opts);
    const noticeBlock = renderNotices(run.notices, opts);
    const ordered = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .worstFirst */ .md)(run.results);
    const detailed = ordered.filter(needsDetail);
    const detailBlocks = detailed.map((r) => renderDetail(r, opts));
    // Said once, after the images that point at them; kept whatever is cut (a few hundred bytes each).
    const explanations = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .explanationsOf */ .Ce)(detailed)
        .map((e) => `<h4>ℹ️ ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(e.title)}</h4>\n<p>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(e.text, 4000)}</p>\n`)
        .join('');
    // The referrers column only when an image has referrers to show (not looked at: `referrers: off`, plan).
    const withReferrers = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .showsReferrers */ .nm)(run.results);
    const columns = layout.columns.filter((c) => c !== 'referrers' || withReferrers);
    const rows = ordered.map((r) => renderRow(r, opts, run.mode, columns));
    const tableOpen = `<h3>Images</h3>\n<table>\n<tr>${columns.map((c) => `<th>${COLUMN_HEADER[c]}</th>`).join('')}</tr>\n`;
    const tableClose = '</table>\n';
    const reserve = 2048; // the notes about what was cut
    let left = budget -
        (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(head) -
        (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(noticeBlock) -
        (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(tableOpen) -
        (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(tableClose) -
        (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(explanations) -
        reserve;
    // Details of failures matter most, but must not crowd out the table: at most 40% of what is left.
    const detailShare = Math.floor(Math.max(0, left) * 0.4);
    const { kept: keptDetails, used } = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .fitting */ ._Q)(detailBlocks, detailShare);
    left -= used;
    const { kept: keptRows } = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .fitting */ ._Q)(rows, left);
    let table = '';
    if (rows.length) {
        table = tableOpen + keptRows.join('') + tableClose;
        if (keptRows.length < rows.length)
            table += `<p>✂️ <b>Showing ${keptRows.length} of ${rows.length} images</b> (worst first) to stay under ${layout.limit}.${layout.rest}</p>\n`;
    }
    let details = '';
    if (detailBlocks.length) {
        details = `<h3>Problems and warnings</h3>\n${keptDetails.join('')}`;
        if (keptDetails.length < detailBlocks.length)
            details += `<p>✂️ <b>Details shown for ${keptDetails.length} of ${detailBlocks.length} images.</b>${layout.rest}</p>\n`;
        details += explanations;
    }
    return head + noticeBlock + (layout.first === 'table' ? table + details : details + table);
}
/** Failed, invalid and unresolved images, and any with warnings, get a detail block. */
function needsDetail(r) {
    return PROBLEM_STATUSES.has(r.status) || r.warnings.length > 0;
}
const PROBLEM_STATUSES = new Set(['failed', 'invalid', 'unresolved']);
function renderHead(run, outcome) {
    const c = (0,_outcome_js__WEBPACK_IMPORTED_MODULE_5__/* .countResults */ .aD)(run.results);
    const title = headline(outcome);
    const facts = [];
    if (run.zotUrl)
        facts.push(`<b>Zot</b> <code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(run.zotUrl)}</code>`);
    // Zot builds without a release tag (e.g. `go install`) report no version.
    if (run.zot)
        facts.push(`version <code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(run.zot.version ?? 'unknown', 100)}</code>`);
    facts.push(`mode <b>${run.mode}</b>`);
    facts.push(run.strict ? 'strict' : 'soft (strict: false)');
    facts.push((0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(run.durationMs));
    facts.push(`${(0,_words_js__WEBPACK_IMPORTED_MODULE_6__/* .plural */ .L)(run.files, 'file')} scanned`);
    if (run.cancelled)
        facts.push(`<b>stopped early: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(run.cancelled)}</b>`);
    let out = `<h2>${CONCLUSION_ICON[outcome.conclusion]} zot-warm: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(title, 400)}</h2>\n`;
    out += `<p>${facts.join(' · ')}</p>\n`;
    out +=
        '<table>\n<tr><th>total</th><th>✅ cached</th><th>🔥 warmed</th><th>❌ failed</th><th>⏭️ skipped</th><th>❓ unresolved</th><th>⛔ invalid</th></tr>\n';
    out += `<tr>${[c.total, c.cached, c.warmed, c.failed, c.skipped, c.unresolved, c.invalid].map((n) => `<td>${n}</td>`).join('')}</tr>\n</table>\n`;
    const referrers = (0,_outcome_js__WEBPACK_IMPORTED_MODULE_5__/* .countReferrers */ .AF)(run.results);
    if (referrers)
        out += `<p>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(referrersLine(referrers))}</p>\n`;
    if (run.hardFailure) {
        out += `<p><b>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(run.hardFailure.message)}</b>${run.hardFailure.hint ? `<br>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(run.hardFailure.hint)}` : ''}</p>\n`;
    }
    if (run.rewrite)
        out += `<p>📝 ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .describeRewrite */ .Ge)(run.rewrite))}</p>\n`;
    return out;
}
function renderNotices(notices, opts) {
    const shown = notices.filter((n) => n.level !== 'notice');
    if (!shown.length)
        return '';
    const items = shown.slice(0, 200).map((n) => {
        const where = n.line ? linkTo({ file: n.file, line: n.line, column: n.column ?? 1 }, opts) : (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(n.file);
        return `<li>${n.level === 'error' ? '❌' : '⚠️'} ${where}: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(n.message, 1000)}</li>`;
    });
    const more = shown.length > 200 ? `<li>… and ${shown.length - 200} more in the report</li>` : '';
    return `<h3>Input problems</h3>\n<ul>\n${items.join('\n')}${more ? `<li>… and ${more} more</li>` : ''}\n</ul>\n`;
}
/** Places `rewrite` cannot replace, at most this many listed (all are in the log and the annotations). */
const UNWRITABLE_SHOWN = 20;
/** Which places `rewrite` could not replace a summary lists, and with which mark: each fails a strict run. */
function unwritableShown(run) {
    const places = run.rewrite?.unwritable ?? [];
    return {
        icon: run.strict ? '❌' : '⚠️',
        shown: places.slice(0, UNWRITABLE_SHOWN),
        more: Math.max(0, places.length - UNWRITABLE_SHOWN),
    };
}
/** The places of warm images `rewrite` could not replace: each fails a strict run. */
function renderUnwritable(run, opts) {
    const { icon, shown, more } = unwritableShown(run);
    if (!shown.length)
        return '';
    const items = shown.map((u) => `<li>${icon} ${linkTo(u, opts)} <code>${breakable((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(u.reference, 300))))}</code>: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(u.why, 1000)}</li>`);
    return `<p><b>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(unwritableHeading(run))}</b></p>\n<ul>\n${items.join('\n')}${more ? `<li>… and ${more} more</li>` : ''}\n</ul>\n`;
}
/** Above the list of places `rewrite` could not replace: what it means for the deploy. */
function unwritableHeading(run) {
    const n = run.rewrite?.unwritable.length ?? 0;
    const these = n === 1 ? 'This reference' : `These ${n} references`;
    return `${these} to warm images cannot be rewritten in place: the deploy would pull ${n === 1 ? 'it' : 'them'} from upstream${run.strict ? ' (strict: nothing was written)' : ''}.`;
}
/** `Referrers in Zot: 3 of 5 images signed, 2 attested, 1 with an SBOM, 1 not verified.` */
function referrersLine(c) {
    const parts = [`${c.signed} of ${(0,_words_js__WEBPACK_IMPORTED_MODULE_6__/* .plural */ .L)(c.checked, 'image')} signed`, `${c.attested} attested`];
    parts.push(`${c.sbom} with an SBOM`);
    if (c.notVerified)
        parts.push(`${c.notVerified} not verified (Zot's search extension is off or cannot read them)`);
    return `Referrers in Zot: ${parts.join(', ')}.`;
}
/** One cell of an image row: the same content on every surface, each with its own markup. */
function tableCell(r, column, mode, m) {
    switch (column) {
        case 'status':
            // A no-break space: the icon never ends up alone on a line above its word.
            return `${(0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .statusIcon */ .I8)(r.status, mode)}\u00a0${(0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .statusLabel */ .Rh)(r.status, mode)}`;
        case 'image':
            return m.reference((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(r.reference, 300)));
        case 'zot':
            return r.zotReference ? m.reference((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .zotReferenceLabel */ .FJ)(r.zotReference)) : '';
        case 'digest':
            return r.digest ? m.code((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .shortDigest */ .VK)(r.digest)) : '';
        case 'digestPlatforms':
            return [tableCell(r, 'digest', mode, m), r.platforms?.length ? m.text(r.platforms.join(', ')) : '']
                .filter(Boolean)
                .join(m.platformBreak);
        case 'referrers':
            return m.text((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .referrersLabel */ .D0)(r));
        case 'time':
            return r.status === 'cached' || r.status === 'warmed' || r.status === 'failed'
                ? (0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(r.durationMs)
                : '';
        case 'usedIn': {
            const perRow = m.sourcesPerRow;
            const sources = r.sources.slice(0, perRow).map(m.source);
            if (r.sources.length > perRow)
                sources.push(`+${r.sources.length - perRow} more`);
            // One per line (both forges keep a `<br>` in a Markdown table cell too).
            return sources.join('<br>');
        }
    }
}
function renderRow(r, opts, mode, columns) {
    const markup = {
        reference: (t) => `<code>${breakable((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(t))}</code>`,
        code: (t) => `<code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(t)}</code>`,
        text: (t) => (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(t),
        platformBreak: '<br>',
        source: (s) => linkTo(s, opts),
        sourcesPerRow: opts.sourcesPerRow ?? 3,
    };
    return `<tr>${columns.map((c) => `<td>${tableCell(r, c, mode, markup)}</td>`).join('')}</tr>\n`;
}
function renderDetail(r, opts) {
    const lines = [];
    if (r.error)
        lines.push(`<b>Error:</b> ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)(r.error, 2000)}`);
    if (r.diagnosis)
        lines.push(`<b>Diagnosis:</b> ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .briefMessage */ .gM)(r.diagnosis, _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .SEE_BELOW */ .w0), 2000)}`);
    for (const w of r.warnings.slice(0, 10))
        lines.push(`<b>Warning:</b> ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .briefMessage */ .gM)(w, _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .SEE_BELOW */ .w0), 1000)}`);
    if (r.zotReference)
        lines.push(`<b>Zot reference:</b> <code>${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .zotReferenceLabel */ .FJ)(r.zotReference))}</code>`);
    if (r.rewrittenAs)
        lines.push(`<b>Rewritten as:</b> <code>${breakable((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)(r.rewrittenAs)))}</code>`);
    const sources = r.sources.slice(0, 10).map((s) => linkTo(s, opts));
    if (r.sources.length > 10)
        sources.push(`+${r.sources.length - 10} more`);
    lines.push(`<b>Used in:</b> ${sources.join(', ')}`);
    const ref = breakable((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(r.reference, 300))));
    return `<h4>${_format_js__WEBPACK_IMPORTED_MODULE_3__/* .STATUS_ICON */ .tW[r.status]} ${_format_js__WEBPACK_IMPORTED_MODULE_3__/* .STATUS_LABEL */ ._P[r.status]}: <code>${ref}</code></h4>\n<p>${lines.join('<br>\n')}</p>\n`;
}
function linkTo(s, opts) {
    const label = breakable((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .sourceLabel */ .en)(s)));
    if (!opts.repo || !(0,_model_js__WEBPACK_IMPORTED_MODULE_7__/* .isWorkspaceFile */ .Ud)(s))
        return label;
    const path = (0,_links_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(opts.repo, opts.workspace, s.file);
    return path
        ? `<a href="${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .htmlText */ .js)((0,_links_js__WEBPACK_IMPORTED_MODULE_4__/* .fileUrl */ .iw)(opts.repo, path, s.line), Number.MAX_SAFE_INTEGER)}">${label}</a>`
        : label;
}
/**
 * Lets a browser wrap a long reference or path after each `/` and before `@` (`<wbr>`, which GitHub's and
 * Forgejo's sanitizers keep): otherwise one unbreakable name sets a column's width and pushes the table's
 * last columns off the screen. For text that is already escaped; copying it copies no extra characters.
 */
function breakable(escaped) {
    return escaped.replace(/\//g, '/<wbr>').replace(/@/g, '<wbr>@');
}


/***/ }),

/***/ 8330:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   bo: () => (/* binding */ renderTable),
/* harmony export */   oW: () => (/* binding */ tableLines),
/* harmony export */   x8: () => (/* binding */ renderProblems)
/* harmony export */ });
/* unused harmony exports TABLE_WIDTH, RUNTIME_MARK, shortenMiddle */
/* harmony import */ var _inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7581);
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(9814);
/* harmony import */ var _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6633);
/* harmony import */ var _escape_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2527);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7703);
// The final table as aligned plain text, for the log (Forgejo shows no job summary) and the CLI.





const COLUMNS = [
    'STATUS',
    'IMAGE',
    'ZOT REFERENCE',
    'DIGEST',
    'PLATFORMS',
    'REFERRERS',
    'TIME',
    'USED IN',
];
/** The columns that give way. */
const FLEXIBLE = ['IMAGE', 'ZOT REFERENCE', 'USED IN', 'PLATFORMS'];
/**
 * When a line would be too wide, columns give way in steps, each down to a floor: the platforms and the Zot
 * reference (the image with its registry swapped for a prefix) first, then the image. Where it is used keeps
 * room for its file name whole (`places: 'whole'`; fitPlace cuts the directories first) until both
 * references are cut to 28 and the Zot reference further, then for part of it (`'name'`: the name is cut in
 * its middle, its line and marks stay); only a table that cannot fit otherwise keeps just the end of it
 * (`'end'`), and the last step cuts everything (the 120 columns are a promise). STATUS, DIGEST, REFERRERS
 * and TIME are short by nature.
 */
const SHRINK_STEPS = [
    { cols: ['USED IN', 'PLATFORMS'], floor: 20, places: 'whole' },
    { cols: ['ZOT REFERENCE'], floor: 28, places: 'whole' },
    { cols: ['USED IN', 'PLATFORMS'], floor: 14, places: 'whole' },
    { cols: ['IMAGE'], floor: 28, places: 'whole' },
    { cols: ['ZOT REFERENCE'], floor: 20, places: 'whole' },
    { cols: ['USED IN'], floor: 14, places: 'name' },
    { cols: ['PLATFORMS'], floor: 8, places: 'name' },
    { cols: ['IMAGE', 'ZOT REFERENCE'], floor: 16, places: 'name' },
    { cols: ['USED IN'], floor: 8, places: 'end' },
    { cols: FLEXIBLE, floor: 4, places: 'end' },
];
/** Characters of a file name kept beside the line and marks of a place (`places: 'name'`). */
const PLACE_NAME = 12;
/** A place longer than this (file name, line and marks) has its name cut even in `places: 'whole'`. */
const PLACE_WHOLE = 40;
/**
 * The platforms cut to `max` at a platform, the rest counted: `linux/amd64,arm64,+2` (a platform cut in the
 * middle says nothing); else just how many (`4 platforms`).
 */
function fitPlatforms(text, max) {
    if (length(text) <= max)
        return text;
    const items = text.split(',');
    for (let keep = items.length - 1; keep > 0; keep--) {
        const shown = `${items.slice(0, keep).join(',')},+${items.length - keep}`;
        if (length(shown) <= max)
            return shown;
    }
    const count = `${items.length} platforms`;
    return length(count) <= max ? count : shortenMiddle(text, max);
}
const GAP = '  ';
/** Fits a 120-column terminal; long cells are shortened in the middle (the report keeps the full text). */
const TABLE_WIDTH = 120;
/**
 * Marks a place that names a runtime image (a container flag or env value the workload pulls later): short,
 * because the cell must keep the file name and line; the legend under the table says what it means, and the
 * problem lines, summaries and report name the flag or variable.
 */
const RUNTIME_MARK = '(rt)';
const RUNTIME_LEGEND = `${RUNTIME_MARK} runtime image: named by a container flag or env value; the workload pulls it later`;
/** The aligned table, with its legend (after an empty line) when a row needs one. */
function renderTable(results, mode, width = TABLE_WIDTH) {
    const t = tableLines(results, mode, width);
    return [t.header, ...t.rows, ...(t.legend.length ? ['', ...t.legend] : [])].join('\n');
}
/** `mode` only changes how not-attempted images are called in plan mode. */
function tableLines(results, mode, width = TABLE_WIDTH) {
    const ordered = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .worstFirst */ .md)(results);
    const places = ordered.map(placeOf);
    const all = ordered.map((r, i) => {
        const cells = {
            STATUS: (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .statusLabel */ .Rh)(r.status, mode),
            // Short digests in every table (the report keeps the full ones).
            IMAGE: (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(r.reference, 200)),
            'ZOT REFERENCE': r.zotReference ? (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .zotReferenceLabel */ .FJ)(r.zotReference) : '-',
            DIGEST: (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .shortDigest */ .VK)(r.digest) || '-',
            PLATFORMS: r.platforms?.length ? compactPlatforms(r.platforms) : '-',
            // `signed,attested,sbom`: the summary's label without spaces, as the platforms are written.
            REFERRERS: (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .referrersLabel */ .D0)(r).replace(/, /g, ',').replace('not verified', 'unverified') || '-',
            TIME: r.status === 'cached' || r.status === 'warmed' || r.status === 'failed'
                ? (0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(r.durationMs)
                : '-',
            'USED IN': `${places[i]?.path}${places[i]?.tail}`,
        };
        return cells;
    });
    // A column with nothing in any row (plan mode's digests, platforms and times; referrers nobody has) only
    // takes width from the references and places: left out (the job summary and the report keep every field).
    const headers = COLUMNS.filter((c) => KEPT.includes(c) || all.some((cells) => !EMPTY.has(cells[c])));
    const at = (c) => headers.indexOf(c);
    const [DIGEST, PLATFORMS, USED_IN] = [at('DIGEST'), at('PLATFORMS'), at('USED IN')];
    // Escaped per cell, so the columns stay aligned.
    let table = [[...headers], ...all.map((cells) => headers.map((c) => (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .logLine */ .BP)(cells[c])))];
    const natural = () => headers.map((_, i) => Math.max(...table.map((row) => length(row[i] ?? ''))));
    // Too wide: the digest column drops its `sha256:`, which every cell repeats.
    if (lineWidth(natural()) > width)
        table = table.map((row, r) => row.map((cell, i) => (i === DIGEST && r > 0 ? cell.replace(/^sha256:/, '') : cell)));
    const used = natural()[USED_IN] ?? 0;
    const placeFloor = {
        // The name, line and marks, and `…/` before them when the file is in a directory: a place that lost
        // its directories without a mark would read as a file at the top of the workspace.
        whole: Math.min(used, PLACE_WHOLE, Math.max(...places.map((p) => length(p.name) + length(p.tail) + (p.path === p.name ? 0 : 2)))),
        name: Math.min(used, Math.max(...places.map((p) => length(p.tail))) + PLACE_NAME),
    };
    const widths = fitWidths(natural(), typical(table), width, (cols) => cols.map(at).filter((i) => i >= 0), placeFloor);
    const lines = table.map((row, r) => row
        .map((cell, i) => {
        const w = widths[i] ?? 0;
        const place = places[r - 1];
        const fitted = r > 0 && i === USED_IN && place
            ? fitPlace(place, w)
            : r > 0 && i === PLATFORMS
                ? fitPlatforms(cell, w)
                : shortenMiddle(cell, w);
        return i === row.length - 1 ? fitted : fitted.padEnd(w);
    })
        .join(GAP)
        .trimEnd());
    const marked = places.some((p) => p.runtime);
    return { header: lines[0] ?? '', rows: lines.slice(1), legend: marked ? [RUNTIME_LEGEND] : [] };
}
/** Columns shown even when every cell is empty. */
const KEPT = ['STATUS', 'IMAGE', 'USED IN'];
/** What an empty cell shows: `-`, or `—` for an image whose referrers were looked at and none found. */
const EMPTY = new Set(['-', '—']);
/**
 * Column widths whose line fits `width`. The flexible columns start at the width most of their cells need
 * (`typical`), so one very long reference does not cut every other one; then they shrink as SHRINK_STEPS
 * says (within a step the widest first; USED IN not below `placeFloor` before its own last step), and what
 * room is left goes back to the ones that were cut.
 */
function fitWidths(natural, typical, width, indexes, placeFloor) {
    if (lineWidth(natural) <= width)
        return natural;
    const flexible = indexes(FLEXIBLE);
    const [usedIn] = indexes(['USED IN']);
    // A column starts at what nine in ten of its cells need; the place column at least at its file names.
    const start = (i) => i === usedIn ? Math.max(typical[i] ?? 0, placeFloor.whole) : (typical[i] ?? 0);
    const out = natural.map((w, i) => (flexible.includes(i) ? Math.min(w, start(i)) : w));
    for (const step of SHRINK_STEPS) {
        const cols = indexes(step.cols);
        const over = lineWidth(out) - width;
        if (over <= 0)
            break;
        const floor = (col) => col === usedIn && step.places !== 'end' ? Math.max(step.floor, placeFloor[step.places]) : step.floor;
        let left = cols.reduce((a, col) => a + (out[col] ?? 0), 0) - over;
        const order = [...cols].sort((a, b) => (out[a] ?? 0) - (out[b] ?? 0));
        order.forEach((col, k) => {
            out[col] = Math.min(out[col] ?? 0, Math.max(floor(col), Math.floor(left / (order.length - k))));
            left -= out[col] ?? 0;
        });
    }
    // Room left (a column started at its typical width, or a step took more than needed): shared out evenly
    // among the columns that were cut, none past what it needs.
    for (let room = width - lineWidth(out); room > 0;) {
        const cut = flexible.filter((col) => (out[col] ?? 0) < (natural[col] ?? 0));
        if (cut.length === 0)
            break;
        const share = Math.max(1, Math.floor(room / cut.length));
        for (const col of cut) {
            const add = Math.min(share, room, (natural[col] ?? 0) - (out[col] ?? 0));
            out[col] = (out[col] ?? 0) + add;
            room -= add;
        }
    }
    return out;
}
/** Per column, the width that nine in ten of its cells fit in, and never less than its header. */
function typical(rows) {
    return (rows[0] ?? []).map((header, i) => {
        const sorted = rows.map((row) => length(row[i] ?? '')).sort((a, b) => a - b);
        return Math.max(header.length, sorted[Math.floor((sorted.length - 1) * 0.9)] ?? 0);
    });
}
function lineWidth(widths) {
    return widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1);
}
/** `linux/amd64,linux/arm64,linux/arm/v7` → `linux/amd64,arm64,arm/v7`: the OS once per run of it. */
function compactPlatforms(platforms) {
    let os = '';
    return platforms
        .map((p) => {
        const slash = p.indexOf('/');
        const pOs = slash < 0 ? p : p.slice(0, slash);
        const shown = pOs === os && slash >= 0 ? p.slice(slash + 1) : p;
        os = pOs;
        return shown;
    })
        .join(',');
}
/** `docker.io/library/verylongname:1.0` → `docker.io/lib…ame:1.0`: both ends say the most. */
function shortenMiddle(text, max) {
    const chars = [...text];
    if (chars.length <= max)
        return text;
    if (max <= 1)
        return '…'.slice(0, max);
    const keep = max - 1;
    const head = Math.ceil(keep / 2);
    return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}
/** Length in code points, as a terminal counts these (ASCII) cells. */
function length(text) {
    return [...text].length;
}
function placeOf(r) {
    const first = r.sources[0];
    const more = r.sources.length > 1 ? ` (+${r.sources.length - 1})` : '';
    const runtime = first?.runtime !== undefined;
    const tail = `:${first?.line}${runtime ? ` ${RUNTIME_MARK}` : ''}${more}`;
    const path = !first
        ? '-'
        : first.file === _model_js__WEBPACK_IMPORTED_MODULE_4__/* .IMAGES_INPUT_FILE */ .TM
            ? `images input #${first.line}`
            : first.file === _model_js__WEBPACK_IMPORTED_MODULE_4__/* .STDIN_FILE */ .ER
                ? 'stdin'
                : (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .logLine */ .BP)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .printable */ .g$)(first.file));
    const place = { path, name: path.slice(path.lastIndexOf('/') + 1), runtime };
    return { ...place, tail: !first ? '' : first.file === _model_js__WEBPACK_IMPORTED_MODULE_4__/* .IMAGES_INPUT_FILE */ .TM ? more : tail };
}
/**
 * A place cut to `max`: the file name and its tail stay, the directories give way in the middle
 * (`clusters/pro…apps/web.yaml:12`); when even the name does not fit, the name is cut in the middle too
 * (its extension stays), and only a cell too narrow for a few of its characters keeps just the end.
 */
function fitPlace({ path, name, tail }, max) {
    const whole = `${path}${tail}`;
    if (length(whole) <= max)
        return whole;
    const room = max - length(tail);
    if (room < MIN_NAME)
        return max <= 1 ? '…'.slice(0, max) : `…${[...whole].slice(-(max - 1)).join('')}`;
    const dirs = path.slice(0, path.length - name.length);
    const dirRoom = room - length(name);
    // A few characters of the directories say nothing: `…/` says there are some. Without it the place would
    // read as a file at the top of the workspace, so a name that keeps enough of itself gives up two
    // characters for it; in a cell narrower still the name comes first.
    if (dirs && dirRoom >= 2)
        return `${dirRoom >= MIN_NAME ? shortenMiddle(dirs, dirRoom) : '…/'}${name}${tail}`;
    if (dirs && room - 2 >= PLACE_NAME)
        return `…/${shortenMiddle(name, room - 2)}${tail}`;
    return `${shortenMiddle(name, room)}${tail}`;
}
/** Fewer characters than this say nothing of a file name. */
const MIN_NAME = 6;
/** Failed, invalid and unresolved images with their error and diagnosis, for the log. */
function renderProblems(results) {
    const lines = [];
    const shown = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .worstFirst */ .md)(results).filter((r) => r.status === 'failed' || r.status === 'invalid' || r.status === 'unresolved');
    for (const r of shown) {
        lines.push(`${_format_js__WEBPACK_IMPORTED_MODULE_3__/* .STATUS_LABEL */ ._P[r.status]}: ${(0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(r.reference, 200))}`);
        if (r.error)
            lines.push(`  error:     ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .oneLine */ .TN)(r.error, 1000)}`);
        if (r.diagnosis)
            lines.push(`  diagnosis: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .oneLine */ .TN)((0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .briefMessage */ .gM)(r.diagnosis, _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .SEE_BELOW */ .w0), 1000)}`);
        lines.push(`  used in:   ${r.sources
            .slice(0, 5)
            .map((s) => (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .sourceLabel */ .en)(s))
            .join(', ')}${r.sources.length > 5 ? ', …' : ''}`);
    }
    // Each shared explanation once, after the images that point at it.
    for (const e of (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .explanationsOf */ .Ce)(shown))
        lines.push('', `${e.title}:`, `  ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .oneLine */ .TN)(e.text, 4000)}`);
    return lines.join('\n');
}


/***/ }),

/***/ 2461:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ renderMarkdownResults),
/* harmony export */   k: () => (/* binding */ renderTextSummary)
/* harmony export */ });
/* harmony import */ var _inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7581);
/* harmony import */ var _model_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(9814);
/* harmony import */ var _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6633);
/* harmony import */ var _words_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(4842);
/* harmony import */ var _escape_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2527);
/* harmony import */ var _format_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7703);
/* harmony import */ var _links_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4503);
/* harmony import */ var _outcome_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(5102);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(3394);
/* harmony import */ var _table_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(8330);
// The job summary for Forgejo: its runner has no summary page and prints the file into the log, so the
// summary is Markdown that reads well as plain text: the aligned table in a fenced block, then the problems
// as a list with Markdown links to the lines (rendered, should the instance ever render summaries).
// The pull request comment on Forgejo is built from the same pieces (renderMarkdownResults), with a Markdown
// table that the forge renders, links included.










function renderTextSummary(run, outcome, opts = {}) {
    const where = opts.reportPath ? ` (${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(opts.reportPath)})` : '';
    return renderMarkdownResults(run, outcome, opts, {
        table: 'fenced',
        first: 'table',
        limit: 'the summary size limit',
        rest: ` The full list is in the JSON report${where}.`,
    });
}
/** Head, the image table and the problem list, cut (worst kept) to the byte budget. */
function renderMarkdownResults(run, outcome, opts, layout) {
    const c = (0,_outcome_js__WEBPACK_IMPORTED_MODULE_5__/* .countResults */ .aD)(run.results);
    const facts = [
        // In a code span: a forge would turn the bare URL into a link.
        run.zotUrl ? `Zot ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownCode */ .D9)(run.zotUrl)}` : undefined,
        run.zot ? `version ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(run.zot.version ?? 'unknown', 100)}` : undefined,
        `mode ${run.mode}`,
        run.strict ? 'strict' : 'soft',
        (0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(run.durationMs),
        `${(0,_words_js__WEBPACK_IMPORTED_MODULE_8__/* .plural */ .L)(run.files, 'file')} scanned`,
        run.cancelled ? `stopped early: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(run.cancelled)}` : undefined,
    ].filter(Boolean);
    let head = `## ${_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .CONCLUSION_ICON */ .MO[outcome.conclusion]} zot-warm: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .headline */ .Pl)(outcome), 400)}\n\n${facts.join(' · ')}\n\n`;
    head += `total ${c.total} · cached ${c.cached} · warmed ${c.warmed} · failed ${c.failed} · skipped ${c.skipped} · unresolved ${c.unresolved} · invalid ${c.invalid}\n\n`;
    const referrers = (0,_outcome_js__WEBPACK_IMPORTED_MODULE_5__/* .countReferrers */ .AF)(run.results);
    if (referrers)
        head += `${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .referrersLine */ .jv)(referrers))}\n\n`;
    if (run.hardFailure) {
        const { hint } = run.hardFailure;
        // `****` alone would be a thematic break: no emphasis around nothing — judged on the rendered text, as
        // a message of only a line break (NEL, which trim() keeps) renders empty too.
        const message = (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(run.hardFailure.message).trim();
        head += `${[message ? `**${message}**` : '', (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(hint ?? '')].filter(Boolean).join(' ')}\n\n`;
    }
    if (run.rewrite)
        head += `${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .describeRewrite */ .Ge)(run.rewrite))}\n\n`;
    head += unwritableList(run, opts);
    const ordered = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .worstFirst */ .md)(run.results);
    const detailed = ordered.filter(_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .needsDetail */ .t1);
    const problems = detailed.map((r) => problemItem(r, opts));
    // Said once, after the images that point at them; kept whatever is cut.
    const explanations = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .explanationsOf */ .Ce)(detailed)
        .map((e) => `\n**ℹ️ ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(e.title)}**: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(e.text, 4000)}\n`)
        .join('');
    let tableHead;
    let rows;
    let legend = [];
    if (layout.table === 'fenced') {
        // Inside the fence nothing is Markdown, but a line must not close the fence: the table's cells are escaped
        // like the log's, so no line starts with anything but a status.
        const lines = (0,_table_js__WEBPACK_IMPORTED_MODULE_7__/* .tableLines */ .oW)(run.results, run.mode);
        tableHead = ['```text', (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .logText */ .kc)(lines.header)];
        rows = lines.rows.map(_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .logText */ .kc);
        legend = lines.legend.map(_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .logText */ .kc);
    }
    else {
        const withReferrers = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .showsReferrers */ .nm)(run.results);
        const columns = layout.table.columns.filter((col) => col !== 'referrers' || withReferrers);
        tableHead = [
            `| ${columns.map((col) => _summary_js__WEBPACK_IMPORTED_MODULE_6__/* .COLUMN_HEADER */ .hW[col]).join(' | ')} |`,
            `|${columns.map(() => '---').join('|')}|`,
        ];
        rows = ordered.map((r) => markdownRow(r, opts, run.mode, columns));
    }
    // The legend of the table's marks, after an empty line, inside the fence.
    const fence = legend.length ? `\n${legend.join('\n')}\n${'```'}\n` : '```\n';
    const tableClose = layout.table === 'fenced' ? fence : '';
    const budget = opts.budgetBytes ?? _summary_js__WEBPACK_IMPORTED_MODULE_6__/* .SUMMARY_BUDGET_BYTES */ .Xb;
    const reserve = 2048; // the notes about what was cut
    let left = budget - (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(head) - (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(tableHead.join('\n')) - (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(tableClose) - (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .bytes */ .ee)(explanations) - reserve;
    // As in the HTML summary: problem details take at most 40% of what is left, the table rows the rest.
    const problemShare = Math.floor(Math.max(0, left) * 0.4);
    const { kept: keptProblems, used } = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .fitting */ ._Q)(problems, problemShare);
    left -= used;
    const { kept: keptRows } = (0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .fitting */ ._Q)(rows, left, 1);
    let table = '';
    if (rows.length) {
        table = `${[...tableHead, ...keptRows].join('\n')}\n${tableClose}`;
        if (keptRows.length < rows.length)
            table += `\nShowing ${keptRows.length} of ${rows.length} images (worst first) to stay under ${layout.limit}.${layout.rest}\n`;
    }
    let details = '';
    if (problems.length) {
        details = `### Problems and warnings\n\n${keptProblems.join('')}`;
        if (keptProblems.length < problems.length)
            details += `\nDetails shown for ${keptProblems.length} of ${problems.length} images.${layout.rest}\n`;
        details += explanations;
    }
    const sections = layout.first === 'table' ? [table, details] : [details, table];
    return head + sections.filter(Boolean).join('\n');
}
/** The places of warm images `rewrite` could not replace (the HTML summary's list, in Markdown). */
function unwritableList(run, opts) {
    const { icon, shown, more } = (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .unwritableShown */ .lt)(run);
    if (!shown.length)
        return '';
    const items = shown.map((u) => `- ${icon} ${link(u, opts)} ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownCode */ .D9)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(u.reference, 300)))}: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(u.why, 1000)}`);
    if (more)
        items.push(`- … and ${more} more`);
    return `**${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .unwritableHeading */ .QT)(run))}**\n\n${items.join('\n')}\n\n`;
}
function markdownRow(r, opts, mode, columns) {
    const markup = {
        reference: htmlCode,
        code: cellCode,
        text: (t) => (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(t),
        platformBreak: ' ',
        source: (s) => link(s, opts, true),
        sourcesPerRow: 3,
    };
    return `| ${columns.map((c) => (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .tableCell */ .xR)(r, c, mode, markup)).join(' | ')} |`;
}
function problemItem(r, opts) {
    const lines = [`- ${_format_js__WEBPACK_IMPORTED_MODULE_3__/* .STATUS_LABEL */ ._P[r.status]}: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownCode */ .D9)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)(r.reference, 300)))}`];
    if (r.error)
        lines.push(`  - error: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(r.error, 2000)}`);
    if (r.diagnosis)
        lines.push(`  - diagnosis: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .briefMessage */ .gM)(r.diagnosis, _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .SEE_BELOW */ .w0), 2000)}`);
    if (r.rewrittenAs)
        lines.push(`  - rewritten as: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownCode */ .D9)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .compactReference */ .hl)(r.rewrittenAs))}`);
    for (const w of r.warnings.slice(0, 10))
        lines.push(`  - warning: ${(0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .briefMessage */ .gM)(w, _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .SEE_BELOW */ .w0), 1000)}`);
    const sources = r.sources.slice(0, 10).map((s) => link(s, opts));
    if (r.sources.length > 10)
        sources.push(`+${r.sources.length - 10} more`);
    lines.push(`  - used in: ${sources.join(', ')}`);
    return `${lines.join('\n')}\n`;
}
function link(s, opts, wrap = false) {
    const label = wrap ? (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .breakable */ .mo)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .sourceLabel */ .en)(s))) : (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)((0,_format_js__WEBPACK_IMPORTED_MODULE_3__/* .sourceLabel */ .en)(s));
    if (!opts.repo || !opts.workspace || !(0,_model_js__WEBPACK_IMPORTED_MODULE_9__/* .isWorkspaceFile */ .Ud)(s))
        return label;
    const path = (0,_links_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(opts.repo, opts.workspace, s.file);
    return path ? `[${label}](${(0,_links_js__WEBPACK_IMPORTED_MODULE_4__/* .fileUrl */ .iw)(opts.repo, path, s.line)})` : label;
}
/** In a table cell `|` must be escaped even inside a code span: GFM splits the cells before parsing them. */
function cellCode(text) {
    return (0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownCode */ .D9)(text).replace(/\|/g, '\\|');
}
/**
 * Code that may wrap (see breakable): a code span cannot hold `<wbr>`, so the cell uses inline HTML `<code>`,
 * whose content Markdown still parses, hence escaped as Markdown.
 */
function htmlCode(text) {
    return `<code>${(0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .breakable */ .mo)((0,_escape_js__WEBPACK_IMPORTED_MODULE_2__/* .markdownText */ .p7)(text))}</code>`;
}


/***/ }),

/***/ 703:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ zotTarget),
/* harmony export */   Ck: () => (/* binding */ PROOF_LABEL),
/* harmony export */   Hn: () => (/* binding */ unconvertedEvidence),
/* harmony export */   Ic: () => (/* binding */ unprovenDigest),
/* harmony export */   OS: () => (/* binding */ digestTarget)
/* harmony export */ });
/* harmony import */ var _extract_reference_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8492);
/* harmony import */ var _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6633);
/* harmony import */ var _warm_manifest_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1684);
// What text replaces a reference. Two modes:
//   zot     the reference a node pulls from the cache: `<pull host>/<zot repository>:<tag>@<digest Zot serves>`
//           (`@digest` alone for a digest-only reference). Docker Hub short names come out in full
//           (`library/nginx`), because that is the repository Zot holds.
//   digest  the reference as written, pinned: `<as written>@<digest>`, only where the digest Zot serves is
//           provably the one upstream serves; a reference that already carries a verified pin stays as it is.



/** How the log and the summaries name each kind of proof. */
const PROOF_LABEL = {
    'media-types': 'media types kept',
    'upstream-referrer': 'upstream referrer',
};
/** `zot` mode: the same text for every occurrence of the image. */
function zotTarget(pullHost, zotRepository, ref, digest) {
    const tag = ref.tag !== undefined ? `:${ref.tag}` : '';
    return checked(`${pullHost}/${zotRepository}${tag}@${digest}`, {
        domain: pullHost,
        path: zotRepository,
        ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
        digest,
    });
}
/**
 * `digest` mode, per occurrence: `written` is the text at the occurrence (its own spelling, e.g. `nginx:1.27`).
 * A written pin was verified by the warm stage, so it stays as it is.
 */
function digestTarget(written, digest) {
    let ref;
    try {
        ref = (0,_extract_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .parseReference */ .F2)(written);
    }
    catch (err) {
        return { left: `internal: "${written}" is not a valid reference (${err.message})` };
    }
    if (ref.digest !== undefined)
        return { text: written };
    // Without a written tag the implied `latest` is not written either: the text gains only the pin.
    const { tag: _implied, ...name } = ref;
    return checked(`${written}@${digest}`, /[:@]/.test(written.slice(written.lastIndexOf('/') + 1)) ? { ...ref, digest } : { ...name, digest });
}
/** The text must read back as the intended reference; anything else is a bug worth stopping for. */
function checked(text, want) {
    let got;
    try {
        got = (0,_extract_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .parseReference */ .F2)(text);
    }
    catch (err) {
        return { left: `internal: "${text}" is not a valid reference (${err.message})` };
    }
    const expected = (0,_extract_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .formatReference */ .FH)(want);
    return (0,_extract_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .formatReference */ .FH)(got) === expected
        ? { text }
        : { left: `internal: "${text}" reads as ${(0,_extract_reference_js__WEBPACK_IMPORTED_MODULE_0__/* .formatReference */ .FH)(got)}, not ${expected}` };
}
/**
 * Why the stored manifest is byte for byte what upstream serves, or undefined when it cannot be told.
 * Zot (v2.1.x, preserveDigest off) converts an image only when something in it is Docker-typed or an index
 * carries buildkit attestation entries, and then converts all of it: anything Docker-typed, or an attestation
 * entry still in the index, proves no conversion happened. An image holding only OCI types proves nothing:
 * it may have been published so, or be Zot's conversion.
 */
function unconvertedEvidence(m) {
    if ((0,_warm_manifest_js__WEBPACK_IMPORTED_MODULE_2__/* .isDockerMediaType */ .pp)(m.mediaType))
        return 'Zot stores it with Docker media types, as published';
    if (m.config && (0,_warm_manifest_js__WEBPACK_IMPORTED_MODULE_2__/* .isDockerMediaType */ .pp)(m.config.mediaType))
        return 'Zot stores its config with a Docker media type, as published';
    if (m.children.some((c) => (0,_warm_manifest_js__WEBPACK_IMPORTED_MODULE_2__/* .isDockerMediaType */ .pp)(c.mediaType)))
        return 'Zot stores its index with Docker-typed entries, as published';
    if (m.children.some((c) => c.attestation))
        return 'Zot keeps the attestation entries in its index';
    return undefined;
}
/**
 * The reason a tag's digest is not pinned in `digest` mode when nothing proves it is upstream's. `referrers`:
 * what the run read of the image's referrers (undefined: not read, `referrers: off`).
 */
function unprovenDigest(digest, referrers) {
    const read = !referrers
        ? 'its referrers were not read (referrers: off)'
        : referrers.state === 'verified'
            ? 'no signature, attestation or SBOM of this digest'
            : 'its referrers could not be read completely';
    return (0,_warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .explained */ .to)(`the digest Zot serves (${digest}) may not be upstream's: Zot holds this image with OCI media types only, and ${read}.`, _warm_diagnose_js__WEBPACK_IMPORTED_MODULE_1__/* .EXPLANATIONS */ .nT.digestUnproven);
}


/***/ }),

/***/ 6633:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Rn: () => (/* binding */ retryLine),
/* harmony export */   Tu: () => (/* binding */ authFailure),
/* harmony export */   fP: () => (/* binding */ cancelledImage),
/* harmony export */   gM: () => (/* binding */ briefMessage),
/* harmony export */   h4: () => (/* binding */ diagnose),
/* harmony export */   nT: () => (/* binding */ EXPLANATIONS),
/* harmony export */   oN: () => (/* binding */ connectionWarnings),
/* harmony export */   tG: () => (/* binding */ REQUIRE_SIGNED),
/* harmony export */   tT: () => (/* binding */ splitExplained),
/* harmony export */   to: () => (/* binding */ explained),
/* harmony export */   u9: () => (/* binding */ transportAdvice),
/* harmony export */   vc: () => (/* binding */ authAdvice),
/* harmony export */   w0: () => (/* binding */ SEE_BELOW)
/* harmony export */ });
/* harmony import */ var _inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7581);
/* harmony import */ var _manifest_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1684);
// Every sentence of the warm layer that tells the user what to change lives here: diagnoses of failed
// images, the advice after a transport failure, the 401 wording, connection warnings. The transport
// (client.ts, errors.ts) and the registry calls only report what happened, as typed data.
// Zot never passes sync errors to its client, so most diagnoses name the likely causes and the line to look
// for in Zot's log (docs/zot.md has the failure table).


/** Ends the error of an image `referrers: require-signed` failed (the annotations title it by this). */
const REQUIRE_SIGNED = '(referrers: require-signed)';
/** What Zot's conversion does to a digest (in the pin diagnosis and the digestUnproven explanation). */
const conversionDiagnosis = 'Zot converts the image on sync (preserveDigest off: Docker manifests become OCI and attestations leave the index, which changes the digest)';
const SEARCH_OFF = "Zot's search extension is off (or does not know this digest under any tag). Enable it on the cache " +
    '("search": {"enable": true} under extensions)';
const EXPLANATIONS = {
    missingAfterSync: {
        title: 'Why Zot answers 404 after syncing',
        text: "The image is missing upstream, the upstream is down or unreachable from Zot, Zot's upstream " +
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
        text: 'Either the image is not signed upstream ' +
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
        text: 'An admission policy (Kyverno verifyImages, sigstore policy-controller) verifies the digest the reference ' +
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
        text: `Such an image may be published so or be Zot's conversion (${conversionDiagnosis}). ` +
            'A tag is pinned only on proof: Docker media types or attestation entries kept in the stored image (the ' +
            'conversion removes both), or a signature, attestation or SBOM that Zot copied from upstream for this ' +
            'very digest (Zot asks upstream for the referrers of the digest it holds; a converted digest has none). ' +
            'Pin the upstream digest in the manifest (tag@sha256:…, which zot-warm verifies), or use rewrite: zot ' +
            'to pull from the cache.',
    },
};
const ALL_EXPLANATIONS = Object.values(EXPLANATIONS);
/** The message that says `brief` for one image, followed by the explanation it shares with others. */
function explained(brief, explanation) {
    return `${brief} ${explanation.text}`;
}
/** A message split into what concerns its image and the shared explanation it ends with, if any. */
function splitExplained(text) {
    for (const e of ALL_EXPLANATIONS)
        if (text.endsWith(` ${e.text}`))
            return { brief: text.slice(0, text.length - e.text.length - 1), explanation: e };
    return { brief: text };
}
function tries(attempts) {
    return attempts ? ` (${attempts} tries)` : '';
}
function diagnose(s) {
    switch (s.kind) {
        case 'missing-after-sync': {
            // Zot logs upstream errors under the upstream path (`team/app`), local ones under `prefix/team/app`:
            // the upstream path matches both.
            const logTerm = s.upstream ? s.upstream.slice(s.upstream.indexOf('/') + 1) : s.repository;
            return explained(`Zot answered 404 after syncing ${s.repository}${s.reference.includes(':') ? '@' : ':'}${s.reference}` +
                `${s.upstream ? ` (upstream ${s.upstream})` : ''}; Zot's log says why (look for "${logTerm}").`, EXPLANATIONS.missingAfterSync);
        }
        case 'pin-missing': {
            const converted = s.storedMediaType ? !(0,_manifest_js__WEBPACK_IMPORTED_MODULE_1__/* .isDockerMediaType */ .pp)(s.storedMediaType) : true;
            const moved = s.tagDigest
                ? `Zot's ${s.tag} is ${s.tagDigest}, not the pinned ${s.pinned}. `
                : `The pinned ${s.pinned} is not in Zot. `;
            if (!converted)
                return (`${moved}Zot stores this image unconverted (Docker media types, so preserveDigest is on): the upstream ` +
                    `tag most likely moved and ${s.pinned} is no longer available upstream. Update the pin to the current digest.`);
            return (`${moved}Either ${conversionDiagnosis}, or the upstream tag moved and the old digest ` +
                'is gone. If the image is published with Docker media types or attestations, set "preserveDigest": true ' +
                'on the registry in Zot\'s sync config and "compat": ["docker2s2"] under http; otherwise update the pin.');
        }
        case 'not-cached':
            return `Zot does not hold ${s.what}; check mode never asks Zot to sync. Run in warm mode to fetch it.`;
        case 'platform-missing':
            return (`The image does not offer ${s.missing.join(', ')} (it has ${s.available.length ? s.available.join(', ') : 'no platform information'}). ` +
                'Use an image built for those platforms, or narrow the `platforms` input.');
        case 'platform-manifest-missing':
            return (`The index lists ${s.platforms.join(', ')} but Zot does not have their manifests: the sync was ` +
                "incomplete or storage lost them. Check Zot's log for errors on this repository, then run again.");
        case 'sync-timeout':
            return s.connectionClosed
                ? `Zot closed the connection while syncing (its http.writeTimeout is shorter than the sync) and the image ` +
                    `did not appear within the image timeout (${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatSetting */ .w_)(s.timeoutMs)}). Zot may still finish in the background; ` +
                    'raise image-timeout, and set "writeTimeout": "0s" (or longer than your largest sync) in Zot\'s http config. ' +
                    'If it never appears, check Zot\'s log for "failed to sync image".'
                : `No answer from Zot within the image timeout (${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatSetting */ .w_)(s.timeoutMs)}); a large image may still be ` +
                    'syncing in the background. Raise image-timeout, or check Zot\'s log for "failed to sync image" and ' +
                    'an upstream rate limit.';
        case 'unauthorized':
            return `${s.message}. Check username and password (or token) and that the user may read this repository.`;
        case 'forbidden':
            return `Zot refused access to ${s.repository}${s.user ? ` for ${s.user}` : ''} (403): grant read on it in Zot's accessControl.`;
        case 'rate-limited':
            return s.attempts === 1
                ? `Zot answered ${s.status} (too many requests): lower concurrency or retry later.`
                : `Zot kept answering ${s.status} (too many requests) after every retry${tries(s.attempts)}: lower concurrency or retry later.`;
        case 'server-error':
            return `Zot answered ${s.status}${s.attempts === 1 ? '' : ` after every retry${tries(s.attempts)}`}: check Zot's log and its storage, then run again.`;
        case 'unexpected-status':
            return `Zot answered ${s.status}${s.code ? ` ${s.code}` : ''}, which a warmer cannot act on; check Zot's log.`;
        case 'redirected':
            return (`Zot redirected the request to ${s.origin}, which answered ${s.status}. Credentials and token ` +
                "challenges are honoured for Zot's own origin only, so that host gets none: make Zot serve this " +
                'content itself, or the other host accept the redirected request as it is (e.g. a pre-signed URL).');
        case 'unsigned':
            if (s.platformsSigned)
                return explained("Zot holds signatures of the image's platform manifests only, not of its own digest.", EXPLANATIONS.platformsSigned);
            if (!s.verified && !s.copied)
                return explained("zot-warm cannot see whether Zot holds a signature of the image's digest without making it contact upstream.", s.mode === 'check' ? EXPLANATIONS.signaturesUnreadableCheck : EXPLANATIONS.signaturesUnreadable);
            if (s.mode === 'check')
                return `No signature of ${s.what} is in Zot, and check mode never asks Zot to copy referrers. Run in warm mode to copy the signatures upstream has.`;
            return explained("Zot holds no signature of the image's digest after copying its referrers.", EXPLANATIONS.unsigned);
    }
}
/** An image the run's cancellation (overall timeout or signal) cut off, before it started or while it ran. */
function cancelledImage(started) {
    const cancelled = 'cancelled (overall timeout or signal)';
    return started
        ? `${cancelled} before Zot confirmed the image; a sync already started continues in Zot`
        : `not attempted: the run was ${cancelled} before this image started`;
}
/** The sentence for a 401 from Zot, by what was sent. */
function authFailure(c) {
    if (c.username)
        return `Zot rejected the credentials for ${c.username}`;
    if (c.hasToken)
        return 'Zot rejected the bearer token';
    return 'Zot requires credentials: set username and password';
}
/** What to do about a 401 on GET /v2/. */
function authAdvice(c) {
    if (c.username)
        return 'Check username and password (a Zot API key goes in password, with the key owner as username).';
    // Zot answers a missing client certificate with the same Basic challenge as missing credentials.
    const mtls = c.url.startsWith('https:') && !c.hasClientCert
        ? ', or client-cert and client-key if Zot authenticates clients by certificate (mutual TLS)'
        : '';
    return `Set username and password (or token) for Zot${mtls}.`;
}
/** Things the user should know about the connection settings before anything is sent. */
function connectionWarnings(c) {
    return c.insecure && c.url.startsWith('https:')
        ? [
            `TLS verification is off for ${c.url} (skip-tls-verify): anyone on the network path can impersonate Zot and read the credentials.`,
        ]
        : [];
}
/**
 * What to change after a transport failure, or undefined when the message says it all. `duringRun`: Zot
 * answered the pre-flight, so its URL and TLS settings are known to work.
 */
function transportAdvice(err, c, duringRun = false) {
    if (err.kind === 'tls') {
        switch (err.reason) {
            case 'certificate':
                return err.peer
                    ? `Trust the CA of ${err.peer.origin} in \`ca-cert\` (it is the one CA bundle for every host the run talks to).`
                    : 'Pass the CA that signed Zot’s certificate in `ca-cert`, or (test setups only) set skip-tls-verify: true.';
            case 'not-tls':
                return 'Use an http:// URL in zot-url, or the port where Zot serves TLS.';
            case 'client-certificate':
                return "Set client-cert and client-key to a certificate signed by the CA in Zot's http.tls.cacert.";
            default:
                return undefined;
        }
    }
    if (err.kind === 'timeout' && !err.peer)
        return "Zot (or a proxy in front of it) stopped answering requests it answers from its own storage: check Zot's load and its log.";
    if (err.peer?.role === 'token service' && err.kind !== 'protocol' && err.kind !== 'cancelled')
        return "It is the realm of Zot's bearer authentication: check that it runs and is reachable from this runner.";
    if (duringRun)
        return undefined;
    switch (err.kind) {
        case 'unreachable':
            return err.peer ? undefined : 'Check zot-url, and that Zot runs and is reachable from this runner.';
        case 'closed':
            // TLS 1.3 reports a refused client certificate after the handshake: the client only sees the close.
            if (!err.peer && c.hasClientCert && c.url.startsWith('https:'))
                return 'Zot may have refused the client certificate: check that client-cert is signed by the CA in Zot’s http.tls.cacert and that client-key belongs to it.';
            return 'Zot, or a proxy in front of it, dropped the connection: check its log.';
        default:
            return undefined;
    }
}
/**
 * The log line of a failed try: the wait before the next one (`retrying in 8s: 429 from Zot …`), or why
 * there is none.
 */
function retryLine(e) {
    const cause = e.error ? e.error.message : `${e.status} from Zot`;
    const where = `${e.request}, try ${e.attempt} of ${e.attempts}`;
    switch (e.stop) {
        case undefined:
            return `retrying in ${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(e.delayMs)}: ${cause} (${where})`;
        case 'attempts':
            return `giving up: ${cause} (${where})`;
        case 'bound':
            return `not retrying: ${cause}, and the next try (in ${(0,_inputs_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(e.delayMs)}) would pass the time bound of a request (${where})`;
        case 'repeated':
            return `not retrying: ${cause}, which already used up the retries of an earlier request (${where})`;
    }
}
/**
 * A message as a surface shows it for one image: without the explanation it shares with other images, which
 * the surface says once (explanationsOf), and with a pointer there (`pointer(title)`, e.g. `(see “…” below)`).
 */
function briefMessage(text, pointer) {
    const { brief, explanation } = splitExplained(text);
    return explanation ? `${brief} ${pointer(explanation.title)}` : text;
}
/** The pointer the summaries and the log's problem list put after a message whose explanation follows it. */
const SEE_BELOW = (title) => `(see “${title}” below)`;


/***/ }),

/***/ 8703:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   g: () => (/* binding */ record),
/* harmony export */   q: () => (/* binding */ parseJson)
/* harmony export */ });
// Reading JSON that Zot (or a token service) sent: nothing in it is trusted to have the shape it should.
/** JSON of a body, or undefined when it is not JSON. */
function parseJson(body) {
    try {
        return JSON.parse(body.toString('utf8'));
    }
    catch {
        return undefined;
    }
}
/** The value as an object of named fields, or undefined (null, arrays and scalars are not). */
function record(v) {
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}


/***/ }),

/***/ 1684:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $$: () => (/* binding */ isIndexMediaType),
/* harmony export */   Ko: () => (/* binding */ configPlatform),
/* harmony export */   Ky: () => (/* binding */ isImageConfigType),
/* harmony export */   Ng: () => (/* binding */ parseManifest),
/* harmony export */   Sh: () => (/* binding */ ManifestError),
/* harmony export */   dY: () => (/* binding */ MANIFEST_ACCEPT),
/* harmony export */   pp: () => (/* binding */ isDockerMediaType)
/* harmony export */ });
/* unused harmony exports MEDIA_TYPES, sha256 */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var _json_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8703);
/* harmony import */ var _platforms_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3541);
// Reading manifests Zot returns: single image or index, children with their platforms, attestation entries.



const MEDIA_TYPES = {
    ociIndex: 'application/vnd.oci.image.index.v1+json',
    ociManifest: 'application/vnd.oci.image.manifest.v1+json',
    dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
    dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
};
/** Every manifest kind a warmer accepts; Zot answers with what it stores. */
const MANIFEST_ACCEPT = [
    MEDIA_TYPES.ociIndex,
    MEDIA_TYPES.ociManifest,
    MEDIA_TYPES.dockerList,
    MEDIA_TYPES.dockerManifest,
].join(', ');
const INDEX_TYPES = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]);
const IMAGE_CONFIG_TYPES = new Set([
    'application/vnd.oci.image.config.v1+json',
    'application/vnd.docker.container.image.v1+json',
]);
/** An image config media type (OCI or Docker), as opposed to an artifact's. */
function isImageConfigType(mediaType) {
    return IMAGE_CONFIG_TYPES.has(mediaType ?? '');
}
function isIndexMediaType(mediaType) {
    return INDEX_TYPES.has(mediaType ?? '');
}
/** Docker's own media types (manifest, list, config, layers): Zot's conversion replaces every one of them. */
function isDockerMediaType(mediaType) {
    return mediaType.startsWith('application/vnd.docker.');
}
function sha256(body) {
    return `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(body).digest('hex')}`;
}
/** A body that is not a manifest: `message` completes "… that is" (e.g. `not JSON`). */
class ManifestError extends Error {
    reason;
    name = 'ManifestError';
    constructor(reason, message) {
        super(message);
        this.reason = reason;
    }
}
const text = (v) => (typeof v === 'string' && v ? v : undefined);
/**
 * Parse a manifest body. `contentType` and `digestHeader` come from Zot's answer; the digest is computed from
 * the bytes when the header is missing. Throws a ManifestError on anything that is not a manifest or index;
 * fields of the wrong type count as absent.
 */
function parseManifest(body, contentType, digestHeader) {
    let parsed;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    }
    catch {
        throw new ManifestError('not-json', 'not JSON');
    }
    const json = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g)(parsed);
    if (!json)
        throw new ManifestError('bad-shape', 'not a JSON object');
    const mediaType = text(json.mediaType) || contentType?.split(';')[0]?.trim() || '';
    const digest = digestHeader || sha256(body);
    const config = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g)(json.config);
    if (INDEX_TYPES.has(mediaType) || (Array.isArray(json.manifests) && !config)) {
        const entries = Array.isArray(json.manifests) ? json.manifests : [];
        const children = entries.flatMap((entry) => {
            const m = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g)(entry);
            const childDigest = text(m?.digest);
            if (!m || !childDigest)
                return [];
            const p = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g)(m.platform);
            const os = text(p?.os);
            const architecture = text(p?.architecture);
            const platform = os && architecture ? (0,_platforms_js__WEBPACK_IMPORTED_MODULE_1__/* .normalizePlatform */ .FL)({ os, architecture, variant: text(p?.variant) }) : undefined;
            const attestation = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g)(m.annotations)?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
                (platform?.os === 'unknown' && platform.architecture === 'unknown');
            return [{ digest: childDigest, mediaType: text(m.mediaType) ?? '', platform, attestation }];
        });
        return { digest, mediaType: mediaType || MEDIA_TYPES.ociIndex, kind: 'index', children };
    }
    const configDigest = text(config?.digest);
    if (configDigest) {
        const configType = text(config?.mediaType) ?? '';
        return {
            digest,
            mediaType,
            kind: 'manifest',
            children: [],
            config: IMAGE_CONFIG_TYPES.has(configType)
                ? { digest: configDigest, mediaType: configType }
                : undefined,
        };
    }
    throw new ManifestError('bad-shape', `not an image manifest or index (media type "${mediaType || 'none'}")`);
}
/** The platform an image config declares. */
function configPlatform(body) {
    try {
        const c = (0,_json_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g)(JSON.parse(body.toString('utf8')));
        const os = text(c?.os);
        const architecture = text(c?.architecture);
        if (!os || !architecture)
            return undefined;
        return (0,_platforms_js__WEBPACK_IMPORTED_MODULE_1__/* .normalizePlatform */ .FL)({ os, architecture, variant: text(c?.variant) });
    }
    catch {
        return undefined;
    }
}


/***/ }),

/***/ 2479:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   q: () => (/* binding */ REFERRERS_POLICIES),
/* harmony export */   z: () => (/* binding */ DEFAULTS)
/* harmony export */ });
const REFERRERS_POLICIES = ['warm', 'require-signed', 'off'];
/** Defaults the inputs parser, the CLI help and the engine share. */
const DEFAULTS = {
    /** Images warmed at the same time. Each one can keep a Zot sync busy, and caches are often small. */
    concurrency: 4,
    /** Per image: syncing a multi-GB image through a slow upstream takes minutes. */
    imageTimeoutMs: 15 * 60_000,
    /** Whole run; 0 = no limit (the CI job has its own). */
    overallTimeoutMs: 0,
    retry: {
        /** Total tries of one request (first try included). */
        attempts: 5,
        baseDelayMs: 500,
        maxDelayMs: 15_000,
        /** A longer Retry-After is shortened to this; the retry budget stays bounded. */
        maxRetryAfterMs: 60_000,
        /**
         * All the time one request that cannot make Zot sync may take, tries and waits included; a wait that
         * would end past it is not started. (Sync requests are bounded by the image timeout.)
         */
        requestBudgetMs: 60_000,
    },
    /** Polling for an image whose sync outlived Zot's writeTimeout. */
    poll: { initialDelayMs: 1_000, maxDelayMs: 15_000 },
    /** Limit per try of requests that never make Zot contact upstream (tags/list, HEAD by digest, search). */
    localRequestTimeoutMs: 30_000,
    /** Manifests are small (OCI recommends ≤ 4 MiB); anything bigger is not a manifest. Also the page limit. */
    maxManifestBytes: 8 * 1024 * 1024,
    /** One repository's tag list, all pages together: about a million tags of 30 characters. */
    maxTagListBytes: 32 * 1024 * 1024,
    maxTagListPages: 1000,
    maxRedirects: 5,
};


/***/ }),

/***/ 3541:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bq: () => (/* binding */ formatPlatform),
/* harmony export */   FL: () => (/* binding */ normalizePlatform),
/* harmony export */   J5: () => (/* binding */ platformMatches),
/* harmony export */   Y8: () => (/* binding */ parsePlatform)
/* harmony export */ });
// Platforms as `os/arch[/variant]`, with the aliases containerd normalises (so `linux/arm64` and
// `linux/arm64/v8` are the same platform, and `linux/x86_64` is `linux/amd64`).
const ARCH_ALIASES = {
    x86_64: { architecture: 'amd64' },
    'x86-64': { architecture: 'amd64' },
    aarch64: { architecture: 'arm64' },
    armhf: { architecture: 'arm', variant: 'v7' },
    armel: { architecture: 'arm', variant: 'v6' },
    i386: { architecture: '386' },
};
/** Normalise aliases: arm64's default variant v8 is dropped, so equal platforms compare equal as strings. */
function normalizePlatform(p) {
    const os = p.os.toLowerCase();
    let architecture = p.architecture.toLowerCase();
    let variant = p.variant?.toLowerCase() || undefined;
    const alias = ARCH_ALIASES[architecture];
    if (alias) {
        architecture = alias.architecture;
        variant = variant ?? alias.variant;
    }
    if (architecture === 'arm64' && (variant === 'v8' || variant === '8'))
        variant = undefined;
    if (architecture === 'arm' && variant && /^\d+$/.test(variant))
        variant = `v${variant}`;
    return variant ? { os, architecture, variant } : { os, architecture };
}
/** `linux/arm/v7` → Platform; undefined when it is not os/arch[/variant]. */
function parsePlatform(text) {
    const parts = text.trim().split('/');
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[A-Za-z0-9_.-]+$/.test(p)))
        return undefined;
    const [os, architecture, variant] = parts;
    return normalizePlatform({ os, architecture, variant });
}
function formatPlatform(p) {
    const n = normalizePlatform(p);
    return n.variant ? `${n.os}/${n.architecture}/${n.variant}` : `${n.os}/${n.architecture}`;
}
/**
 * Does an image platform satisfy a required one? A requirement without variant accepts any variant of the
 * architecture (`linux/arm` takes `linux/arm/v7`); with a variant it must match.
 */
function platformMatches(required, actual) {
    const r = normalizePlatform(required);
    const a = normalizePlatform(actual);
    if (r.os !== a.os || r.architecture !== a.architecture)
        return false;
    return r.variant === undefined || r.variant === a.variant;
}


/***/ }),

/***/ 4842:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L: () => (/* binding */ plural)
/* harmony export */ });
// Wording helpers every layer uses (log lines, summaries, errors).
/** `1 image`, `3 images`. */
function plural(n, word, many = `${word}s`) {
    return `${n} ${n === 1 ? word : many}`;
}


/***/ })

};
