/** The OCI Distribution error codes this registry answers with. */
export type OciErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'

/** A refusal in the protocol's own terms: an HTTP status and an OCI error code. */
export class OciError extends Error {
  override readonly name = 'OciError'

  constructor(
    readonly status: number,
    readonly code: OciErrorCode,
    message: string,
    readonly detail?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

export const blobUnknown = (digest: string) => new OciError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest })
export const nameUnknown = (name: string) => new OciError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name })
export const manifestUnknown = (reference: string) => new OciError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { reference })
export const uploadUnknown = () => new OciError(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry')
export const digestInvalid = (why: string) => new OciError(400, 'DIGEST_INVALID', `provided digest did not match uploaded content: ${why}`)
export const manifestInvalid = (why: string, detail?: unknown) => new OciError(400, 'MANIFEST_INVALID', `manifest invalid: ${why}`, detail)
