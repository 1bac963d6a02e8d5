import { describe, expect, it } from 'vitest';
import { pushKillRestart } from './durability-harness.js';

describe('a file-backed Measure Consumer killed mid-burst', () => {
  it('SIGKILLed after 300 of 1,000 concurrent pushes were acknowledged, is restarted on its file and gives back every acknowledged report as sent', async () => {
    const outcome = await pushKillRestart({ pushes: 1000, killAfterAcks: 300, connections: 100 });
    expect(outcome.lost).toEqual([]);
    // Responses already on the wire when the kill landed still count: they were acknowledged too.
    expect(outcome.acknowledged).toBeGreaterThanOrEqual(300);
    // The kill came mid-burst: pushes were left without an answer.
    expect(outcome.unanswered).toBeGreaterThan(0);
    expect(outcome.acknowledged + outcome.unanswered).toBe(1000);
    expect(outcome.serverErrors).toBe(0);
    expect(outcome.refused).toBe(0);
    expect(outcome.crashes).toBe(0);
    // Unacknowledged pushes may or may not have been committed; never more than were left unanswered.
    expect(outcome.unacknowledgedKept).toBeGreaterThanOrEqual(0);
    expect(outcome.unacknowledgedKept).toBeLessThanOrEqual(outcome.unanswered);
    expect(outcome.statusAfterRestart).toBe(201);
  }, 180_000);

  it('finds the acknowledged reports a Consumer did not keep (fault lose-acknowledged), so the check can fail', async () => {
    const outcome = await pushKillRestart({ pushes: 200, killAfterAcks: 60, connections: 20, faults: ['lose-acknowledged'] });
    expect(outcome.acknowledged).toBeGreaterThanOrEqual(60);
    expect(outcome.lost.length).toBeGreaterThan(0);
  }, 180_000);
});
