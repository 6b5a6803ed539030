/**
 * The two emails a sign-up can cause: the confirmation (double opt-in) and, for an address that is already
 * subscribed, a note with its preferences link. Which one is sent is never visible to whoever submitted the form.
 */
import { html } from '../pages/html.ts';
import type { OutgoingEmail } from '../ports.ts';

/** The email that asks a new subscriber to confirm their address. */
export function confirmationEmail(
  to: string,
  handles: readonly string[],
  confirmUrl: string,
): OutgoingEmail {
  const accounts = handles.map((handle) => `@${handle}`).join(', ');
  return {
    to,
    subject: 'Confirm your likewatch digest',
    text: [
      `Someone (hopefully you) asked for the likewatch morning digest about ${accounts}.`,
      '',
      `Confirm here (the link works for 48 hours): ${confirmUrl}`,
      '',
      'If it was not you, ignore this email: nothing will be sent.',
    ].join('\n'),
    html: html`<p>Someone (hopefully you) asked for the likewatch morning digest about ${accounts}.</p>
<p><a href="${confirmUrl}">Confirm your subscription</a> (the link works for 48 hours).</p>
<p>If it was not you, ignore this email: nothing will be sent.</p>`.markup,
  };
}

/** The email for a sign-up with an address that already receives the digest. */
export function alreadySubscribedEmail(to: string, preferencesUrl: string): OutgoingEmail {
  return {
    to,
    subject: 'You already receive the likewatch digest',
    text: [
      'Someone (hopefully you) tried to sign this address up for the likewatch digest, which it already receives.',
      '',
      `To change the accounts, the time or pause it: ${preferencesUrl}`,
      '',
      'If it was not you, ignore this email: nothing changed.',
    ].join('\n'),
    html: html`<p>Someone (hopefully you) tried to sign this address up for the likewatch digest, which it already receives.</p>
<p><a href="${preferencesUrl}">Change the accounts, the time, or pause it</a>.</p>
<p>If it was not you, ignore this email: nothing changed.</p>`.markup,
  };
}
