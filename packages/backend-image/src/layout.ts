/** Where things live in the library's store tree. An asset's id is the hex of its original's sha256. */
export const RECORDS = 'assets/'
export const recordPath = (id: string) => `${RECORDS}${id}.json`
export const originalPath = (id: string) => `originals/${id}`
export const derivedPrefix = (id: string) => `derived/${id}/`
export const derivedPath = (id: string, name: string, format: string) => `${derivedPrefix(id)}${name}.${format}`

const ID = /^[0-9a-f]{64}$/

export const isAssetId = (value: string) => ID.test(value)
export const idOfDigest = (digest: string) => digest.slice('sha256:'.length)

/** The id of a record path, or undefined for anything else under `assets/`. */
export function idOfRecordPath(path: string): string | undefined {
  if (!path.startsWith(RECORDS) || !path.endsWith('.json')) return undefined
  const id = path.slice(RECORDS.length, -'.json'.length)
  return isAssetId(id) ? id : undefined
}
