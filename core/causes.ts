/**
 * The one table of cause names: how each cause the engine can name is called wherever a person reads it (the
 * digest, the history page, the feedback page and the command line), so a cause never goes by two names.
 */
import type { Cause } from './model.ts';

/** How a cause is named: a heading, a phrase that fits after "likely", and a one-line description. */
export interface CauseName {
  /** e.g. `Fake-like purge`. */
  title: string;
  /** e.g. `a fake-like purge`: fits after "likely" or "What to do about". */
  phrase: string;
  /** One sentence saying what the cause is, for a legend or a tooltip. */
  description: string;
}

/** Every cause id has a name; `Record<Cause, …>` makes a new cause without one a compile error. */
export const CAUSE_NAMES: Record<Cause, CauseName> = {
  fake_engagement_purge: {
    title: 'Fake-like purge',
    phrase: 'a fake-like purge',
    description: 'TikTok removed likes that came from fake or automated accounts.',
  },
  inactive_account_cleanup: {
    title: 'Inactive accounts cleaned up',
    phrase: 'a cleanup of inactive accounts',
    description: 'TikTok deleted abandoned accounts, and the likes they once gave went with them.',
  },
  content_removed_or_restricted: {
    title: 'Video removed, restricted or hidden',
    phrase: 'a removed or hidden video',
    description: 'A video stopped being public, and its likes left the total with it.',
  },
  reach_limited: {
    title: 'Reach limited (shadowban)',
    phrase: 'reach limits',
    description: 'Videos were shown to far fewer people than usual.',
  },
  audience_shift: {
    title: 'Audience taste shifting',
    phrase: 'a shift in audience taste',
    description: 'Newer videos earn fewer likes than older ones did: a slow drift over weeks.',
  },
  platform_glitch: {
    title: 'TikTok counting glitch',
    phrase: 'a TikTok counting glitch',
    description: 'The counts moved in a way real viewers do not cause, and usually come back.',
  },
  organic_unlikes: {
    title: 'Viewers un-liking',
    phrase: 'viewers un-liking',
    description: 'A few viewers took back their likes, as people do now and then.',
  },
};
