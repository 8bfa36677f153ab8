// Wording helpers every layer uses (log lines, summaries, errors).

/** `1 image`, `3 images`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`
}
