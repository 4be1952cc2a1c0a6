export { createImageLibrary } from './library.js'
export type {
  Authorize,
  AuthorizeResult,
  Describe,
  Description,
  FileResponse,
  ImageLibrary,
  ImageLibraryLimits,
  ImageLibraryOptions,
  LibraryJobs,
  LibraryStore,
  LibrarySessions,
  LoginResult,
  LogFn,
  ServeWebAsset,
  Need,
  RequestListener,
  Role,
  SendFile,
} from './types.js'
export type { AssetRecord, StoredDerivative, WorkState, JobStateName } from './record.js'
export type { AssetSummary } from './summary.js'
export { ImageError, type ImageErrorCode } from './errors.js'
export * from './media/index.js'
