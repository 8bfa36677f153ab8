// Types for scripts/ensure-node24.mjs.
export declare function node24CachePath(env?: NodeJS.ProcessEnv): string
export declare function ensureNode24(env?: NodeJS.ProcessEnv): string
