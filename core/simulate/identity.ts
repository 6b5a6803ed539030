/** Made-up but plausible account identities for simulated worlds (ids, handles, display names). */
import type { Random } from './random.ts';
import type { WorldAccountInfo } from './world.ts';

const FIRST_PARTS = [
  'luna',
  'mika',
  'chef',
  'daily',
  'urban',
  'tiny',
  'retro',
  'sunny',
  'pixel',
  'cozy',
  'wild',
  'noah',
  'zoe',
  'kai',
  'ivy',
  'leo',
];
const SECOND_PARTS = [
  'bakes',
  'moves',
  'travels',
  'fits',
  'garden',
  'gaming',
  'beats',
  'crafts',
  'lifts',
  'paws',
  'talks',
  'studio',
  'diy',
  'eats',
];

/** A fresh identity; `serial` keeps handles unique within one world. */
export function randomIdentity(random: Random, serial: number): WorldAccountInfo {
  const first = random.pick(FIRST_PARTS);
  const second = random.pick(SECOND_PARTS);
  const handle = `${first}${random.chance(0.5) ? '.' : '_'}${second}${serial}`;
  const displayName = `${first[0]?.toUpperCase()}${first.slice(1)} ${second[0]?.toUpperCase()}${second.slice(1)}`;
  return { id: random.digits(19, 6), handle, displayName };
}
