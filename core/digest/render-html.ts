/**
 * Lays a digest out as the HTML part: one complete, self-contained document that reads well from a 375 px
 * phone to a wide desktop window. Email clients differ wildly, so the layout sticks to what nearly all of
 * them support: nested tables, inline styles, a single fluid column capped at 600 px, no remote images and
 * no scripts. The small html`<style>` block only tightens padding on narrow screens; clients that strip it
 * still get a readable email.
 *
 * It is built with the pages' `html` tag, which escapes every interpolated string unless it is markup the tag
 * built itself; only http(s) links become `href`s.
 */

import { html, SafeHtml } from '../pages/html.ts';
import type {
  AccountTone,
  DigestAccountSection,
  DigestCause,
  DigestDocument,
  DigestLink,
  DigestNotice,
} from './document.ts';
import { isWebLink } from './escape.ts';

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
  const cards = document.accounts.map(accountCard);
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>${document.title}</title>
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
<h1 class="lw-title" style="margin:0 0 8px 0;font-size:22px;line-height:1.3;font-weight:700;">${document.title}</h1>
<p style="margin:0;">${document.intro}</p>
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
`.markup;
}

/** Hidden text that inbox lists show as the preview line after the subject. */
function preheader(text: string): SafeHtml {
  // The trailing spacer characters stop clients from padding the preview with the first words of the body.
  const spacer = new SafeHtml('&#8203;&nbsp;'.repeat(40));
  return html`<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;color:${PAGE_BACKGROUND};">${text}${spacer}</div>`;
}

function accountCard(section: DigestAccountSection): SafeHtml {
  const parts = [
    html`<h2 style="margin:0 0 8px 0;font-size:18px;line-height:1.35;font-weight:700;">${section.title}</h2>`,
    html`<p style="margin:0 0 12px 0;">${section.summary}</p>`,
    facts(section),
    ...section.notices.map(notice),
    chart(section),
    causes(section),
    videos(section),
    advice(section),
    html`<p style="margin:16px 0 0 0;">${link(section.history, 'font-weight:600;')}</p>`,
  ];
  return html`<tr>
<td style="padding:0 0 16px 0;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;">
<tr>
<td class="lw-card" style="background-color:#ffffff;border-left:4px solid ${TONE_COLOURS[section.tone]};border-radius:6px;padding:20px 24px;${WRAP_ANYWHERE}">
${parts}
</td>
</tr>
</table>
</td>
</tr>`;
}

function facts(section: DigestAccountSection): SafeHtml {
  if (section.facts.length === 0) return html``;
  const rows = section.facts.map(
    (fact) =>
      html`<tr><td style="padding:2px 12px 2px 0;color:${MUTED_COLOUR};vertical-align:top;">${fact.label}</td><td style="padding:2px 0;font-weight:600;vertical-align:top;">${fact.value}</td></tr>`,
  );

  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px 0;font-size:15px;">${rows}</table>`;
}

function notice(item: DigestNotice): SafeHtml {
  const action = item.link === undefined ? '' : html`<br>${link(item.link, 'font-weight:700;')}`;
  return html`<p style="margin:0 0 12px 0;padding:12px;background-color:#fef3c7;border-radius:4px;">${item.text}${action}</p>`;
}

function causes(section: DigestAccountSection): SafeHtml {
  if (section.causes === undefined) return html``;
  const items = section.causes.items.map((cause) => {
    const share = cause.share === undefined ? '' : html`, ${cause.share}`;
    const evidence =
      cause.evidence.length === 0
        ? ''
        : html`<ul style="margin:4px 0 0 0;padding-left:20px;color:${MUTED_COLOUR};">${cause.evidence.map(
            (sentence) => html`<li style="margin:0 0 4px 0;">${sentence}</li>`,
          )}</ul>`;
    return html`<li style="margin:0 0 8px 0;"><strong>${cause.title}</strong> — ${cause.confidence}${share}${evidence}${feedback(cause)}</li>`;
  });

  return html`${subheading(section.causes.heading)}<ol style="margin:0 0 12px 0;padding-left:22px;">${items}</ol>`;
}

function feedback(cause: DigestCause): SafeHtml {
  if (cause.feedback === undefined) return html``;
  const { question, yes, no } = cause.feedback;
  return html`<p style="margin:4px 0 0 0;font-size:14px;color:${MUTED_COLOUR};">${question} ${link(yes, 'font-weight:600;')} · ${link(no, 'font-weight:600;')}</p>`;
}

/**
 * The likes chart: a fluid image that never overflows a phone screen (width 100%, capped at its natural
 * size), with its words in `alt` for clients that block images and a caption for everyone.
 */
function chart(section: DigestAccountSection): SafeHtml {
  if (section.chart === undefined) return html``;
  const { contentId, alt, caption, width, height } = section.chart;
  return html`<img src="cid:${contentId}" width="${width}" height="${height}" alt="${alt}" style="display:block;width:100%;max-width:${width}px;height:auto;margin:0 0 4px 0;border:1px solid #e5e7eb;border-radius:4px;">
<p style="margin:0 0 12px 0;font-size:13px;color:${MUTED_COLOUR};">${caption}</p>`;
}

/** Updates on the previous digest's losses, below the account cards: tonight's news comes first. */
function followUps(document: DigestDocument): SafeHtml {
  if (document.followUps === undefined) return html``;
  const items = document.followUps.items.map(
    (item) =>
      html`<p style="margin:8px 0 0 0;padding:0 0 0 10px;border-left:3px solid ${TONE_COLOURS[item.tone]};">${item.text}</p>`,
  );

  return html`<tr>
<td style="padding:0 0 16px 0;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;">
<tr>
<td class="lw-card" style="background-color:#ffffff;border-radius:6px;padding:16px 24px;${WRAP_ANYWHERE}">
<h2 style="margin:0;font-size:16px;line-height:1.35;font-weight:700;">${document.followUps.heading}</h2>
${items}
</td>
</tr>
</table>
</td>
</tr>`;
}

function videos(section: DigestAccountSection): SafeHtml {
  if (section.videos === undefined) return html``;
  const items = section.videos.items.map((video) => {
    const watch = video.link === undefined ? '' : html` · ${link(video.link)}`;
    return html`<li style="margin:0 0 6px 0;"><strong>${video.title}</strong>: ${video.change}${watch}</li>`;
  });

  const note =
    section.videos.note === undefined
      ? ''
      : html`<p style="margin:0 0 12px 0;color:${MUTED_COLOUR};">${section.videos.note}</p>`;
  return html`${subheading(section.videos.heading)}<ul style="margin:0 0 12px 0;padding-left:20px;">${items}</ul>${note}`;
}

function advice(section: DigestAccountSection): SafeHtml {
  if (section.advice === undefined) return html``;
  const actions = section.advice.actions.map(
    (action) => html`<li style="margin:0 0 4px 0;">${action}</li>`,
  );

  return html`${subheading(section.advice.heading)}<p style="margin:0 0 8px 0;">${section.advice.summary}</p><ul style="margin:0;padding-left:20px;">${actions}</ul>`;
}

function subheading(text: string): SafeHtml {
  return html`<h3 style="margin:16px 0 6px 0;font-size:16px;line-height:1.35;font-weight:700;">${text}</h3>`;
}

function footer(document: DigestDocument): SafeHtml {
  const links = document.footer.links.map((item, index) => [
    index > 0 ? ' · ' : '',
    link(item, `color:${MUTED_COLOUR};`),
  ]);
  return html`<tr>
<td style="padding:8px 4px 0 4px;font-size:13px;line-height:1.5;color:${MUTED_COLOUR};${WRAP_ANYWHERE}">
<p style="margin:0 0 8px 0;">${document.footer.reason}</p>
<p style="margin:0;">${links}</p>
</td>
</tr>`;
}

/** An anchor for web links; anything else (say, `javascript:`) is shown as plain text, never clickable. */
function link(item: DigestLink, extraStyle = ''): SafeHtml {
  if (!isWebLink(item.href)) return html`${item.text}`;
  return html`<a href="${item.href}" style="color:${LINK_COLOUR};text-decoration:underline;${extraStyle}">${item.text}</a>`;
}
