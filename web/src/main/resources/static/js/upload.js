// File uploads (docs/protocol.md section 4). XMLHttpRequest rather than fetch, for upload progress.

export class UploadError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'UploadError';
    this.status = status;
  }
}

/** "1.2 MB", "340 KB", "12 B". */
export function humanSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value < 10 ? 1 : 0;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${units[unit]}`;
}

/** "10 MB" for 10485760: the upload limit as people read it. */
export function limitText(bytes) {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
  return humanSize(bytes);
}

export function tooLargeMessage(maxBytes) {
  return maxBytes ? `File too large (max ${limitText(maxBytes)})` : 'File too large';
}

/**
 * Uploads one file to a channel.
 * @returns {{promise: Promise<{id, name, size, contentType, url}>, abort: () => void}}
 */
export function uploadFile(channelId, token, file, { onProgress, maxBytes } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open('POST', `/api/channels/${encodeURIComponent(channelId)}/files`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Accept', 'application/json, application/problem+json');
    xhr.responseType = 'text';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { body = null; }
      if (xhr.status === 201 || xhr.status === 200) {
        if (body && body.id) resolve(body);
        else reject(new UploadError(xhr.status, 'The server sent an unexpected answer.'));
        return;
      }
      reject(new UploadError(xhr.status, uploadErrorText(xhr.status, body, maxBytes)));
    });
    xhr.addEventListener('error', () => reject(new UploadError(0, 'Upload failed: network error.')));
    xhr.addEventListener('abort', () => reject(new UploadError(-1, 'Upload cancelled.')));
    xhr.addEventListener('timeout', () => reject(new UploadError(0, 'Upload timed out.')));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}

function uploadErrorText(status, problem, maxBytes) {
  switch (status) {
    case 413: return tooLargeMessage(maxBytes);
    case 401:
    case 403: return 'Upload refused: this chat is no longer open to you.';
    case 400: return (problem && problem.detail) || 'Upload refused.';
    default: return `Upload failed (${status || 'network error'}).`;
  }
}
