/** A verdict: the disposition, each recipient's fate, the matched settings (linked) and the explanation. */
import { href } from '../app/routes';
import { collectionNamed } from '../collections/collections';
import type { Verdict } from './evaluate';

function describeMatch(match: Verdict['matches'][number]): string {
  return `${collectionNamed(match.resource)?.title ?? match.resource} ${match.id}: ${match.pattern}`;
}

export function VerdictView({ account, verdict, linkRecords }: { account: string; verdict: Verdict; linkRecords: boolean }) {
  return (
    <section class="verdict" aria-labelledby="verdict-title">
      <h2 id="verdict-title">Verdict</h2>
      <p class="disposition">
        Disposition <strong>{verdict.disposition}</strong>, action <strong>{verdict.action}</strong>
      </p>
      <h3>Recipients</h3>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Disposition</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {verdict.recipients.map((recipient) => (
              <tr key={recipient.address}>
                <td>{recipient.address}</td>
                <td>{recipient.disposition}</td>
                <td>{recipient.action}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Matched settings</h3>
      {verdict.matches.length === 0 ? (
        <p>No setting matched.</p>
      ) : (
        <ul class="matches">
          {verdict.matches.map((match, index) => (
            <li key={index}>
              {linkRecords ? <a href={href(account, match.resource, match.id)}>{describeMatch(match)}</a> : describeMatch(match)} (
              {match.field}, {match.effect})
            </li>
          ))}
        </ul>
      )}
      <h3>Explanation</h3>
      <ol class="explanation">
        {verdict.explanation.map((line, index) => (
          <li key={index}>{line}</li>
        ))}
      </ol>
    </section>
  );
}
