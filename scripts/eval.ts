/**
 * `npm run eval`: scores the explanation engine on labelled fleets from both world generators (the product's
 * simulator and the independent spec world), at four history densities each, and prints the tables as
 * Markdown. `--write FILE` also replaces the results section of FILE (docs/EVAL.md) with them. `--set dev`
 * runs on the development fleets instead of the reported ones (for working on the engine; never report it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DENSITIES } from '../eval/densities.ts';
import { evaluateWorld } from '../eval/evaluate.ts';
import {
  detailTables,
  headlineTable,
  missedTargets,
  TARGETS,
  type WorldReports,
} from '../eval/report.ts';
import { fleetSeeds, type SeedSet } from '../eval/seeds.ts';
import { WORLDS, type WorldName } from '../eval/worlds.ts';

/** Fleets per generator and accounts per fleet: about a thousand account-nights per generator. */
const FLEETS = 36;
const ACCOUNTS_PER_FLEET = 30;
const BEGIN = '<!-- eval:begin -->';
const END = '<!-- eval:end -->';

const { values } = parseArgs({
  options: {
    set: { type: 'string', default: 'report' },
    write: { type: 'string' },
    fleets: { type: 'string', default: String(FLEETS) },
  },
});
const set = values.set as SeedSet;
if (!['dev', 'report', 'test'].includes(set)) {
  console.error(`--set must be dev, report or test, not ${set}`);
  process.exit(2);
}
const fleets = Number(values.fleets);
if (!Number.isInteger(fleets) || fleets < 1) {
  console.error(`--fleets must be a whole number of at least 1, not ${values.fleets}`);
  process.exit(2);
}

const started = performance.now();
const all: WorldReports[] = (Object.keys(WORLDS) as WorldName[]).map((world) => ({
  world,
  description: WORLDS[world].description,
  reports: evaluateWorld(WORLDS[world], {
    seeds: fleetSeeds(set, world, fleets),
    accountsPerFleet: ACCOUNTS_PER_FLEET,
    densities: DENSITIES,
  }),
}));
const seconds = (performance.now() - started) / 1000;

const sections = [
  `Fleets: ${fleets} per generator × ${ACCOUNTS_PER_FLEET} accounts, seed set \`${set}\`; ${seconds.toFixed(0)} s.`,
  '',
  `Targets at every generator and density: accuracy ≥ ${TARGETS.accuracy * 100}%, false alarms ≤ ${TARGETS.falseAlarmRate * 100}%, every label ≥ ${TARGETS.labelAccuracy * 100}%, calibration within ${TARGETS.calibrationGap * 100} points in every bin of at least 20 nights.`,
  '',
  headlineTable(all),
  '',
  ...all.flatMap(({ world, description, reports }) => [
    `### ${world}: ${description}`,
    '',
    ...[...reports].flatMap(([density, report]) => [detailTables(world, density, report), '']),
  ]),
];
const markdown = sections.join('\n');
console.log(markdown);

const missed = all.flatMap(({ world, reports }) =>
  [...reports].flatMap(([density, report]) =>
    missedTargets(report).map((miss) => `${world}/${density}: ${miss}`),
  ),
);
console.log(missed.length === 0 ? 'All targets met.' : `Targets missed:\n  ${missed.join('\n  ')}`);

if (values.write) {
  const document = readFileSync(values.write, 'utf8');
  const begin = document.indexOf(BEGIN);
  const end = document.indexOf(END);
  if (begin < 0 || end < begin) {
    console.error(`${values.write} has no ${BEGIN} … ${END} section to replace`);
    process.exit(1);
  }
  writeFileSync(
    values.write,
    `${document.slice(0, begin + BEGIN.length)}\n${markdown}\n${document.slice(end)}`,
  );
  console.log(`Wrote the results into ${values.write}.`);
}
