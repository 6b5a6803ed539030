import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cost = (args: string[]) =>
  run('node', ['cli/likewatch.mjs', 'cost', ...args]).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** The command line of a fleet: accounts, subscribers, 50 videos, 4 polls a day, then `extra`. */
const fleet = (accounts: number, subscribers: number, ...extra: string[]) => [
  '--accounts',
  String(accounts),
  '--videos',
  '50',
  '--subscribers',
  String(subscribers),
  '--polls-per-day',
  '4',
  ...extra,
];

/** The lines that grow with the fleet, in the order the command prints them. */
const PER_ACCOUNT = [
  'Lambda',
  'DynamoDB writes',
  'DynamoDB reads',
  'DynamoDB storage and backups',
  'SQS jobs',
  'KMS requests',
  'SES',
  'CloudWatch Logs',
  'API Gateway',
];
/** The lines that cost the same whatever the fleet. */
const FIXED = [
  'EventBridge Scheduler',
  'SQS idle long polls',
  'KMS customer managed key',
  'CloudWatch metrics and alarms',
  'WAF',
];
const SERVICES = [...PER_ACCOUNT, ...FIXED];

/** The dollar amounts of a printed bill, by line name. */
function amounts(stdout: string): Map<string, number> {
  const lines = new Map<string, number>();
  for (const match of stdout.matchAll(/^ {2}(\S.*?)\s+\$([\d,]+\.\d{2})(?:\s|$)/gm)) {
    lines.set(match[1] as string, Number((match[2] as string).replaceAll(',', '')));
  }
  return lines;
}

describe('likewatch cost', () => {
  it('should print a line per service that add up to the total, and the total per 1,000 accounts', async () => {
    const { code, stdout } = await cost(fleet(20000, 15000));
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Monthly AWS cost for 20,000 accounts × 50 videos, 15,000 subscribers, 4 polls a day, 365 days of roll-ups \(us-east-1, prices of \d{4}-\d{2}-\d{2}, measurements of /,
    );
    const bill = amounts(stdout);
    expect([...bill.keys()]).toEqual([
      ...PER_ACCOUNT,
      'Per account, all',
      ...FIXED,
      'Fixed, all',
      'Total',
      'Per 1,000 accounts',
    ]);
    // In whole cents, so that adding dollar amounts in floating point cannot cross a bound by a rounding error.
    const cents = (line: string) => Math.round((bill.get(line) ?? 0) * 100);
    const part = (services: string[]) =>
      services.reduce((total, service) => total + cents(service), 0);
    expect(Math.abs(part(FIXED) - cents('Fixed, all'))).toBeLessThanOrEqual(5);
    expect(
      Math.abs(cents('Per account, all') + cents('Fixed, all') - cents('Total')),
    ).toBeLessThanOrEqual(1);
    // Each line is rounded to the cent on its own.
    expect(Math.abs(part(SERVICES) - cents('Total'))).toBeLessThanOrEqual(SERVICES.length);
    expect(bill.get('Per 1,000 accounts')).toBeCloseTo(
      ((bill.get('Total') ?? 0) * 1000) / 20000,
      1,
    );
    // SES is a cent per hundred emails: 15,000 subscribers, a digest a day.
    expect(bill.get('SES')).toBeCloseTo((15000 * 30.4 * 0.1) / 1000, 0);
  });

  it('should grow the bill with the fleet, and warn when TikTok’s limit cannot keep up', async () => {
    const small = await cost(fleet(1000, 1000));
    const large = await cost(fleet(100000, 100000));
    expect(small.code).toBe(0);
    expect(large.code).toBe(0);
    const smallBill = amounts(small.stdout);
    const largeBill = amounts(large.stdout);
    for (const service of ['Lambda', 'DynamoDB writes', 'DynamoDB reads', 'SES']) {
      expect(largeBill.get(service)).toBeGreaterThan(50 * (smallBill.get(service) ?? 0));
    }
    // The stack's fixed parts make a small fleet dearer per account.
    expect(smallBill.get('Per 1,000 accounts')).toBeGreaterThan(
      largeBill.get('Per 1,000 accounts') ?? 0,
    );
    expect(small.stdout).toMatch(/within TikTok's 600 a minute per endpoint/);
    expect(large.stdout).toMatch(
      /^Warning: The fleet needs [\d,]+ \/v2\/video\/list\/ requests a minute, over TikTok's 600/m,
    );
    const raised = await cost(fleet(100000, 100000, '--tiktok-rate-limit', '2000'));
    expect(raised.stdout).not.toMatch(/^Warning/m);
  });

  it('should refuse a region without prices, naming the regions it has', async () => {
    const { code, stdout, stderr } = await cost(fleet(10, 5, '--region', 'eu-west-1'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /--region: no prices for "eu-west-1": the price table \(core\/cost\.ts\) has us-east-1/,
    );
  });

  it('should name the context flag of each optional fixed part and price it when asked', async () => {
    const bare = await cost(fleet(10, 10));
    expect(bare.stdout).toMatch(
      /dashboard off .*-c dashboard=true \(--dashboard here\) adds \$\d+\.\d{2}/,
    );
    expect(bare.stdout).toMatch(/detailed-alarms off .*-c detailedAlarms=true/);
    expect(bare.stdout).toMatch(
      /firewall off .*-c firewall=true \(--firewall here\) adds \$7\.\d{2}/,
    );
    expect(bare.stdout).toMatch(
      /customer-key off .*-c customerKey=true \(--customer-key here\) adds \$1\.\d{2}/,
    );
    expect(amounts(bare.stdout).get('KMS customer managed key')).toBe(0);
    const keyed = await cost(fleet(10, 10, '--customer-key'));
    expect(amounts(keyed.stdout).get('KMS customer managed key')).toBe(1);
    const bareFixed = amounts(bare.stdout).get('Fixed, all') ?? 0;
    const full = await cost(fleet(10, 10, '--dashboard', '--detailed-alarms', '--firewall'));
    expect(full.stdout).toMatch(/firewall on .*deploy with -c firewall=false to save it/);
    const fullBill = amounts(full.stdout);
    expect(fullBill.get('WAF')).toBe(7);
    expect((fullBill.get('Fixed, all') ?? 0) - bareFixed).toBeGreaterThan(7 + 3);
  });

  it('should print its usage without options', async () => {
    const { code, stdout, stderr } = await cost([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^likewatch cost: describe the fleet to price\nUsage: likewatch cost --accounts N/,
    );
    expect(stderr).not.toMatch(/NaN/);
  });

  it('should refuse missing and impossible numbers with the flag at fault', async () => {
    const missing = await cost(fleet(10, 5).slice(2));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--accounts:/);
    const zero = await cost(fleet(0, 5));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--accounts:/);
    const often = await cost([
      '--accounts',
      '10',
      '--videos',
      '50',
      '--subscribers',
      '5',
      '--polls-per-day',
      '25',
    ]);
    expect(often.code).toBe(2);
    expect(often.stderr).toMatch(/--polls-per-day:/);
  });
});
