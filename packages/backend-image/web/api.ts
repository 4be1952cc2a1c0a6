// The gallery's only way to the server: same-origin JSON under /api/, the CSRF header on every changing request,
// and the share token (header for fetch, query for <img>/<video>) when the page is a share view.

import type { AssetSummary } from '../src/summary.js'

export type Role = 'reader' | 'writer' | 'owner'

export interface Session {
  readonly user: string
  readonly role: Role
  readonly csrfToken: string
  readonly anonymous: boolean
}

/** `thumbnail.webp` in a summary, `{ name, format, … }` in a full record. */
export type DerivativeRef = string | { readonly name: string; readonly format: string }

/** What listings give of an item: the server's summary (`src/summary.ts`), or a full record read as one. */
export interface Summary extends Omit<AssetSummary, 'derivatives' | 'state'> {
  readonly derivatives: readonly DerivativeRef[]
  readonly state?: AssetSummary['state']
}

export interface AssetRecord extends Summary {
  readonly camera?: { make?: string; model?: string; lens?: string }
  readonly exposure?: { exposureTime?: number; fNumber?: number; iso?: number; focalLength?: number }
  readonly gps?: { latitude: number; longitude: number; altitude?: number }
  readonly uploadedAt: string
  readonly uploadedBy: string
  readonly jobs: { derive: { state: string; error?: { code?: string; message: string } } }
}

export interface Page {
  readonly items: Summary[]
  readonly nextCursor?: string
}

export interface Album {
  readonly id: string
  readonly title: string
  readonly count: number
  readonly cover?: string
  readonly createdAt: string
}

export interface Share {
  readonly id: string
  readonly token?: string
  readonly url?: string
  readonly album?: string
  readonly asset?: string
  readonly expiresAt?: string
  readonly createdAt: string
  readonly createdBy: string
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly retryAfter?: number) {
    super(message)
  }
}

let csrf = ''
let shareToken = ''

export function setCsrf(token: string): void {
  csrf = token
}
export function setShareToken(token: string): void {
  shareToken = token
}

function headers(method: string, extra: Record<string, string> = {}): Record<string, string> {
  const h: Record<string, string> = { Accept: 'application/json', ...extra }
  if (method !== 'GET' && method !== 'HEAD' && csrf) h['X-CSRF-Token'] = csrf
  if (shareToken) h['X-Share-Token'] = shareToken
  return h
}

async function failure(res: Response): Promise<ApiError> {
  let code = 'HTTP_' + res.status
  let message = res.statusText
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } }
    if (body.error?.code) code = body.error.code
    if (body.error?.message) message = body.error.message
  } catch {
    // not JSON
  }
  const retry = Number(res.headers.get('Retry-After'))
  return new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined)
}

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: headers(method, body === undefined ? {} : { 'Content-Type': 'application/json' }) }
  if (body !== undefined) init.body = JSON.stringify(body)
  if (signal) init.signal = signal
  const res = await fetch(path, init)
  if (!res.ok) throw await failure(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

/** A file URL of an item for <img>/<video>/<a>, carrying the share token when there is one. */
export function fileUrl(id: string, file: 'thumbnail' | 'preview' | 'poster' | 'original', download = false): string {
  const q = new URLSearchParams()
  if (download) q.set('download', '')
  if (shareToken) q.set('share', shareToken)
  const s = q.toString()
  return `/api/assets/${id}/${file}${s ? '?' + s.replace('download=', 'download') : ''}`
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? '?' + s : ''
}

export interface UploadOutcome {
  readonly status: number
  readonly record?: AssetRecord
  readonly code?: string
  readonly message?: string
}

/** One file as a raw body through XMLHttpRequest, for its upload progress events. */
export function uploadFile(file: File, onProgress: (loaded: number, total: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/api/assets')
    xhr.withCredentials = false
    xhr.setRequestHeader('X-Filename', encodeURIComponent(file.name))
    xhr.setRequestHeader('Accept', 'application/json')
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf)
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = undefined
      }
      const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error
      if (xhr.status === 200 || xhr.status === 201) resolve({ status: xhr.status, record: body as AssetRecord })
      else resolve({ status: xhr.status, code: err?.code ?? `HTTP_${xhr.status}`, message: err?.message ?? xhr.statusText })
    }
    xhr.onerror = () => resolve({ status: 0, code: 'NETWORK', message: 'the connection failed' })
    xhr.send(file)
  })
}
