/**
 * The two emails a sign-up can cause: the confirmation (double opt-in) and, for an address that already
 * receives the digest, a note with its preferences link. Both say exactly which settings their link confirms.
 * Which one is sent is never visible to whoever submitted the form.
 */
import { html } from '../pages/html.ts';
import type { OutgoingEmail } from '../ports.ts';

/** What a sign-up asked for, and the link that confirms exactly that. */
export interface RequestedSettings {
  handles: readonly string[];
  timeZone: string;
  deliveryHour: number;
  confirmUrl: string;
}

/** `@a, @b every morning at 07:00 (Europe/Berlin)`. */
function describe(settings: RequestedSettings): string {
  const accounts = settings.handles.map((handle) => `@${handle}`).join(', ');
  const hour = String(settings.deliveryHour).padStart(2, '0');
  return `${accounts}, every morning at ${hour}:00 (${settings.timeZone})`;
}

/** The email that asks a new subscriber to confirm their address. */
export function confirmationEmail(to: string, settings: RequestedSettings): OutgoingEmail {
  const asked = describe(settings);
  return {
    to,
    subject: 'Confirm your likewatch digest',
    text: [
      `Someone (hopefully you) asked for the likewatch morning digest about ${asked}.`,
      '',
      `Confirm here (the link works for 48 hours): ${settings.confirmUrl}`,
      '',
      'If it was not you, ignore this email: nothing will be sent.',
    ].join('\n'),
    html: html`<p>Someone (hopefully you) asked for the likewatch morning digest about ${asked}.</p>
<p><a href="${settings.confirmUrl}">Confirm your subscription</a> (the link works for 48 hours).</p>
<p>If it was not you, ignore this email: nothing will be sent.</p>`.markup,
  };
}

/**
 * The email for a sign-up with an address that already receives the digest: nothing changed, the preferences
 * link, and the link that switches to the settings just asked for, should the owner want them.
 */
export function alreadySubscribedEmail(
  to: string,
  preferencesUrl: string,
  settings: RequestedSettings,
): OutgoingEmail {
  const asked = describe(settings);
  return {
    to,
    subject: 'You already receive the likewatch digest',
    text: [
      'Someone (hopefully you) tried to sign this address up for the likewatch digest, which it already receives.',
      '',
      `They asked for ${asked}. To switch to that (the link works for 48 hours): ${settings.confirmUrl}`,
      '',
      `To change the accounts, the time or pause it: ${preferencesUrl}`,
      '',
      'If it was not you, ignore this email: nothing changed.',
    ].join('\n'),
    html: html`<p>Someone (hopefully you) tried to sign this address up for the likewatch digest, which it already receives.</p>
<p>They asked for ${asked}. <a href="${settings.confirmUrl}">Switch to that</a> (the link works for 48 hours).</p>
<p><a href="${preferencesUrl}">Change the accounts, the time, or pause it</a>.</p>
<p>If it was not you, ignore this email: nothing changed.</p>`.markup,
  };
}
