/** The explanation engine's public surface. */
export { beginNight, type ExplainOptions, explainFleet, latestPollInstant } from './explain.ts';
export { parseFleet } from './parse.ts';
