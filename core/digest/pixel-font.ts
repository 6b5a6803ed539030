/**
 * A tiny 5×7 pixel font for the digest chart's axis labels: the chart is a PNG drawn pixel by pixel (email
 * clients block SVG), so its few labels (signed counts and weekday names) are drawn from these glyphs.
 */

/** Glyph rows, top to bottom; `#` is ink. Only the characters the labels use. */
const GLYPHS: Record<string, readonly string[]> = {
  '0': [' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '],
  '1': ['  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '],
  '2': [' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'],
  '3': [' ### ', '#   #', '    #', '  ## ', '    #', '#   #', ' ### '],
  '4': ['   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '],
  '5': ['#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '],
  '6': [' ### ', '#    ', '#    ', '#### ', '#   #', '#   #', ' ### '],
  '7': ['#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '],
  '8': [' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '],
  '9': [' ### ', '#   #', '#   #', ' ####', '    #', '    #', ' ### '],
  '+': ['     ', '  #  ', '  #  ', '#####', '  #  ', '  #  ', '     '],
  '−': ['     ', '     ', '     ', '#####', '     ', '     ', '     '],
  '.': ['     ', '     ', '     ', '     ', '     ', ' ##  ', ' ##  '],
  k: ['#    ', '#    ', '#  # ', '# #  ', '##   ', '# #  ', '#  # '],
  M: ['#   #', '## ##', '# # #', '#   #', '#   #', '#   #', '#   #'],
  T: ['#####', '  #  ', '  #  ', '  #  ', '  #  ', '  #  ', '  #  '],
  W: ['#   #', '#   #', '#   #', '# # #', '# # #', '## ##', '#   #'],
  F: ['#####', '#    ', '#    ', '#### ', '#    ', '#    ', '#    '],
  S: [' ####', '#    ', '#    ', ' ### ', '    #', '    #', '#### '],
  a: ['     ', '     ', ' ### ', '    #', ' ####', '#   #', ' ####'],
  d: ['    #', '    #', ' ## #', '#  ##', '#   #', '#   #', ' ####'],
  e: ['     ', '     ', ' ### ', '#   #', '#####', '#    ', ' ### '],
  h: ['#    ', '#    ', '# ## ', '##  #', '#   #', '#   #', '#   #'],
  i: ['  #  ', '     ', ' ##  ', '  #  ', '  #  ', '  #  ', ' ### '],
  n: ['     ', '     ', '# ## ', '##  #', '#   #', '#   #', '#   #'],
  o: ['     ', '     ', ' ### ', '#   #', '#   #', '#   #', ' ### '],
  r: ['     ', '     ', '# ## ', '##  #', '#    ', '#    ', '#    '],
  t: [' #   ', ' #   ', '#### ', ' #   ', ' #   ', ' #  #', '  ## '],
  u: ['     ', '     ', '#   #', '#   #', '#   #', '#  ##', ' ## #'],
  ' ': ['     ', '     ', '     ', '     ', '     ', '     ', '     '],
};

/** A glyph's size in font pixels, and the space after each. */
export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
const GLYPH_GAP = 1;

/** The width of `text` in font pixels. */
export function textWidth(text: string): number {
  return Math.max(0, [...text].length * (GLYPH_WIDTH + GLYPH_GAP) - GLYPH_GAP);
}

/**
 * Calls `ink` for every inked font pixel of `text` set from its top-left corner, in font pixels; characters
 * without a glyph are drawn as spaces.
 */
export function forEachInkedPixel(text: string, ink: (x: number, y: number) => void): void {
  [...text].forEach((character, index) => {
    const glyph = GLYPHS[character] ?? GLYPHS[' '];
    glyph?.forEach((row, y) => {
      for (let x = 0; x < row.length; x++) {
        if (row[x] === '#') ink(index * (GLYPH_WIDTH + GLYPH_GAP) + x, y);
      }
    });
  });
}
