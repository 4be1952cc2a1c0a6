import { manifestInvalid } from './errors'
import { isSha256 } from './names'

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
const SUPPORTED = new Set([OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST])
const INDEXES = new Set([OCI_INDEX, DOCKER_LIST])

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
  urls?: string[]
}

export interface ParsedManifest {
  mediaType: string
  isIndex: boolean
  /** Blobs (config, layers) the repository must have; foreign layers (with `urls`) excluded. */
  blobs: Descriptor[]
  /** Child manifests of an index. */
  manifests: Descriptor[]
  subject?: Descriptor
  artifactType?: string
  annotations?: Record<string, string>
}

/** Parse and check a manifest body; the media type comes from Content-Type, else from the body. */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>
  } catch {
    throw manifestInvalid('not valid JSON')
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw manifestInvalid('not a JSON object')
  if (doc.schemaVersion !== 2) throw manifestInvalid('schemaVersion must be 2')
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined
  // Clients MUST send the manifest's mediaType as its Content-Type; the registry ignores parameters (spec,
  // "Pushing Manifests"). Media types are case-insensitive.
  const header = contentType?.split(';')[0]?.trim().toLowerCase() || undefined
  if (header !== undefined && declared !== undefined && header !== declared) {
    throw manifestInvalid(`Content-Type '${header.slice(0, 100)}' does not match the manifest's mediaType`, { contentType: header.slice(0, 200), mediaType: declared.slice(0, 200) })
  }
  const mediaType = header ?? declared ?? (Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST)
  if (!SUPPORTED.has(mediaType)) throw manifestInvalid(`unsupported media type '${String(mediaType).slice(0, 100)}'`)
  const isIndex = INDEXES.has(mediaType)
  const parsed: ParsedManifest = { mediaType, isIndex, blobs: [], manifests: [] }
  if (isIndex) {
    if (!Array.isArray(doc.manifests)) throw manifestInvalid('an index needs a manifests array')
    parsed.manifests = doc.manifests.map((d, i) => descriptor(d, `manifests[${i}]`))
  } else {
    parsed.blobs.push(descriptor(doc.config, 'config'))
    if (!Array.isArray(doc.layers)) throw manifestInvalid('an image manifest needs a layers array')
    for (const [i, layer] of doc.layers.entries()) {
      const d = descriptor(layer, `layers[${i}]`)
      if (!d.urls?.length) parsed.blobs.push(d)
    }
  }
  if (doc.subject !== undefined) parsed.subject = descriptor(doc.subject, 'subject')
  if (typeof doc.artifactType === 'string') parsed.artifactType = doc.artifactType
  if (doc.annotations && typeof doc.annotations === 'object') parsed.annotations = doc.annotations as Record<string, string>
  return parsed
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | undefined
  if (!d || typeof d !== 'object') throw manifestInvalid(`${where} must be a descriptor`)
  if (typeof d.mediaType !== 'string') throw manifestInvalid(`${where}.mediaType must be a string`)
  if (typeof d.digest !== 'string' || !isSha256(d.digest)) throw manifestInvalid(`${where}.digest must be a sha256 digest`)
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw manifestInvalid(`${where}.size must be a byte count`)
  return d as Descriptor
}

/** The artifact type a referrer is listed under: its own, else (image manifests) its config's media type. */
export function artifactTypeOf(parsed: ParsedManifest): string | undefined {
  return parsed.artifactType ?? (parsed.isIndex ? undefined : parsed.blobs[0]?.mediaType)
}
