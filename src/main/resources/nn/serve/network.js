// The network page: a weight layer's tiles (GET /api/network/weights) and every layer's
// activations of a digit drawn here (POST /api/network/activations), as nn show draws them.
'use strict';
(function () {
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const select = document.getElementById('model');
  const layer = document.getElementById('layer');
  const status = document.getElementById('status');
  let strokes = [], current = null, drawn = false;

  function paper() { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, pad.width, pad.height); }
  function redraw() {
    paper();
    ctx.strokeStyle = '#000'; ctx.lineWidth = 22; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    for (const s of strokes.concat(current ? [current] : [])) {
      ctx.beginPath(); ctx.moveTo(s[0][0], s[0][1]);
      for (const p of s) ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
  }
  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }
  pad.addEventListener('pointerdown', e => { e.preventDefault(); pad.setPointerCapture(e.pointerId); current = [point(e)]; redraw(); });
  pad.addEventListener('pointermove', e => { if (current) { current.push(point(e)); redraw(); } });
  const end = () => { if (!current) return; strokes.push(current); current = null; drawn = true; redraw(); activations(); };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  document.getElementById('clear').addEventListener('click', () => {
    strokes = []; drawn = false; redraw(); document.getElementById('activations').hidden = true;
  });

  async function picture(url, options, img) {
    status.textContent = '';
    const r = await fetch(url, options);
    if (!r.ok) {
      const body = await r.json().catch(() => ({ error: 'HTTP ' + r.status }));
      status.textContent = body.error;
      return;
    }
    const blob = await r.blob();
    if (img.src.startsWith('blob:')) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(blob);
    img.hidden = false;
    document.body.dataset[img.id] = 'shown';
  }
  function weights() {
    picture('/api/network/weights?' + new URLSearchParams({ model: select.value, layer: layer.value }), {}, document.getElementById('weights'));
  }
  function activations() {
    if (!drawn) return;
    pad.toBlob(blob => picture('/api/network/activations?' + new URLSearchParams({ model: select.value }),
      { method: 'POST', body: blob, headers: { 'Content-Type': 'image/png' } }, document.getElementById('activations')), 'image/png');
  }
  select.addEventListener('change', () => { weights(); activations(); });
  layer.addEventListener('change', weights);

  nn.json('/api/models').then(list => {
    for (const m of list.models) {
      const o = nn.el('option', { value: m.id, title: m.spec || '' }, m.label);
      if (m.id === list.default) o.selected = true;
      select.appendChild(o);
    }
    weights();
  }).catch(err => { status.textContent = err.message; });
  paper();
})();
