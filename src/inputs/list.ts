// Multi-value inputs: one item per line or comma-separated. Commas inside `{…}` belong to a glob
// (`**/*.{yaml,yml}`) and do not split. `#` starts a comment line.

export function splitList(text: string | undefined): string[] {
  if (!text) return []
  const items: string[] = []
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#')) continue
    let depth = 0
    let current = ''
    for (const ch of line) {
      if (ch === '{') depth++
      else if (ch === '}' && depth > 0) depth--
      if (ch === ',' && depth === 0) {
        items.push(current)
        current = ''
      } else current += ch
    }
    items.push(current)
  }
  return items.map((i) => i.trim()).filter((i) => i.length > 0)
}
