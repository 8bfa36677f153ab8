// Types of corpus.mjs (plain ESM, shared with the benchmark).

/** Writes the corpus (at least `targetMb` MB) into `dir`; returns its size in bytes. */
export function writeCorpus(dir: string, targetMb?: number): number
/** Only workloads (every document holds images): the worst case for the skipping. Returns bytes written. */
export function writeWorkloadCorpus(dir: string, targetMb?: number): number
