import { describe, expect, it } from 'vitest';
import { ThrottledMailer, TokenBucket } from '../../../adapters/throttled-mailer.ts';
import { MailerError } from '../../../core/errors.ts';
import type { OutgoingEmail } from '../../../core/ports.ts';

const email: OutgoingEmail = { to: 'maya@example.com', subject: 's', text: 't', html: 'h' };

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    nowMs: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('ThrottledMailer', () => {
  it('should retry a throttled send with growing, jittered pauses and then succeed', async () => {
    // Arrange: SES throttles twice, then accepts.
    const time = fakeTime();
    let calls = 0;
    const mailer = new ThrottledMailer(
      {
        send: async () => {
          calls += 1;
          if (calls <= 2) throw new MailerError('TooManyRequestsException', true);
          return 'msg-1';
        },
      },
      { maxPerSecond: 100, baseDelayMs: 200, random: () => 0.5, ...time },
    );
    // Act
    const messageId = await mailer.send(email);
    // Assert: half of 200, then half of 400 (full jitter with random() = 0.5).
    expect(messageId).toBe('msg-1');
    expect(calls).toBe(3);
    expect(time.sleeps.filter((ms) => ms >= 50)).toEqual([100, 200]);
  });

  it('should give up after the last attempt with the retryable error, so the claim is given back', async () => {
    const time = fakeTime();
    let calls = 0;
    const mailer = new ThrottledMailer(
      {
        send: async () => {
          calls += 1;
          throw new MailerError('ThrottlingException', true);
        },
      },
      { maxPerSecond: 100, maxAttempts: 3, random: () => 1, ...time },
    );
    const error = await mailer.send(email).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MailerError);
    expect((error as MailerError).retryable).toBe(true);
    expect(calls).toBe(3);
  });

  it('should not retry a message refused for good', async () => {
    let calls = 0;
    const mailer = new ThrottledMailer(
      {
        send: async () => {
          calls += 1;
          throw new MailerError('MessageRejected', false);
        },
      },
      { maxPerSecond: 100, ...fakeTime() },
    );
    await expect(mailer.send(email)).rejects.toThrow('MessageRejected');
    expect(calls).toBe(1);
  });
});

describe('TokenBucket', () => {
  it('should allow a second’s worth of sends at once, then space them at the rate', async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(2, time.nowMs, time.sleep);
    await Promise.all([1, 2, 3, 4].map(() => bucket.take()));
    // Two go at once; the third and fourth each wait half a second.
    expect(time.sleeps).toEqual([500, 500]);
    expect(time.nowMs()).toBe(1000);
  });
});
