/**
 * A blocked sender or an allow policy as the sender index holds it. Nothing is kept on it between
 * evaluations: a hit, its candidate and the texts naming it are made afresh each time, since reading
 * back objects kept from earlier evaluations (spread over the heap) costs more than making young ones.
 */
import type { EngineAllowPolicy, EngineBlockedSender } from '../settings.js';

export class SenderSetting {
  constructor(
    /** A blocked sender (else an allow policy). */
    readonly blocked: boolean,
    readonly record: EngineBlockedSender | EngineAllowPolicy,
  ) {}
}
