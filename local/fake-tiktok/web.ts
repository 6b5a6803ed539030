/**
 * The fake TikTok's public web pages: `/@{handle}` (the profile with its newest videos) and
 * `/@{handle}/video/{id}`, each with the page JSON embedded as TikTok's pages carry it.
 */
import { html, type Reply } from './replies.ts';
import { webItem, webPage, webUserInfo } from './shapes.ts';
import type { FakeView, RequestContext } from './view.ts';

/** The web pages of the fake TikTok. */
export class FakeWebPages {
  constructor(
    private readonly view: FakeView,
    /** Newest videos embedded in a profile page. */
    private readonly profilePageVideos: number,
  ) {}

  async profile(handle: string, context: RequestContext): Promise<Reply> {
    const accountId = this.view.accountByHandle(handle, true);
    const fault = await this.view.intercept(context, 'web:profile', accountId);
    if (!accountId) return html(200, webPage({ 'webapp.user-detail': { statusCode: 10221 } }));
    if (fault?.kind === 'web_status') {
      return html(
        200,
        webPage({ 'webapp.user-detail': { statusCode: fault.statusCode ?? 10222 } }),
      );
    }
    const info = this.view.accountInfo(accountId);
    const current = this.view.handleOf(accountId);
    const exact = fault?.kind !== 'rounded_stats';
    const { profile, videos } = this.view.world.observe(accountId, this.view.now());
    const items =
      fault?.kind === 'empty_list'
        ? []
        : [...videos]
            .sort((a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt))
            .slice(0, this.profilePageVideos)
            .map((video) => webItem(video, info, current, exact));
    return html(
      200,
      webPage({
        'webapp.app-context': { language: 'en' },
        'webapp.user-detail': {
          statusCode: 0,
          userInfo: webUserInfo(info, current, profile, items, exact),
        },
      }),
    );
  }

  async video(handle: string, videoId: string, context: RequestContext): Promise<Reply> {
    const accountId = this.view.accountByHandle(handle, true);
    const fault = await this.view.intercept(context, 'web:video', accountId);
    const video = accountId
      ? this.view.videosOf(accountId).find((item) => item.id === videoId)
      : undefined;
    if (fault?.kind === 'web_status') {
      return html(
        200,
        webPage({ 'webapp.video-detail': { statusCode: fault.statusCode ?? 10216 } }),
      );
    }
    // A removed or private video shows the private-post status.
    if (!accountId || !video) {
      return html(200, webPage({ 'webapp.video-detail': { statusCode: 10216 } }));
    }
    const item = webItem(
      video,
      this.view.accountInfo(accountId),
      this.view.handleOf(accountId),
      fault?.kind !== 'rounded_stats',
    );
    return html(
      200,
      webPage({ 'webapp.video-detail': { statusCode: 0, itemInfo: { itemStruct: item } } }),
    );
  }
}
