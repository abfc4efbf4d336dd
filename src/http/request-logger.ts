/**
 * Request loggers made on first use. Fastify gives every request a pino child (bound to its reqId), and
 * authentication adds another (its tokenId); pino serialises the bindings of each child when it is made.
 * At the production levels that log nothing per request (warn and above) that was paid on every request
 * for nothing. A deferred logger answers the level check itself and makes the real pino child only when
 * a line is actually written, so errors still carry reqId and tokenId.
 */
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

// pino's types, as Fastify's own API spells them (pino is Fastify's dependency, not ours).
type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildLoggerOptions = NonNullable<Parameters<FastifyBaseLogger['child']>[1]>;
type ChildLoggerFactory = NonNullable<FastifyServerOptions['childLoggerFactory']>;

/** What a parent must offer: pino's level check. Fastify's null logger (logging off) lacks it. */
interface LevelAware extends FastifyBaseLogger {
  isLevelEnabled(level: string): boolean;
}

function isLevelAware(logger: FastifyBaseLogger): logger is LevelAware {
  return typeof (logger as Partial<LevelAware>).isLevelEnabled === 'function';
}

class DeferredLogger implements LevelAware {
  private real: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: LevelAware,
    private readonly bindings: Bindings,
  ) {}

  /** The pino child, made now if it was not yet (and its deferred ancestors with it). */
  private logger(): FastifyBaseLogger {
    if (this.real === undefined) {
      const parent = this.parent instanceof DeferredLogger ? this.parent.logger() : this.parent;
      this.real = parent.child(this.bindings);
    }
    return this.real;
  }

  isLevelEnabled(level: string): boolean {
    return this.real ? (this.real as LevelAware).isLevelEnabled(level) : this.parent.isLevelEnabled(level);
  }

  get level(): string {
    return this.real ? this.real.level : this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    // A child with options of its own (a level, serializers) is made for real: it may log what we don't.
    if (options !== undefined && Object.keys(options).length > 0) return this.logger().child(bindings, options);
    return new DeferredLogger(this, bindings);
  }

  /** Writes at `level` through the real child, made only now that a line is written. */
  private write(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace', args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const logger = this.logger();
    Reflect.apply(logger[level], logger, args);
  }

  // Methods on the prototype, not closures per instance: a logger is made for every request.
  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}
}

/** Fastify's `childLoggerFactory`: a deferred child where it is safe, pino's own child otherwise. */
export const deferredChildLoggerFactory: ChildLoggerFactory = (logger, bindings, options) => {
  if (!isLevelAware(logger) || Object.keys(options).length > 0) return logger.child(bindings, options);
  return new DeferredLogger(logger, bindings);
};
