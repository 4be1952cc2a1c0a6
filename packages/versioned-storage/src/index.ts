export type {
  BlobFile,
  BlobUrlOptions,
  BlobDriver,
  BlobRef,
  ByteRange,
  Change,
  Commit,
  CommitId,
  Entry,
  ListOptions,
  LogOptions,
  SideState,
  StagedBlob,
  Store,
  Stores,
  UploadOrphan,
  Uploads,
  UploadStatus,
  UploadSweep,
  VerifyProblem,
  VerifyReport,
} from './types'
export { StorageError, isStorageError, type StorageErrorCode } from './errors'
export { openStores, assertStoreName, type OpenStoresOptions } from './stores'
export { openStore, type OpenStoreOptions, type OpenedStore } from './store'
export { fsBlobs, type FsBlobsOptions } from './fs-blobs'
export { isDigest } from './digest'
