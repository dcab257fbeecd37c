// Proof of work for guest creation (docs/protocol.md section 1), off the main thread.
// In:  {challenge, bits}
// Out: {type: 'progress', tries} now and then, then {type: 'done', nonce, tries}
//      or {type: 'error', message}.
// Finds a nonce such that SHA-256(challenge + ":" + nonce), UTF-8, starts with `bits` zero bits,
// counted from the most significant bit of the first byte.

'use strict';

const BATCH = 256;            // digests in flight at once
const PROGRESS_EVERY_MS = 100;

const encoder = new TextEncoder();

function leadingZeroBits(bytes, bits) {
  const full = bits >> 3;
  for (let i = 0; i < full; i++) {
    if (bytes[i] !== 0) return false;
  }
  const rest = bits & 7;
  return rest === 0 || (bytes[full] >> (8 - rest)) === 0;
}

// A small SHA-256 for pages served over plain http from a non-loopback host,
// where crypto.subtle does not exist (it needs a secure context).
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function sha256(data) {
  const length = data.length;
  const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
  padded.set(data);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  view.setUint32(padded.length - 4, (length << 3) >>> 0);
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[i] + w[i]) >>> 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) >>> 0;
      hh = g; g = f; f = e; e = (d + t1) >>> 0;
      d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]);
  return out;
}

const subtle = self.crypto && self.crypto.subtle;

async function digest(text) {
  const data = encoder.encode(text);
  if (subtle) return new Uint8Array(await subtle.digest('SHA-256', data));
  return sha256(data);
}

async function solve(challenge, bits) {
  const prefix = `${challenge}:`;
  let tries = 0;
  let lastReport = Date.now();
  for (let start = 0; ; start += BATCH) {
    const nonces = [];
    for (let i = 0; i < BATCH; i++) nonces.push((start + i).toString(36));
    const digests = await Promise.all(nonces.map((nonce) => digest(prefix + nonce)));
    for (let i = 0; i < BATCH; i++) {
      tries++;
      if (leadingZeroBits(digests[i], bits)) return { nonce: nonces[i], tries };
    }
    const now = Date.now();
    if (now - lastReport >= PROGRESS_EVERY_MS) {
      lastReport = now;
      self.postMessage({ type: 'progress', tries });
    }
  }
}

self.onmessage = async (event) => {
  const { challenge, bits } = event.data || {};
  if (typeof challenge !== 'string' || !Number.isInteger(bits) || bits < 0 || bits > 64) {
    self.postMessage({ type: 'error', message: 'Bad challenge' });
    return;
  }
  try {
    const { nonce, tries } = await solve(challenge, bits);
    self.postMessage({ type: 'done', nonce, tries });
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e && e.message || e) });
  }
};
