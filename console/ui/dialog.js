// A modal form: labelled fields, the first one focused, Enter submits, Escape cancels. It shows
// the API's error itself (the page's error line is behind it) and stays open until the action
// succeeds or is cancelled.

import { field, h } from './dom.js';

/**
 * Opens the dialog. `fields`: [{ label, input, hint? }]; `submit(form)` does the action and
 * returns its result (throw to show an error). Resolves with that result, or null when cancelled.
 */
export function formDialog({ title, subtitle, fields, button, submit }) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const ok = h('button', { type: 'submit', class: 'primary' }, button);
    const cancel = h('button', { type: 'button', onclick: () => dialog.close() }, 'Cancel');
    const form = h(
      'form',
      { class: 'dialog-form' },
      h('h2', {}, title),
      subtitle ? h('p', { class: 'muted subtitle' }, subtitle) : null,
      fields.map((f) => field(f.label, f.input, f.hint)),
      error,
      h('div', { class: 'actions' }, ok, cancel),
    );
    const dialog = h('dialog', { class: 'dialog', 'aria-label': title }, form);
    let result = null;
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      ok.disabled = true;
      error.hidden = true;
      try {
        result = await submit(form);
        dialog.close();
      } catch (e) {
        error.textContent = e.message;
        error.hidden = false;
        ok.disabled = false;
      }
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    fields[0]?.input.focus();
  });
}

/** A required one-line note (why), as every change asks for. */
export const noteInput = () =>
  h('input', { name: 'note', type: 'text', required: true, maxlength: 2000, autocomplete: 'off' });
