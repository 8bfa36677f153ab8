// Types for scripts/ensure-crane.mjs.
export declare const CRANE: { name: string; module: string; version: string; envVar: string }
export declare function ensureCrane(opts?: {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}): Promise<string>
