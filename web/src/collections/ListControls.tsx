/** Search and the collection's filters, above its table. */
import { useEffect, useState } from 'preact/hooks';
import type { CollectionDef } from './collections';

interface Props {
  collection: CollectionDef;
  search: string;
  filters: Record<string, string>;
  onSearch: (search: string) => void;
  onFilter: (name: string, value: string) => void;
}

export function ListControls({ collection, search, filters, onSearch, onFilter }: Props) {
  const [text, setText] = useState(search);
  // The page can set the search itself (after adding a record); the box then shows it.
  useEffect(() => setText(search), [search]);
  return (
    <form
      class="controls"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        onSearch(text.trim());
      }}
    >
      <div class="field">
        <label for="list-search">Search</label>
        <input id="list-search" type="search" value={text} onInput={(event) => setText(event.currentTarget.value)} />
      </div>
      <button type="submit">Search</button>
      {collection.filters.map((filter) => {
        const id = `filter-${filter.name}`;
        const options = filter.options === 'boolean' ? ['true', 'false'] : filter.options;
        return (
          <div class="field" key={filter.name}>
            <label for={id}>{filter.label}</label>
            <select id={id} value={filters[filter.name] ?? ''} onChange={(event) => onFilter(filter.name, event.currentTarget.value)}>
              <option value="">Any</option>
              {options.map((option) => (
                <option key={option} value={option}>
                  {filter.options === 'boolean' ? (option === 'true' ? 'Yes' : 'No') : option}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </form>
  );
}
