// Triage of one alert: acknowledge, resolve, assign, expect, each with a required note (the
// server records it with the account in the alert's history and the audit log).

import { post } from './api.js';
import { formDialog, noteInput } from './dialog.js';
import { endpoint, h } from './dom.js';

export const ACTIONS = {
  acknowledge: { title: 'Acknowledge alert', button: 'Acknowledge' },
  resolve: { title: 'Resolve alert', button: 'Resolve' },
  assign: { title: 'Assign alert', button: 'Assign' },
  expect: { title: 'Mark the service as expected', button: 'Expect' },
};

/** The actions that make sense in an alert's state. */
export function actionsFor(alert) {
  if (alert.state === 'resolved') return [];
  const out = alert.state === 'open' ? ['acknowledge', 'resolve', 'assign'] : ['resolve', 'assign'];
  if (alert.port > 0) out.push('expect');
  return out;
}

/** Opens the dialog for `action` on `alert`; resolves with the updated alert, or null when cancelled. */
export function triage(action, alert) {
  const a = ACTIONS[action];
  const note = noteInput();
  const fields = [];
  let assignee = null;
  let net = null;
  if (action === 'assign') {
    assignee = h('input', {
      name: 'assignee',
      type: 'text',
      required: true,
      maxlength: 128,
      value: alert.assignee || '',
    });
    fields.push({ label: 'Assignee (team or person)', input: assignee });
  }
  if (action === 'expect') {
    net = h('input', { name: 'net', type: 'text', maxlength: 64, placeholder: alert.ip, autocomplete: 'off' });
    fields.push({ label: 'Network for the rule', input: net, hint: `optional: a network holding ${alert.ip}` });
  }
  fields.push({ label: 'Note', input: note, hint: 'required: kept in the alert history and the audit log' });
  return formDialog({
    title: a.title,
    subtitle: `${endpoint(alert.ip, alert.port)} · ${alert.message ?? ''}`,
    fields,
    button: a.button,
    submit: () => {
      const body = { note: note.value.trim() };
      if (assignee) body.assignee = assignee.value.trim();
      if (net?.value.trim()) body.net = net.value.trim();
      return post(`/alerts/${encodeURIComponent(alert.alert_id)}/${action}`, body);
    },
  });
}
