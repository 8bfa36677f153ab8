// Types for scripts/ensure-crane.mjs.
export declare function ensureCrane(opts?: {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}): Promise<string>
