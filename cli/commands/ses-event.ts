import { parseSesEvents } from '../../adapters/ses-events.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { recordEmailEvents } from '../../core/subscriptions/email-events.ts';
import { type Command, readArgs, UsageError } from '../command.ts';
import { readInput } from '../read-input.ts';
import { STORE_OPTIONS, storeUsage, withStore } from '../store-connection.ts';

/**
 * `likewatch ses-event FILE`: feeds an SES bounce or complaint into a store through the same parsing and use
 * case as the SES events function, for the local runtime (which has no SNS) and for replaying a missed event.
 */
export const sesEventCommand: Command = {
  name: 'ses-event',
  summary: 'Record an SES bounce or complaint notification (as SNS delivers it) in a store',
  usage: [
    'likewatch ses-event FILE (--endpoint URL | --table NAME)',
    '',
    '  FILE             JSON: an SNS Lambda event ({"Records":[{"Sns":{"Message":"…"}}]}) or a bare',
    '                   SES notification ({"eventType":"Bounce","bounce":{…}}); - reads stdin',
    ...storeUsage(),
    '',
    'Permanent bounces and complaints suppress the address; complaints also unsubscribe it.',
  ].join('\n'),
  async run(args) {
    const { values, positionals } = readArgs(args, STORE_OPTIONS, { positionals: 1 });
    const [file] = positionals;
    if (!file) throw new UsageError('give the JSON file of the event');
    let events: ReturnType<typeof parseSesEvents>;
    try {
      const text = await readInput(file);
      events = parseSesEvents(JSON.parse(text), new Date());
    } catch (error) {
      if (error instanceof InvalidInputError || error instanceof SyntaxError) {
        throw new UsageError(error.message);
      }
      throw error;
    }
    return withStore(values, async (store) => {
      const summary = await recordEmailEvents({ suppressions: store, subscribers: store }, events);
      console.log(
        `suppressed ${summary.suppressed}, unsubscribed ${summary.unsubscribed}, ignored ${summary.ignored}`,
      );
      return 0;
    });
  },
};
