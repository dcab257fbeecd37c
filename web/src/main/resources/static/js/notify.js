// Cues for a tab in the background: owns document.title, the #bell (notifications) and #sound
// buttons, and the notifications themselves. The buttons show only while waiting or chatting,
// where they mean something. The tone is made with WebAudio: no sound file to ship.

import { store } from './store.js';

const TITLE = 'Random Chat';

export class Notifier {
  /** @param {{toast: (text: string) => void}} deps */
  constructor({ toast }) {
    const $ = (id) => document.getElementById(id);
    this.el = { bell: $('bell'), bellText: $('bell-text'), sound: $('sound'), soundText: $('sound-text') };
    this.toast = toast;
    this.unread = 0;
    this.audio = null;
    this.canNotify = 'Notification' in window && window.isSecureContext;
    this.el.bell.addEventListener('click', () => this.toggleNotifications());
    this.el.sound.addEventListener('click', () => this.toggleSound());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.clear();
    });
    this.render();
  }

  /** Shows the buttons only where they mean something (waiting, chat). */
  setVisible(visible) {
    this.el.bell.hidden = !visible || !this.canNotify;
    this.el.sound.hidden = !visible;
  }

  get hidden() {
    return document.visibilityState !== 'visible';
  }

  notificationsOn() {
    return this.canNotify && Notification.permission === 'granted' && store.notify();
  }

  /** A stranger was found. */
  matched(name) {
    if (!this.hidden) return;
    document.title = `Chatting with ${name} - ${TITLE}`;
    this.alert(`You are chatting with ${name}`, 'Say hi!');
  }

  /** A live message from the stranger. */
  message(name, m) {
    if (!this.hidden) return;
    this.unread++;
    document.title = `(${this.unread}) ${name} - ${TITLE}`;
    this.alert(name, typeof m.text === 'string' ? m.text.slice(0, 140) : 'sent a file');
  }

  /** The chat ended while the tab was in the background. */
  ended(text) {
    if (!this.hidden) return;
    document.title = `Chat ended - ${TITLE}`;
    this.alert('Chat ended', text);
  }

  clear() {
    this.unread = 0;
    document.title = TITLE;
  }

  alert(title, body) {
    if (store.sound()) this.beep();
    if (!this.notificationsOn()) return;
    try {
      const n = new Notification(title, { body, tag: 'random-chat', icon: 'favicon.svg' });
      n.addEventListener('click', () => {
        window.focus();
        n.close();
      });
    } catch {
      // Some browsers only allow notifications from a service worker: no notification then.
    }
  }

  /** A short, soft two-note chime. */
  beep() {
    const ctx = this.audioContext();
    if (!ctx) return;
    const start = ctx.currentTime + 0.01;
    [[660, 0], [880, 0.12]].forEach(([freq, offset]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.2);
    });
  }

  audioContext() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!this.audio) this.audio = new Ctx();
    if (this.audio.state === 'suspended') this.audio.resume().catch(() => {});
    return this.audio;
  }

  async toggleNotifications() {
    if (this.notificationsOn()) {
      store.setNotify(false);
    } else if (Notification.permission === 'denied') {
      this.toast('Notifications are blocked in your browser settings.');
    } else {
      const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      if (permission === 'granted') {
        store.setNotify(true);
        this.toast('You will be notified while this tab is in the background.');
      }
    }
    this.render();
  }

  toggleSound() {
    const on = !store.sound();
    store.setSound(on);
    if (on) this.beep(); // a sample, and the click unlocks audio for later
    this.render();
  }

  render() {
    const notifying = this.notificationsOn();
    this.el.bell.setAttribute('aria-pressed', String(notifying));
    this.el.bellText.textContent = 'Notifications';
    this.el.bell.title = notifying ? 'Notifications on (click to turn off)' : 'Notifications off (click to turn on)';
    const sound = store.sound();
    this.el.sound.setAttribute('aria-pressed', String(sound));
    this.el.soundText.textContent = 'Sound';
    this.el.sound.title = sound ? 'Sound on (click to turn off)' : 'Sound off (click to turn on)';
  }
}
