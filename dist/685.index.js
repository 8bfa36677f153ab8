export const id = 685;
export const ids = [685];
export const modules = {

/***/ 2685:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publishPrComment: () => (/* binding */ publishPrComment)
});

// UNUSED EXPORTS: commentFailureNotice, syncComment

// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js + 22 modules
var github = __webpack_require__(2413);
// EXTERNAL MODULE: ./lib/report/comment.js
var comment = __webpack_require__(7023);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
// EXTERNAL MODULE: ./lib/warm/retry.js
var warm_retry = __webpack_require__(8667);
;// CONCATENATED MODULE: ./lib/report/forge-client.js
// The issue-comment endpoints of the forge's REST API, for the pull request comment. One client for GitHub and
// Forgejo: Forgejo (a Gitea fork) serves the same paths and JSON fields under `${GITHUB_API_URL}` (= instance +
// /api/v1) and accepts octokit's `Authorization: token …` header, so octokit with that base URL serves both.
// Errors come back typed (operation, status, the forge's message); what to tell the user is decided above.



/** A request the forge refused or that never got an answer. */
class ForgeApiError extends Error {
    operation;
    status;
    detail;
    attempts;
    name = 'ForgeApiError';
    constructor(operation, 
    /** HTTP status; undefined when no answer came (connection refused, timeout). */
    status, 
    /** The forge's own message, or the transport error. */
    detail, attempts) {
        super(`${operation} comment: ${status ? `HTTP ${status}: ` : ''}${detail}`);
        this.operation = operation;
        this.status = status;
        this.detail = detail;
        this.attempts = attempts;
    }
}
/** Few and short: the comment is a courtesy, the job must not wait minutes for it. */
const COMMENT_RETRY = {
    attempts: 3,
    baseDelayMs: 1_000,
    maxDelayMs: 4_000,
    maxRetryAfterMs: 10_000,
};
function commentApi(opts) {
    const retry = { ...COMMENT_RETRY, ...opts.retry };
    const timeoutMs = opts.requestTimeoutMs ?? 15_000;
    const debug = opts.debug ?? (() => undefined);
    const octokit = (0,github/* getOctokit */.Q)(opts.token, {
        baseUrl: opts.apiUrl.replace(/\/+$/, ''),
        userAgent: opts.userAgent,
        // octokit's default logger is the console; the action's log is not the place for its chatter.
        log: { debug, info: debug, warn: debug, error: debug },
    });
    const where = { owner: opts.owner, repo: opts.repo };
    async function call(operation, fn) {
        for (let attempt = 1;; attempt++) {
            const limit = AbortSignal.timeout(operation === 'list' ? 2 * timeoutMs : timeoutMs);
            const signal = opts.signal ? AbortSignal.any([limit, opts.signal]) : limit;
            try {
                return await fn(signal);
            }
            catch (err) {
                const e = err;
                const answered = e.response !== undefined;
                const status = answered ? e.status : undefined;
                const headers = e.response?.headers ?? {};
                const rateLimited = status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0');
                const transient = !answered || warm_retry/* RETRY_STATUSES */.Ib.has(status ?? 0) || rateLimited;
                const detail = apiMessage(err);
                if (!transient || attempt >= retry.attempts || opts.signal?.aborted)
                    throw new ForgeApiError(operation, status, detail, attempt);
                const wait = (0,warm_retry/* retryDelay */.a2)(attempt - 1, headers['retry-after'], retry);
                debug(`${operation} comment: ${status ? `HTTP ${status}` : detail}; try ${attempt + 1} in ${wait} ms`);
                await (retry.sleep ?? warm_retry/* sleep */.yy)(wait, opts.signal).catch(() => undefined);
            }
        }
    }
    return {
        list: () => call('list', (signal) => octokit.paginate(octokit.rest.issues.listComments, {
            ...where,
            issue_number: opts.number,
            per_page: 100,
            request: { signal },
        })).then((comments) => comments.map(toComment)),
        create: (body) => call('create', (signal) => octokit.rest.issues.createComment({ ...where, issue_number: opts.number, body, request: { signal } })).then((r) => toComment(r.data)),
        update: (id, body) => call('update', (signal) => octokit.rest.issues.updateComment({ ...where, comment_id: id, body, request: { signal } })).then((r) => toComment(r.data)),
        remove: async (id) => {
            try {
                await call('delete', (signal) => octokit.rest.issues.deleteComment({ ...where, comment_id: id, request: { signal } }));
            }
            catch (err) {
                if (!(err instanceof ForgeApiError && err.status === 404))
                    throw err;
            }
        },
    };
}
function toComment(c) {
    return {
        id: c.id,
        body: c.body ?? '',
        user: c.user ? { id: c.user.id, login: c.user.login } : null,
        html_url: c.html_url,
    };
}
/** The forge's `message` (both forges answer errors as `{"message": …}`), else the error's own text. */
function apiMessage(err) {
    const e = err;
    const data = e.response?.data;
    if (data && typeof data === 'object' && typeof data.message === 'string')
        return data.message;
    if (typeof data === 'string' && data.trim())
        return data.trim().slice(0, 200);
    // No answer: octokit wraps fetch's "fetch failed", which wraps what really happened (ECONNREFUSED, timeout).
    let inner = err;
    while (inner instanceof Error && inner.cause instanceof Error)
        inner = inner.cause;
    return (0,errors/* describeError */.Uc)(inner);
}

// EXTERNAL MODULE: ./lib/report/links.js
var links = __webpack_require__(4503);
;// CONCATENATED MODULE: ./lib/report/pr-comment.js
// The pull request comment: one per pull request and job, kept up to date. Loaded only by runs that may
// comment (see wantsPrComment), so every other run skips octokit altogether.
//
// Sticky without locks: the comment is found by its marker; before creating one the comments are read, and
// after writing, read again. When two runs raced and both created, the lowest id is kept, the others (by the
// same author) are deleted, and the kept one shows the newest run's result: both racers converge on that.
// Updates cannot be made conditional (neither forge has If-Match for comments); the read after an update
// repairs the common case of an older run's write landing last.




async function publishPrComment(input, context = github/* context */._) {
    const number = context.issue.number;
    if (!Number.isInteger(number) || number <= 0)
        return {
            action: 'failed',
            notice: `zot-warm: no pull request number in the ${context.eventName} event; no comment.`,
        };
    const token = input.config.githubToken;
    if (!token)
        return {
            action: 'failed',
            notice: 
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression, quoted for the user.
            'zot-warm: no pull request comment: the github-token input is empty (its default is the job token, `${{ github.token }}`).',
        };
    const { owner, repo } = context.repo;
    const run = {
        id: context.runId || 0,
        attempt: Number.isInteger(context.runAttempt) && context.runAttempt > 0 ? context.runAttempt : 1,
    };
    const link = (0,links/* runUrl */.Vp)(input.forge, context.serverUrl, `${owner}/${repo}`, {
        id: context.runId,
        number: context.runNumber,
        attempt: run.attempt,
    }, input.env ?? process.env);
    const meta = {
        key: (0,comment/* commentKey */.Td)({
            workflow: context.workflow,
            job: context.job,
            zotUrl: input.config.zotUrl,
            paths: input.config.paths,
            images: input.config.images,
        }),
        run,
        job: context.job,
        workflow: context.workflow,
        runLabel: context.runNumber || context.runId ? `run #${context.runNumber || context.runId}` : 'the run',
        ...(link ? { runUrl: link } : {}),
        ...(input.repo ? { sha: input.repo.sha } : {}),
    };
    const body = (0,comment/* renderComment */.wQ)(input.run, input.outcome, {
        forge: input.forge,
        workspace: input.config.workspace,
        meta,
        ...(input.repo ? { repo: input.repo } : {}),
    });
    const deadline = AbortSignal.timeout(input.deadlineMs ?? 60_000);
    const api = commentApi({
        apiUrl: context.apiUrl,
        token,
        owner,
        repo,
        number,
        userAgent: input.userAgent,
        signal: deadline,
        ...input.client,
        ...(input.debug ? { debug: input.debug } : {}),
    });
    try {
        return await syncComment(api, {
            key: meta.key,
            run,
            body,
            // `auto` speaks up for problems; a clean run only updates a comment that is already there.
            create: input.config.prComment === 'always' || input.outcome.conclusion !== 'success',
        });
    }
    catch (err) {
        return { action: 'failed', notice: commentFailureNotice(err, input.forge, context.eventName) };
    }
}
/** Create or update this job's comment, and settle a race with a concurrent run. */
async function syncComment(api, input) {
    const ours = (all) => all.filter((c) => (0,comment/* isOurComment */.CZ)(c.body, input.key)).sort((a, b) => a.id - b.id);
    const existing = ours(await api.list());
    const first = existing[0];
    if (!first) {
        if (!input.create)
            return { action: 'none' };
        const created = await api.create(input.body);
        // Re-read: a run of the same job may have created its comment at the same time.
        const after = ours(await api.list());
        if (after.length <= 1)
            return { action: 'created', url: created.html_url, removedDuplicates: 0 };
        const settled = await settle(api, after, created, input);
        return {
            action: settled.kept.id === created.id ? 'created' : 'updated',
            url: settled.kept.html_url,
            removedDuplicates: settled.removed,
        };
    }
    const theirs = (0,comment/* runOrderOf */.B1)(first.body);
    if (theirs && (0,comment/* compareRunOrder */.tr)(theirs, input.run) > 0)
        return { action: 'kept-newer', url: first.html_url };
    let removed = 0;
    // Leftovers of an earlier race that could not be settled then.
    for (const dup of existing.slice(1)) {
        if (!sameAuthor(dup, first))
            continue;
        await api.remove(dup.id);
        removed++;
    }
    if (first.body === input.body)
        return { action: 'unchanged', url: first.html_url, removedDuplicates: removed };
    let updated = await api.update(first.id, input.body);
    // Two runs updating at once: the later write wins, which may be the older run's. Read once more and, if an
    // older run's result replaced ours, write ours again (a newer run's result is left alone).
    const now = ours(await api.list()).find((c) => c.id === first.id);
    const order = now && (0,comment/* runOrderOf */.B1)(now.body);
    if (order && (0,comment/* compareRunOrder */.tr)(order, input.run) < 0)
        updated = await api.update(first.id, input.body);
    return { action: 'updated', url: updated.html_url, removedDuplicates: removed };
}
/** Keep the lowest id, delete the other copies by the same author, and show the newest run's body. */
async function settle(api, copies, mine, input) {
    // Only copies by the same author as ours: a comment someone else wrote is never touched.
    const same = copies.filter((c) => sameAuthor(c, mine));
    const kept = same[0] ?? mine;
    let removed = 0;
    for (const c of same.slice(1)) {
        await api.remove(c.id);
        removed++;
    }
    // The newest run's body wins: ours, or one a racer wrote (copied across, so both racers agree).
    let newest = { order: input.run, body: input.body };
    for (const c of same) {
        const order = (0,comment/* runOrderOf */.B1)(c.body);
        if (order && (0,comment/* compareRunOrder */.tr)(order, newest.order) > 0)
            newest = { order, body: c.body };
    }
    if (kept.body === newest.body)
        return { kept, removed };
    return { kept: await api.update(kept.id, newest.body), removed };
}
function sameAuthor(a, b) {
    return a.user !== null && b.user !== null && a.user.id === b.user.id;
}
/** One notice for every way the comment can fail; the step's outcome never depends on it. */
function commentFailureNotice(err, forge, eventName) {
    const lead = 'zot-warm: could not comment on the pull request';
    if (!(err instanceof ForgeApiError))
        return `${lead}: ${err?.message ?? String(err)}`;
    const what = `${err.operation} failed with ${err.status ? `HTTP ${err.status}` : 'no answer'} (${err.detail})`;
    let advice;
    if (err.status === 401)
        advice = 'The github-token was rejected; pass a valid token or leave the input at its default.';
    else if (err.status === 403 || err.status === 404)
        advice =
            eventName === 'pull_request'
                ? forge === 'github'
                    ? 'The token cannot write comments: give the job `permissions: pull-requests: write`. Pull requests from forks get a read-only token; their results stay in the job summary and annotations.'
                    : 'The token cannot write comments. Pull requests from forks get a read-only token; their results stay in the job log.'
                : forge === 'github'
                    ? 'The token cannot write comments: give the job `permissions: pull-requests: write`.'
                    : 'The token cannot write comments: pass a token that may write issues (`write:issue`).';
    else if (err.status === undefined)
        advice = `The forge's API did not answer (${err.attempts} tries).`;
    else
        advice = `The forge's API refused it (${err.attempts} ${err.attempts === 1 ? 'try' : 'tries'}).`;
    return `${lead}: ${what}. ${advice} The step's result does not depend on the comment.`;
}


/***/ }),

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


/***/ })

};
