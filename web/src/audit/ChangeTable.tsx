/** A record before and after a change, field by field side by side; changed fields are marked. */
import { cellText } from '../collections/cells';

type Value = Record<string, unknown> | null;

export function ChangeTable({ before, after }: { before: Value; after: Value }) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return (
    <div class="table-scroll">
      <table class="change">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const changed = JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]);
            return (
              <tr key={key} class={changed ? 'changed' : undefined}>
                <th scope="row">
                  {key}
                  {changed && <span class="visually-hidden"> (changed)</span>}
                </th>
                <td>{before ? cellText(before[key]) : '—'}</td>
                <td>{after ? cellText(after[key]) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
