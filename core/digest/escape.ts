/**
 * Defences for creator-controlled strings (handles, video titles, evidence sentences, URLs from polls) on
 * their way into an email. Anyone can name a TikTok account or title a video, so every such string is
 * treated as hostile: control characters are removed before it reaches a header or a line of text, and it is
 * HTML-escaped before it reaches markup.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes a string for use in HTML text or in a double- or single-quoted attribute value.
 * The single place markup is escaped: the HTML renderer runs every string through it.
 */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/**
 * C0/C1 control characters (CR and LF included, which would let a handle inject email headers), the
 * Unicode line and paragraph separators, and the bidirectional overrides and isolates that can make a
 * string display differently from what it contains.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The string with every unsafe character (control characters, line and paragraph separators, bidirectional
 * overrides and isolates) turned into a space: the sanitising every rendered string gets, in the digest and on
 * the pages alike.
 */
export function withoutUnsafeCharacters(value: string): string {
  return value.replace(UNSAFE_CHARACTERS, ' ');
}

/**
 * Makes a creator-controlled string safe to show on one line: unsafe characters become spaces, runs of
 * whitespace collapse, and overly long strings are shortened with an ellipsis (so one title cannot swamp
 * a subject line or a phone screen).
 */
export function toSingleLine(value: string, maxLength = 200): string {
  const cleaned = withoutUnsafeCharacters(value).replace(/\s+/g, ' ').trim();
  if (cleaned.length <= maxLength) return cleaned;
  return `${cleaned.slice(0, maxLength - 1).trimEnd()}…`;
}

/**
 * Returns the normalised URL when `candidate` is an https link on tiktok.com (or a subdomain such as
 * www.tiktok.com), and undefined for anything else: `javascript:` and `data:` URLs, plain http, look-alike
 * hosts (`tiktok.com.example.net`) and URLs carrying credentials are all dropped, so the email simply
 * shows no link.
 */
export function safeTikTokUrl(candidate: string | undefined): string | undefined {
  if (candidate === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(candidate.trim());
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase();
  const onTikTok = host === 'tiktok.com' || host.endsWith('.tiktok.com');
  if (parsed.protocol !== 'https:' || !onTikTok) return undefined;
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  return parsed.href;
}

/**
 * True for links the renderers may put in an `href`: http(s) only. The digest's own links (preferences,
 * unsubscribe, reconnect) come from configuration, but a misconfigured `javascript:` link must still never
 * become clickable.
 */
export function isWebLink(href: string): boolean {
  return /^https?:\/\//i.test(href);
}
