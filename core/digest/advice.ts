/**
 * What a creator can do about each cause: one short paragraph and a few concrete actions. Based on the
 * causes described in the product's cause catalogue and the advice creators commonly get for vanishing
 * likes, written for this product.
 */
import type { Cause } from '../model.ts';

/** Advice for one cause. */
export interface CauseAdvice {
  /** One short paragraph: what is going on, in plain words. */
  summary: string;
  /** Two to four things to do (or to not worry about). */
  actions: readonly string[];
}

/** Advice for every cause id; `Record<Cause, …>` makes a cause without advice a compile error. */
export const CAUSE_ADVICE: Record<Cause, CauseAdvice> = {
  fake_engagement_purge: {
    summary:
      'TikTok regularly sweeps out likes that came from fake or automated accounts. The likes you still ' +
      'have came from real viewers, and a sweep like this does not count against your account by itself.',
    actions: [
      'Do not pay for likes or followers, and stay out of like-for-like or engagement-swap groups: those likes are the ones that get swept.',
      'Measure your videos by the likes that remain; they are your real audience.',
      'There is nothing to report or appeal: your account is not in trouble because of this.',
    ],
  },
  inactive_account_cleanup: {
    summary:
      'TikTok now and then deletes accounts that have been abandoned, and the likes those accounts once ' +
      'gave leave with them. It takes a small, even slice from almost every video, and it hits every ' +
      'creator at the same time.',
    actions: [
      'Nothing to fix: this is routine housekeeping on TikTok’s side.',
      'Expect your follower count to dip by a similar small share at the same time.',
    ],
  },
  content_removed_or_restricted: {
    summary:
      'At least one video stopped being publicly visible, and its likes left your total with it. Public ' +
      'data cannot tell us whether TikTok removed or restricted the video or whether the creator deleted ' +
      'it or made it private.',
    actions: [
      'If you deleted the video or hid it yourself, all is well and there is nothing to do.',
      'Otherwise, look at the account status page and the notifications in the TikTok app for a rule violation on that video.',
      'If you believe the decision is a mistake, appeal it from that notification.',
      'Re-read the community guidelines before posting similar content again.',
    ],
  },
  reach_limited: {
    summary:
      'Your videos are reaching far fewer people than usual, as if they had dropped out of the For You ' +
      'feed (often called a shadowban). The people who do see them still like them at the usual rate, so ' +
      'the problem is how far the videos travel, not the videos themselves.',
    actions: [
      'Check the account status page in the app for warnings or violations.',
      'For now, avoid reposting other people’s videos, using sounds that may be restricted, and following or unfollowing in bulk.',
      'Keep posting your own original videos at your usual pace.',
      'Give it time: limits like this usually lift within a few days to a few weeks.',
    ],
  },
  audience_shift: {
    summary:
      'Over the past weeks your newer videos have been earning fewer likes than your videos used to: a ' +
      'slow drift, not a sudden event. Tastes move on, and what landed a month ago may not land the same ' +
      'way today.',
    actions: [
      'Compare your recent videos and make more of the ones that still do well.',
      'Try current trends, formats and sounds that suit your style.',
      'Ask your audience what they would like to see, in captions, comments or a live session.',
    ],
  },
  platform_glitch: {
    summary:
      'The numbers moved in a way real viewers do not cause, such as counts that drop and then return, or ' +
      'views going down. That points to a counting or display fault at TikTok rather than likes you ' +
      'really lost.',
    actions: [
      'Wait a day or two before doing anything: counts hit by a fault usually recover, and a later digest will tell you when they do.',
      'Update the TikTok app and check your internet connection, to rule out a problem on your side.',
      'If the numbers still look wrong after that, report it in the app under Settings and privacy, Report a problem.',
    ],
  },
  organic_unlikes: {
    summary:
      'A few videos slowly lost some likes while people kept watching them: viewers changing their minds. ' +
      'That is your audience reacting, not TikTok taking action.',
    actions: [
      'Read the comments on those videos to see what people are reacting to.',
      'If a video stirred up a debate, decide whether to reply, pin a clarification or simply let it be.',
    ],
  },
};
