/** Every field of one record, read-only (what a read-only token sees instead of the edit form). */
import { Modal } from '../components/Modal';
import { cellText } from './cells';
import type { CollectionDef } from './collections';
import type { ApiRecord } from './records';

export function RecordDetails({ collection, record, onClose }: { collection: CollectionDef; record: ApiRecord; onClose: () => void }) {
  return (
    <Modal title={`${collection.title}: record ${record.id}`} onClose={onClose}>
      <dl class="details">
        {Object.entries(record).map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{cellText(value)}</dd>
          </div>
        ))}
      </dl>
      <div class="actions">
        <button type="button" autofocus onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}
