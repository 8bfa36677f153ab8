// The inputs of the action and the CLI, in one place: action.yml, `zot-warm --help` and the README tables
// are checked against this list (__tests__/inputs-spec.test.ts, __tests__/readme.test.ts) so they cannot drift apart.
import { DEFAULTS } from '../warm/options.js'
import { formatSetting } from './duration.js'

export interface InputSpec {
  /** kebab-case name: action input `name`, CLI flag `--name`, env `ZOT_WARM_NAME`. */
  name: string
  description: string
  /** Default as documented (and written into action.yml); `undefined` = computed or none (see `defaultText`). */
  default?: string
  /** How the default is described when it is computed at run time. */
  defaultText?: string
  /** Never logged, masked as soon as read. */
  secret?: boolean
  /** Boolean flag in the CLI (`--refresh`, `--no-strict`). */
  boolean?: boolean
  /** Extra environment names the CLI accepts (shared with the seed CronJob's Kubernetes Secret). */
  envAliases?: string[]
  /** Metavariable for `--help`. */
  arg?: string
  /** Read by the action only: the CLI has no pull request to comment on, so it offers no flag. */
  actionOnly?: boolean
  /**
   * action.yml's `default:`, which the runner expands and passes as if the workflow had set it. Only for what
   * the action cannot get otherwise (the job token); every other default lives in the parser.
   */
  runnerDefault?: string
}

export const INPUTS: readonly InputSpec[] = [
  {
    name: 'paths',
    description:
      'Files, directories and globs to scan for image references, relative to `workspace` (one per line or comma-separated; `!pattern` excludes). Directories and globs select .yaml, .yml and .json files; a file named here as it is (no glob characters) is read whatever its kind, so a plain image list must be named (one a directory or glob comes across gets a notice). Empty: scan the whole workspace for YAML and JSON files.',
    default: '',
    arg: 'LIST',
  },
  {
    name: 'images',
    description:
      'Extra image references to warm that appear in no manifest (one per line or comma-separated).',
    default: '',
    arg: 'LIST',
  },
  {
    name: 'runtime-images',
    description:
      'Also warm the images workloads start later: operator flags in container `args`/`command` (`--prometheus-config-reloader=…`, `--*-image=…`) and `RELATED_IMAGE_*` / `*_IMAGE` env values, when they name a registry host and a tag or digest (or the flag is a known operator flag). `false`: image fields only.',
    default: 'true',
    boolean: true,
  },
  {
    name: 'zot-url',
    description:
      'Base URL of the Zot cache, e.g. `https://zot.example.com`. Required unless `mode` is `plan`.',
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
    description:
      'Upstream registry → Zot path prefix, as YAML (`docker.io: docker-images`) or `host=prefix` lines; must match the `destination` of the cache’s sync `content` entries. Empty: images are requested under their upstream path.',
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
    description:
      'Platforms that must be present, e.g. `linux/amd64,linux/arm64`; `all` checks every platform of the index.',
    default: 'all',
    arg: 'LIST',
  },
  {
    name: 'mode',
    description:
      '`warm` makes Zot sync missing images; `check` only reports what is missing; `plan` lists images and their Zot references without contacting Zot.',
    default: 'warm',
    arg: 'warm|check|plan',
  },
  {
    name: 'referrers',
    description:
      'Signatures, attestations and SBOMs of each image: `warm` makes Zot copy them with the images it syncs and reports what the cache holds; `require-signed` also fails an image whose own digest has no signature in the cache (the index of a multi-platform image, as admission policies verify); `off` ignores them.',
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
    default: String(DEFAULTS.concurrency),
    arg: 'N',
  },
  {
    name: 'image-timeout',
    description: 'Time limit per image: `90s`, `10m`, `1h` or plain seconds.',
    default: formatSetting(DEFAULTS.imageTimeoutMs),
    arg: 'DURATION',
  },
  {
    name: 'timeout',
    description:
      'Time limit for the whole run (same format; `0` = none). When it ends, the rest is reported as not attempted.',
    default: String(DEFAULTS.overallTimeoutMs / 1000),
    arg: 'DURATION',
  },
  {
    name: 'strict',
    description:
      'Fail the step when an image failed or a reference is invalid (and, as configured, unresolved or unmapped). `false`: warn instead.',
    default: 'true',
    boolean: true,
  },
  {
    name: 'fail-on-unresolved',
    description:
      'In strict mode, also fail on references that could not be resolved (templated or empty values).',
    default: 'true',
    boolean: true,
  },
  {
    name: 'pr-comment',
    description:
      'Results as one comment on the pull request, kept up to date by later runs: `auto` comments when a run has problems and updates that comment when a later run is clean; `always` on every run; `off`. Only on `pull_request` and `pull_request_target` events, not in `mode: plan` (unless `always`).',
    default: 'auto',
    arg: 'auto|always|off',
    actionOnly: true,
  },
  {
    name: 'github-token',
    description:
      'Token for the pull request comment (GitHub: needs `pull-requests: write`; Forgejo: the job token works). Not Zot’s token (that is `token`). Masked.',
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
    description:
      'Rewrite the scanned manifests to pull what was verified: `zot` (from the cache: `<pull host>/<prefix>/<path>:<tag>@<digest>`) or `digest` (same registry, pinned `@<digest>` where the cache holds upstream’s digest). Empty: off. Only each reference’s own text changes.',
    default: '',
    arg: 'zot|digest',
  },
  {
    name: 'pull-host',
    description:
      'Registry host[:port] nodes pull the cache from, for `rewrite: zot` (when they reach Zot under another name than `zot-url`). Empty: the host of `zot-url`.',
    default: '',
    arg: 'HOST',
  },
  {
    name: 'rewrite-output',
    description:
      'Directory that receives every scanned manifest file, rewritten or not, at its workspace-relative path (relative to `workspace`; the workspace itself rewrites in place). CLI: `-` prints the manifests read from stdin, rewritten, on stdout.',
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
    description:
      'Configuration file: YAML whose keys are these input names; its values count only where an input is not set. The CLI, when this is empty, reads the first of `./zot-warm.yaml`, `$XDG_CONFIG_HOME/zot-warm/config.yaml` (`~/.config` when unset) and `/etc/zot-warm/config.yaml`; the action reads only the file named here.',
    default: '',
    arg: 'FILE',
  },
]

/** The inputs the CLI takes as flags and ZOT_WARM_* variables. */
export const CLI_INPUTS: readonly InputSpec[] = INPUTS.filter((i) => !i.actionOnly)

export const SECRET_INPUTS: ReadonlySet<string> = new Set(INPUTS.filter((i) => i.secret).map((i) => i.name))

/** `zot-url` → `ZOT_WARM_ZOT_URL`. */
export function envName(input: string): string {
  return `ZOT_WARM_${input.toUpperCase().replace(/-/g, '_')}`
}

/** Outputs of the action (the CLI writes the same data into the report). */
export const OUTPUTS: readonly { name: string; description: string }[] = [
  { name: 'total', description: 'Distinct image references found (including invalid and unresolved).' },
  { name: 'cached', description: 'Images that were already in Zot.' },
  { name: 'warmed', description: 'Images Zot synced during this run.' },
  { name: 'failed', description: 'Images that could not be warmed or verified.' },
  {
    name: 'skipped',
    description:
      'Images not attempted: registry not in `registry-map`, `mode: plan`, or cut off by cancellation.',
  },
  { name: 'unresolved', description: 'References that are templated or empty and could not be resolved.' },
  { name: 'invalid', description: 'References that are not valid image references.' },
  {
    name: 'signed',
    description:
      'Images with a signature of their own digest in Zot (a signature of one platform only does not count; `referrers` not `off`).',
  },
  { name: 'attested', description: 'Images with an attestation (provenance, in-toto) in Zot.' },
  { name: 'sbom', description: 'Images with an SBOM in Zot.' },
  {
    name: 'images',
    description:
      'JSON array `[{reference, status, zotReference, digest, platforms}]`, one entry per image; kept under 900 KiB (GitHub allows 1 MB per output): past that the worst images are listed, in run order, and the log says how many and where the full list is (the JSON report).',
  },
  { name: 'report', description: 'Path of the JSON report.' },
  {
    name: 'rewritten',
    description:
      'Directory holding the rewritten manifests (`rewrite-output`); empty when nothing was written (rewrite off, or the run failed).',
  },
]
