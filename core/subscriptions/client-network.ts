/**
 * Who a per-IP abuse limit counts. An IPv4 address is one client; an IPv6 client is usually handed a whole
 * /64 (2^64 addresses) and can use a new address for every request, so an IPv6 address counts as its /64.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The 16-bit groups of an IPv6 address that name the /64 a client is handed (the rest is its interface id). */
const IPV6_CLIENT_PREFIX_GROUPS = 4;

/**
 * The subject a per-IP limit counts for `sourceIp`: an IPv4 address as is (also when written IPv4-mapped,
 * `::ffff:203.0.113.7`), an IPv6 address as its /64 (`2001:db8:1:2::/64`), and anything else as given,
 * lower-cased, so a malformed address still counts as itself.
 */
export function limitedClient(sourceIp: string): string {
  const address = sourceIp.trim().toLowerCase().replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const mapped = /^(?:0{0,4}:){0,5}(?:0{0,4}:)?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  const groups = expandIPv6(address);
  const network = groups
    .slice(0, IPV6_CLIENT_PREFIX_GROUPS)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':');
  return `${network}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes the last two). */
function expandIPv6(address: string): string[] {
  let text = address;
  const ipv4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -ipv4Tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  if (tail === undefined) return headGroups;
  const tailGroups = tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...tailGroups];
}
