/**
 * Removes every run of 5 or more characters that also occurs in the secret from a text, so an
 * upstream error that echoes the provider key (whole, truncated or masked in the middle, like
 * "sk-ab***yz12") can be shown to the client. Only error paths call this.
 */
const MIN_RUN = 5;

export const SCRUBBED = '[redacted]';

export function scrubSecret(text: string, secret: string): string {
  if (secret.length < MIN_RUN || text.length < MIN_RUN) return text;
  const seeds = new Set<string>();
  for (let i = 0; i + MIN_RUN <= secret.length; i++) seeds.add(secret.slice(i, i + MIN_RUN));
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (i + MIN_RUN <= text.length && seeds.has(text.slice(i, i + MIN_RUN))) {
      let end = i + MIN_RUN;
      while (end < text.length && secret.includes(text.slice(i, end + 1))) end++;
      out += SCRUBBED;
      i = end;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}
