import { describe, expect, it } from 'vitest';
import {
  type CostInput,
  estimateMonthlyCost,
  interpolate,
  type OperationQuantities,
} from '../../../core/cost.ts';

const measured: OperationQuantities = {
  writeUnitsPerPoll: [
    { videos: 50, units: 2 },
    { videos: 200, units: 5 },
  ],
  readUnitsPerHistoryDay: { videos: 50, pollsPerDay: 4, units: 0.5 },
  readUnitsPerPollWrite: [
    { videos: 50, units: 0 },
    { videos: 200, units: 0 },
  ],
  bytesPerPoll: [
    { videos: 50, bytes: 1024 },
    { videos: 200, bytes: 4096 },
  ],
  pollMsPerAccount: 20,
  digestMsPerSubscriber: 50,
  logBytesPerAccountPoll: 0,
  logBytesPerDigest: 0,
};
const input: CostInput = {
  accounts: 1000,
  videosPerAccount: 50,
  subscribers: 1000,
  pollsPerDay: 4,
  region: 'us-east-1',
  retentionDays: 90,
  memoryGb: 1,
  historyDays: 20,
  accountsPerInvocation: 10,
  tiktokWaitMsPerAccount: 0,
};

describe('interpolate', () => {
  it('should interpolate between measured points and scale beyond them', () => {
    const points = [
      { x: 50, y: 2 },
      { x: 200, y: 5 },
    ];
    expect(interpolate(points, 125)).toBeCloseTo(3.5);
    expect(interpolate(points, 400)).toBeCloseTo(10);
    expect(interpolate(points, 25)).toBeCloseTo(1);
  });
});

describe('estimateMonthlyCost', () => {
  it('should price each service from the measured quantities', () => {
    const { lines, totalUsd, perThousandAccountsUsd } = estimateMonthlyCost(input, measured);
    const cost = (service: string) =>
      lines.find((line) => line.service === service)?.monthlyUsd ?? NaN;
    // 1,000 accounts × 4 polls × 30.4 days × 2 write units = 243,200 units at $0.625 per million.
    expect(cost('DynamoDB writes')).toBeCloseTo((243_200 / 1e6) * 0.625, 6);
    // 1,000 account-nights × 30.4 × 20 days × 0.5 read units at $0.125 per million.
    expect(cost('DynamoDB reads')).toBeCloseTo((304_000 / 1e6) * 0.125, 6);
    // 1,000 × 30.4 emails at $0.10 per thousand.
    expect(cost('SES')).toBeCloseTo(3.04, 6);
    expect(totalUsd).toBeCloseTo(
      lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
      9,
    );
    expect(perThousandAccountsUsd).toBeCloseTo(totalUsd, 9);
  });
});
