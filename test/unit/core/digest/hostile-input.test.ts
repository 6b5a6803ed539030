import { describe, expect, it } from 'vitest';
import { composeDigest } from '../../../../core/digest/compose.ts';
import { escapeHtml, safeTikTokUrl, toSingleLine } from '../../../../core/digest/escape.ts';
import type { DigestAccountInput } from '../../../../core/digest/input.ts';
import {
  account,
  digestInput,
  explanation,
  okPoll,
  video,
} from '../../../fakes/digest-accounts.ts';

const SCRIPT = '<script>alert(1)</script>';
const ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>';

/** An account whose handle, titles, evidence and links are all attacker-chosen. */
function hostileAccount(handle: string): DigestAccountInput {
  const titles = [SCRIPT, ATTRIBUTE_BREAKOUT, 'Line one\r\nBcc: victim@example.com'];
  const urls = [
    'javascript:alert(1)',
    `https://www.tiktok.com/@x/video/1?q=${ATTRIBUTE_BREAKOUT}`,
    'https://tiktok.com.evil.example/@x/video/3',
  ];
  const before = titles.map((title, index) =>
    video(`v${index}`, 1000, { title, url: urls[index] }),
  );
  const after = titles.map((title, index) => video(`v${index}`, 500, { title, url: urls[index] }));
  return {
    account: account('acc-evil', handle, { status: 'needs_reauthorization' }),
    explanation: explanation('acc-evil', handle, {
      verdict: 'loss',
      likes: { lost: 1500, restored: 0, gained: 0, baselineGain: 10 },
      causes: [
        {
          cause: 'platform_glitch',
          confidence: 0.75,
          likes: 1500,
          evidence: [`Your video ${SCRIPT} dropped`, `and ${ATTRIBUTE_BREAKOUT} too`],
        },
      ],
      videos: titles.map((_, index) => ({ id: `v${index}`, lost: 500, restored: 0 })),
    }),
    polls: [okPoll('2026-11-24T05:00:00Z', before), okPoll('2026-11-25T05:00:00Z', after)],
  };
}

function composeHostile(handle: string) {
  const digest = composeDigest(digestInput([hostileAccount(handle)]));
  if (digest === undefined) throw new Error('expected a digest');
  return digest;
}

describe('composeDigest with hostile creator strings', () => {
  it('should never emit a script or an injected tag in the HTML', () => {
    const { html } = composeHostile(SCRIPT);
    expect(html).not.toContain(SCRIPT);
    expect(html).not.toContain(ATTRIBUTE_BREAKOUT);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain(escapeHtml(SCRIPT));
  });

  it('should escape a handle that tries to break out of an attribute', () => {
    const { html } = composeHostile(ATTRIBUTE_BREAKOUT);
    expect(html).not.toContain(ATTRIBUTE_BREAKOUT);
    expect(html).not.toMatch(/onerror=alert\(1\)>/);
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });

  it('should keep the subject on one line when the handle contains CR/LF', () => {
    const { subject, text } = composeHostile('evil\r\nBcc: victim@example.com\r\n\r\nbody');
    expect(subject).not.toMatch(/[\r\n]/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting no control characters.
    expect(subject).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(subject.startsWith('@evil Bcc: victim@example.com body lost 1,500 likes')).toBe(true);
    // The plain-text part must not let a handle or title forge lines either.
    expect(text).not.toContain('\r');
    expect(text).not.toMatch(/^Bcc:/m);
  });

  it('should drop javascript:, look-alike and non-https links and keep real tiktok.com ones', () => {
    const { html, text } = composeHostile('evil');
    expect(html).not.toMatch(/javascript:/i);
    expect(text).not.toMatch(/javascript:/i);
    expect(html).not.toContain('tiktok.com.evil.example');
    expect(text).not.toContain('tiktok.com.evil.example');
    expect(html).toMatch(/href="https:\/\/www\.tiktok\.com\/@x\/video\/1\?q=/);
    // The one kept link still cannot break out of its attribute.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1] ?? '');
    for (const href of hrefs) expect(href).not.toMatch(/[<>"]/);
  });
});

describe('escapeHtml', () => {
  it('should escape the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('toSingleLine', () => {
  it('should replace control characters, line separators and bidi overrides with spaces', () => {
    expect(toSingleLine('a\r\nb\u2028c\u202ed\u0000e')).toBe('a b c d e');
  });

  it('should shorten overly long strings with an ellipsis', () => {
    expect(toSingleLine('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});

describe('safeTikTokUrl', () => {
  it('should accept https links on tiktok.com and its subdomains', () => {
    expect(safeTikTokUrl('https://www.tiktok.com/@a/video/1')).toBe(
      'https://www.tiktok.com/@a/video/1',
    );
    expect(safeTikTokUrl('https://tiktok.com/@a')).toBe('https://tiktok.com/@a');
  });

  it('should reject other schemes, hosts, credentials and garbage', () => {
    for (const url of [
      'javascript:alert(1)',
      'http://www.tiktok.com/@a',
      'https://tiktok.com.evil.example/',
      'https://eviltiktok.com/',
      'https://user:pass@www.tiktok.com/',
      'data:text/html,<script>alert(1)</script>',
      'not a url',
      undefined,
    ]) {
      expect(safeTikTokUrl(url)).toBeUndefined();
    }
  });
});
