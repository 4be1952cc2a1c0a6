import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import busboy from 'busboy'
import type { BlobRef } from '@everlock/versioned-storage'
import type { LibraryStore } from './types.js'
import { ImageError } from './errors.js'
import { checkFilename } from './filename.js'
import { isContentRefusal, receiveBlob } from './receive.js'

/** One file of an upload: received as a blob, or refused before its bytes were kept (its name). */
export type Received = { readonly filename: string; readonly blob: BlobRef } | { readonly filename: string; readonly error: unknown }

/**
 * Every file of a `multipart/form-data` body, each streamed into the store as it arrives (busboy). A file that
 * is too large, a malformed body or an abort fails the whole upload; a bad filename refuses only its file.
 */
export function receiveMultipart(req: IncomingMessage, store: LibraryStore, maxBytes: number, maxFiles: number): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy
    try {
      bb = busboy({ headers: req.headers, preservePath: true, defParamCharset: 'utf8', limits: { files: maxFiles, fields: 50, fieldSize: 64 * 1024, parts: maxFiles + 50 } })
    } catch (err) {
      reject(new ImageError('BAD_REQUEST', `the multipart body cannot be read: ${(err as Error).message}`))
      return
    }
    const tasks: Promise<Received>[] = []
    const open = new Set<Readable>()
    let failed = false
    const fail = (err: unknown) => {
      if (failed) return
      failed = true
      req.unpipe(bb)
      for (const file of open) file.destroy(err as Error)
      req.resume()
      reject(err)
    }
    bb.on('file', (_field, file, info) => {
      let filename: string
      try {
        filename = checkFilename(info.filename)
      } catch (error) {
        file.resume()
        tasks.push(Promise.resolve({ filename: String(info.filename ?? ''), error }))
        return
      }
      open.add(file)
      file.once('end', () => open.delete(file))
      tasks.push(
        receiveBlob(store, file, maxBytes, { drainRefused: true }).then(
          (blob) => ({ filename, blob }),
          (error: unknown) => {
            if (!isContentRefusal(error)) fail(error)
            return { filename, error }
          },
        ),
      )
    })
    bb.on('filesLimit', () => fail(new ImageError('BODY_TOO_LARGE', `an upload holds at most ${maxFiles} files`)))
    bb.on('error', (err: unknown) => fail(new ImageError('BAD_REQUEST', `the multipart body is malformed: ${(err as Error).message}`)))
    bb.on('close', () => {
      void Promise.all(tasks).then((received) => {
        if (failed) return
        if (received.length === 0) reject(new ImageError('BAD_REQUEST', 'the multipart body holds no file'))
        else resolve(received)
      })
    })
    req.on('close', () => {
      if (!req.complete) fail(new ImageError('UPLOAD_ABORTED', 'the upload was aborted'))
    })
    req.on('error', (err) => fail(err))
    req.pipe(bb)
  })
}
