/** How the history page names a night's verdict. */
import type { Verdict } from '../model.ts';

/** A verdict in the words the page uses for a night. */
export const VERDICT_WORDS: Record<Verdict, string> = {
  loss: 'likes removed',
  slowdown: 'likes came in slower than usual',
  unknown: 'could not be read',
  none: 'nothing unusual',
};
