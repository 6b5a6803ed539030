/**
 * A simulated TikTok: accounts whose public counts evolve hour by hour the way the cause catalogue describes
 * ("Background that is always present"), with any of the like-drop causes injected at chosen instants.
 *
 * Everything is derived from a seed (no `Math.random`, no clock), and the whole hourly history is computed once
 * when the world is created, so {@link World.observe} is a cheap lookup that always answers the same for the same
 * instant.
 */
import type { Cause, Profile, VideoStats } from '../model.ts';
import { formatInstant, HOUR_MS } from '../time.ts';
import { randomIdentity } from './identity.ts';
import { hashSeed, Random } from './random.ts';

/** Who an account is, as a fake server or a fleet needs it. */
export interface WorldAccountInfo {
  id: string;
  handle: string;
  displayName: string;
}

/** What TikTok shows publicly for one account at one instant. Videos are newest first. */
export interface Observation {
  profile: Profile;
  videos: VideoStats[];
}

/** Who the accounts of a world are, read from its spec without simulating anything. */
export function worldAccounts(spec: Pick<WorldSpec, 'accounts'>): WorldAccountInfo[] {
  return spec.accounts.map(({ id, handle, displayName }) => ({ id, handle, displayName }));
}

/** A deterministic simulated platform. */
export interface World {
  readonly accounts: readonly WorldAccountInfo[];
  /**
   * What TikTok shows publicly for the account at instant `at`: videos posted after `at` are absent, removed
   * videos absent after removal. Deterministic for (world, at). Throws for an unknown id, and a `RangeError`
   * for an instant outside the simulated span.
   */
  observe(accountId: string, at: Date): Observation;
}

/** The demo world and the one drop it contains. */
export interface DemoWorld {
  world: World;
  dropAccountId: string;
  dropCause: Cause;
  dropAt: Date;
}

/** Fake likes arrive in a burst (before the event), then a share of them is removed in one poll interval. */
export interface FakeEngagementPurgeEvent {
  cause: 'fake_engagement_purge';
  at: Date;
  /** How many videos received fake likes (at least 1; capped to a third of the account's videos). */
  videoCount: number;
  /**
   * Size of the burst as the boosted videos' like-to-view ratio over their natural one (2–20). Ignored when
   * `removedLikes` is given.
   */
  ratioMultiplier?: number;
  /** Alternatively, how many likes the purge should remove in total; the burst is sized to match. */
  removedLikes?: number;
  /** Share of the fake likes removed at `at` (0.5–1). */
  removedShare: number;
  /** When the fake likes arrived (default: 10 days before `at`). Before the world's start they are part of
   * the opening counts, so only the high ratio shows. */
  burstAt?: Date;
  /** Share of followers removed with the likes (default 0.002). */
  followerShare?: number;
}

/** Likes from deleted or inactive accounts vanish: a small, similar fraction of every video's likes. */
export interface InactiveAccountCleanupEvent {
  cause: 'inactive_account_cleanup';
  at: Date;
  /** Common fraction of likes removed (about 0.0005–0.015); each video gets it within a factor of 1.5. */
  fraction: number;
}

/** Videos taken down, made private or restricted. */
export interface ContentRemovedEvent {
  cause: 'content_removed_or_restricted';
  at: Date;
  videoCount: number;
  /** `removed` (default): the videos leave the public list. `restricted`: listed, but views stop growing. */
  mode?: 'removed' | 'restricted';
}

/** Shadowban: from `at`, views grow at a small fraction of the usual pace. */
export interface ReachLimitedEvent {
  cause: 'reach_limited';
  at: Date;
  /** Share of the usual view inflow that remains (about 0.05–0.3). */
  factor: number;
  until?: Date;
}

/** The audience moves on gradually: videos posted between `from` and `to` do steadily worse. */
export interface AudienceShiftEvent {
  cause: 'audience_shift';
  from: Date;
  to: Date;
  /** Total decline reached at `to` and kept after it (about 0.3–0.7). */
  decline: number;
  /** What declines: the likes-per-view of new videos, their views, or both. */
  aspect: 'likeRate' | 'views' | 'both';
}

/** TikTok's counters misbehave for a while; the true counts are unaffected and show again afterwards. */
export interface PlatformGlitchEvent {
  cause: 'platform_glitch';
  at: Date;
  /** How long the wrong counts show (Infinity: not restored within the simulation). */
  durationHours: number;
  /** `zero`: counts show as 0. `uniform_drop`: likes show `share` lower. `views_drop`: views and likes do. */
  mode: 'zero' | 'uniform_drop' | 'views_drop';
  /** Share of the count that disappears for `uniform_drop` and `views_drop` (default 0.5). */
  share?: number;
  /** Share of the account's videos affected (default 1). */
  videoShare?: number;
}

/** A few recent videos lose likes gradually while their views keep growing (a controversy). */
export interface OrganicUnlikesEvent {
  cause: 'organic_unlikes';
  at: Date;
  durationHours: number;
  videoCount: number;
  /** Share of each video's likes lost over the duration (about 0.003–0.04). */
  fraction: number;
}

/** Any injected event; `cause` is the id from causes.md the event produces. */
export type WorldEvent =
  | FakeEngagementPurgeEvent
  | InactiveAccountCleanupEvent
  | ContentRemovedEvent
  | ReachLimitedEvent
  | AudienceShiftEvent
  | PlatformGlitchEvent
  | OrganicUnlikesEvent;

/** How one simulated account behaves. */
export interface AccountScenario {
  id: string;
  handle: string;
  displayName: string;
  /** Public videos already posted when the world starts. */
  initialVideos: number;
  /** Mean hours between posts, for the back catalogue and new videos (Infinity: no new videos). */
  postingIntervalHours: number;
  /** Median lifetime views of one video. */
  medianViews: number;
  /** Typical likes per view of the account's videos (0.02–0.15); each video varies around it. */
  likeRate: number;
  followers: number;
  following?: number;
  /** Offset of the audience's local time from UTC, for the daily rhythm of views (default 0). */
  audienceUtcOffsetHours?: number;
  /** How often a video loses a handful (1–4) of likes at once, per video and day (default 0.05). */
  handfulUnlikesPerDay?: number;
  /** Extra videos that go viral: posted at `postedAt` with `viewMultiplier` times the usual views. */
  viralPosts?: readonly { postedAt: Date; viewMultiplier: number }[];
  events?: readonly WorldEvent[];
}

/** A world: its accounts and the span it is simulated over (hour by hour from `start`). */
export interface WorldSpec {
  seed: number;
  start: Date;
  end: Date;
  accounts: readonly AccountScenario[];
}

/** What an injected event actually did, for labels and tests. */
export interface EventOutcome {
  accountId: string;
  cause: Cause;
  /** The instant from which the event shows in observations (events land on the hourly grid). */
  at: Date;
  /** When the effect stops showing (glitches, reach limits, organic unlikes); absent for one-off events. */
  until?: Date;
  videoIds: string[];
  /** Likes taken away from the true counts (0 for glitches, which only distort what is shown). */
  likesRemoved: number;
}

/** A world plus the truth behind it. */
export interface SimulatedWorld extends World {
  readonly start: Date;
  readonly end: Date;
  readonly outcomes: readonly EventOutcome[];
}

// --- The background model (causes.md, "Background that is always present") -----------------------------

/** Extra lifetime views as a trickle per hour, so that old videos keep getting a few views. */
const TAIL_VIEWS_PER_HOUR = 1.5e-6;
/** Share of a video's likes un-liked per hour: old quiet videos tick down by a handful. */
const UNLIKES_PER_LIKE_HOUR = 2.5e-6;
/** Share of fresh likes taken back within the hour (quick second thoughts). */
const QUICK_UNLIKE_SHARE = 0.01;
/** Default chance per video and day of losing a handful of likes at once. */
const DEFAULT_HANDFUL_UNLIKES_PER_DAY = 0.05;
/** Follower losses per follower and hour. */
const UNFOLLOWS_PER_FOLLOWER_HOUR = 2e-6;
/** Log-space spread of a video's like rate around the account's. */
const LIKE_RATE_SPREAD = 0.22;

/**
 * Cumulative share of a video's lifetime views reached at `ageHours`: fast growth after posting, then a decay
 * to a slow tail (about 70% in the first day, 95% in the first week).
 */
function viewCurve(ageHours: number, scaleHours: number, exponent: number): number {
  if (ageHours <= 0) return 0;
  return 1 - (1 + ageHours / scaleHours) ** -exponent;
}

interface VideoPlan {
  id: string;
  title: string;
  url: string;
  postedAtMs: number;
  postedAt: string;
  /** First hourly tick at or after posting; 0 for videos posted before the start. */
  firstTick: number;
  lifetimeViews: number;
  likeRate: number;
  commentRate: number;
  shareRate: number;
  curveScaleHours: number;
  curveExponent: number;
  /** Tick from which the video is gone from the public list. */
  removedTick: number;
  /** Tick from which its views stop growing (restricted). */
  restrictedTick: number;
}

interface Glitch {
  fromTick: number;
  untilTick: number;
  mode: PlatformGlitchEvent['mode'];
  share: number;
  videos: Set<number>;
}

interface AccountState {
  info: WorldAccountInfo;
  following: number;
  /** Newest first, which is also the order observations list them in. */
  videos: VideoPlan[];
  /** Hourly counts per video: index `video * ticks + tick`. */
  views: Float64Array;
  likes: Float64Array;
  comments: Float64Array;
  shares: Float64Array;
  followers: Float64Array;
  glitches: Glitch[];
}

const TITLE_WORDS = [
  'morning',
  'routine',
  'recipe',
  'dance',
  'challenge',
  'storytime',
  'tutorial',
  'vlog',
  'prank',
  'review',
  'unboxing',
  'trick',
  'cat',
  'dog',
  'travel',
  'outfit',
  'workout',
  'hack',
  'duet',
  'behind the scenes',
];

/** Words of the rest of a caption, after its two-word opening. */
const CAPTION_WORDS = [
  'the',
  'a',
  'my',
  'your',
  'this',
  'that',
  'with',
  'for',
  'before',
  'after',
  'every',
  'first',
  'last',
  'new',
  'best',
  'easy',
  'quick',
  'real',
  'honest',
  'little',
  'big',
  'secret',
  'simple',
  'perfect',
  'weekend',
  'monday',
  'tonight',
  'today',
  'again',
  'finally',
  'never',
  'always',
  'part',
  'two',
  'three',
  'ten',
  'minutes',
  'steps',
  'ways',
  'things',
  'nobody',
  'everyone',
  'tells',
  'you',
  'about',
  'how',
  'why',
  'when',
  'what',
  'made',
  'tried',
  'tested',
  'ranked',
  'learned',
  'found',
  'bought',
  'cooked',
  'baked',
  'built',
  'painted',
  'fixed',
  'cleaned',
  'planted',
  'watched',
  'visited',
  'kitchen',
  'garden',
  'studio',
  'city',
  'beach',
  'mountains',
  'home',
  'office',
  'school',
  'gym',
  'market',
  'coffee',
  'bread',
  'pasta',
  'cake',
  'soup',
  'salad',
  'breakfast',
  'dinner',
  'snack',
  'puppy',
  'kitten',
  'grandma',
  'sister',
  'friends',
  'neighbours',
  'followers',
  'comments',
  'asked',
  'answered',
  'results',
  'update',
  'story',
  'time',
  'trip',
  'haul',
  'budget',
  'cheap',
  'luxury',
  'vintage',
  'handmade',
  'homemade',
  'beginner',
  'advanced',
  'tips',
  'mistakes',
  'hack',
  'idea',
  'look',
  'outfit',
  'makeup',
  'skincare',
  'routine',
  'morning',
  'evening',
  'night',
  'rain',
  'sunset',
  'winter',
  'summer',
  'spring',
  'autumn',
  'holiday',
];
const CAPTION_TAGS = [
  '#fyp',
  '#foryou',
  '#foryoupage',
  '#viral',
  '#trending',
  '#tutorial',
  '#recipe',
  '#baking',
  '#cooking',
  '#dance',
  '#comedy',
  '#pets',
  '#cats',
  '#dogs',
  '#travel',
  '#fashion',
  '#ootd',
  '#beauty',
  '#fitness',
  '#diy',
  '#lifehack',
  '#storytime',
  '#duet',
  '#learnontiktok',
  '#smallbusiness',
  '#vlog',
  '#art',
  '#music',
];
/** The Display API's longest title. */
const MAX_CAPTION_LENGTH = 150;

/**
 * A caption as creators write them: a two-word opening, usually a few words more and some hashtags, from a
 * handful of characters to the API's 150 (about 75 in the middle). The opening comes from the account's
 * `random`; the rest from the video id, so longer captions leave the rest of the world unchanged.
 */
function videoTitle(random: Random, videoId: string): string {
  const first = random.pick(TITLE_WORDS);
  const second = random.pick(TITLE_WORDS);
  const opening = `${first[0]?.toUpperCase()}${first.slice(1)} ${second} #${random.int(1, 400)}`;
  const rest = new Random(hashSeed('caption', videoId));
  const words = Array.from({ length: Math.max(0, Math.round(rest.logNormal(6, 0.8)) - 1) }, () =>
    rest.pick(CAPTION_WORDS),
  );
  const tags = Array.from({ length: rest.int(0, 5) }, () => rest.pick(CAPTION_TAGS));
  return [opening, ...words, ...tags].join(' ').slice(0, MAX_CAPTION_LENGTH).trimEnd();
}

/** Multiplier for views at a given UTC hour: audiences watch more in their evening than at night. */
function dailyRhythm(timeMs: number, utcOffsetHours: number): number {
  const localHour = (timeMs / HOUR_MS + utcOffsetHours) % 24;
  return 1 + 0.35 * Math.sin((2 * Math.PI * (localHour - 13)) / 24);
}

class AccountSimulation {
  private readonly random: Random;
  private readonly ticks: number;
  private readonly startMs: number;
  private readonly videos: VideoPlan[] = [];
  private readonly outcomes: EventOutcome[] = [];

  constructor(
    private readonly scenario: AccountScenario,
    private readonly spec: WorldSpec,
    seedRandom: Random,
  ) {
    this.random = seedRandom;
    this.startMs = spec.start.getTime();
    this.ticks = Math.floor((spec.end.getTime() - this.startMs) / HOUR_MS) + 1;
  }

  /** The first tick whose instant is at or after `at` (events land on the hourly grid). */
  private tickAtOrAfter(at: Date): number {
    return Math.ceil((at.getTime() - this.startMs) / HOUR_MS - 1e-9);
  }

  private tickTime(tick: number): number {
    return this.startMs + tick * HOUR_MS;
  }

  /** Audience shift multipliers for a video posted at `postedAtMs`. */
  private shiftAt(postedAtMs: number): { views: number; likeRate: number } {
    let views = 1;
    let likeRate = 1;
    for (const event of this.scenario.events ?? []) {
      if (event.cause !== 'audience_shift') continue;
      const from = event.from.getTime();
      const span = Math.max(HOUR_MS, event.to.getTime() - from);
      const progress = Math.min(1, Math.max(0, (postedAtMs - from) / span));
      const factor = 1 - event.decline * progress;
      if (event.aspect !== 'likeRate') views *= factor;
      if (event.aspect !== 'views') likeRate *= factor;
    }
    return { views, likeRate };
  }

  private planVideos(): void {
    const { scenario, random } = this;
    const interval = scenario.postingIntervalHours;
    const postTimes: number[] = [];
    // Back catalogue: posts before the start at the account's cadence (irregular gaps around the mean).
    let time = this.startMs - random.between(0.1, 1) * interval * HOUR_MS;
    for (let index = 0; index < scenario.initialVideos; index += 1) {
      postTimes.push(time);
      time -= random.between(0.3, 1.7) * interval * HOUR_MS;
    }
    // New posts during the simulation.
    if (Number.isFinite(interval)) {
      let next = this.startMs + random.between(0.2, 1.5) * interval * HOUR_MS;
      const endMs = this.spec.end.getTime();
      while (next <= endMs) {
        postTimes.push(next);
        next += random.between(0.3, 1.7) * interval * HOUR_MS;
      }
    }
    const viralMultipliers = new Map<number, number>();
    for (const viral of scenario.viralPosts ?? []) {
      postTimes.push(viral.postedAt.getTime());
      viralMultipliers.set(viral.postedAt.getTime(), viral.viewMultiplier);
    }
    postTimes.sort((a, b) => b - a);
    for (const postedAtRaw of postTimes) {
      const postedAtMs = Math.floor(postedAtRaw / 1000) * 1000;
      const shift = this.shiftAt(postedAtMs);
      const viewMultiplier = viralMultipliers.get(postedAtRaw) ?? 1;
      const id = random.digits(19, 7);
      this.videos.push({
        id,
        title: videoTitle(random, id),
        url: `https://www.tiktok.com/@${scenario.handle}/video/${id}`,
        postedAtMs,
        postedAt: formatInstant(postedAtMs),
        firstTick: Math.max(0, Math.ceil((postedAtMs - this.startMs) / HOUR_MS)),
        lifetimeViews: random.logNormal(scenario.medianViews, 0.9) * shift.views * viewMultiplier,
        likeRate: Math.min(
          0.2,
          random.logNormal(scenario.likeRate, LIKE_RATE_SPREAD) * shift.likeRate,
        ),
        commentRate: random.logUniform(0.004, 0.03),
        shareRate: random.logUniform(0.01, 0.08),
        curveScaleHours: random.between(5, 20),
        curveExponent: random.between(1.05, 1.4),
        removedTick: Number.POSITIVE_INFINITY,
        restrictedTick: Number.POSITIVE_INFINITY,
      });
    }
  }

  /** Expected cumulative views of a video at an instant (no noise). */
  private expectedViews(video: VideoPlan, atMs: number): number {
    const age = (atMs - video.postedAtMs) / HOUR_MS;
    if (age <= 0) return 0;
    return (
      video.lifetimeViews *
      (viewCurve(age, video.curveScaleHours, video.curveExponent) + TAIL_VIEWS_PER_HOUR * age)
    );
  }

  /** Videos public at `tick` (posted, not removed). */
  private publicVideos(tick: number): number[] {
    const indexes: number[] = [];
    const atMs = this.tickTime(tick);
    this.videos.forEach((video, index) => {
      if (video.postedAtMs <= atMs && video.removedTick > tick) indexes.push(index);
    });
    return indexes;
  }

  run(): { state: AccountState; outcomes: EventOutcome[] } {
    this.planVideos();
    const { random, ticks, videos, scenario } = this;
    const count = videos.length;
    const views = new Float64Array(count * ticks);
    const likes = new Float64Array(count * ticks);
    const comments = new Float64Array(count * ticks);
    const shares = new Float64Array(count * ticks);
    const followers = new Float64Array(ticks);
    const offset = scenario.audienceUtcOffsetHours ?? 0;
    const handfulPerHour = (scenario.handfulUnlikesPerDay ?? DEFAULT_HANDFUL_UNLIKES_PER_DAY) / 24;

    // Opening counts of the back catalogue, from the expected curve with a little noise.
    videos.forEach((video, index) => {
      if (video.postedAtMs > this.startMs) return;
      const openingViews = Math.round(
        this.expectedViews(video, this.startMs) * random.logNormal(1, 0.08),
      );
      const openingLikes = Math.round(openingViews * video.likeRate * (1 - QUICK_UNLIKE_SHARE));
      views[index * ticks] = openingViews;
      likes[index * ticks] = openingLikes;
      comments[index * ticks] = Math.round(openingLikes * video.commentRate);
      shares[index * ticks] = Math.round(openingLikes * video.shareRate);
    });
    followers[0] = scenario.followers;

    const schedule = this.scheduleEvents(likes);
    const dayNoise: number[] = [];
    for (let day = 0; day <= Math.ceil(ticks / 24); day += 1)
      dayNoise.push(random.logNormal(1, 0.12));

    for (let tick = 1; tick < ticks; tick += 1) {
      const timeMs = this.tickTime(tick);
      const accountFactor = dailyRhythm(timeMs, offset) * (dayNoise[Math.floor(tick / 24)] ?? 1);
      let grossLikes = 0;
      for (let video = 0; video < count; video += 1) {
        const plan = videos[video] as VideoPlan;
        if (tick < plan.firstTick || tick >= plan.removedTick) continue;
        const cell = video * ticks + tick;
        const fresh = tick === plan.firstTick && plan.postedAtMs > this.startMs;
        const previousViews = fresh ? 0 : (views[cell - 1] as number);
        const previousLikes = fresh ? 0 : (likes[cell - 1] as number);
        const fromMs = fresh ? plan.postedAtMs : timeMs - HOUR_MS;
        let expected =
          (this.expectedViews(plan, timeMs) - this.expectedViews(plan, fromMs)) *
          accountFactor *
          random.logNormal(1, 0.3) *
          schedule.reachFactor(tick, plan);
        if (tick >= plan.restrictedTick) expected *= 0.01;
        const newViews = random.poisson(expected);
        const newLikes = random.poisson(newViews * plan.likeRate);
        // Besides a share of its likes, any video now and then loses a handful at once.
        const handful = previousLikes > 0 && random.chance(handfulPerHour) ? random.int(1, 4) : 0;
        const unlikes =
          random.poisson(previousLikes * UNLIKES_PER_LIKE_HOUR + newLikes * QUICK_UNLIKE_SHARE) +
          handful +
          schedule.extraUnlikes(tick, video, random);
        const nextLikes = Math.max(0, previousLikes + newLikes - unlikes);
        views[cell] = previousViews + newViews;
        likes[cell] = nextLikes;
        const commentBoost = schedule.commentBoost(tick, video);
        comments[cell] =
          (fresh ? 0 : (comments[cell - 1] as number)) +
          random.poisson(newLikes * plan.commentRate * commentBoost + (commentBoost - 1) * 0.3);
        shares[cell] =
          (fresh ? 0 : (shares[cell - 1] as number)) + random.poisson(newLikes * plan.shareRate);
        grossLikes += newLikes;
      }
      const previousFollowers = followers[tick - 1] as number;
      followers[tick] = Math.max(
        0,
        previousFollowers +
          random.poisson(grossLikes * 0.02) -
          random.poisson(previousFollowers * UNFOLLOWS_PER_FOLLOWER_HOUR),
      );
      schedule.applyInstantEvents(tick, { likes, followers });
    }

    return {
      state: {
        info: { id: scenario.id, handle: scenario.handle, displayName: scenario.displayName },
        following: scenario.following ?? 0,
        videos,
        views,
        likes,
        comments,
        shares,
        followers,
        glitches: schedule.glitches,
      },
      outcomes: this.outcomes,
    };
  }

  /**
   * Turns the scenario's events into per-tick effects. `openingLikes` holds the back catalogue's opening
   * counts, which fake bursts that predate the start add to.
   */
  private scheduleEvents(openingLikes: Float64Array) {
    const { random, videos, ticks, scenario } = this;
    const instant: { tick: number; apply: (counts: InstantCounts) => void }[] = [];
    const reach: { fromTick: number; untilTick: number; factor: number; onsetMs: number }[] = [];
    const unlikeSpells: {
      fromTick: number;
      untilTick: number;
      /** Expected extra unlikes per hour, per affected video index. */
      perHour: Map<number, number>;
      outcome: EventOutcome;
    }[] = [];
    const glitches: Glitch[] = [];
    const lastTick = ticks - 1;
    const record = (outcome: EventOutcome) => this.outcomes.push(outcome);

    for (const event of scenario.events ?? []) {
      if (event.cause === 'audience_shift') {
        record({
          accountId: scenario.id,
          cause: event.cause,
          at: event.from,
          until: event.to,
          videoIds: [],
          likesRemoved: 0,
        });
        continue;
      }
      const tick = this.tickAtOrAfter(event.at);
      const at = new Date(this.tickTime(tick));
      if (tick > lastTick) continue;
      switch (event.cause) {
        case 'fake_engagement_purge': {
          const burstMs = (
            event.burstAt ?? new Date(event.at.getTime() - 10 * 24 * HOUR_MS)
          ).getTime();
          const burstTick = Math.max(0, Math.ceil((burstMs - this.startMs) / HOUR_MS));
          const eligible = videos
            .map((video, index) => ({ video, index }))
            .filter(({ video }) => video.postedAtMs <= burstMs - 3 * 24 * HOUR_MS);
          const maxVictims = Math.max(1, Math.floor(eligible.length / 3));
          const victimCount = Math.min(Math.max(1, event.videoCount), maxVictims, eligible.length);
          if (victimCount === 0) break;
          const purgeMs = this.tickTime(tick);
          const naturalLikes = (index: number) =>
            this.expectedViews(videos[index] as VideoPlan, purgeMs) *
            (videos[index] as VideoPlan).likeRate;
          let chosen: { index: number; excess: number }[];
          if (event.removedLikes !== undefined) {
            // Size every burst alike; prefer videos on which it makes a 2.5x–20x ratio outlier.
            const perVideo = event.removedLikes / victimCount / event.removedShare;
            const fitting = eligible.filter(({ index }) => {
              const natural = naturalLikes(index);
              return natural <= perVideo / 1.5 && natural >= perVideo / 19;
            });
            const pool = fitting.length >= victimCount ? fitting : eligible;
            chosen = random
              .sample(pool, victimCount)
              .map(({ index }) => ({ index, excess: Math.round(perVideo) }));
          } else {
            const multiplier = event.ratioMultiplier ?? 5;
            chosen = random.sample(eligible, victimCount).map(({ index }) => ({
              index,
              excess: Math.round((multiplier - 1) * naturalLikes(index)),
            }));
          }
          for (const { index, excess } of chosen) {
            const plan = videos[index] as VideoPlan;
            const arrival = Math.max(burstTick, plan.firstTick);
            if (arrival === 0) {
              openingLikes[index * ticks] = (openingLikes[index * ticks] as number) + excess;
            } else if (arrival <= lastTick) {
              instant.push({
                tick: arrival,
                apply: ({ likes }) => {
                  likes[index * ticks + arrival] =
                    (likes[index * ticks + arrival] as number) + excess;
                },
              });
            }
          }
          const outcome: EventOutcome = {
            accountId: scenario.id,
            cause: event.cause,
            at,
            videoIds: chosen.map(({ index }) => (videos[index] as VideoPlan).id),
            likesRemoved: 0,
          };
          record(outcome);
          instant.push({
            tick,
            apply: ({ likes, followers }) => {
              for (const { index, excess } of chosen) {
                const cell = index * ticks + tick;
                const removed = Math.min(
                  likes[cell] as number,
                  Math.round(excess * event.removedShare * random.between(0.92, 1.05)),
                );
                likes[cell] = (likes[cell] as number) - Math.min(removed, excess);
                outcome.likesRemoved += Math.min(removed, excess);
              }
              followers[tick] = Math.round(
                (followers[tick] as number) * (1 - (event.followerShare ?? 0.002)),
              );
            },
          });
          break;
        }
        case 'inactive_account_cleanup': {
          const outcome: EventOutcome = {
            accountId: scenario.id,
            cause: event.cause,
            at,
            videoIds: [],
            likesRemoved: 0,
          };
          record(outcome);
          instant.push({
            tick,
            apply: ({ likes, followers }) => {
              for (const index of this.publicVideos(tick)) {
                const cell = index * ticks + tick;
                const current = likes[cell] as number;
                if (current <= 0) continue;
                const share = event.fraction * 1.5 ** random.between(-0.8, 0.8);
                const removed = Math.min(current, random.roundStochastic(current * share));
                if (removed === 0) continue;
                likes[cell] = current - removed;
                outcome.likesRemoved += removed;
                outcome.videoIds.push((videos[index] as VideoPlan).id);
              }
              followers[tick] = Math.round(
                (followers[tick] as number) * (1 - event.fraction * random.between(0.8, 1.2)),
              );
            },
          });
          break;
        }
        case 'content_removed_or_restricted': {
          const candidates = this.publicVideos(tick);
          const chosen = random.sample(candidates, Math.max(1, event.videoCount));
          const mode = event.mode ?? 'removed';
          const outcome: EventOutcome = {
            accountId: scenario.id,
            cause: event.cause,
            at,
            videoIds: chosen.map((index) => (videos[index] as VideoPlan).id),
            likesRemoved: 0,
          };
          record(outcome);
          for (const index of chosen) {
            const plan = videos[index] as VideoPlan;
            if (mode === 'removed') plan.removedTick = tick;
            else plan.restrictedTick = tick;
          }
          if (mode === 'removed') {
            instant.push({
              tick,
              apply: ({ likes }) => {
                for (const index of chosen)
                  outcome.likesRemoved += likes[index * ticks + tick - 1] as number;
              },
            });
          }
          break;
        }
        case 'reach_limited': {
          const untilTick = event.until
            ? this.tickAtOrAfter(event.until)
            : Number.POSITIVE_INFINITY;
          reach.push({
            fromTick: tick,
            untilTick,
            factor: event.factor,
            onsetMs: this.tickTime(tick),
          });
          record({
            accountId: scenario.id,
            cause: event.cause,
            at,
            ...(event.until ? { until: event.until } : {}),
            videoIds: [],
            likesRemoved: 0,
          });
          break;
        }
        case 'platform_glitch': {
          const untilTick = Number.isFinite(event.durationHours)
            ? tick + Math.max(1, Math.round(event.durationHours))
            : Number.POSITIVE_INFINITY;
          const candidates = this.publicVideos(tick);
          const hit = random.sample(
            candidates,
            Math.max(1, Math.round(candidates.length * (event.videoShare ?? 1))),
          );
          glitches.push({
            fromTick: tick,
            untilTick,
            mode: event.mode,
            share: event.share ?? 0.5,
            videos: new Set(hit),
          });
          record({
            accountId: scenario.id,
            cause: event.cause,
            at,
            ...(Number.isFinite(untilTick) ? { until: new Date(this.tickTime(untilTick)) } : {}),
            videoIds: hit.map((index) => (videos[index] as VideoPlan).id),
            likesRemoved: 0,
          });
          break;
        }
        case 'organic_unlikes': {
          const atMs = this.tickTime(tick);
          const candidates = this.publicVideos(tick);
          // Recent videos still getting views; the newest ones when nothing is recent.
          const recent = candidates.filter(
            (index) => atMs - (videos[index] as VideoPlan).postedAtMs <= 7 * 24 * HOUR_MS,
          );
          const pool =
            recent.length >= event.videoCount ? recent : candidates.slice(0, event.videoCount);
          const chosen = random.sample(pool, event.videoCount);
          const untilTick = tick + Math.max(2, Math.round(event.durationHours));
          const perHour = new Map<number, number>();
          const outcome: EventOutcome = {
            accountId: scenario.id,
            cause: event.cause,
            at,
            until: new Date(this.tickTime(untilTick)),
            videoIds: chosen.map((index) => (videos[index] as VideoPlan).id),
            likesRemoved: 0,
          };
          record(outcome);
          unlikeSpells.push({ fromTick: tick, untilTick, perHour, outcome });
          // The rate is fixed when the spell starts, from the likes the video has then.
          instant.push({
            tick,
            apply: ({ likes }) => {
              for (const index of chosen) {
                const current = likes[index * ticks + tick - 1] as number;
                perHour.set(index, (current * event.fraction) / (untilTick - tick));
              }
            },
          });
          break;
        }
      }
    }
    // Per-tick lookups: instant events grouped by tick; spells applied inside the hourly loop.
    const instantByTick = new Map<number, ((counts: InstantCounts) => void)[]>();
    for (const { tick, apply } of instant) {
      const list = instantByTick.get(tick) ?? [];
      list.push(apply);
      instantByTick.set(tick, list);
    }
    return {
      glitches,
      reachFactor(tick: number, plan: VideoPlan): number {
        let factor = 1;
        for (const spell of reach) {
          if (tick < spell.fromTick || tick >= spell.untilTick) continue;
          // The For You feed carries new videos; old ones also get profile and search traffic.
          const oldVideo = plan.postedAtMs < spell.onsetMs - 7 * 24 * HOUR_MS;
          factor *= oldVideo ? spell.factor ** 0.75 : spell.factor;
        }
        return factor;
      },
      extraUnlikes(tick: number, video: number, rng: Random): number {
        let extra = 0;
        for (const spell of unlikeSpells) {
          if (tick <= spell.fromTick || tick > spell.untilTick) continue;
          const rate = spell.perHour.get(video);
          if (rate === undefined) continue;
          const taken = rng.poisson(rate);
          extra += taken;
          spell.outcome.likesRemoved += taken;
        }
        return extra;
      },
      commentBoost(tick: number, video: number): number {
        for (const spell of unlikeSpells) {
          if (tick > spell.fromTick && tick <= spell.untilTick && spell.perHour.has(video))
            return 4;
        }
        return 1;
      },
      applyInstantEvents(tick: number, counts: InstantCounts): void {
        for (const apply of instantByTick.get(tick) ?? []) apply(counts);
      },
    };
  }
}

interface InstantCounts {
  likes: Float64Array;
  followers: Float64Array;
}

/** Builds a world from explicit scenarios. The hourly history of every account is computed here, once. */
export function createWorld(spec: WorldSpec): SimulatedWorld {
  if (!(spec.end.getTime() > spec.start.getTime())) {
    throw new RangeError('world end must be after its start');
  }
  const root = new Random(spec.seed);
  const states = new Map<string, AccountState>();
  const outcomes: EventOutcome[] = [];
  for (const scenario of spec.accounts) {
    if (states.has(scenario.id)) throw new RangeError(`duplicate account id ${scenario.id}`);
    const simulation = new AccountSimulation(scenario, spec, root.fork('account', scenario.id));
    const result = simulation.run();
    states.set(scenario.id, result.state);
    outcomes.push(...result.outcomes);
  }
  const startMs = spec.start.getTime();
  const endMs = spec.end.getTime();
  return {
    start: spec.start,
    end: spec.end,
    accounts: worldAccounts(spec),
    outcomes,
    observe(accountId: string, at: Date): Observation {
      const state = states.get(accountId);
      if (!state) throw new RangeError(`unknown account id ${accountId}`);
      const atMs = at.getTime();
      if (!(atMs >= startMs && atMs <= endMs)) {
        throw new RangeError(
          `${formatInstant(atMs)} is outside the simulated span ${formatInstant(startMs)}–${formatInstant(endMs)}`,
        );
      }
      return observeAccount(state, Math.floor((atMs - startMs) / HOUR_MS), atMs);
    },
  };
}

function observeAccount(state: AccountState, tick: number, atMs: number): Observation {
  const ticks = state.followers.length;
  const active = state.glitches.filter(
    (glitch) => tick >= glitch.fromTick && tick < glitch.untilTick,
  );
  const videos: VideoStats[] = [];
  let totalLikes = 0;
  state.videos.forEach((plan, index) => {
    if (plan.postedAtMs > atMs || tick >= plan.removedTick) return;
    // Posted after the last hourly tick: public, but nothing counted yet.
    const counted = tick >= plan.firstTick;
    const cell = index * ticks + tick;
    let views = counted ? (state.views[cell] as number) : 0;
    let likes = counted ? (state.likes[cell] as number) : 0;
    let comments = counted ? (state.comments[cell] as number) : 0;
    let shares = counted ? (state.shares[cell] as number) : 0;
    for (const glitch of active) {
      if (!glitch.videos.has(index)) continue;
      if (glitch.mode === 'zero') {
        views = 0;
        likes = 0;
        comments = 0;
        shares = 0;
      } else {
        likes = Math.round(likes * (1 - glitch.share));
        if (glitch.mode === 'views_drop') views = Math.round(views * (1 - glitch.share));
      }
    }
    totalLikes += likes;
    videos.push({
      id: plan.id,
      postedAt: plan.postedAt,
      views,
      likes,
      comments,
      shares,
      saves: null,
      title: plan.title,
      url: plan.url,
    });
  });
  return {
    profile: {
      followers: state.followers[tick] as number,
      following: state.following,
      likes: totalLikes,
      videos: videos.length,
    },
    videos,
  };
}

/**
 * A handful (5) of demo accounts of varied size (a few dozen to ~150 videos, thousands to millions of likes)
 * over [start, end]; the account `dropAccountId` suffers a `fake_engagement_purge` about 4 hours before `end`
 * (several hundred to a few thousand likes lost from its like-ratio-outlier videos, which got their burst before
 * `start`); everything else is an ordinary background (growth, decay, organic unlikes, new videos).
 */
export function createDemoWorld(options: { seed: number; start: Date; end: Date }): DemoWorld {
  const { start, end } = options;
  const random = new Random(hashSeed('demo-world', options.seed));
  const catalogueSizes = random.sample([30, 55, 85, 120, 150], 5);
  const dropIndex = random.int(0, catalogueSizes.length - 1);
  const purgeAt = new Date(Math.max(start.getTime() + HOUR_MS, end.getTime() - 4 * HOUR_MS));
  const scenarios = catalogueSizes.map((size, index): AccountScenario => {
    const identity = randomIdentity(random, index + 1);
    const isDrop = index === dropIndex;
    // The drop account is mid-sized, so a purge of a few hundred to a few thousand likes makes its boosted
    // videos clear ratio outliers.
    const medianViews = isDrop
      ? random.logUniform(8_000, 40_000)
      : random.logUniform(2_000, 400_000);
    return {
      ...identity,
      initialVideos: Math.round(size * random.between(0.9, 1.1)),
      postingIntervalHours: random.between(14, 72),
      medianViews,
      likeRate: random.between(0.03, 0.12),
      followers: Math.round(medianViews * random.between(0.3, 3)),
      following: random.int(0, 800),
      audienceUtcOffsetHours: random.pick([-8, -5, 0, 1, 3, 8]),
      events: isDrop
        ? [
            {
              cause: 'fake_engagement_purge',
              at: purgeAt,
              videoCount: random.int(1, 3),
              removedLikes: random.logUniform(500, 2_500),
              removedShare: random.between(0.6, 0.95),
              burstAt: new Date(start.getTime() - random.between(2, 20) * 24 * HOUR_MS),
            },
          ]
        : [],
    };
  });
  const world = createWorld({
    seed: hashSeed('demo-world-counts', options.seed),
    start,
    end,
    accounts: scenarios,
  });
  const drop = scenarios[dropIndex] as AccountScenario;
  const outcome = world.outcomes.find((candidate) => candidate.accountId === drop.id);
  return {
    world,
    dropAccountId: drop.id,
    dropCause: 'fake_engagement_purge',
    dropAt: outcome?.at ?? purgeAt,
  };
}
