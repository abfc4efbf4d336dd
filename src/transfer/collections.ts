/**
 * What import and export know about each settings collection: the natural key that matches a file's
 * row to a stored record, and the CSV columns in the Cloudflare dashboard's upload layout.
 */
import type { Values } from '../resources/definition.js';
import { textOf } from './text-of.js';

/** How a CSV cell becomes a field value, and back. */
export type CellKind = 'text' | 'optionalText' | 'upper' | 'boolean' | 'optionalBoolean' | 'list' | 'integer';

export interface CsvColumn {
  header: string;
  field: string;
  kind: CellKind;
  /** The column must be present in an uploaded file (the others default when absent). */
  required?: boolean;
  /** The value of an empty cell; otherwise an empty cell leaves the field out (its default applies). */
  empty?: unknown;
}

export interface CollectionFormat {
  /** Rows and records with equal keys are the same setting (compared case-insensitively). */
  naturalKey: (values: Values) => string;
  columns: CsvColumn[];
}

const lower = (value: unknown) => textOf(value).toLowerCase();
const notes: CsvColumn = { header: 'Notes', field: 'comments', kind: 'optionalText' };
const regex: CsvColumn = { header: 'Regex', field: 'is_regex', kind: 'boolean' };
const pattern: CsvColumn = { header: 'Pattern', field: 'pattern', kind: 'text', required: true };
const patternType: CsvColumn = { header: 'Pattern Type', field: 'pattern_type', kind: 'upper', required: true };
const patternAndType = (values: Values) => `${textOf(values.pattern_type).toUpperCase()} ${lower(values.pattern)}`;

export const COLLECTION_FORMATS: Record<string, CollectionFormat> = {
  allow_policies: {
    naturalKey: patternAndType,
    columns: [
      pattern,
      patternType,
      { header: 'Verify Email', field: 'verify_sender', kind: 'boolean' },
      { header: 'Trusted Sender', field: 'is_trusted_sender', kind: 'boolean' },
      { header: 'Exempt Recipient', field: 'is_exempt_recipient', kind: 'boolean' },
      { header: 'Acceptable Sender', field: 'is_acceptable_sender', kind: 'boolean' },
      notes,
      regex,
    ],
  },
  block_senders: { naturalKey: patternAndType, columns: [pattern, patternType, notes, regex] },
  trusted_domains: {
    naturalKey: (values) => lower(values.pattern),
    columns: [
      pattern,
      { header: 'Recent Domain', field: 'is_recent', kind: 'boolean' },
      { header: 'Similar Domain', field: 'is_similarity', kind: 'boolean' },
      notes,
      regex,
    ],
  },
  impersonation_registry: {
    naturalKey: (values) => `${lower(values.name)} ${lower(values.email)}`,
    columns: [
      { header: 'Display Name', field: 'name', kind: 'text', required: true },
      { header: 'Email', field: 'email', kind: 'text', required: true },
      { header: 'Email Regex', field: 'is_email_regex', kind: 'boolean' },
    ],
  },
  domains: {
    naturalKey: (values) => lower(values.domain),
    columns: [
      { header: 'Domain', field: 'domain', kind: 'text', required: true },
      { header: 'Allowed Delivery Modes', field: 'allowed_delivery_modes', kind: 'list' },
      { header: 'Drop Dispositions', field: 'drop_dispositions', kind: 'list' },
      { header: 'IP Restrictions', field: 'ip_restrictions', kind: 'list' },
      { header: 'Lookback Hops', field: 'lookback_hops', kind: 'integer' },
      { header: 'Regions', field: 'regions', kind: 'list' },
      { header: 'Transport', field: 'transport', kind: 'optionalText' },
      { header: 'Folder', field: 'folder', kind: 'optionalText' },
      { header: 'Integration ID', field: 'integration_id', kind: 'optionalText' },
      { header: 'Require TLS Inbound', field: 'require_tls_inbound', kind: 'optionalBoolean' },
      { header: 'Require TLS Outbound', field: 'require_tls_outbound', kind: 'optionalBoolean' },
    ],
  },
  sending_domain_restrictions: {
    naturalKey: (values) => lower(values.domain),
    columns: [
      { header: 'Domain', field: 'domain', kind: 'text', required: true },
      { header: 'Exclude', field: 'exclude', kind: 'list', empty: [] },
      notes,
    ],
  },
};

export const COLLECTION_NAMES = Object.keys(COLLECTION_FORMATS);
