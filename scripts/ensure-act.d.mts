// Types for scripts/ensure-act.mjs.
export declare function ensureAct(opts?: {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}): Promise<string>
