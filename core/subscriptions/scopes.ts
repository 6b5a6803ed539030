/** The TikTok Display API scopes likewatch asks a creator for (docs/sources.md). */

/** Requested at authorization, comma-separated as TikTok's authorize URL wants them. */
export const DISPLAY_API_SCOPES = 'user.info.basic,user.info.profile,user.info.stats,video.list';

/** Without these a poll cannot read the counts. */
export const REQUIRED_DISPLAY_SCOPES = ['user.info.stats', 'video.list'] as const;
