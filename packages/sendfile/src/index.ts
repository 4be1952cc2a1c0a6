export { createFileBodySender } from './file-body'
export { SendfileError, type SendfileErrorCode } from './errors'
export type { FileBodySender, FileBodySenderOptions, FileBodyStats, FileResponse, FileSlice } from './types'
