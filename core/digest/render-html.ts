/**
 * Lays a digest out as the HTML part: one complete, self-contained document that reads well from a 375 px
 * phone to a wide desktop window. Email clients differ wildly, so the layout sticks to what nearly all of
 * them support: nested tables, inline styles, a single fluid column capped at 600 px, no remote images and
 * no scripts. The small `<style>` block only tightens padding on narrow screens; clients that strip it
 * still get a readable email.
 *
 * Every string from the document goes through `escapeHtml`, and only http(s) links become `href`s.
 */
import type {
  AccountTone,
  DigestAccountSection,
  DigestCause,
  DigestDocument,
  DigestLink,
  DigestNotice,
} from './document.ts';
import { escapeHtml, isWebLink } from './escape.ts';

const FONT_STACK =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
const PAGE_BACKGROUND = '#f3f4f6';
const TEXT_COLOUR = '#1f2937';
const MUTED_COLOUR = '#6b7280';
const LINK_COLOUR = '#1d4ed8';

/** Accent per tone: the coloured bar on the left of each account card. */
const TONE_COLOURS: Record<AccountTone, string> = {
  loss: '#b91c1c',
  slowdown: '#b45309',
  unknown: '#475569',
  none: '#15803d',
};

/** Long unbroken strings (a title without spaces, a URL) must wrap instead of widening a phone screen. */
const WRAP_ANYWHERE = 'overflow-wrap:anywhere;word-break:break-word;';

/** Renders the HTML part. */
export function renderHtml(document: DigestDocument): string {
  const cards = document.accounts.map(accountCard).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${escapeHtml(document.title)}</title>
<style>
@media only screen and (max-width: 620px) {
  .lw-outer { padding: 12px 8px !important; }
  .lw-card { padding: 16px !important; }
  .lw-title { font-size: 20px !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background-color:${PAGE_BACKGROUND};-webkit-text-size-adjust:100%;">
${preheader(document.preheader)}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${PAGE_BACKGROUND};">
<tr>
<td align="center" class="lw-outer" style="padding:24px 12px;">
<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;font-family:${FONT_STACK};color:${TEXT_COLOUR};font-size:16px;line-height:1.5;">
<tr>
<td style="padding:0 4px 16px 4px;${WRAP_ANYWHERE}">
<h1 class="lw-title" style="margin:0 0 8px 0;font-size:22px;line-height:1.3;font-weight:700;">${escapeHtml(document.title)}</h1>
<p style="margin:0;">${escapeHtml(document.intro)}</p>
</td>
</tr>
${cards}
${followUps(document)}
${footer(document)}
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td>
</tr>
</table>
</body>
</html>
`;
}

/** Hidden text that inbox lists show as the preview line after the subject. */
function preheader(text: string): string {
  // The trailing spacer characters stop clients from padding the preview with the first words of the body.
  const spacer = '&#8203;&nbsp;'.repeat(40);
  return `<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;color:${PAGE_BACKGROUND};">${escapeHtml(text)}${spacer}</div>`;
}

function accountCard(section: DigestAccountSection): string {
  const parts = [
    `<h2 style="margin:0 0 8px 0;font-size:18px;line-height:1.35;font-weight:700;">${escapeHtml(section.title)}</h2>`,
    `<p style="margin:0 0 12px 0;">${escapeHtml(section.summary)}</p>`,
    facts(section),
    ...section.notices.map(notice),
    chart(section),
    causes(section),
    videos(section),
    advice(section),
    `<p style="margin:16px 0 0 0;">${link(section.history, 'font-weight:600;')}</p>`,
  ];
  return `<tr>
<td style="padding:0 0 16px 0;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;">
<tr>
<td class="lw-card" style="background-color:#ffffff;border-left:4px solid ${TONE_COLOURS[section.tone]};border-radius:6px;padding:20px 24px;${WRAP_ANYWHERE}">
${parts.filter((part) => part !== '').join('\n')}
</td>
</tr>
</table>
</td>
</tr>`;
}

function facts(section: DigestAccountSection): string {
  if (section.facts.length === 0) return '';
  const rows = section.facts
    .map(
      (fact) =>
        `<tr><td style="padding:2px 12px 2px 0;color:${MUTED_COLOUR};vertical-align:top;">${escapeHtml(fact.label)}</td><td style="padding:2px 0;font-weight:600;vertical-align:top;">${escapeHtml(fact.value)}</td></tr>`,
    )
    .join('');
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px 0;font-size:15px;">${rows}</table>`;
}

function notice(item: DigestNotice): string {
  const action = item.link === undefined ? '' : `<br>${link(item.link, 'font-weight:700;')}`;
  return `<p style="margin:0 0 12px 0;padding:12px;background-color:#fef3c7;border-radius:4px;">${escapeHtml(item.text)}${action}</p>`;
}

function causes(section: DigestAccountSection): string {
  if (section.causes === undefined) return '';
  const items = section.causes.items
    .map((cause) => {
      const share = cause.share === undefined ? '' : `, ${escapeHtml(cause.share)}`;
      const evidence =
        cause.evidence.length === 0
          ? ''
          : `<ul style="margin:4px 0 0 0;padding-left:20px;color:${MUTED_COLOUR};">${cause.evidence
              .map((sentence) => `<li style="margin:0 0 4px 0;">${escapeHtml(sentence)}</li>`)
              .join('')}</ul>`;
      return `<li style="margin:0 0 8px 0;"><strong>${escapeHtml(cause.title)}</strong> — ${escapeHtml(cause.confidence)}${share}${evidence}${feedback(cause)}</li>`;
    })
    .join('');
  return `${subheading(section.causes.heading)}<ol style="margin:0 0 12px 0;padding-left:22px;">${items}</ol>`;
}

function feedback(cause: DigestCause): string {
  if (cause.feedback === undefined) return '';
  const { question, yes, no } = cause.feedback;
  return `<p style="margin:4px 0 0 0;font-size:14px;color:${MUTED_COLOUR};">${escapeHtml(question)} ${link(yes, 'font-weight:600;')} · ${link(no, 'font-weight:600;')}</p>`;
}

/**
 * The likes chart: a fluid image that never overflows a phone screen (width 100%, capped at its natural
 * size), with its words in `alt` for clients that block images and a caption for everyone.
 */
function chart(section: DigestAccountSection): string {
  if (section.chart === undefined) return '';
  const { contentId, alt, caption, width, height } = section.chart;
  return `<img src="cid:${escapeHtml(contentId)}" width="${width}" height="${height}" alt="${escapeHtml(alt)}" style="display:block;width:100%;max-width:${width}px;height:auto;margin:0 0 4px 0;border:1px solid #e5e7eb;border-radius:4px;">
<p style="margin:0 0 12px 0;font-size:13px;color:${MUTED_COLOUR};">${escapeHtml(caption)}</p>`;
}

/** Updates on the previous digest's losses, below the account cards: tonight's news comes first. */
function followUps(document: DigestDocument): string {
  if (document.followUps === undefined) return '';
  const items = document.followUps.items
    .map(
      (item) =>
        `<p style="margin:8px 0 0 0;padding:0 0 0 10px;border-left:3px solid ${TONE_COLOURS[item.tone]};">${escapeHtml(item.text)}</p>`,
    )
    .join('');
  return `<tr>
<td style="padding:0 0 16px 0;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;">
<tr>
<td class="lw-card" style="background-color:#ffffff;border-radius:6px;padding:16px 24px;${WRAP_ANYWHERE}">
<h2 style="margin:0;font-size:16px;line-height:1.35;font-weight:700;">${escapeHtml(document.followUps.heading)}</h2>
${items}
</td>
</tr>
</table>
</td>
</tr>`;
}

function videos(section: DigestAccountSection): string {
  if (section.videos === undefined) return '';
  const items = section.videos.items
    .map((video) => {
      const watch = video.link === undefined ? '' : ` · ${link(video.link)}`;
      return `<li style="margin:0 0 6px 0;"><strong>${escapeHtml(video.title)}</strong>: ${escapeHtml(video.change)}${watch}</li>`;
    })
    .join('');
  const note =
    section.videos.note === undefined
      ? ''
      : `<p style="margin:0 0 12px 0;color:${MUTED_COLOUR};">${escapeHtml(section.videos.note)}</p>`;
  return `${subheading(section.videos.heading)}<ul style="margin:0 0 12px 0;padding-left:20px;">${items}</ul>${note}`;
}

function advice(section: DigestAccountSection): string {
  if (section.advice === undefined) return '';
  const actions = section.advice.actions
    .map((action) => `<li style="margin:0 0 4px 0;">${escapeHtml(action)}</li>`)
    .join('');
  return `${subheading(section.advice.heading)}<p style="margin:0 0 8px 0;">${escapeHtml(section.advice.summary)}</p><ul style="margin:0;padding-left:20px;">${actions}</ul>`;
}

function subheading(text: string): string {
  return `<h3 style="margin:16px 0 6px 0;font-size:16px;line-height:1.35;font-weight:700;">${escapeHtml(text)}</h3>`;
}

function footer(document: DigestDocument): string {
  const links = document.footer.links
    .map((item) => link(item, `color:${MUTED_COLOUR};`))
    .join(' · ');
  return `<tr>
<td style="padding:8px 4px 0 4px;font-size:13px;line-height:1.5;color:${MUTED_COLOUR};${WRAP_ANYWHERE}">
<p style="margin:0 0 8px 0;">${escapeHtml(document.footer.reason)}</p>
<p style="margin:0;">${links}</p>
</td>
</tr>`;
}

/** An anchor for web links; anything else (say, `javascript:`) is shown as plain text, never clickable. */
function link(item: DigestLink, extraStyle = ''): string {
  if (!isWebLink(item.href)) return escapeHtml(item.text);
  return `<a href="${escapeHtml(item.href)}" style="color:${LINK_COLOUR};text-decoration:underline;${extraStyle}">${escapeHtml(item.text)}</a>`;
}
