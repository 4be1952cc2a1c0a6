import { columns, printable } from '../format.js'
import type { AdminUploads } from '../deps.js'

/** How `/store uploads` and `/store verify` show sizes: bytes below 1 KiB, else one decimal of KiB/MiB/GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** A duration as the largest two units: `45s`, `12m`, `3h 05m`, `2d 04h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`
}

interface Found {
  uploads: Array<{ id: string; size: number; startedAt: string; updatedAt: string; meta?: Readonly<Record<string, string>> }>
  orphans: Array<{ name: string; size: number; modifiedAt: string }>
}

async function find(uploads: AdminUploads): Promise<Found> {
  const found: Found = { uploads: [], orphans: [] }
  for await (const u of uploads.list()) found.uploads.push(u)
  for await (const o of uploads.orphans()) found.orphans.push(o)
  return found
}

const total = (items: ReadonlyArray<{ size: number }>): number => items.reduce((sum, i) => sum + i.size, 0)

function summaryOf(found: Found): string {
  const n = found.uploads.length
  const o = found.orphans.length
  return `${n} upload${n === 1 ? '' : 's'} in progress (${formatBytes(total(found.uploads))}), ${o} orphan file${o === 1 ? '' : 's'} (${formatBytes(total(found.orphans))})`
}

/** Who started an upload, from its meta: `oci team/app by carol`. */
function origin(meta: Readonly<Record<string, string>> | undefined): string {
  if (!meta) return ''
  const { by, repository, user, ...rest } = meta
  const words = [by, repository, user !== undefined ? `by ${user}` : undefined, ...Object.entries(rest).map(([k, v]) => `${k}=${v}`)]
  return printable(words.filter((w) => w !== undefined).join(' '))
}

/** `/store uploads <store>`: every upload in progress and every orphan file, with size, age and idle time. */
export async function uploadLines(name: string, uploads: AdminUploads, now = Date.now()): Promise<string[]> {
  const found = await find(uploads)
  const head = `store ${name}: ${summaryOf(found)}`
  if (found.uploads.length === 0 && found.orphans.length === 0) return [head]
  const rows: string[][] = [['id', 'size', 'age', 'idle', 'started by']]
  for (const u of found.uploads) {
    rows.push([u.id, formatBytes(u.size), formatAge(now - Date.parse(u.startedAt)), formatAge(now - Date.parse(u.updatedAt)), origin(u.meta)])
  }
  for (const o of found.orphans) {
    const age = formatAge(now - Date.parse(o.modifiedAt))
    rows.push([printable(o.name), formatBytes(o.size), age, age, 'orphan: no upload record (a crash); the next sweep removes it'])
  }
  return [head, ...columns(rows).map((line) => `  ${line}`)]
}

/** The line `/store verify` adds when uploads or orphans take space. */
export async function uploadSummary(name: string, uploads: AdminUploads): Promise<string | undefined> {
  const found = await find(uploads)
  if (found.uploads.length === 0 && found.orphans.length === 0) return undefined
  return `  uploads: ${summaryOf(found)}; see /store uploads ${name}`
}
