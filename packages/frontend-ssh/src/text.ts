/** Longest command line accepted from a client, in characters. */
export const MAX_LINE = 8192

export const TOO_LONG = `line too long (over ${MAX_LINE} characters); ignored`

/** Drop control characters (tabs become spaces) so input cannot smuggle terminal sequences. */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
}
