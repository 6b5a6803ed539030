/**
 * Lays a digest out as the plain-text part: the same words as the HTML part, arranged for a terminal-like
 * reader (headings, indented facts, numbered causes, bare URLs).
 */
import type { DigestAccountSection, DigestDocument, DigestLink } from './document.ts';
import { isWebLink } from './escape.ts';

const SECTION_RULE = '—'.repeat(40);

/** Renders the plain-text part. */
export function renderText(document: DigestDocument): string {
  const lines: string[] = [document.title, '', document.intro];
  for (const section of document.accounts) {
    lines.push('', SECTION_RULE, ...accountLines(section));
  }
  // After tonight's accounts, as in the HTML part: the worst news comes first.
  if (document.followUps !== undefined) {
    if (document.accounts.length > 0) lines.push('', SECTION_RULE);
    lines.push('', `${document.followUps.heading}:`);
    for (const item of document.followUps.items) lines.push(`  * ${item.text}`);
  }
  // "-- " on its own line is the conventional signature separator: clients dim or fold what follows.
  lines.push('', '-- ', document.footer.reason);
  for (const link of document.footer.links) lines.push(linkLine(link));
  return `${lines.join('\n')}\n`;
}

function accountLines(section: DigestAccountSection): string[] {
  const lines = [section.title, section.summary];
  if (section.facts.length > 0) {
    lines.push('');
    for (const fact of section.facts) lines.push(`  ${fact.label}: ${fact.value}`);
  }
  for (const notice of section.notices) {
    lines.push('', `! ${notice.text}`);
    if (notice.link !== undefined) lines.push(`  ${linkLine(notice.link)}`);
  }
  if (section.chart !== undefined) {
    // The image is not in this part; its description stands in for it.
    lines.push('', `[${section.chart.alt}]`);
  }
  if (section.causes !== undefined) {
    lines.push('', `${section.causes.heading}:`);
    section.causes.items.forEach((cause, index) => {
      const share = cause.share === undefined ? '' : `, ${cause.share}`;
      lines.push(`  ${index + 1}. ${cause.title} — ${cause.confidence}${share}`);
      for (const sentence of cause.evidence) lines.push(`     - ${sentence}`);
      if (cause.feedback !== undefined) {
        const { question, yes, no } = cause.feedback;
        lines.push(`     ${question} ${linkLine(yes)}  ${linkLine(no)}`);
      }
    });
  }
  if (section.videos !== undefined) {
    lines.push('', `${section.videos.heading}:`);
    for (const video of section.videos.items) {
      lines.push(`  - ${video.title}: ${video.change}`);
      if (video.link !== undefined && isWebLink(video.link.href))
        lines.push(`    ${video.link.href}`);
    }
    if (section.videos.note !== undefined) lines.push(`  ${section.videos.note}`);
  }
  if (section.advice !== undefined) {
    lines.push('', `${section.advice.heading}:`, section.advice.summary);
    for (const action of section.advice.actions) lines.push(`  - ${action}`);
  }
  lines.push('', linkLine(section.history));
  return lines;
}

/** `Text: https://…`, or just the text when the link is not a web link (it is never shown as one). */
function linkLine(link: DigestLink): string {
  return isWebLink(link.href) ? `${link.text}: ${link.href}` : link.text;
}
