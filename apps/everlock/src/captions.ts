import type { AiRuntime } from '@everlock/ai-runtime'
import type { Describe, Description } from '@everlock/backend-image'

/** The three questions of a caption job (seed 000): a description, the visible text, search tags. */
export const CAPTION_PROMPTS = {
  caption: { prompt: 'Describe this image in one or two sentences.', maxTokens: 96 },
  text: { prompt: 'Write out any text visible in this image, exactly as written. If there is none, answer: none', maxTokens: 64 },
  tags: { prompt: 'Give 3 to 8 short search tags for this image, separated by commas.', maxTokens: 48 },
} as const

/** "none", "No text." and the like mean there is no visible text. */
const NO_TEXT = /^(none|no text|no visible text|n\/a)\W*$/i

/** A tag is a short phrase; a longer piece of an answer is taken as one tag per word. */
const MAX_TAG_WORDS = 3
/** backend-image drops longer tags; a model's overlong one is cut to this instead. */
const MAX_TAG_LENGTH = 64

/**
 * A tags answer → tags: split at commas, semicolons, newlines and `#`, list markers and end punctuation
 * dropped, a piece of more than MAX_TAG_WORDS words split into words, overlong ones cut (backend-image then lowercases,
 * de-duplicates and bounds them).
 */
export function tagsOf(answer: string): string[] {
  return answer
    .split(/[,;\n#]+/)
    .map(plain)
    .map((t) => t.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '').replace(/[.!?:"'`]+$/g, '').trim())
    .flatMap((t) => (t.split(/\s+/).length > MAX_TAG_WORDS ? t.split(/\s+/) : [t]))
    .map((t) => t.slice(0, MAX_TAG_LENGTH).trim())
    .filter((t) => t !== '')
}

/** Control characters (a model can emit any) become spaces; runs of white space one space. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ').replace(/[ \t]+/g, ' ').trim()
}

/** Image captions through the shared runtime, at background priority (a person at the console goes first). */
export function describeWith(ai: Pick<AiRuntime, 'describeImage'>): Describe {
  return async (file, { signal }): Promise<Description> => {
    const ask = (q: { prompt: string; maxTokens: number }): Promise<string> => ai.describeImage(file.path, q.prompt, { signal, priority: 'background', maxTokens: q.maxTokens })
    // one after another: the runtime runs one generation at a time anyway, and an abort stops the rest
    const caption = await ask(CAPTION_PROMPTS.caption)
    const text = await ask(CAPTION_PROMPTS.text)
    const tags = await ask(CAPTION_PROMPTS.tags)
    return { caption: plain(caption), text: NO_TEXT.test(plain(text)) ? '' : plain(text), tags: tagsOf(tags) }
  }
}
