/** Protected email domains. */
import Type, { type Static } from 'typebox';
import { DROP_DISPOSITIONS } from '../../engine/index.js';
import { DateTime, ListQuery, Nullable, RecordMeta, StringEnum } from '../common-schemas.js';

const DeliveryMode = StringEnum(['DIRECT', 'BCC', 'JOURNAL', 'API', 'RETRO_SCAN']);
export const Disposition = StringEnum([...DROP_DISPOSITIONS]);
const Region = StringEnum(['GLOBAL', 'AU', 'DE', 'IN', 'US']);
const Folder = StringEnum(['AllItems', 'Inbox']);
const DomainName = Type.String({ minLength: 1, maxLength: 253 });
const IpRestrictions = Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 });
const LookbackHops = Type.Integer({ minimum: 1, maximum: 20 });
const Transport = Type.String({ maxLength: 1024 });
const IntegrationId = Type.String({ format: 'uuid' });

const Authorization = Type.Object({
  authorized: Type.Boolean(),
  status_message: Type.Optional(Nullable(Type.String())),
  timestamp: DateTime,
});
const EmailsProcessed = Type.Object({
  timestamp: DateTime,
  total_emails_processed: Type.Integer({ minimum: 0 }),
  total_emails_processed_previous: Type.Integer({ minimum: 0 }),
});

export const DomainSchema = Type.Object({
  allowed_delivery_modes: Type.Array(DeliveryMode),
  authorization: Nullable(Authorization),
  created_at: RecordMeta.created_at,
  dmarc_status: Nullable(StringEnum(['none', 'good', 'invalid'])),
  domain: Type.String(),
  drop_dispositions: Type.Array(Disposition),
  emails_processed: Nullable(EmailsProcessed),
  folder: Nullable(Folder),
  id: RecordMeta.id,
  inbox_provider: Nullable(StringEnum(['Microsoft', 'Google'])),
  integration_id: Nullable(Type.String()),
  ip_restrictions: Type.Array(Type.String()),
  last_modified: RecordMeta.last_modified,
  lookback_hops: Type.Integer(),
  o365_tenant_id: Nullable(Type.String()),
  regions: Type.Array(Region),
  require_tls_inbound: Nullable(Type.Boolean()),
  require_tls_outbound: Nullable(Type.Boolean()),
  spf_status: Nullable(StringEnum(['none', 'good', 'neutral', 'open', 'invalid'])),
  transport: Type.String(),
});
export type Domain = Static<typeof DomainSchema>;

const writable = {
  allowed_delivery_modes: Type.Array(DeliveryMode, { maxItems: 5 }),
  drop_dispositions: Type.Array(Disposition, { maxItems: 10 }),
  folder: Folder,
  integration_id: IntegrationId,
  ip_restrictions: IpRestrictions,
  lookback_hops: LookbackHops,
  regions: Type.Array(Region, { maxItems: 5 }),
  require_tls_inbound: Type.Boolean(),
  require_tls_outbound: Type.Boolean(),
  transport: Transport,
};

/** `POST /domains`: only `domain` is required. */
export const CreateDomainSchema = Type.Object({
  domain: DomainName,
  allowed_delivery_modes: Type.Optional(writable.allowed_delivery_modes),
  drop_dispositions: Type.Optional(writable.drop_dispositions),
  folder: Type.Optional(Nullable(Folder)),
  integration_id: Type.Optional(Nullable(IntegrationId)),
  ip_restrictions: Type.Optional(writable.ip_restrictions),
  lookback_hops: Type.Optional(writable.lookback_hops),
  regions: Type.Optional(writable.regions),
  require_tls_inbound: Type.Optional(Nullable(Type.Boolean())),
  require_tls_outbound: Type.Optional(Nullable(Type.Boolean())),
  transport: Type.Optional(writable.transport),
});

/** Seed-era PATCH: nothing nullable; `ip_restrictions` optional. */
export const UpdateDomainSchema = Type.Object({
  allowed_delivery_modes: Type.Optional(writable.allowed_delivery_modes),
  domain: Type.Optional(DomainName),
  drop_dispositions: Type.Optional(writable.drop_dispositions),
  folder: Type.Optional(writable.folder),
  integration_id: Type.Optional(writable.integration_id),
  ip_restrictions: Type.Optional(writable.ip_restrictions),
  lookback_hops: Type.Optional(writable.lookback_hops),
  regions: Type.Optional(writable.regions),
  require_tls_inbound: Type.Optional(writable.require_tls_inbound),
  require_tls_outbound: Type.Optional(writable.require_tls_outbound),
  transport: Type.Optional(writable.transport),
});

export const ListDomainsQuery = ListQuery(['domain', 'created_at'], {
  allowed_delivery_mode: Type.Optional(DeliveryMode),
  active_delivery_mode: Type.Optional(DeliveryMode),
  domain: Type.Optional(Type.Array(Type.String())),
});
