/**
 * The settings collections as the dashboard shows them: the API's field names with the labels the
 * Cloudflare dashboard gives them, the API's sort keys and filters, and how several rows are deleted.
 * The server's definitions (src/resources/) are the source of truth; this mirrors what a person edits.
 */

export type FieldKind = 'text' | 'checkbox' | 'select' | 'choices' | 'lines' | 'number';

export interface FieldDef {
  name: string;
  label: string;
  kind: FieldKind;
  /** For `select` (one) and `choices` (several). */
  options?: readonly string[];
  required?: boolean;
  hint?: string;
  /** A `select` may be left empty (the field is then not sent, or cleared on edit). */
  optional?: boolean;
}

export interface ColumnDef {
  key: string;
  label: string;
  /** The API's `order` value when the column is sortable. */
  sort?: string;
}

export interface FilterDef {
  name: string;
  label: string;
  /** `boolean` offers any / yes / no. */
  options: readonly string[] | 'boolean';
}

export interface CollectionDef {
  /** The API's collection name, also the page's route. */
  name: string;
  title: string;
  /** One record, in sentences: "Add allow policy". */
  singular: string;
  /** The field that names a record in confirmations. */
  nameField: string;
  columns: ColumnDef[];
  filters: FilterDef[];
  fields: FieldDef[];
  /** How selected rows are deleted together: `POST /batch` with deletes, `DELETE` on the collection, or not at all. */
  multiDelete: 'batch' | 'bulk' | null;
  /** A collection of today's API only, which the server serves with MAILWARDEN_API_IDS=uuid. */
  uuidModeOnly?: boolean;
}

const PATTERN_TYPES = ['EMAIL', 'DOMAIN', 'IP', 'UNKNOWN'] as const;
const DELIVERY_MODES = ['DIRECT', 'BCC', 'JOURNAL', 'API', 'RETRO_SCAN'] as const;
const DROP_DISPOSITIONS = [
  'MALICIOUS',
  'MALICIOUS-BEC',
  'SUSPICIOUS',
  'SPOOF',
  'SPAM',
  'BULK',
  'ENCRYPTED',
  'EXTERNAL',
  'UNKNOWN',
  'NONE',
] as const;
const REGIONS = ['GLOBAL', 'AU', 'DE', 'IN', 'US'] as const;

const notes: FieldDef = { name: 'comments', label: 'Notes', kind: 'text' };
const created: ColumnDef = { key: 'created_at', label: 'Created', sort: 'created_at' };
const pattern: FieldDef = { name: 'pattern', label: 'Pattern', kind: 'text', required: true };
const patternType: FieldDef = { name: 'pattern_type', label: 'Pattern Type', kind: 'select', options: PATTERN_TYPES, required: true };
const regex: FieldDef = { name: 'is_regex', label: 'Regex', kind: 'checkbox', hint: 'The pattern is an RE2 regular expression' };

export const COLLECTIONS: CollectionDef[] = [
  {
    name: 'allow_policies',
    title: 'Allow policies',
    singular: 'allow policy',
    nameField: 'pattern',
    columns: [
      { key: 'pattern', label: 'Pattern', sort: 'pattern' },
      { key: 'pattern_type', label: 'Pattern Type' },
      { key: 'is_trusted_sender', label: 'Trusted Sender' },
      { key: 'is_exempt_recipient', label: 'Exempt Recipient' },
      { key: 'is_acceptable_sender', label: 'Acceptable Sender' },
      { key: 'verify_sender', label: 'Verify Email' },
      { key: 'comments', label: 'Notes' },
      created,
    ],
    filters: [
      { name: 'pattern_type', label: 'Pattern Type', options: PATTERN_TYPES },
      { name: 'is_trusted_sender', label: 'Trusted Sender', options: 'boolean' },
      { name: 'is_exempt_recipient', label: 'Exempt Recipient', options: 'boolean' },
      { name: 'is_acceptable_sender', label: 'Acceptable Sender', options: 'boolean' },
      { name: 'verify_sender', label: 'Verify Email', options: 'boolean' },
    ],
    fields: [
      pattern,
      patternType,
      regex,
      { name: 'is_trusted_sender', label: 'Trusted Sender', kind: 'checkbox', hint: 'Skip detections for this sender' },
      { name: 'is_exempt_recipient', label: 'Exempt Recipient', kind: 'checkbox', hint: 'Never block mail to this recipient' },
      { name: 'is_acceptable_sender', label: 'Acceptable Sender', kind: 'checkbox', hint: 'Do not flag as spoof or bulk' },
      { name: 'verify_sender', label: 'Verify Email', kind: 'checkbox', hint: 'Honour only with passing SPF, DKIM or DMARC' },
      notes,
    ],
    multiDelete: 'batch',
  },
  {
    name: 'block_senders',
    title: 'Blocked senders',
    singular: 'blocked sender',
    nameField: 'pattern',
    columns: [
      { key: 'pattern', label: 'Pattern', sort: 'pattern' },
      { key: 'pattern_type', label: 'Pattern Type' },
      { key: 'is_regex', label: 'Regex' },
      { key: 'comments', label: 'Notes' },
      created,
    ],
    filters: [{ name: 'pattern_type', label: 'Pattern Type', options: PATTERN_TYPES }],
    fields: [pattern, patternType, regex, notes],
    multiDelete: 'batch',
  },
  {
    name: 'trusted_domains',
    title: 'Trusted domains',
    singular: 'trusted domain',
    nameField: 'pattern',
    columns: [
      { key: 'pattern', label: 'Pattern', sort: 'pattern' },
      { key: 'is_recent', label: 'Recent Domain' },
      { key: 'is_similarity', label: 'Similar Domain' },
      { key: 'is_regex', label: 'Regex' },
      { key: 'comments', label: 'Notes' },
      created,
    ],
    filters: [
      { name: 'is_recent', label: 'Recent Domain', options: 'boolean' },
      { name: 'is_similarity', label: 'Similar Domain', options: 'boolean' },
    ],
    fields: [
      pattern,
      regex,
      { name: 'is_recent', label: 'Recent Domain', kind: 'checkbox', hint: 'Do not flag the domain for being newly registered' },
      { name: 'is_similarity', label: 'Similar Domain', kind: 'checkbox', hint: 'Do not flag look-alikes of the domain' },
      notes,
    ],
    multiDelete: 'batch',
  },
  {
    name: 'impersonation_registry',
    title: 'Impersonation registry',
    singular: 'registry entry',
    nameField: 'name',
    columns: [
      { key: 'name', label: 'Display Name', sort: 'name' },
      { key: 'email', label: 'Email', sort: 'email' },
      { key: 'is_email_regex', label: 'Email Regex' },
      { key: 'provenance', label: 'Provenance' },
      created,
    ],
    filters: [
      {
        name: 'provenance',
        label: 'Provenance',
        options: ['A1S_INTERNAL', 'SNOOPY-CASB_OFFICE_365', 'SNOOPY-OFFICE_365', 'SNOOPY-GOOGLE_DIRECTORY'],
      },
    ],
    fields: [
      { name: 'name', label: 'Display Name', kind: 'text', required: true },
      { name: 'email', label: 'Email', kind: 'text', required: true },
      { name: 'is_email_regex', label: 'Email Regex', kind: 'checkbox', hint: 'The email is an RE2 regular expression' },
    ],
    multiDelete: null,
  },
  {
    name: 'domains',
    title: 'Domains',
    singular: 'domain',
    nameField: 'domain',
    columns: [
      { key: 'domain', label: 'Domain', sort: 'domain' },
      { key: 'allowed_delivery_modes', label: 'Allowed Delivery Modes' },
      { key: 'drop_dispositions', label: 'Drop Dispositions' },
      { key: 'regions', label: 'Regions' },
      { key: 'lookback_hops', label: 'Lookback Hops' },
      { key: 'transport', label: 'Transport' },
      created,
    ],
    filters: [
      { name: 'allowed_delivery_mode', label: 'Allowed Delivery Mode', options: DELIVERY_MODES },
      { name: 'active_delivery_mode', label: 'Active Delivery Mode', options: DELIVERY_MODES },
    ],
    fields: [
      { name: 'domain', label: 'Domain', kind: 'text', required: true },
      { name: 'allowed_delivery_modes', label: 'Allowed Delivery Modes', kind: 'choices', options: DELIVERY_MODES },
      { name: 'drop_dispositions', label: 'Drop Dispositions', kind: 'choices', options: DROP_DISPOSITIONS },
      { name: 'ip_restrictions', label: 'IP Restrictions', kind: 'lines', hint: 'One IP address or CIDR per line' },
      { name: 'lookback_hops', label: 'Lookback Hops', kind: 'number', hint: '1 to 20' },
      { name: 'regions', label: 'Regions', kind: 'choices', options: REGIONS },
      { name: 'transport', label: 'Transport', kind: 'text' },
      { name: 'folder', label: 'Folder', kind: 'select', options: ['AllItems', 'Inbox'], optional: true },
      { name: 'integration_id', label: 'Integration ID', kind: 'text', hint: 'A UUID' },
      { name: 'require_tls_inbound', label: 'Require TLS Inbound', kind: 'checkbox' },
      { name: 'require_tls_outbound', label: 'Require TLS Outbound', kind: 'checkbox' },
    ],
    multiDelete: 'bulk',
  },
  {
    name: 'sending_domain_restrictions',
    title: 'Sending domain restrictions',
    singular: 'sending domain restriction',
    nameField: 'domain',
    columns: [
      { key: 'domain', label: 'Domain', sort: 'domain' },
      { key: 'exclude', label: 'Exclude' },
      { key: 'comments', label: 'Notes' },
      created,
    ],
    filters: [],
    fields: [
      { name: 'domain', label: 'Domain', kind: 'text', required: true },
      { name: 'exclude', label: 'Exclude', kind: 'lines', hint: 'Subdomains left out of the restriction, one per line' },
      notes,
    ],
    multiDelete: 'batch',
  },
  {
    name: 'url_ignore_patterns',
    title: 'URL ignore patterns',
    singular: 'URL ignore pattern',
    nameField: 'pattern',
    columns: [{ key: 'pattern', label: 'Pattern', sort: 'pattern' }, { key: 'comments', label: 'Notes' }, created],
    filters: [],
    fields: [{ name: 'pattern', label: 'Pattern', kind: 'text', required: true, hint: 'An RE2 regular expression for URLs' }, notes],
    multiDelete: null,
    uuidModeOnly: true,
  },
];

export function collectionNamed(name: string | null): CollectionDef | undefined {
  return COLLECTIONS.find((collection) => collection.name === name);
}

/** The collections the server serves in its id mode. */
export function collectionsServed(apiIds: 'integer' | 'uuid'): CollectionDef[] {
  return COLLECTIONS.filter((collection) => apiIds === 'uuid' || !collection.uuidModeOnly);
}
