/**
 * SES event notifications, as SNS delivers them to a Lambda (`{ Records: [{ Sns: { Message } }] }`), validated
 * with zod and reduced to the core's {@link EmailEvent}s. Both SES formats are read: configuration-set event
 * publishing (`eventType`) and identity notifications (`notificationType`). A bare SES notification (the SNS
 * message itself) is accepted too, which is what `likewatch ses-event FILE` feeds in locally.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.ts';
import type { EmailEvent } from '../core/subscriptions/email-events.ts';

const Recipient = z.object({ emailAddress: z.string().min(3) });

const SesNotification = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    mail: z
      .object({ timestamp: z.string().optional(), messageId: z.string().optional() })
      .optional(),
    bounce: z
      .object({
        bounceType: z.string(),
        bouncedRecipients: z.array(Recipient).min(1),
        timestamp: z.string().optional(),
      })
      .optional(),
    complaint: z
      .object({
        complainedRecipients: z.array(Recipient).min(1),
        timestamp: z.string().optional(),
      })
      .optional(),
  })
  .refine((notification) => notification.eventType ?? notification.notificationType, {
    message: 'neither eventType nor notificationType is set',
  });
type SesNotification = z.infer<typeof SesNotification>;

const SnsEvent = z.object({
  Records: z
    .array(z.object({ Sns: z.object({ Message: z.string(), Timestamp: z.string().optional() }) }))
    .min(1),
});

/** The SES events in an SNS Lambda event or a bare SES notification; throws InvalidInputError otherwise. */
export function parseSesEvents(input: unknown, receivedAt: Date): EmailEvent[] {
  const sns = SnsEvent.safeParse(input);
  const messages: unknown[] = sns.success
    ? sns.data.Records.map((record) => parseJson(record.Sns.Message))
    : [input];
  return messages.map((message) => {
    const parsed = SesNotification.safeParse(message);
    if (!parsed.success) {
      throw new InvalidInputError(`not an SES notification: ${z.prettifyError(parsed.error)}`);
    }
    return toEmailEvent(parsed.data, receivedAt);
  });
}

function toEmailEvent(notification: SesNotification, receivedAt: Date): EmailEvent {
  const type = (notification.eventType ?? notification.notificationType) as string;
  const at = (timestamp: string | undefined) => {
    const parsed = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
    return Number.isNaN(parsed) ? receivedAt : new Date(parsed);
  };
  if (type === 'Bounce' && notification.bounce) {
    return {
      kind: 'bounce',
      permanent: notification.bounce.bounceType === 'Permanent',
      recipients: notification.bounce.bouncedRecipients.map((recipient) => recipient.emailAddress),
      at: at(notification.bounce.timestamp),
    };
  }
  if (type === 'Complaint' && notification.complaint) {
    return {
      kind: 'complaint',
      recipients: notification.complaint.complainedRecipients.map(
        (recipient) => recipient.emailAddress,
      ),
      at: at(notification.complaint.timestamp),
    };
  }
  return { kind: 'other', type };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError('the SNS message is not JSON');
  }
}
