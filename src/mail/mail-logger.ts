/** The logger the mail interfaces write to: pino's (and Fastify's) `(object, message)` shape. */
export interface MailLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}
