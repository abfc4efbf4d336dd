/**
 * Add or edit one record in a dialog. The API checks the values; each error it answers is shown next
 * to the field its `source.pointer` names (`/pattern`, `/ip_restrictions/2`), the rest above the form.
 */
import { useState } from 'preact/hooks';
import type { ApiMessage } from '../api/client';
import { ErrorList, errorsOf } from '../components/ErrorList';
import { Modal } from '../components/Modal';
import type { CollectionDef } from './collections';
import { FormField } from './FormField';
import { formValues, requestBody, saveRecord, type ApiRecord } from './records';

interface Props {
  account: string;
  collection: CollectionDef;
  record: ApiRecord | null;
  onSaved: (record: ApiRecord) => void;
  onClose: () => void;
}

/** The field an error is about: the first segment of its pointer, when the form has that field. */
function fieldOf(error: ApiMessage, names: string[]): string | null {
  const name = error.source?.pointer.split('/')[1];
  return name && names.includes(name) ? name : null;
}

export function RecordForm({ account, collection, record, onSaved, onClose }: Props) {
  const [values, setValues] = useState(() => formValues(collection.fields, record));
  const [errors, setErrors] = useState<ApiMessage[]>([]);
  const [saving, setSaving] = useState(false);
  const names = collection.fields.map((field) => field.name);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    try {
      const saved = await saveRecord(account, collection, record?.id ?? null, requestBody(collection.fields, values, record));
      onSaved(saved);
    } catch (error) {
      setErrors(errorsOf(error));
    } finally {
      setSaving(false);
    }
  };

  const title = record ? `Edit ${collection.singular} ${record.id}` : `Add ${collection.singular}`;
  return (
    <Modal title={title} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <ErrorList errors={errors.filter((error) => fieldOf(error, names) === null)} />
        {collection.fields.map((field) => (
          <FormField
            key={field.name}
            field={field}
            value={values[field.name]}
            errors={errors.filter((error) => fieldOf(error, names) === field.name).map((error) => error.message)}
            onChange={(value) => setValues({ ...values, [field.name]: value })}
          />
        ))}
        <div class="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={saving}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}
