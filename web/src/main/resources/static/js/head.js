// The chat's frame: owns .chat-head (the peer's name and presence, Next, Leave), the leave
// dialog and the end-of-chat bar (#ended). Next asks "Really?" on the first press (button or
// Escape) and goes on the second; no modal. Focus moves to the next sensible control.

const CONFIRM_MS = 4_000;          // a first Next press waits this long for the second

export class ChatHead {
  /**
   * @param {object} actions  {next(), leave(block), newChat(), home()}
   */
  constructor(actions) {
    const $ = (id) => document.getElementById(id);
    this.el = {
      screen: $('screen-chat'),
      head: document.querySelector('.chat-head'),
      actions: document.querySelector('.chat-actions'),
      peerName: $('peer-name'),
      presence: $('presence'),
      presenceText: $('presence-text'),
      next: $('next'),
      nextLabel: $('next-label'),
      leave: $('leave'),
      status: $('chat-status'),
      ended: $('ended'),
      endedText: $('ended-text'),
      newChat: $('new-chat'),
      goHome: $('go-home'),
      composer: $('composer'),
      dialog: $('leave-dialog'),
    };
    this.actions = actions;
    this.armed = false;
    this.armTimer = 0;
    this.isEnded = false;

    this.el.next.addEventListener('click', () => this.pressNext());
    this.el.leave.addEventListener('click', () => {
      this.disarm();
      this.el.dialog.returnValue = '';
      this.el.dialog.showModal();
      document.getElementById('leave-confirm').focus();
    });
    this.el.dialog.addEventListener('close', () => {
      const choice = this.el.dialog.returnValue;
      if (choice === 'leave' || choice === 'block') this.actions.leave(choice === 'block');
      else if (!this.isEnded) this.el.leave.focus();
    });
    this.el.newChat.addEventListener('click', () => this.actions.newChat());
    this.el.goHome.addEventListener('click', () => this.actions.home());
    document.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || this.el.screen.hidden || event.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return; // Escape closes the dialog
      event.preventDefault();
      if (this.isEnded) this.actions.newChat();
      else this.pressNext();
    });
  }

  /** Next, pressed (or Escape): the first press arms, the second within CONFIRM_MS goes. */
  pressNext() {
    if (this.isEnded) {
      this.actions.newChat();
      return;
    }
    if (this.armed) {
      this.disarm();
      this.actions.next();
      return;
    }
    this.armed = true;
    this.el.next.classList.add('armed');
    this.el.nextLabel.textContent = 'Really?';
    this.announce(`Press Next or Escape again to leave ${this.el.peerName.textContent} and meet someone new.`);
    clearTimeout(this.armTimer);
    this.armTimer = setTimeout(() => this.disarm(), CONFIRM_MS);
  }

  disarm() {
    clearTimeout(this.armTimer);
    this.armed = false;
    this.el.next.classList.remove('armed');
    this.el.nextLabel.textContent = 'Next';
  }

  /** A chat opened: Next and Leave back, the end bar gone. */
  open() {
    this.disarm();
    this.isEnded = false;
    this.el.actions.hidden = false;
    this.el.ended.hidden = true;
    this.el.composer.hidden = false;
    this.el.status.textContent = '';
  }

  setPeerName(name) {
    this.el.peerName.textContent = name;
  }

  /**
   * 'online', 'away' (lost connection, may come back), 'unknown' (we are not connected
   * ourselves, so we cannot tell) or 'gone' (the chat ended).
   */
  setPresence(state, name) {
    const was = this.el.presence.dataset.state;
    this.el.presence.dataset.state = state;
    this.el.presenceText.textContent = {
      online: 'online', away: 'lost connection...', unknown: 'status unknown',
    }[state] || 'not in this chat';
    if (state === 'away' && was !== 'away') this.announce(`${name} lost connection...`);
  }

  /** The chat ended: one sentence, then New chat (focused) and Home. */
  showEnded(text) {
    const wasArmed = this.armed;
    this.disarm();
    this.isEnded = true;
    this.el.endedText.textContent = text;
    this.el.ended.hidden = false;
    this.el.actions.hidden = true;
    this.el.composer.hidden = true;
    if (this.el.dialog.open) this.el.dialog.close();
    this.announce(wasArmed ? `${text} Press Next or Escape to meet someone new.` : text);
    this.el.newChat.focus();
  }

  announce(text) {
    // A change of text in an existing role=status region is what screen readers announce.
    this.el.status.textContent = '';
    requestAnimationFrame(() => { this.el.status.textContent = text; });
  }
}
