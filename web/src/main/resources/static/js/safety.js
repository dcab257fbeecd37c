// Report and block: owns #report (in an open chat), the end bar's #report-after and #block,
// and the report dialog. After a chat ended they keep working for the report window
// (docs/protocol.md 6.2), with the ended channel's id and token. No reason is pre-selected.

const REPORT_WINDOW_MS = 600_000;  // REPORT_WINDOW_SECONDS' default; the server has the last word

export class Safety {
  /**
   * @param {object} deps
   * @param {(frame) => boolean} deps.send  hands a frame to the socket (false: not connected)
   * @param {() => object|null} deps.openChannel  {channelId, token, peer} of the open chat, or null
   * @param {(text: string) => void} deps.toast
   */
  constructor({ send, openChannel, toast }) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      report: $('report'),
      reportAfter: $('report-after'),
      block: $('block'),
      afterActions: $('after-actions'),
      dialog: $('report-dialog'),
      title: $('report-title'),
      desc: $('report-desc'),
      reasons: [...document.querySelectorAll('#report-form input[name="reason"]')],
      reasonError: $('report-reason-error'),
      note: $('report-note'),
      send: $('report-send'),
    };
    this.send = send;
    this.openChannel = openChannel;
    this.toast = toast;
    this.ended = null;             // {channelId, token, peer, endedAt} while reports are possible
    this.windowTimer = 0;
    this.opener = null;

    this.el.report.addEventListener('click', () => this.openDialog(this.el.report));
    this.el.reportAfter.addEventListener('click', () => this.openDialog(this.el.reportAfter));
    this.el.block.addEventListener('click', () => this.block());
    this.el.send.addEventListener('click', (event) => {
      if (this.el.reasons.some((r) => r.checked)) return;
      event.preventDefault();
      this.el.reasonError.hidden = false;
      this.el.reasons[0].focus();
    });
    this.el.reasons.forEach((r) => r.addEventListener('change', () => { this.el.reasonError.hidden = true; }));
    this.el.dialog.addEventListener('close', () => this.onDialogClosed());
  }

  /** A chat ended: Report and Block stay until the window closes. */
  setEnded(ended) {
    clearTimeout(this.windowTimer);
    this.ended = ended;
    const left = ended ? REPORT_WINDOW_MS - (Date.now() - ended.endedAt) : 0;
    this.el.afterActions.hidden = left <= 0;
    if (left <= 0) {
      this.ended = null;
      return;
    }
    this.reset(this.el.reportAfter, 'Report');
    this.reset(this.el.block, 'Block');
    this.windowTimer = setTimeout(() => this.setEnded(null), left);
  }

  reset(button, label) {
    button.disabled = false;
    button.textContent = label;
  }

  target() {
    const open = this.openChannel();
    if (open) return { ...open, after: false };
    return this.ended ? { ...this.ended, after: true } : null;
  }

  openDialog(opener) {
    const target = this.target();
    if (!target) return;
    const name = (target.peer && target.peer.name) || 'this stranger';
    this.opener = opener;
    this.el.title.textContent = `Report ${name}`;
    this.el.desc.textContent = target.after
      ? 'We keep the messages of this chat with your report, and you will not be paired again.'
      : 'The chat ends, we keep its messages with your report, and you will not be paired again.';
    this.el.reasons.forEach((r) => { r.checked = false; });
    this.el.reasonError.hidden = true;
    this.el.note.value = '';
    this.el.dialog.returnValue = '';
    this.el.dialog.showModal();
    this.el.reasons[0].focus();
  }

  onDialogClosed() {
    const chosen = this.el.reasons.find((r) => r.checked);
    const target = this.target();
    if (this.el.dialog.returnValue !== 'report' || !chosen || !target) {
      if (this.opener && !this.opener.closest('[hidden]')) this.opener.focus();
      return;
    }
    const frame = { type: 'report', reason: chosen.value };
    const note = this.el.note.value.trim().slice(0, 500);
    if (note) frame.note = note;
    if (target.after) {
      frame.channelId = target.channelId;
      frame.token = target.token;
    }
    if (!this.send(frame)) {
      this.toast('Not connected. Try again in a moment.');
      return;
    }
    if (target.after) {
      this.el.reportAfter.disabled = true;
      this.el.reportAfter.textContent = 'Reporting...';
      this.el.block.focus();
    }
  }

  /** Block after the end (in an open chat, Leave offers "Leave and block"). */
  block() {
    if (!this.ended) return;
    const frame = { type: 'block', channelId: this.ended.channelId, token: this.ended.token };
    if (!this.send(frame)) {
      this.toast('Not connected. Try again in a moment.');
      return;
    }
    this.el.block.disabled = true;
    this.el.block.textContent = 'Blocking...';
  }

  onReported(frame) {
    if (this.ended && frame.channelId === this.ended.channelId) {
      this.el.reportAfter.disabled = true;
      this.el.reportAfter.textContent = 'Reported';
    }
    this.toast('Thank you. The report was sent.');
  }

  onBlocked(frame) {
    if (this.ended && frame.channelId === this.ended.channelId) {
      this.el.block.disabled = true;
      this.el.block.textContent = 'Blocked';
    }
    const name = this.ended && this.ended.peer ? this.ended.peer.name : 'this stranger';
    this.toast(`Blocked. You will not be paired with ${name} again.`);
  }

  /** `error` answering a report or block after the end; returns whether it was one. */
  onError(frame) {
    if (frame.ref !== 'report' && frame.ref !== 'block') return false;
    if (!this.ended || this.openChannel()) return false;
    if (frame.code === 'channel_closed') {
      this.toast('Too late: reports and blocks are possible for 10 minutes after a chat.');
      this.setEnded(null);
    } else {
      this.toast(frame.message || 'That did not work.');
      this.reset(this.el.reportAfter, 'Report');
      this.reset(this.el.block, 'Block');
    }
    return true;
  }
}
