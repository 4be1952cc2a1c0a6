import { createReadStream } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream/promises'
import { SendfileError } from './errors'
import type { FileSlice } from './types'

const CHUNK = 1024 * 1024

/** The portable path: read the slice in 1 MiB chunks and write them to the response (which it ends). */
export async function streamBody(res: ServerResponse, file: FileSlice): Promise<number> {
  if (file.length === 0) {
    res.end()
    return 0
  }
  let sent = 0
  const source = createReadStream('', { fd: file.fd, start: file.start, end: file.start + file.length - 1, autoClose: false, highWaterMark: CHUNK })
  source.on('data', (chunk: string | Buffer) => {
    sent += chunk.length
  })
  await pipeline(source, res)
  if (sent !== file.length) {
    res.destroy() // the head promised more bytes than the file holds: the framing is broken
    throw new SendfileError('FILE_SHORT', `the file ended after ${sent} of ${file.length} bytes`, sent)
  }
  return sent
}
