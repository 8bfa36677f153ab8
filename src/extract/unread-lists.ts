// A directory scan or a glob reads YAML and JSON only; a plain image list it comes across (`images.txt`) is
// not read, because a `.txt` file is as likely to be notes or a requirements file (a Helm chart's
// templates/NOTES.txt). Files that look like image lists get one notice each, so the user learns they were
// passed over and how to have them read: named in `paths`.
import type { Notice } from '../model.js'
import { classifyText } from './classify.js'
import { listLine, looksLikeImageList } from './formats.js'
import type { ExtractIo } from './io.js'

/** Larger files are not opened for the check: image lists are short, and the scan must stay cheap. */
const MAX_CHECKED_BYTES = 256 * 1024

export const UNREAD_LIST_MESSAGE =
  'looks like an image list: not read (a directory scan or glob reads .yaml, .yml and .json files); name it in `paths` to read it as an image list'

/** One notice per file of `candidates` (workspace-relative → absolute) whose content is an image list. */
export async function unreadListNotices(
  candidates: { file: string; abs: string }[],
  io: ExtractIo,
): Promise<Notice[]> {
  const notices: Notice[] = []
  for (const c of candidates) {
    try {
      if ((await io.stat(c.abs)).size > MAX_CHECKED_BYTES) continue
      if (isImageList((await io.readFile(c.abs)).toString('utf8')))
        notices.push({ level: 'notice', file: c.file, message: UNREAD_LIST_MESSAGE })
    } catch {
      // Not read, not named: whether it is readable is none of this run's business.
    }
  }
  return notices
}

/**
 * One reference per line and nothing else: every entry is a valid (or templated) image reference and at
 * least one carries a registry, path, tag or digest, so a list of plain words does not count.
 */
export function isImageList(text: string): boolean {
  if (text.includes('\u0000') || !looksLikeImageList(text)) return false
  let specific = false
  for (const line of text.split('\n')) {
    const entry = listLine(line)
    if (!entry) continue
    const finding = classifyText(entry.raw, true)
    if (!finding || finding.status === 'invalid') return false
    if (/[/:@]/.test(entry.raw)) specific = true
  }
  return specific
}
