/**
 * The evaluate endpoint's request and result as TypeBox schemas: one message's envelope, a batch of 1 to
 * 1,000 of them, and the verdict. JSON schema rejects wrong types, unknown enum values (dispositions,
 * authentication results), sizes and lengths; `checkMessage` (check.ts) then rejects addresses and IPs
 * that are well-typed strings but not valid values.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { DETECTIONS, DISPOSITIONS } from '../dispositions.js';

/** A string enum with an explicit `type`, so the OpenAPI document and serializer know it is a string. */
function StringEnum<const Values extends string[]>(values: [...Values]) {
  return Type.Enum(values, { type: 'string' });
}

/** `T | null` as a JSON-schema type list, for a schema with a single `type`. */
function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

export const MAX_MESSAGES = 1000;
const MAX_RECIPIENTS = 1000;

const Address = (description: string) => Type.String({ minLength: 3, maxLength: 320, description });
const AuthResult = StringEnum(['pass', 'fail', 'none']);
const DetectionSchema = StringEnum([...DETECTIONS]);
const VerdictDispositionSchema = StringEnum([...DISPOSITIONS]);

export const MessageSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 256, description: 'Echoed in the verdict' })),
    envelope_from: Type.Optional(Type.String({ maxLength: 320, description: 'SMTP MAIL FROM; an empty string is the null sender `<>`' })),
    from: Address('Header From address'),
    from_name: Type.Optional(Type.String({ maxLength: 1024, description: 'Header From display name' })),
    reply_to: Type.Optional(Address('Header Reply-To address')),
    recipients: Type.Array(Address('A recipient address'), { minItems: 1, maxItems: MAX_RECIPIENTS }),
    sending_ip: Type.Optional(Type.String({ minLength: 2, maxLength: 64, description: 'IPv4 or IPv6 address' })),
    helo: Type.Optional(Type.String({ maxLength: 255, description: 'Sending server name (HELO/EHLO)' })),
    tls: Type.Optional(Type.Boolean({ description: 'Received over TLS' })),
    authentication: Type.Optional(
      Type.Object({
        spf: Type.Optional(AuthResult),
        dkim: Type.Optional(AuthResult),
        dmarc: Type.Optional(AuthResult),
      }),
    ),
    sender_domain_age_days: Type.Optional(Type.Number({ minimum: 0, description: 'Age of the From domain' })),
    detections: Type.Optional(Type.Array(DetectionSchema, { maxItems: 16, description: 'Dispositions proposed by the content scanner' })),
  },
  { description: 'The envelope of one message; only `from` and `recipients` are required' },
);
export type Message = Static<typeof MessageSchema>;

export const EvaluateRequestSchema = Type.Object({
  messages: Type.Array(MessageSchema, { minItems: 1, maxItems: MAX_MESSAGES }),
});
export type EvaluateRequest = Static<typeof EvaluateRequestSchema>;

const MatchSchema = Type.Object({
  resource: StringEnum([
    'allow_policies',
    'block_senders',
    'trusted_domains',
    'impersonation_registry',
    'sending_domain_restrictions',
    'domains',
  ]),
  id: Type.Integer(),
  field: Type.String({ description: 'The message field that matched: `from`, `sending_ip`, `recipients[0]`…' }),
  pattern: Type.String(),
  effect: Type.String(),
});

export const VerdictSchema = Type.Object({
  id: Nullable(Type.String()),
  disposition: VerdictDispositionSchema,
  action: StringEnum(['deliver', 'drop']),
  recipients: Type.Array(
    Type.Object({ address: Type.String(), disposition: VerdictDispositionSchema, action: StringEnum(['deliver', 'drop']) }),
  ),
  matches: Type.Array(MatchSchema),
  explanation: Type.Array(Type.String()),
});
