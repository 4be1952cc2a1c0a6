import { hexOf } from './names'

/**
 * Where a registry keeps things in its store. Blob bytes live once, by content, in the store's blob area;
 * the tree says which repository may see what:
 *
 *   repos/<name>/_blobs/<hex>                 → a layer/config blob linked to the repository
 *   repos/<name>/_manifests/<hex>             → a manifest (entry meta: mediaType, artifactType, subject)
 *   repos/<name>/_tags/<tag>                  → the manifest blob a tag points at (meta: manifest digest)
 *   repos/<name>/_referrers/<subject hex>/<hex> → a manifest whose subject is that digest
 *   catalog/<name>                            → present while the repository has been pushed to
 *
 * Name components cannot start with '_', so `_blobs` etc. never collide with nested repository names.
 * Blobs whose upload finished but whose manifest has not been pushed yet are linked in side state
 * (`link/<name>/<hex>` → size): visible to the repository at once, committed with the manifest that names them.
 * An upload session is `oci-upload/<id>` → { name, user } beside the store upload `<id>` holding its bytes.
 */
export const blobLink = (name: string, digest: string) => `repos/${name}/_blobs/${hexOf(digest)}`
export const manifestPath = (name: string, digest: string) => `repos/${name}/_manifests/${hexOf(digest)}`
export const tagsPrefix = (name: string) => `repos/${name}/_tags/`
export const tagPath = (name: string, tag: string) => `${tagsPrefix(name)}${tag}`
export const referrersPrefix = (name: string, subject: string) => `repos/${name}/_referrers/${hexOf(subject)}/`
export const referrerPath = (name: string, subject: string, digest: string) => `${referrersPrefix(name, subject)}${hexOf(digest)}`
export const CATALOG_PREFIX = 'catalog/'
export const catalogPath = (name: string) => `${CATALOG_PREFIX}${name}`

export const stagedLinkPrefix = (name: string) => `link/${name}/`
export const stagedLink = (name: string, digest: string) => `${stagedLinkPrefix(name)}${hexOf(digest)}`
export const uploadSessionKey = (id: string) => `oci-upload/${id}`
export const UPLOAD_SESSION_PREFIX = 'oci-upload/'
/** The open sessions of one user (`oci-upload-by/<user, URI-encoded>/<id>` → ''), counted for the per-user cap. */
export const uploadsByUserPrefix = (user: string) => `oci-upload-by/${encodeURIComponent(user)}/`
export const uploadByUserKey = (user: string, id: string) => `${uploadsByUserPrefix(user)}${id}`
