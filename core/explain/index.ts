/** The explanation engine's public surface. */
export { type ExplainOptions, explainFleet, latestPollInstant } from './explain.ts';
export { parseFleet } from './parse.ts';
