import type { Sharp } from 'sharp'
import { rgbaToThumbHash } from 'thumbhash'

/** ThumbHash takes at most 100 × 100 pixels. */
export const PLACEHOLDER_SIZE = 100

/** A ThumbHash (base64) of the image in `pipeline`, rendered as RGBA within 100 px. */
export async function thumbHashOf(pipeline: Sharp): Promise<string> {
  const { data, info } = await pipeline
    .resize(PLACEHOLDER_SIZE, PLACEHOLDER_SIZE, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64')
}
