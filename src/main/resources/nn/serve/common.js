// Shared helpers of nn serve's pages (plain JavaScript, no build step).
'use strict';
const nn = {
  async json(url, options) {
    const r = await fetch(url, options);
    const body = await r.json().catch(() => ({ error: 'HTTP ' + r.status }));
    if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
    return body;
  },
  pct(v, digits) { return v == null ? '–' : (100 * v).toFixed(digits == null ? 2 : digits) + '%'; },
  el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  },
  // A 28x28 array of [0,1] values drawn into a canvas (one canvas pixel per input pixel; CSS scales it up).
  drawPixels(canvas, values, width, height, colour) {
    canvas.width = width; canvas.height = height;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(width, height);
    for (let i = 0; i < width * height; i++) {
      const c = colour(values[i], i);
      img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  },
  colours: ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f', '#854d0e', '#475569'],
};
