// The page's one error line (under the header): the message of the API error that stopped the
// current view, cleared on every navigation. Forms in dialogs show their own (the line would be
// hidden behind the dialog).

import { ApiError } from './api.js';

const line = () => document.getElementById('error');

export function showError(err) {
  const el = line();
  if (!el) return;
  el.textContent = err instanceof ApiError || err instanceof Error ? err.message : String(err);
  el.hidden = false;
}

export function clearError() {
  const el = line();
  if (!el) return;
  el.textContent = '';
  el.hidden = true;
}
