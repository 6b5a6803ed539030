/**
 * The small chart each affected account gets in the digest: how many likes the account gained or lost between
 * consecutive readings over the last week, with last night shaded. Changes rather than the running total,
 * because a total of 150,000 hides a purge of 900 while a bar that points down shows it at a glance, and
 * a slowdown shows as bars that shrink.
 *
 * Drawn pixel by pixel into an RGBA buffer and encoded as PNG, because email clients show inline PNGs nearly
 * everywhere while SVG and remote images are blocked or stripped by many of them. Its axis labels (the largest
 * gain, zero and the largest fall; the weekdays) are drawn from a small pixel font; the digest says the numbers
 * in words next to it and in its alt text.
 */
import type { AccountTone } from './document.ts';
import { forEachInkedPixel, GLYPH_HEIGHT, textWidth } from './pixel-font.ts';
import { encodePng, type RgbaImage } from './png.ts';

/** The change in the account's total likes between two consecutive readings. Times are epoch ms. */
export interface LikesChange {
  from: number;
  to: number;
  change: number;
}

/** What to draw. Times are epoch milliseconds. */
export interface LikesChartSpec {
  changes: readonly LikesChange[];
  /** The span of the x axis. */
  from: number;
  to: number;
  /** Last night, shaded. */
  night: { from: number; to: number };
  /** Instants of the day boundaries (local midnights) to mark with a faint line. */
  dayMarks: readonly number[];
  /** Weekday names to write under the x axis, each centred on the instant given (a local noon). */
  dayLabels: ReadonlyArray<{ at: number; label: string }>;
  /** Colours the shaded night like the account card's accent. */
  tone: AccountTone;
}

/** The chart's size as shown in the email, in CSS pixels. */
export const CHART_WIDTH = 552;
export const CHART_HEIGHT = 180;

/** Drawn at twice the shown size so it stays sharp on high-density phone screens. */
const SCALE = 2;

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
const GRID: Rgb = [229, 231, 235];
const AXIS: Rgb = [156, 163, 175];
const LABEL: Rgb = [75, 85, 99];
const GAIN: Rgb = [59, 130, 246];
const LOSS: Rgb = [220, 38, 38];
const NIGHT_TINT: Record<AccountTone, Rgb> = {
  loss: [254, 226, 226],
  slowdown: [254, 243, 199],
  unknown: [226, 232, 240],
  none: [220, 252, 231],
};

/** Space around the plot, in CSS pixels: the y labels on the left, the weekdays below. */
const PADDING = { left: 44, right: 6, top: 10, bottom: 22 };

/** One font pixel of the axis labels, in CSS pixels: labels 14 px tall, still legible on a phone's smaller copy. */
const FONT_PIXEL = 2;

/** Gap between neighbouring bars, in CSS pixels, so that each reading stays distinct. */
const BAR_GAP = 1;

/** Draws the chart and returns it as PNG bytes. */
export function renderLikesChart(spec: LikesChartSpec): Uint8Array {
  return encodePng(drawLikesChart(spec));
}

/** Draws the chart into an RGBA image (exposed for tests that inspect pixels). */
export function drawLikesChart(spec: LikesChartSpec): RgbaImage {
  const canvas = new Canvas(CHART_WIDTH * SCALE, CHART_HEIGHT * SCALE, WHITE);
  const plot = {
    left: PADDING.left * SCALE,
    right: (CHART_WIDTH - PADDING.right) * SCALE,
    top: PADDING.top * SCALE,
    bottom: (CHART_HEIGHT - PADDING.bottom) * SCALE,
  };
  const span = Math.max(1, spec.to - spec.from);
  const xOf = (at: number) =>
    plot.left +
    ((Math.min(spec.to, Math.max(spec.from, at)) - spec.from) / span) * (plot.right - plot.left);

  canvas.fillRect(
    xOf(spec.night.from),
    plot.top,
    xOf(spec.night.to),
    plot.bottom,
    NIGHT_TINT[spec.tone],
  );
  for (const mark of spec.dayMarks) {
    if (mark > spec.from && mark < spec.to) {
      canvas.fillRect(xOf(mark) - 1, plot.top, xOf(mark) + 1, plot.bottom, GRID);
    }
  }

  const shown = spec.changes.filter((bar) => bar.to > spec.from && bar.from < spec.to);
  // The zero line sits where the range of changes puts it: at the bottom when nothing was lost.
  const high = Math.max(0, ...shown.map((bar) => bar.change));
  const low = Math.min(0, ...shown.map((bar) => bar.change));
  const range = high - low || 1;
  const yOf = (change: number) => plot.bottom - ((change - low) / range) * (plot.bottom - plot.top);
  const zero = yOf(0);
  for (const bar of shown) {
    const left = xOf(bar.from) + BAR_GAP * SCALE;
    const right = Math.max(left + SCALE, xOf(bar.to) - BAR_GAP * SCALE);
    // Even a tiny change gets a sliver, so a reading is never mistaken for a missing one.
    const end =
      bar.change >= 0
        ? Math.min(zero - SCALE, yOf(bar.change))
        : Math.max(zero + SCALE, yOf(bar.change));
    canvas.fillRect(left, zero, right, end, bar.change >= 0 ? GAIN : LOSS);
  }
  canvas.fillRect(plot.left, zero - 1, plot.right, zero + 1, AXIS);

  // The y axis: the largest gain, zero and the largest fall, each beside its height.
  const font = FONT_PIXEL * SCALE;
  const yLabels = new Map<number, number>([[0, zero]]);
  if (high > 0) yLabels.set(high, yOf(high));
  if (low < 0) yLabels.set(low, yOf(low));
  for (const [value, at] of yLabels) {
    const label = signedShort(value);
    const top = Math.min(
      plot.bottom - GLYPH_HEIGHT * font,
      Math.max(0, at - (GLYPH_HEIGHT * font) / 2),
    );
    // Zero's label yields to a bound's when they would overlap.
    if (
      value === 0 &&
      [...yLabels].some(([other, y]) => other !== 0 && Math.abs(y - at) < GLYPH_HEIGHT * font)
    ) {
      continue;
    }
    canvas.text(label, plot.left - 4 * SCALE - textWidth(label) * font, top, font, LABEL);
  }
  // The x axis: each day's weekday, under its middle.
  for (const day of spec.dayLabels) {
    if (day.at <= spec.from || day.at >= spec.to) continue;
    const width = textWidth(day.label) * font;
    const left = Math.min(plot.right - width, Math.max(plot.left, xOf(day.at) - width / 2));
    canvas.text(day.label, left, plot.bottom + 4 * SCALE, font, LABEL);
  }
  return canvas.image();
}

/** `+1.2k`, `0`, `−900`: a change short enough for the y axis. */
export function signedShort(value: number): string {
  const rounded = Math.round(value);
  if (rounded === 0) return '0';
  const abs = Math.abs(rounded);
  const shown =
    abs >= 1e6
      ? `${trimmed(abs / 1e6)}M`
      : abs >= 1e4
        ? `${Math.round(abs / 1e3)}k`
        : abs >= 1e3
          ? `${trimmed(abs / 1e3)}k`
          : String(abs);
  return `${rounded > 0 ? '+' : '−'}${shown}`;
}

/** One decimal, without a trailing `.0`. */
function trimmed(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/** An RGBA pixel buffer with the one primitive a bar chart needs. */
class Canvas {
  private readonly pixels: Uint8Array;
  /** The same bytes seen as one 32-bit word per pixel, so a run of pixels is painted with one `fill`. */
  private readonly words: Uint32Array;

  constructor(
    private readonly width: number,
    private readonly height: number,
    background: Rgb,
  ) {
    this.pixels = new Uint8Array(width * height * 4);
    this.words = new Uint32Array(this.pixels.buffer);
    this.words.fill(packed(background));
  }

  /** Writes `text` from its top-left corner, each font pixel `size` canvas pixels square. */
  text(text: string, left: number, top: number, size: number, colour: Rgb): void {
    forEachInkedPixel(text, (x, y) =>
      this.fillRect(
        left + x * size,
        top + y * size,
        left + (x + 1) * size,
        top + (y + 1) * size,
        colour,
      ),
    );
  }

  image(): RgbaImage {
    return { width: this.width, height: this.height, pixels: this.pixels };
  }

  /** Paints the rectangle between the two corners; the part off the canvas is ignored. */
  fillRect(x0: number, y0: number, x1: number, y1: number, colour: Rgb): void {
    const left = Math.max(0, Math.round(Math.min(x0, x1)));
    const right = Math.min(this.width, Math.round(Math.max(x0, x1)));
    const top = Math.max(0, Math.round(Math.min(y0, y1)));
    const bottom = Math.min(this.height, Math.round(Math.max(y0, y1)));
    if (left >= right) return;
    const word = packed(colour);
    for (let y = top; y < bottom; y++) {
      this.words.fill(word, y * this.width + left, y * this.width + right);
    }
  }
}

/** An opaque colour as the 32-bit word whose bytes in memory are R, G, B, A. */
function packed([red, green, blue]: Rgb): number {
  const bytes = new Uint8Array([red, green, blue, 255]);
  return new Uint32Array(bytes.buffer)[0] as number;
}
