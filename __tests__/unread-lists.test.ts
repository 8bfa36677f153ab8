// Which unread files in a scanned directory get the "looks like an image list" notice (src/extract/unread-lists.ts).
import { describe, expect, it } from 'vitest'
import { isImageList } from '../src/extract/unread-lists.js'

describe('isImageList', () => {
  it.each([
    ['nginx:1.27\nghcr.io/acme/api:1.4.2\n', true],
    [`# warm these\nnginx:1.27   # web\n\nredis@sha256:${'a'.repeat(64)}\n`, true],
    ['ghcr.io/acme/app:{{.Values.tag}}\nnginx:1\n', true], // templated entries count as references
    ['redis\nnginx\npostgres\n', false], // plain words: could be anything
    ['requests==2.31.0\nurllib3>=2\n', false], // a Python requirements file
    ['User-agent: *\nDisallow: /\n', false], // robots.txt
    ['This chart installs nginx:1.27 for you.\n', false], // prose
    ['', false],
    ['nginx:1.27\nNot Valid\n', false],
    ['nginx:1.27\u0000\n', false],
  ])('%j → %s', (text, want) => {
    expect(isImageList(text)).toBe(want)
  })
})
