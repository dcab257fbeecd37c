// The composer and its upload UI: owns #composer (message box, counter, Send, attach) and
// #upload / #composer-error. Text goes to the chat state machine; files are uploaded first.

import { uploadFile, tooLargeMessage } from './upload.js';

export class Composer {
  /**
   * @param {object} deps
   * @param {import('./chat.js').Chat} deps.chat
   * @param {() => object} deps.limits
   * @param {MediaQueryList} deps.coarsePointer  touch screens: Enter is a newline, Send sends
   */
  constructor({ chat, limits, coarsePointer }) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      form: $('composer'),
      message: $('message'),
      send: $('send'),
      counter: $('counter'),
      error: $('composer-error'),
      attach: $('attach'),
      file: $('file'),
      upload: $('upload'),
      uploadName: $('upload-name'),
      uploadProgress: $('upload-progress'),
      uploadCancel: $('upload-cancel'),
    };
    this.chat = chat;
    this.limits = limits;
    this.coarse = coarsePointer;
    this.job = null;

    const { form, message, attach, file, uploadCancel } = this.el;
    message.addEventListener('input', () => {
      this.autogrow();
      this.updateCounter();
      this.showError('');
      this.chat.onInput(message.value);
    });
    message.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      if (this.coarse.matches) return;
      event.preventDefault();
      form.requestSubmit();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    attach.addEventListener('click', () => file.click());
    file.addEventListener('change', () => {
      const chosen = file.files && file.files[0];
      file.value = '';
      if (chosen) this.upload(chosen);
    });
    uploadCancel.addEventListener('click', () => {
      this.stopUpload();
      this.focus();
    });
  }

  focus() {
    if (!this.coarse.matches && !this.el.form.hidden) this.el.message.focus({ preventScroll: true });
  }

  submit() {
    const text = this.el.message.value.replace(/^\s*\n/, '').replace(/\s+$/, '');
    if (!text.trim()) return;
    const error = this.chat.sendText(text);
    if (error) {
      this.showError(error);
      return;
    }
    this.el.message.value = '';
    this.autogrow();
    this.updateCounter();
    this.showError('');
    if (!this.coarse.matches || document.activeElement === this.el.send) this.el.message.focus({ preventScroll: true });
  }

  autogrow() {
    const box = this.el.message;
    box.style.height = 'auto';
    const max = Math.max(88, Math.round(window.innerHeight * 0.3));
    box.style.height = `${Math.min(box.scrollHeight + 2, max)}px`;
  }

  updateCounter() {
    const max = (this.limits() || {}).maxTextChars;
    const { counter, send, message } = this.el;
    if (!max) {
      counter.hidden = true;
      send.disabled = false;
      return;
    }
    const left = max - [...message.value].length;
    counter.hidden = left > Math.max(50, Math.floor(max * 0.1));
    counter.textContent = left >= 0 ? `${left} left` : `${-left} too many`;
    counter.classList.toggle('over', left < 0);
    send.disabled = left < 0;
  }

  showError(text) {
    this.el.error.textContent = text;
    this.el.error.hidden = !text;
  }

  upload(file) {
    if (!this.chat.open || this.job) return;
    const max = (this.limits() || {}).maxUploadBytes;
    if (max && file.size > max) {
      this.showError(tooLargeMessage(max));
      return;
    }
    this.showError('');
    const { channelId, token } = this.chat.channel;
    const { upload, uploadName, uploadProgress, attach } = this.el;
    uploadName.textContent = file.name;
    uploadProgress.value = 0;
    upload.hidden = false;
    attach.disabled = true;
    const job = uploadFile(channelId, token, file, {
      maxBytes: max,
      onProgress: (fraction) => { uploadProgress.value = Math.round(fraction * 100); },
    });
    this.job = job;
    job.promise
      .then((uploaded) => {
        if (this.job === job && this.chat.open && this.chat.channel.channelId === channelId) this.chat.sendFile(uploaded);
      })
      .catch((e) => {
        if (this.job === job && e.status !== -1) this.showError(e.message);
      })
      .finally(() => {
        if (this.job === job) this.stopUpload();
      });
  }

  stopUpload() {
    const job = this.job;
    this.job = null;
    this.el.upload.hidden = true;
    this.el.attach.disabled = false;
    if (job) job.abort();
  }

  /** A new chat: empty box, no error, no upload. */
  reset() {
    this.stopUpload();
    this.showError('');
    this.autogrow();
    this.updateCounter();
  }
}
