// A loopback stand-in for GitHub's REST API, limited to the issue-comment endpoints the pull request comment
// uses, answering with GitHub's documented shapes and status codes
// (docs.github.com/rest/issues/comments): list (paginated with a Link header), create (201), update (200),
// delete (204). It checks every request (method, path, auth header, JSON body) and records it; anything it
// does not expect is answered 404 and recorded as unexpected, so a test can assert there was nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { serveLoopback } from './loopback-proxy.js'

export interface FakeUser {
  login: string
  id: number
  type: 'Bot' | 'User'
}

export interface FakeToken {
  user: FakeUser
  /** false: a fork pull request's token (read-only): writes get 403. */
  write: boolean
}

export interface StoredComment {
  id: number
  body: string
  user: FakeUser
  created_at: string
  updated_at: string
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  authorization: string | undefined
  userAgent: string | undefined
  body: unknown
}

export interface FakeGitHubOptions {
  owner?: string
  repo?: string
  number?: number
  tokens: Record<string, FakeToken>
  /** Comments per page when the client asks for none (GitHub: 30; max 100). */
  maxPerPage?: number
}

export interface FakeGitHub {
  url: string
  port: number
  comments: StoredComment[]
  requests: RecordedRequest[]
  /** Requests outside the documented endpoints, or malformed. */
  unexpected: string[]
  /** Runs before a request is answered; may answer itself (return true) or delay. */
  intercept?: (req: RecordedRequest, res: ServerResponse) => Promise<boolean> | boolean
  writes(): RecordedRequest[]
  addComment(body: string, user: FakeUser): StoredComment
  close(): Promise<void>
}

export const BOT: FakeUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
export const ALICE: FakeUser = { login: 'alice', id: 1001, type: 'User' }

export async function startFakeGitHub(opts: FakeGitHubOptions): Promise<FakeGitHub> {
  const owner = opts.owner ?? 'acme'
  const repo = opts.repo ?? 'shop-deploy'
  const number = opts.number ?? 42
  const maxPerPage = opts.maxPerPage ?? 100
  let nextId = 1_000_000
  const now = () => new Date().toISOString()
  let base = ''

  const shape = (c: StoredComment) => ({
    id: c.id,
    node_id: `IC_kwDO${c.id}`,
    url: `${base}/repos/${owner}/${repo}/issues/comments/${c.id}`,
    html_url: `https://github.com/${owner}/${repo}/pull/${number}#issuecomment-${c.id}`,
    issue_url: `${base}/repos/${owner}/${repo}/issues/${number}`,
    body: c.body,
    user: {
      login: c.user.login,
      id: c.user.id,
      node_id: `MDQ6VXNlcj${c.user.id}`,
      type: c.user.type,
      site_admin: false,
    },
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: c.user.type === 'Bot' ? 'NONE' : 'OWNER',
    reactions: { url: '', total_count: 0 },
  })

  const fake: FakeGitHub = {
    url: '',
    port: 0,
    comments: [],
    requests: [],
    unexpected: [],
    writes: () => fake.requests.filter((r) => r.method !== 'GET'),
    addComment(body, user) {
      const c = { id: nextId++, body, user, created_at: now(), updated_at: now() }
      fake.comments.push(c)
      return c
    },
    close: async () => undefined,
  }

  const json = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(status === 204 ? undefined : JSON.stringify(data))
  }
  const notFound = (res: ServerResponse) =>
    json(res, 404, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest',
      status: '404',
    })

  const server = await serveLoopback(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base)
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    let body: unknown
    try {
      body = raw ? JSON.parse(raw) : undefined
    } catch {
      body = raw
    }
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      userAgent: req.headers['user-agent'],
      body,
    }
    fake.requests.push(rec)
    if (fake.intercept && (await fake.intercept(rec, res))) return

    const token = /^token (.+)$/.exec(rec.authorization ?? '')?.[1]
    const who = token ? opts.tokens[token] : undefined
    if (!who) {
      if (!/^token /.test(rec.authorization ?? '')) fake.unexpected.push(`auth header: ${rec.authorization}`)
      return json(res, 401, {
        message: 'Bad credentials',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      })
    }
    const forbidden = () =>
      json(res, 403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest/issues/comments',
        status: '403',
      })

    const list = `/repos/${owner}/${repo}/issues/${number}/comments`
    const one = new RegExp(`^/repos/${owner}/${repo}/issues/comments/(\\d+)$`)
    const hasBody = () => {
      if (!body || typeof body !== 'object' || typeof (body as { body?: unknown }).body !== 'string') {
        fake.unexpected.push(`${rec.method} ${rec.path} without a JSON {body}: ${raw.slice(0, 100)}`)
        json(res, 422, { message: 'Invalid request.', documentation_url: '', status: '422' })
        return false
      }
      return true
    }

    if (rec.path === list && rec.method === 'GET') {
      const perPage = Math.min(Number(rec.query.per_page ?? 30), maxPerPage)
      const page = Number(rec.query.page ?? 1)
      const sorted = [...fake.comments].sort((a, b) => a.id - b.id)
      const slice = sorted.slice((page - 1) * perPage, page * perPage)
      const last = Math.max(1, Math.ceil(sorted.length / perPage))
      const links: string[] = []
      const at = (p: number) => `<${base}${list}?per_page=${perPage}&page=${p}>`
      if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`)
      if (page > 1) links.push(`${at(page - 1)}; rel="prev"`, `${at(1)}; rel="first"`)
      return json(res, 200, slice.map(shape), links.length ? { link: links.join(', ') } : {})
    }
    if (rec.path === list && rec.method === 'POST') {
      if (!hasBody()) return
      if (!who.write) return forbidden()
      const c = fake.addComment((body as { body: string }).body, who.user)
      return json(res, 201, shape(c), { location: `${base}/repos/${owner}/${repo}/issues/comments/${c.id}` })
    }
    const m = one.exec(rec.path)
    if (m) {
      const c = fake.comments.find((x) => x.id === Number(m[1]))
      if (rec.method === 'PATCH') {
        if (!hasBody()) return
        if (!who.write) return forbidden()
        if (!c) return notFound(res)
        c.body = (body as { body: string }).body
        c.updated_at = now()
        return json(res, 200, shape(c))
      }
      if (rec.method === 'DELETE') {
        if (!who.write) return forbidden()
        if (!c) return notFound(res)
        fake.comments.splice(fake.comments.indexOf(c), 1)
        return json(res, 204, undefined)
      }
    }
    fake.unexpected.push(`${rec.method} ${rec.path}`)
    return notFound(res)
  })
  base = `http://127.0.0.1:${server.port}`
  fake.url = base
  fake.port = server.port
  fake.close = server.close
  return fake
}
