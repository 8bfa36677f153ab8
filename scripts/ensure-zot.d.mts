// Types for scripts/ensure-zot.mjs (plain Node ESM so .ci/run, the demo and the bench can run it without a build).
export declare const ZOT_VERSION: string
export declare const ZOT_TAGS: string
export declare const ZOT_MODULE: string
export declare class EnsureZotError extends Error {}
export declare function zotCacheDir(env?: NodeJS.ProcessEnv): string
export declare function ensureZot(opts?: {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}): Promise<string>
