export { createOciRegistry } from './registry'
export type { Authorize, AuthorizeResult, FileResponse, Need, OciRegistry, OciRegistryOptions, RegistryStore, Role, SendFile } from './types'
export { OciError, type OciErrorCode } from './errors'
export { OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST } from './manifest-parse'
