// Types for scripts/release-download.mjs.
export declare class DownloadError extends Error {}
export declare function checksumFor(text: string, asset: string): string | undefined
export declare function downloadVerified(opts: {
  baseUrl: string
  asset: string
  checksumsFile: string
  pinned?: string
  dest: string
  timeoutMs?: number
  log?: (line: string) => void
}): Promise<string>
