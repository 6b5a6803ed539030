import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../core/errors.ts';
import { parseFleet } from '../../../../core/explain/index.ts';

const video = {
  id: '7117663869073591598',
  postedAt: '2022-07-08T17:06:40Z',
  views: 1_776_621,
  likes: 22_609,
  comments: 15_955,
  shares: 259,
  saves: 2_787,
};
const fleet = () => ({
  format: 'likewatch.fleet/v1',
  accounts: [
    {
      platform: 'tiktok',
      id: '6659752019493208069',
      handle: 'clorismen',
      polls: [
        {
          at: '2026-11-24T06:00:00Z',
          status: 'ok',
          profile: { followers: 1_196_403, following: 5, likes: 37_184_120, videos: 4_641 },
          videos: [video],
        },
        { at: '2026-11-24T12:00:00Z', status: 'failed' },
      ],
    },
  ],
});

function parseError(json: unknown): string {
  try {
    parseFleet(json);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('expected parseFleet to throw');
}

describe('parseFleet', () => {
  it('accepts the data contract example', () => {
    expect(parseFleet(fleet()).accounts[0]?.polls).toHaveLength(2);
  });

  it('rejects an unknown or missing format, naming the field', () => {
    expect(parseError({ ...fleet(), format: 'likewatch.fleet/v2' })).toMatch(
      /^format: expected "likewatch\.fleet\/v1", got "likewatch\.fleet\/v2"/,
    );
    expect(parseError({ accounts: [] })).toMatch(/^format: .*no format field/);
    expect(parseError([])).toMatch(/JSON object/);
  });

  it('names the account, the poll, the video and the field of a bad value', () => {
    const bad = fleet();
    (bad.accounts[0]!.polls[0] as { videos: unknown[] }).videos = [{ ...video, likes: -3 }];
    expect(parseError(bad)).toMatch(
      /^accounts\[0\] \(id 6659752019493208069, @clorismen\) › polls\[0\] \(at 2026-11-24T06:00:00Z\) › videos\[0\] \(id 7117663869073591598\) › likes: /,
    );
  });

  it('names a bad poll status and a bad instant', () => {
    const badStatus = fleet();
    (badStatus.accounts[0]!.polls[1] as { status: string }).status = 'maybe';
    expect(parseError(badStatus)).toMatch(/polls\[1\] \(at 2026-11-24T12:00:00Z\) › status/);
    const badInstant = fleet();
    (badInstant.accounts[0]!.polls[0] as { at: string }).at = 'yesterday';
    expect(parseError(badInstant)).toMatch(/polls\[0\] \(at yesterday\) › at: /);
  });
});
