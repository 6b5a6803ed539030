import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawLikesChart, renderLikesChart, signedShort } from '../../../../core/digest/chart.ts';
import { composeDigest } from '../../../../core/digest/compose.ts';
import type { DigestAccountInput } from '../../../../core/digest/input.ts';
import { crc32, encodePng, PNG_SIGNATURE } from '../../../../core/digest/png.ts';
import type { Poll } from '../../../../core/model.ts';
import { digestInput, purgedAccount, quietAccount } from '../../../fakes/digest-accounts.ts';

const HOUR = 3_600_000;
const END = Date.parse('2026-11-25T06:00:00Z');

/** A week of readings every 4 hours: +100 likes each, and a purge of 900 in the last night. */
function weekOfPolls(): Poll[] {
  const polls: Poll[] = [];
  let likes = 10_000;
  for (let at = END - 7 * 24 * HOUR; at <= END; at += 4 * HOUR) {
    likes += at === END - 8 * HOUR ? -900 : 100;
    polls.push({
      at: new Date(at).toISOString().replace('.000Z', 'Z'),
      status: 'ok',
      profile: { followers: 1000, following: 1, likes, videos: 10 },
      videos: [],
    });
  }
  return polls;
}

function chunks(png: Uint8Array): Array<{ type: string; data: Buffer; crcOk: boolean }> {
  const buffer = Buffer.from(png);
  const found = [];
  for (let offset = 8; offset < buffer.length; ) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    const crc = buffer.readUInt32BE(offset + 8 + length);
    found.push({
      type,
      data,
      crcOk: crc === crc32(buffer.subarray(offset + 4, offset + 8 + length)),
    });
    offset += 12 + length;
  }
  return found;
}

describe('encodePng', () => {
  it('should write a PNG whose chunks check out and whose pixels inflate back to the image size', () => {
    const pixels = new Uint8Array(3 * 2 * 4).fill(200);
    const png = encodePng({ width: 3, height: 2, pixels });
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const found = chunks(png);
    expect(found.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(found.every((chunk) => chunk.crcOk)).toBe(true);
    const header = found[0]?.data as Buffer;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([
      3, 2, 8, 6,
    ]);
    // One filter byte per row plus the RGBA bytes.
    expect(inflateSync(found[1]?.data as Buffer).length).toBe(2 * (1 + 3 * 4));
  });

  it('should refuse a buffer that does not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(3) })).toThrow(RangeError);
  });
});

describe('the likes chart', () => {
  function chartedPurge(): DigestAccountInput {
    return { ...purgedAccount(), history: weekOfPolls() };
  }

  it('should attach one PNG per affected account, referenced from the HTML by cid and described in words', () => {
    const digest = composeDigest(digestInput([chartedPurge(), quietAccount('q', 'quiet')]));
    expect(digest?.inlineImages).toHaveLength(1);
    const image = digest?.inlineImages[0];
    expect(image?.contentType).toBe('image/png');
    expect(image?.content.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(digest?.html).toContain(`src="cid:${image?.contentId}"`);
    expect(digest?.html).toMatch(
      /alt="Chart of @purged’s likes gained or lost[^"]*fall of 900 likes/,
    );
    expect(digest?.text).toContain('[Chart of @purged’s likes gained or lost');
  });

  it('should draw the same bytes for the same input', () => {
    const first = composeDigest(digestInput([chartedPurge()]))?.inlineImages[0]?.content;
    const second = composeDigest(digestInput([chartedPurge()]))?.inlineImages[0]?.content;
    expect(first).toEqual(second);
  });

  it('should draw the loss as red pixels', () => {
    const spec = daySpec(100, []);
    const { pixels } = drawLikesChart(spec);
    let red = 0;
    for (let index = 0; index < pixels.length; index += 4) {
      if (pixels[index] === 220 && pixels[index + 1] === 38 && pixels[index + 2] === 38) red += 1;
    }
    expect(red).toBeGreaterThan(1000);
    expect(renderLikesChart(spec).length).toBeLessThan(20_000);
  });

  it('should label the y axis with the largest gain, zero and the largest fall, and the x axis with weekdays', () => {
    const labelPixels = (spec: Parameters<typeof drawLikesChart>[0]) => {
      const { pixels } = drawLikesChart(spec);
      let count = 0;
      for (let index = 0; index < pixels.length; index += 4) {
        if (pixels[index] === 75 && pixels[index + 1] === 85 && pixels[index + 2] === 99)
          count += 1;
      }
      return count;
    };
    const yOnly = labelPixels(daySpec(1_240, []));
    expect(yOnly).toBeGreaterThan(0);
    expect(labelPixels(daySpec(1_240, [{ at: END - 12 * HOUR, label: 'Tue' }]))).toBeGreaterThan(
      yOnly,
    );
    expect([1_240, 0, -900, 12_400, -1_500_000].map(signedShort)).toEqual([
      '+1.2k',
      '0',
      '−900',
      '+12k',
      '−1.5M',
    ]);
  });

  it('should leave the chart out when there are no readings to draw', () => {
    const digest = composeDigest(digestInput([purgedAccount()]));
    expect(digest?.inlineImages).toEqual([]);
    expect(digest?.html).not.toContain('cid:');
  });
});

/** A day's chart: a gain of `gain`, then a fall of 900, last night the whole day. */
function daySpec(gain: number, dayLabels: Array<{ at: number; label: string }>) {
  return {
    changes: [
      { from: END - 12 * HOUR, to: END - 8 * HOUR, change: gain },
      { from: END - 8 * HOUR, to: END - 4 * HOUR, change: -900 },
    ],
    from: END - 24 * HOUR,
    to: END,
    night: { from: END - 24 * HOUR, to: END },
    dayMarks: [],
    dayLabels,
    tone: 'loss' as const,
  };
}
