import type { ApiMessage } from './errors.js';

/** `result_info` of paginated lists: no `total_pages`. */
export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
}

export interface SuccessEnvelope<T> {
  success: true;
  errors: [];
  messages: [];
  result: T;
  result_info?: ResultInfo;
}

export interface ErrorEnvelope {
  success: false;
  errors: ApiMessage[];
  messages: [];
  result: null;
}

export function success<T>(result: T, resultInfo?: ResultInfo): SuccessEnvelope<T> {
  const envelope: SuccessEnvelope<T> = { success: true, errors: [], messages: [], result };
  if (resultInfo) envelope.result_info = resultInfo;
  return envelope;
}

export function failure(errors: ApiMessage[]): ErrorEnvelope {
  return { success: false, errors, messages: [], result: null };
}
