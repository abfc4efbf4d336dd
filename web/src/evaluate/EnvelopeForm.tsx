/** A message described by its envelope and header fields, as the evaluate endpoint takes it. */
import { useState } from 'preact/hooks';
import { addressList } from './evaluate';

const DETECTIONS = ['MALICIOUS', 'SUSPICIOUS', 'SPOOF', 'SPAM', 'BULK'];
const TEXT_FIELDS = [
  { name: 'from', label: 'From address', required: true },
  { name: 'from_name', label: 'From display name' },
  { name: 'recipients', label: 'Recipients', required: true, hint: 'Separated by commas or spaces' },
  { name: 'envelope_from', label: 'Envelope from (Return-Path)' },
  { name: 'reply_to', label: 'Reply-To' },
  { name: 'sending_ip', label: 'Sending IP' },
  { name: 'helo', label: 'HELO name' },
  { name: 'sender_domain_age_days', label: 'Sender domain age (days)', type: 'number' },
];
const AUTH = ['spf', 'dkim', 'dmarc'];

type Values = Record<string, string>;

/** The message in the endpoint's form: empty fields left out. */
function messageOf(values: Values, detections: string[]): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const { name } of TEXT_FIELDS) {
    const value = values[name]?.trim();
    if (!value) continue;
    message[name] = name === 'recipients' ? addressList(value) : name === 'sender_domain_age_days' ? Number(value) : value;
  }
  if (!message.recipients) message.recipients = [];
  if (values.tls) message.tls = values.tls === 'yes';
  const authentication = Object.fromEntries(AUTH.filter((name) => values[name]).map((name) => [name, values[name]]));
  if (Object.keys(authentication).length > 0) message.authentication = authentication;
  if (detections.length > 0) message.detections = detections;
  return message;
}

export function EnvelopeForm({
  errorsFor,
  onSubmit,
}: {
  errorsFor: (field: string) => string[];
  onSubmit: (message: Record<string, unknown>) => void;
}) {
  const [values, setValues] = useState<Values>({});
  const [detections, setDetections] = useState<string[]>([]);
  const set = (name: string, value: string) => setValues({ ...values, [name]: value });
  const fieldError = (name: string) => {
    const errors = errorsFor(name);
    return errors.length > 0 ? (
      <p id={`message-${name}-error`} class="field-error">
        {errors.join('; ')}
      </p>
    ) : null;
  };
  return (
    <form
      class="envelope"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(messageOf(values, detections));
      }}
    >
      {TEXT_FIELDS.map((field) => (
        <div class="field" key={field.name}>
          <label for={`message-${field.name}`}>{field.label}</label>
          <input
            id={`message-${field.name}`}
            type="text"
            inputMode={field.type === 'number' ? 'decimal' : undefined}
            required={field.required}
            aria-invalid={errorsFor(field.name).length > 0 ? true : undefined}
            aria-describedby={errorsFor(field.name).length > 0 ? `message-${field.name}-error` : undefined}
            value={values[field.name] ?? ''}
            onInput={(event) => set(field.name, event.currentTarget.value)}
          />
          {field.hint && <small class="hint">{field.hint}</small>}
          {fieldError(field.name)}
        </div>
      ))}
      <div class="field">
        <label for="message-tls">Received over TLS</label>
        <select id="message-tls" value={values.tls ?? ''} onChange={(event) => set('tls', event.currentTarget.value)}>
          <option value="">Not known</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </select>
      </div>
      {AUTH.map((name) => (
        <div class="field" key={name}>
          <label for={`message-${name}`}>{name.toUpperCase()} result</label>
          <select id={`message-${name}`} value={values[name] ?? ''} onChange={(event) => set(name, event.currentTarget.value)}>
            <option value="">Not known</option>
            <option value="pass">pass</option>
            <option value="fail">fail</option>
            <option value="none">none</option>
          </select>
        </div>
      ))}
      <fieldset class="field choices">
        <legend>Detections by the content scanner</legend>
        {DETECTIONS.map((detection) => (
          <label key={detection}>
            <input
              type="checkbox"
              checked={detections.includes(detection)}
              onChange={(event) =>
                setDetections(event.currentTarget.checked ? [...detections, detection] : detections.filter((entry) => entry !== detection))
              }
            />{' '}
            {detection}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button type="submit" class="primary">
          Evaluate
        </button>
      </div>
    </form>
  );
}
