// Types for scripts/ensure-zot.mjs (plain Node ESM so .ci/run, the demo and the bench can run it without a build).
export declare const ZOT_VERSION: string
export declare const ZOT_TAGS: string
export declare const ZOT_MODULE: string
export declare const ZOT_RELEASE_URL: string
export declare const ZOT_CHECKSUMS: string
export declare const ZOT_RELEASE_SHA256: Readonly<Record<string, string>>
export declare class EnsureZotError extends Error {}
export declare function releaseAsset(platform?: string, arch?: string): string | undefined
export declare function zotCacheDir(env?: NodeJS.ProcessEnv): string
export declare function zotReleaseCacheDir(env?: NodeJS.ProcessEnv, asset?: string): string
export declare function ensureZot(opts?: {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
  /** Where the release assets are (default: the GitHub release of ZOT_VERSION, or ZOT_WARM_ZOT_RELEASE_URL). */
  releaseUrl?: string
  /** Pinned digests by asset name (default: ZOT_RELEASE_SHA256). */
  pinned?: Record<string, string>
  platform?: string
  arch?: string
  timeoutMs?: number
}): Promise<string>
