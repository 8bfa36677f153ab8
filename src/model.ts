// The data that flows through the pipeline: inputs → extract → plan → warm → report.
// Every stage is a pure library; only src/main.ts talks to @actions/core and src/cli.ts to the terminal.

/** A parsed, normalised image reference (distribution/reference grammar + Docker's normalisation). */
export interface ImageReference {
  /** Registry host with optional port, normalised: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  domain: string
  /** Repository path inside the registry, e.g. `library/nginx`. */
  path: string
  /** Tag; `latest` only when the reference had neither tag nor digest. */
  tag?: string
  /** Digest `algorithm:hex`. A reference may carry both tag and digest. */
  digest?: string
}

/** Where a reference was found. Lines and columns are 1-based. */
export interface Source {
  /** Workspace-relative path with `/` separators; `-` for stdin; `<images input>` for directly given references. */
  file: string
  line: number
  column: number
  /** 0-based index of the document in a multi-document YAML stream. */
  document?: number
  kind?: string
  namespace?: string
  name?: string
  /** Container (or step / template) name, when the image belongs to one. */
  container?: string
  /** Field path inside the document, e.g. `spec.template.spec.containers[0].image`. */
  field?: string
  /** Helm's `# Source: chart/templates/x.yaml` comment above the document, when present. */
  chartSource?: string
  /**
   * Set when the workload starts this image later rather than running it itself: an operator flag in a
   * container's `args`/`command` (`arg`) or an `env` entry such as `RELATED_IMAGE_*` (`env`).
   */
  runtime?: 'arg' | 'env'
  /** With `runtime`: the flag as written (`--prometheus-config-reloader`) or the variable (`RELATED_IMAGE_FOO`). */
  runtimeName?: string
  /**
   * The reference's own text in the file, as offsets into the decoded file text (end exclusive): exactly
   * the characters a rewrite replaces (inside the quotes, inside an `--flag=` argument). Absent where the
   * text cannot be replaced in place (e.g. a value built from escapes or an alias).
   */
  span?: { start: number; end: number }
  /** Why `span` is absent (an alias, escapes inside double quotes, a value folded over lines …). */
  unwritable?: string
  /**
   * Reached through an alias: the span of the anchored text. The rewrite changes it only where the anchor
   * is itself an image occurrence (then this occurrence follows it); never on behalf of the alias alone.
   */
  aliasOf?: { start: number; end: number }
}

export type ExtractStatus = 'ok' | 'invalid' | 'unresolved'

/** One distinct reference and every place it occurs. */
export interface FoundImage {
  /** Dedup key: the normalised reference for `ok`, the raw text otherwise. */
  key: string
  /** The text as first written in a source. */
  raw: string
  status: ExtractStatus
  /** Set when status is `ok`. */
  reference?: ImageReference
  /** Why it is invalid, or the hint for an unresolved (templated/empty) value. */
  reason?: string
  sources: Source[]
}

export type NoticeLevel = 'error' | 'warning' | 'notice'

/** A problem with an input file or path, not with one reference (unparseable YAML, binary file, no match …). */
export interface Notice {
  level: NoticeLevel
  file: string
  line?: number
  column?: number
  message: string
}

export interface Extraction {
  images: FoundImage[]
  notices: Notice[]
  /** Files read and bytes scanned, for the log and the benchmark. */
  files: number
  bytes: number
  /** Workspace-relative paths of the files read as text, in the order read (`-` for stdin). */
  read: string[]
  /** Why extraction stopped before reading all input (signal, overall timeout); a notice says what was left. */
  stopped?: string
}

/** Upstream registry → Zot path prefix. An empty prefix keeps the upstream path as is ("flatten"). */
export interface RegistryMapping {
  registry: string
  prefix: string
}

export type ImageStatus =
  | 'cached'
  | 'warmed'
  | 'failed'
  | 'skipped-unmapped'
  | 'not-attempted'
  | 'invalid'
  | 'unresolved'

/** An image the engine is asked to make present in Zot. */
export interface PlannedImage {
  /** Normalised upstream reference, e.g. `docker.io/library/nginx:1.27`. */
  reference: string
  ref: ImageReference
  /** Repository inside Zot, e.g. `docker-images/library/nginx`. */
  zotRepository: string
  sources: Source[]
}

export interface Plan {
  images: PlannedImage[]
  /** References whose registry has no mapping (status `skipped-unmapped`, or failed when configured so). */
  unmapped: FoundImage[]
}

/** Outcome for one distinct reference. */
export interface ImageResult {
  /** Normalised reference (raw text for invalid/unresolved). */
  reference: string
  status: ImageStatus
  /** `repo:tag@digest` inside Zot, when mapped. */
  zotReference?: string
  /** Digest Zot serves for the reference (manifest or index). */
  digest?: string
  /** Platforms present in Zot, `os/arch[/variant]`; empty for single-platform images without a config read. */
  platforms?: string[]
  attempts: number
  durationMs: number
  error?: string
  diagnosis?: string
  warnings: string[]
  sources: Source[]
  /** Signatures, attestations, SBOMs of the image in the cache (absent in plan mode and for unwarmed images). */
  referrers?: ReferrersResult
  /** The text written into the manifests in place of the reference, when `rewrite` rewrote it. */
  rewrittenAs?: string
}

/** What kind of thing a referrer is, from its artifact type (or, for cosign's legacy tags, its suffix). */
export type ReferrerKind = 'signature' | 'attestation' | 'sbom' | 'other'

/** One artifact in the cache that refers to the image (or to one of its child manifests). */
export interface Referrer {
  kind: ReferrerKind
  /**
   * `artifactType` (or the config media type) as the registry reports it. Absent for signatures: Zot's local
   * APIs name a signature by its signing tool only (see `tool`).
   */
  artifactType?: string
  /** Digest of the referrer's own manifest; absent where the cache does not name it without a sync (signatures). */
  digest?: string
  /** Digest of the manifest it refers to: the image itself or one of its per-platform children. */
  subject: string
  /** How it is attached: an OCI 1.1 referrer (`subject` field) or a cosign legacy tag (`sha256-<hex>.sig`). */
  form: 'referrer' | 'tag'
  /** The legacy tag, for `form: 'tag'`. */
  tag?: string
  /** The signing tool (`cosign`, `notation`), for signatures. */
  tool?: string
}

/** The referrers of one image as the cache holds them after the run. */
export interface ReferrersResult {
  /**
   * `verified`: read from the cache (items are complete); `not-verified`: could not be read without a sync
   * (e.g. no search extension), items may be incomplete; `off`: the `referrers` input is `off`.
   */
  state: 'verified' | 'not-verified' | 'off'
  items: Referrer[]
  /** Why the state is not `verified`, or what the cache failed to copy. */
  note?: string
}

export interface ZotInfo {
  url: string
  version?: string
  extensions?: string[]
  /** Auth scheme the server asked for (`basic`, `bearer`) or `none`. */
  auth?: string
}

/** Sources that are not files in the workspace. */
export const IMAGES_INPUT_FILE = '<images input>'
export const STDIN_FILE = '-'

export function isWorkspaceFile(source: Source): boolean {
  return source.file !== IMAGES_INPUT_FILE && source.file !== STDIN_FILE
}

/**
 * Whether the image itself is signed: a signature whose subject is the image's own digest. Admission policies
 * (Kyverno verifyImages, sigstore policy-controller) and Zot's `onlySigned` verify the digest the reference
 * resolves to, the index of a multi-platform image: a signature of one of its platforms does not count.
 */
export function signsImage(items: readonly Referrer[], digest: string | undefined): boolean {
  return digest !== undefined && items.some((i) => i.kind === 'signature' && i.subject === digest)
}
