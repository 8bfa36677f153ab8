export const id = 401;
export const ids = [401];
export const modules = {

/***/ 9401:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  rewriteManifests: () => (/* binding */ rewriteManifests)
});

// EXTERNAL MODULE: external "node:buffer"
var external_node_buffer_ = __webpack_require__(4573);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./lib/extract/reference.js
var reference = __webpack_require__(8492);
// EXTERNAL MODULE: ./lib/model.js
var model = __webpack_require__(9814);
// EXTERNAL MODULE: ./lib/warm/diagnose.js
var diagnose = __webpack_require__(6633);
// EXTERNAL MODULE: ./lib/words.js
var words = __webpack_require__(4842);
;// CONCATENATED MODULE: ./lib/rewrite/edit.js
// Replacing references inside a file's text: only the characters of each reference change, everything
// else (comments, quoting, indentation, line endings, other documents) is copied as it is.
//
// Why a replacement cannot break the YAML or JSON around it: it is a reference, so it holds only
// `a-z A-Z 0-9 . _ - / : @` (and `[ ]` for an IPv6 host), never a quote, backslash, space, `#`, `,`, `{`,
// `}` or line break. Inside double quotes (YAML or JSON) or single quotes it stays one string; as a plain
// scalar it cannot contain `: ` or ` #` and starts with a letter or digit, so it cannot become a key, a
// comment or an indicator; in a block scalar or an image list line any such text is text. Only `[`/`]`
// could open or close a flow collection in a plain scalar, so a bracketed host is written only between
// quotes (see unsafeHere).
/**
 * Why `replacement` cannot be written over `[start, end)` of `text`, or undefined when it can. Brackets the
 * original did not have are allowed only when the reference is the whole of a quoted string.
 */
function unsafeHere(text, start, end, replacement) {
    if (!/[[\]]/.test(replacement) || /[[\]]/.test(text.slice(start, end)))
        return undefined;
    const before = text.charAt(start - 1);
    if ((before === '"' || before === "'") && text.charAt(end) === before)
        return undefined;
    return 'the text would hold "[" (an IPv6 pull host), which YAML reads as a list outside quotes; quote the value or set pull-host to a name';
}
/** Apply non-overlapping edits (any order). Throws on overlap or an edit outside the text: a caller bug. */
function applyEdits(text, edits) {
    const sorted = [...edits].sort((a, b) => a.start - b.start);
    const parts = [];
    let at = 0;
    for (const e of sorted) {
        if (e.start < at || e.end < e.start || e.end > text.length)
            throw new RangeError(`edit [${e.start}, ${e.end}) overlaps another or lies outside the text`);
        parts.push(text.slice(at, e.start), e.text);
        at = e.end;
    }
    parts.push(text.slice(at));
    return parts.join('');
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __webpack_require__(452);
;// CONCATENATED MODULE: ./lib/rewrite/output.js
// Writing the manifest files into the output directory (or in place), and nowhere else: a path that leaves
// the directory (`..`, an absolute path) or passes through a symbolic link is refused, never followed. Each
// file is written to a temporary name beside it and renamed over the target, so a reader (kubectl, a
// concurrent step) never sees half a file; rename replaces a directory entry and never follows a link.




/** Thrown for a path that must not be written; the message says why (for a "not written" line). */
class RefusedPath extends Error {
    name = 'RefusedPath';
}
/** The real path of the output directory, created if missing. */
async function prepareOutputDir(dir) {
    await (0,promises_.mkdir)(dir, { recursive: true });
    const real = await (0,promises_.realpath)(dir);
    if (!(await (0,promises_.stat)(real)).isDirectory())
        throw new RefusedPath(`${dir} is not a directory`);
    return real;
}
/**
 * The absolute path for the workspace-relative `file` inside `root` (a real path), with its parent
 * directories created. Refuses paths that leave `root` and any existing symbolic link on the way.
 */
async function destination(root, file) {
    const parts = file.split('/');
    if ((0,external_node_path_.isAbsolute)(file) || file.includes('\\') || parts.some((p) => p === '..' || p === '' || p === '.'))
        throw new RefusedPath('its path leaves the workspace, so it would land outside the output directory');
    let at = root;
    for (let i = 0; i < parts.length; i++) {
        at = (0,external_node_path_.join)(at, parts[i]);
        const last = i === parts.length - 1;
        let st;
        try {
            st = await (0,promises_.lstat)(at);
        }
        catch (err) {
            if (err.code !== 'ENOENT')
                throw err;
        }
        if (st?.isSymbolicLink())
            throw new RefusedPath(`${last ? 'the target' : `"${parts.slice(0, i + 1).join('/')}"`} is a symbolic link in the output directory; links are not followed`);
        if (!last) {
            if (!st)
                await (0,promises_.mkdir)(at);
            else if (!st.isDirectory())
                throw new RefusedPath(`"${parts.slice(0, i + 1).join('/')}" is not a directory in the output directory`);
        }
        else if (st && !st.isFile())
            throw new RefusedPath('the target is not a regular file');
    }
    // Belt and braces: the final path must still be inside the root.
    const full = (0,external_node_path_.resolve)(at);
    if (full !== root && !full.startsWith(root.endsWith(external_node_path_.sep) ? root : root + external_node_path_.sep))
        throw new RefusedPath('its path leaves the output directory');
    return full;
}
/** Write `data` to `path` atomically, keeping the mode of a file it replaces. */
async function writeAtomically(path, data) {
    let mode;
    try {
        mode = (await (0,promises_.lstat)(path)).mode & 0o7777;
    }
    catch {
        // a new file
    }
    const temp = `${path}.zot-warm-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`;
    try {
        await (0,promises_.writeFile)(temp, data, { flag: 'wx' });
        // The umask may have narrowed the mode given at creation: set the replaced file's mode exactly.
        if (mode !== undefined)
            await (0,promises_.chmod)(temp, mode);
        await (0,promises_.rename)(temp, path);
    }
    catch (err) {
        await (0,promises_.rm)(temp, { force: true }).catch(() => undefined);
        throw err;
    }
}
/** One line for a file that could not be written or read. */
function fileProblem(err) {
    if (err instanceof RefusedPath)
        return err.message;
    const code = err.code;
    if (code === 'EACCES' || code === 'EPERM')
        return `permission denied (${code})`;
    if (code === 'ENOENT')
        return 'it vanished since it was read (ENOENT)';
    return (0,errors/* describeError */.Uc)(err);
}

// EXTERNAL MODULE: ./lib/rewrite/target.js
var rewrite_target = __webpack_require__(703);
;// CONCATENATED MODULE: ./lib/rewrite/unwritable.js
// A place whose text cannot be replaced (Source.unwritable: escapes, a value folded over lines, an alias of
// text that is no image field, image-sync's source and tag written apart) keeps the upstream reference, so the
// deploy would pull that image from upstream. Each reason comes with what to write instead; strict mode fails
// the run on such a place (and writes nothing), soft mode warns.
const ONE_LINE = 'write the reference on one line, as a plain or quoted value';
const NO_ESCAPES = 'write the reference without escapes, as a plain or quoted value';
/** The reasons the extraction gives (src/extract/span.ts, index.ts, formats.ts), with what to do about each. */
const FIXES = [
    [/^written with escapes inside double quotes$/, NO_ESCAPES],
    [/^written with a doubled quote \(''\) inside single quotes$/, NO_ESCAPES],
    [/^a (plain|quoted) value spread over several lines$/, ONE_LINE],
    [/^a block scalar (of several lines|whose text differs from its value)/, ONE_LINE],
    [
        /^reached through the alias\b/,
        'write the reference itself in place of the alias, or put the anchor on the image field it copies',
    ],
    [
        /^its source and tag are written apart$/,
        'write source as one reference (source: name:tag, no tag key), or leave this image-sync file out of paths',
    ],
    [/^internal: /, 'this is a zot-warm bug: please report it with the file'],
];
/** `why`, followed by what to write instead. */
function withFix(why) {
    const fix = FIXES.find(([re]) => re.test(why))?.[1] ?? 'write the reference as a plain or quoted value on one line';
    return `${why}; ${fix}`;
}

;// CONCATENATED MODULE: ./lib/rewrite/index.js
// The rewrite stage (after warm): hands the deploy the manifests it scanned with each verified reference
// replaced, in place or in an output directory (every scanned file, rewritten or not, at the same relative
// path), or on stdout for a pipe. Only the characters of a reference change (Source.span); an image that
// failed, was not mapped, is invalid or unresolved keeps its text, and every reference left as written is
// said, with why.











const WARMED = new Set(['cached', 'warmed']);
/** Why an image keeps its text whatever the mode, from its status. */
function statusReason(r) {
    switch (r.status) {
        case 'failed':
            return 'the image failed';
        case 'skipped-unmapped':
            return 'its registry is not in registry-map';
        case 'not-attempted':
            return 'the image was not attempted';
        case 'invalid':
            return 'not a valid image reference';
        case 'unresolved':
            return 'an unresolved (templated or empty) reference';
        default:
            return undefined;
    }
}
/**
 * Rewrite the files read by the extraction. `rule` decides each image's text (default: the mode's; tests
 * give their own, e.g. the text as written, which must leave every file byte-identical).
 */
async function rewriteManifests(opts, input, rule) {
    const workspace = (0,external_node_path_.resolve)(opts.workspace);
    const inPlace = opts.output !== '-' && (0,external_node_path_.resolve)(opts.output) === workspace;
    const summary = {
        mode: opts.mode,
        output: opts.output,
        inPlace,
        written: false,
        files: 0,
        changedFiles: 0,
        rewritten: 0,
        unchanged: 0,
        left: [],
        problems: [],
        unwritable: [],
    };
    const log = input.log ?? (() => undefined);
    const planned = new Map(input.planned.map((p) => [p.reference, p]));
    const decide = rule ?? ((r) => imageReason(r, opts, planned, input.stored));
    /** The text written for each image (its first rewritten place). */
    const done = new Map();
    /** Places left, per image, with why (`image`: the reason is the image's, not the place's). */
    const leftPlaces = new Map();
    const leave = (result, source, why, image = false) => {
        const list = leftPlaces.get(result);
        if (list)
            list.push({ source, why, image });
        else
            leftPlaces.set(result, [{ source, why, image }]);
    };
    // 1. What each place becomes, by file.
    const byFile = new Map();
    const aliases = new Map();
    for (const result of input.results) {
        const places = result.sources.filter((s) => s.file !== model/* IMAGES_INPUT_FILE */.TM);
        if (!places.length)
            continue;
        const why = decide(result);
        const target = typeof why === 'function' ? why : undefined;
        for (const source of places) {
            if (typeof why === 'string')
                leave(result, source, why, true);
            else if (source.span && target) {
                const list = byFile.get(source.file) ?? [];
                list.push({ result, source, target });
                byFile.set(source.file, list);
            }
            else if (source.aliasOf && target) {
                const list = aliases.get(source.file) ?? [];
                list.push({ result, source });
                aliases.set(source.file, list);
            }
            else
                leave(result, source, withFix(source.unwritable ?? 'its text cannot be replaced in place'));
        }
    }
    // An alias follows its anchor only where the anchor is an image place rewritten here: known now, so that
    // strict mode can refuse before writing anything.
    for (const [file, followers] of aliases) {
        const anchors = new Set((byFile.get(file) ?? []).map((p) => spanKey(p.source.span)));
        const kept = followers.filter((f) => anchors.has(spanKey(f.source.aliasOf)));
        for (const f of followers)
            if (!kept.includes(f))
                leave(f.result, f.source, withFix(aliasLeft(f.source)));
        aliases.set(file, kept);
    }
    summary.unwritable = unwritablePlaces(leftPlaces);
    const hold = input.hold ??
        (input.strict && summary.unwritable.length
            ? `${(0,words/* plural */.L)(summary.unwritable.length, 'reference')} to warm images cannot be rewritten in place`
            : undefined);
    if (hold) {
        summary.held = hold;
        log('info', `Nothing written: ${hold}.`);
        for (const u of summary.unwritable)
            log('warning', `cannot be rewritten: ${u.reference} (${u.file}:${u.line}:${u.column}): ${u.why}`);
        annotate(input.results, leftPlaces, done);
        summary.left = leftList(leftPlaces);
        return summary;
    }
    // 2. Each file: read it back, replace, write.
    const root = opts.output === '-' ? undefined : await prepareOutputDir(opts.output);
    for (const file of input.read) {
        // stdin goes only to stdout and files only to a directory (the configuration check makes sure).
        if ((file === model/* STDIN_FILE */.ER) !== (root === undefined))
            continue;
        const pending = byFile.get(file) ?? [];
        const followers = aliases.get(file) ?? [];
        const changes = await rewriteFile(pending, followers, () => file === model/* STDIN_FILE */.ER ? Buffer.from(input.stdin ?? '', 'utf8') : (0,promises_.readFile)((0,external_node_path_.resolve)(workspace, file)));
        for (const l of changes.left)
            leave(l.place.result, l.place.source, l.why);
        let problem = changes.problem;
        if (!problem) {
            try {
                if (!root)
                    input.stdout?.(changes.out.toString('utf8'));
                else if (!inPlace || changes.changed)
                    await writeAtomically(await destination(root, file), changes.out);
            }
            catch (err) {
                problem = fileProblem(err);
            }
        }
        if (problem) {
            summary.problems.push({ file, message: problem });
            log('warning', `${file}: not written: ${problem}`);
            // Nothing of this file was written: its references are not rewritten after all.
            for (const place of changes.places)
                leave(place.result, place.source, `the file was not written (${problem})`);
            continue;
        }
        // In place, a file whose references already say what they would become is left alone (not touched).
        if (root && inPlace && !changes.changed) {
            summary.unchanged += changes.places.length;
        }
        else {
            summary.files++;
            if (changes.changed)
                summary.changedFiles++;
            summary.rewritten += changes.changed;
            summary.unchanged += changes.places.length - changes.changed;
        }
        for (const place of changes.places) {
            const text = changes.texts.get(place.result);
            if (text !== undefined && !done.has(place.result))
                done.set(place.result, text);
        }
    }
    summary.written = true;
    annotate(input.results, leftPlaces, done);
    summary.left = leftList(leftPlaces);
    const where = root ? (inPlace ? 'in place' : `into ${root}`) : 'to stdout';
    log('info', `Rewrote ${(0,words/* plural */.L)(summary.rewritten, 'reference')} in ${(0,words/* plural */.L)(summary.changedFiles, 'file')}; ` +
        `${(0,words/* plural */.L)(summary.files, 'file')} written ${where}` +
        (summary.unchanged ? `; ${(0,words/* plural */.L)(summary.unchanged, 'reference')} already as verified.` : '.'));
    if (opts.mode === 'digest')
        summary.pinnedBy = sayProofs(input.results, done, input.stored, log);
    const explanations = [];
    for (const l of summary.left) {
        const places = l.places > 1 ? ` (${l.places} places, first at ${l.where})` : ` (${l.where})`;
        log('warning', `not rewritten: ${l.reference}${places}: ${(0,diagnose/* briefMessage */.gM)(l.why, diagnose/* SEE_BELOW */.w0)}`);
        const e = (0,diagnose/* splitExplained */.tT)(l.why).explanation;
        if (e && !explanations.includes(e))
            explanations.push(e);
    }
    // What several images share (why a tag was not pinned), once.
    for (const e of explanations)
        log('info', `${e.title}: ${e.text}`);
    return summary;
}
/** `digest` mode: each tag pinned, with the proof that the digest is upstream's; the count by proof. */
function sayProofs(results, done, stored, log) {
    const counts = { 'media-types': 0, 'upstream-referrer': 0 };
    for (const r of results) {
        const proof = done.has(r) ? stored?.get(r.reference)?.proof : undefined;
        if (!proof)
            continue;
        counts[proof.by]++;
        log('info', `pinned ${r.reference} to ${r.digest} (${rewrite_target/* PROOF_LABEL */.Ck[proof.by]}): ${proof.detail}`);
    }
    return counts;
}
/** One file's new content: each pending place replaced when the file still says what was read there. */
async function rewriteFile(pending, followers, read) {
    const changes = { out: Buffer.alloc(0), places: [], changed: 0, texts: new Map(), left: [] };
    const all = [...pending, ...followers];
    try {
        changes.out = await read();
    }
    catch (err) {
        changes.problem = `cannot read it again: ${fileProblem(err)}`;
    }
    if (changes.problem || !all.length) {
        if (changes.problem)
            for (const p of all)
                changes.left.push({ place: p, why: `the file was not written (${changes.problem})` });
        return changes;
    }
    // Decoding and encoding again is byte-exact only for valid UTF-8.
    if (!(0,external_node_buffer_.isUtf8)(changes.out)) {
        for (const p of all)
            changes.left.push({ place: p, why: 'the file is not valid UTF-8 (any more)' });
        return changes;
    }
    const text = changes.out.toString('utf8');
    const edits = [];
    for (const p of pending) {
        const edit = placeEdit(text, p);
        if ('why' in edit) {
            changes.left.push({ place: p, why: edit.why });
            continue;
        }
        edits.push(edit);
        changes.places.push(p);
        if (edit.text !== text.slice(edit.start, edit.end))
            changes.changed++;
        if (!changes.texts.has(p.result))
            changes.texts.set(p.result, edit.text);
    }
    // An alias follows its anchor: rewritten exactly when the anchored text itself was.
    for (const f of followers) {
        const anchor = anchorEdit(f, edits);
        if (anchor) {
            changes.places.push(f);
            if (anchor.text !== text.slice(anchor.start, anchor.end))
                changes.changed++;
        }
        else
            changes.left.push({ place: f, why: aliasLeft(f.source) });
    }
    if (changes.changed)
        changes.out = Buffer.from(applyEdits(text, edits), 'utf8');
    return changes;
}
function aliasLeft(source) {
    return `${source.unwritable ?? 'reached through an alias'}, whose anchored text is not an image field rewritten here`;
}
const spanKey = (span) => span ? `${span.start}:${span.end}` : '';
/** The places of warm images left for their own text (not for the image's reason) before any file is read. */
function unwritablePlaces(left) {
    const out = [];
    for (const [r, places] of left) {
        if (!WARMED.has(r.status))
            continue;
        for (const p of places)
            if (!p.image)
                out.push({
                    reference: r.reference,
                    file: p.source.file,
                    line: p.source.line,
                    column: p.source.column,
                    why: p.why,
                });
    }
    return out;
}
/** The edit of the anchored text an alias reads, if that text is rewritten. */
function anchorEdit(f, applied) {
    const a = f.source.aliasOf;
    return a === undefined ? undefined : applied.find((e) => e.start === a.start && e.end === a.end);
}
/**
 * Why the image keeps its text everywhere (a string), or how each of its places is rewritten.
 */
function imageReason(result, opts, planned, stored) {
    const status = statusReason(result);
    if (status)
        return status;
    if (!WARMED.has(result.status))
        return `not rewritten in status ${result.status}`;
    const plan = planned.get(result.reference);
    if (!plan)
        return 'internal: the image is missing from the plan';
    const digest = plan.ref.digest ?? result.digest;
    if (!digest)
        return "the digest Zot serves for the tag is unknown (Zot's search extension is off), so it cannot be pinned";
    if (opts.mode === 'zot') {
        const target = (0,rewrite_target/* zotTarget */.$)(opts.pullHost, plan.zotRepository, plan.ref, digest);
        if ('left' in target)
            return target.left;
        return () => target;
    }
    if (plan.ref.digest === undefined) {
        const form = stored?.get(result.reference);
        if (form?.problem)
            return `cannot tell whether Zot serves upstream's digest: ${form.problem}`;
        if (!form?.proof)
            return (0,rewrite_target/* unprovenDigest */.Ic)(digest, result.referrers);
    }
    return (written) => (0,rewrite_target/* digestTarget */.OS)(written, digest);
}
/** The edit for one place, after checking that the file still says what the extraction read there. */
function placeEdit(text, p) {
    const span = p.source.span;
    const written = text.slice(span.start, span.end);
    let same = false;
    try {
        same = span.end <= text.length && (0,reference/* formatReference */.FH)((0,reference/* parseReference */.F2)(written)) === p.result.reference;
    }
    catch {
        same = false;
    }
    if (!same)
        return { why: 'the file changed since it was read' };
    const target = p.target(written);
    if ('left' in target)
        return { why: target.left };
    const unsafe = unsafeHere(text, span.start, span.end, target.text);
    if (unsafe)
        return { why: unsafe };
    return { start: span.start, end: span.end, text: target.text };
}
/** rewrittenAs on each rewritten image, and the "not rewritten" warnings of images that were warmed. */
function annotate(results, left, done) {
    for (const r of results) {
        const text = done.get(r);
        if (text !== undefined)
            r.rewrittenAs = text;
        const places = left.get(r);
        if (!places || !WARMED.has(r.status))
            continue;
        for (const [why, group] of groupByWhy(places))
            r.warnings.push(group[0]?.image
                ? `not rewritten: ${why}`
                : `not rewritten at ${group.map((p) => at(p.source)).join(', ')}: ${why}`);
    }
}
function groupByWhy(places) {
    const out = new Map();
    for (const p of places) {
        const list = out.get(p.why);
        if (list)
            list.push(p);
        else
            out.set(p.why, [p]);
    }
    return out;
}
const at = (s) => `${s.file}:${s.line}:${s.column}`;
function leftList(left) {
    const out = [];
    for (const [r, places] of left)
        for (const [why, group] of groupByWhy(places))
            out.push({
                reference: r.reference,
                where: at(group[0].source),
                places: group.length,
                why,
            });
    return out;
}


/***/ })

};
