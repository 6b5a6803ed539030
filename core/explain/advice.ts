/** What to do about each cause: the article's advice, as causes.md words it. */
import type { Cause } from '../model.ts';

/** A one-paragraph recommendation per cause, for reports and digests. */
export const ADVICE: Readonly<Record<Cause, string>> = {
  fake_engagement_purge:
    "Don't buy engagement or join like-for-like groups. The likes that remain are real, and the drop does not hurt your standing by itself.",
  inactive_account_cleanup:
    'Nothing to do: this is TikTok housekeeping (likes of deleted or inactive accounts) and it affects everyone.',
  content_removed_or_restricted:
    'Check your account status and notifications in the app for a violation; appeal if it is a mistake, and review the community guidelines. If you removed or hid the video yourself, nothing is wrong.',
  reach_limited:
    'Check your account status for violations; avoid reposting others’ content, banned sounds, or mass follow/unfollow; keep posting original content. It usually lifts within days to weeks.',
  audience_shift:
    'Look at which recent videos still perform, follow current trends and sounds, and talk with your audience.',
  platform_glitch:
    'Wait 24–48 hours, update the app and check your connection; if it persists, report a problem in the app. A later digest will confirm when the likes come back.',
  organic_unlikes:
    'Read the comments on those videos: it is your audience reacting, not a platform action.',
};
