// Types for scripts/ensure-gitea.mjs.
export declare function ensureGitea(opts?: {
  env?: NodeJS.ProcessEnv
  log?: (line: string) => void
}): Promise<string>
export declare function giteaStaticRoot(bin: string): string | undefined
