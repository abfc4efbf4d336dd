/** The API's errors, announced to screen readers as they appear. */
import type { ApiMessage } from '../api/client';

export function ErrorList({ errors }: { errors: ApiMessage[] }) {
  if (errors.length === 0) return null;
  return (
    <div class="error-box" role="alert">
      <ul>
        {errors.map((error, index) => (
          <li key={index}>{error.message}</li>
        ))}
      </ul>
    </div>
  );
}

/** Errors of anything thrown: the API's own, or the message of another failure. */
export function errorsOf(error: unknown): ApiMessage[] {
  if (error && typeof error === 'object' && 'errors' in error && Array.isArray(error.errors)) return error.errors as ApiMessage[];
  return [{ code: 0, message: error instanceof Error ? error.message : String(error) }];
}
