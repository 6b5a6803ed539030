import { describe, expect, it } from 'vitest';
import { limitedClient } from '../../../../core/subscriptions/client-network.ts';

describe('the client a per-IP limit counts', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:198.51.100.2', '198.51.100.2'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an address', 'not an address'],
  ])('should count %s as %s', (ip, subject) => {
    expect(limitedClient(ip)).toBe(subject);
  });

  it('should count every address of one /64 as one client, and another /64 as another', () => {
    const oneNetwork = Array.from(
      { length: 20 },
      (_, index) => `2001:db8:aa:bb::${index.toString(16)}`,
    );
    expect(new Set(oneNetwork.map(limitedClient)).size).toBe(1);
    expect(limitedClient('2001:db8:aa:bc::1')).not.toBe(limitedClient('2001:db8:aa:bb::1'));
  });
});
