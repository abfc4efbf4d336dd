/**
 * Compiled settings changed in place (`CompiledSettings.apply`, what the policy cache does after a
 * write) must evaluate exactly as the naive reference does on the settings after the changes, after
 * any sequence of creates, updates and deletes in every collection, with messages evaluated in between
 * so the engine's caches (lookalike answers, regex sets) are warm when the settings change.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileSettings,
  evaluate,
  type AccountSettings,
  type Message,
  type ResourceName,
  type SettingsChange,
} from '../../src/engine/index.js';
import { COLLECTIONS } from '../../src/engine/settings.js';
import { naiveEvaluate } from './reference/naive.js';
import { messageArbitrary, pick, settingsArbitrary } from './arbitraries.js';

type AnyRecord = AccountSettings[ResourceName][number];

interface Step {
  action: 'create' | 'update' | 'delete';
  resource: ResourceName;
  /** Which existing record (modulo their count) an update or delete changes. */
  target: number;
  /** Which record of the donor settings (modulo their count) gives a create or update its content. */
  donor: number;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  action: pick(['create', 'update', 'delete'] as const),
  resource: pick([...COLLECTIONS]),
  target: fc.nat(20),
  donor: fc.nat(20),
});

/** Copies of the records, so the test's settings and the compiled ones never share an object. */
function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Turns steps into changes against `settings` (changed as they go), drawing new contents from
 * `donors`; steps with nothing to act on are skipped.
 */
function changesFor(
  settings: Record<ResourceName, AnyRecord[]>,
  donors: AccountSettings,
  steps: Step[],
  nextId: () => number,
): SettingsChange[] {
  const changes: SettingsChange[] = [];
  for (const { action, resource, target, donor } of steps) {
    const records = settings[resource];
    const pool = donors[resource] as readonly AnyRecord[];
    if (action !== 'create' && records.length === 0) continue;
    if (action !== 'delete' && pool.length === 0) continue;
    if (action === 'create') {
      const after = { ...copy(pool[donor % pool.length]), id: nextId() };
      records.push(after);
      changes.push({ resource, action, id: after.id, after: copy(after) });
    } else if (action === 'update') {
      const at = target % records.length;
      const before = records[at];
      const after = { ...copy(pool[donor % pool.length]), id: before.id };
      records[at] = after;
      changes.push({ resource, action, id: before.id, before: copy(before), after: copy(after) });
    } else {
      const at = target % records.length;
      const [before] = records.splice(at, 1);
      changes.push({ resource, action, id: before.id, before: copy(before) });
    }
  }
  return changes;
}

function snapshot(settings: Record<ResourceName, AnyRecord[]>): AccountSettings {
  return copy(settings) as unknown as AccountSettings;
}

describe('compiled settings changed in place', () => {
  it('evaluate as the naive reference does on the changed settings', () => {
    fc.assert(
      fc.property(
        settingsArbitrary,
        settingsArbitrary,
        fc.array(fc.array(stepArbitrary, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        fc.array(messageArbitrary, { minLength: 1, maxLength: 5 }),
        (initial, donors, batches, messages) => {
          const settings = copy(initial) as unknown as Record<ResourceName, AnyRecord[]>;
          let id = 10_000;
          const compiled = compileSettings(copy(initial));
          for (const steps of batches) {
            // Warm the caches on the settings as they are, then change them.
            for (const m of messages) evaluate(compiled, m);
            expect(compiled.apply(changesFor(settings, donors, steps, () => id++))).toBe(true);
            const now = snapshot(settings);
            for (const m of messages) expect(evaluate(compiled, m)).toEqual(naiveEvaluate(now, m));
            expect(compiled.counts).toEqual(compileSettings(now).counts);
            expect(compiled.unusable).toEqual(expect.arrayContaining(compileSettings(now).unusable as never[]));
            expect(compiled.unusable).toHaveLength(compileSettings(now).unusable.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuse changes that do not follow from what is compiled, and change nothing then', () => {
    const base: AccountSettings = {
      allow_policies: [],
      block_senders: [{ id: 1, pattern: 'spam@bad.example', pattern_type: 'EMAIL', is_regex: false }],
      trusted_domains: [],
      impersonation_registry: [],
      domains: [],
      sending_domain_restrictions: [],
    };
    const message: Message = { from: 'spam@bad.example', recipients: ['a@example.com'] };
    const compiled = compileSettings(base);
    const blocked = base.block_senders[0];
    const elsewhere = { ...blocked, pattern: 'spam@other.example' };
    const refused: SettingsChange[][] = [
      // An update of a version that is not the one compiled (two writes applied out of order).
      [{ resource: 'block_senders', action: 'update', id: 1, before: { ...blocked, pattern: 'old@bad.example' }, after: elsewhere }],
      // A create of an id already compiled, and a delete of one that is not.
      [{ resource: 'block_senders', action: 'create', id: 1, after: elsewhere }],
      [{ resource: 'block_senders', action: 'delete', id: 2, before: { ...blocked, id: 2 } }],
      // A valid delete followed by an invalid change: all or none.
      [
        { resource: 'block_senders', action: 'delete', id: 1, before: blocked },
        { resource: 'block_senders', action: 'update', id: 1, before: blocked, after: elsewhere },
      ],
    ];
    for (const changes of refused) {
      expect(compiled.apply(changes)).toBe(false);
      expect(evaluate(compiled, message).disposition).toBe('MALICIOUS');
      expect(compiled.counts.block_senders).toBe(1);
    }
    expect(compiled.apply([{ resource: 'block_senders', action: 'update', id: 1, before: copy(blocked), after: elsewhere }])).toBe(true);
    expect(evaluate(compiled, message).disposition).toBe('NONE');
    expect(evaluate(compiled, { ...message, from: 'spam@other.example' }).disposition).toBe('MALICIOUS');
  });
});
