// The draw page: strokes on a canvas (pointer events: mouse, touch, pen), sent as PNG at each
// stroke's end to POST /api/predict; the answer, the ten probabilities, the 28x28 input and the
// saliency map are shown. A chosen or dropped photo is sent as it is.
'use strict';
(function () {
  const pad = document.getElementById('pad');
  const ctx = pad.getContext('2d');
  const status = document.getElementById('status');
  const modelSelect = document.getElementById('model');
  const uncertainty = document.getElementById('uncertainty');
  const LINE = 22;
  let strokes = [];          // each stroke: a list of [x, y] in canvas pixels
  let current = null;
  let photo = null;          // a File shown instead of strokes
  let models = [];
  let sequence = 0;          // answers to older requests are dropped
  let answered = 0;

  const bars = new Chart(document.getElementById('bars'), {
    type: 'bar',
    data: { labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      datasets: [{ label: 'probability', data: new Array(10).fill(0), backgroundColor: '#2563eb' }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false,
      scales: { y: { min: 0, max: 1, ticks: { callback: v => (100 * v) + '%' } } },
      plugins: { legend: { display: false },
        tooltip: { callbacks: { label: c => nn.pct(c.parsed.y, 1) + spreadText(c.dataIndex) } } } },
  });
  let lastSpread = null;
  function spreadText(i) { return lastSpread ? ' ± ' + nn.pct(lastSpread[i], 1) : ''; }

  function paper() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, pad.width, pad.height);
  }

  function redraw() {
    paper();
    ctx.strokeStyle = '#000'; ctx.fillStyle = '#000';
    ctx.lineWidth = LINE; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    for (const s of strokes.concat(current ? [current] : [])) {
      if (s.length === 1) {
        ctx.beginPath(); ctx.arc(s[0][0], s[0][1], LINE / 2, 0, 2 * Math.PI); ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (const p of s.slice(1)) ctx.lineTo(p[0], p[1]);
      ctx.stroke();
    }
  }

  function point(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }

  pad.addEventListener('pointerdown', e => {
    e.preventDefault();
    if (photo) { photo = null; strokes = []; }
    pad.setPointerCapture(e.pointerId);
    current = [point(e)];
    redraw();
  });
  pad.addEventListener('pointermove', e => {
    if (!current) return;
    for (const ev of (e.getCoalescedEvents ? e.getCoalescedEvents() : [e])) current.push(point(ev));
    if (current.length === 1) current.push(point(e));
    redraw();
  });
  function endStroke() {
    if (!current) return;
    strokes.push(current);
    current = null;
    redraw();
    predictDrawing();
  }
  pad.addEventListener('pointerup', endStroke);
  pad.addEventListener('pointercancel', endStroke);

  document.getElementById('undo').addEventListener('click', () => {
    if (photo) { photo = null; strokes = []; } else strokes.pop();
    redraw();
    if (strokes.length) predictDrawing(); else reset();
  });
  document.getElementById('clear').addEventListener('click', () => { strokes = []; photo = null; redraw(); reset(); });

  function reset() {
    sequence++;
    document.getElementById('prediction').textContent = '–';
    document.getElementById('confidence').textContent = '';
    document.getElementById('unsure').textContent = '';
    document.getElementById('meta').textContent = '';
    status.textContent = '';
    lastSpread = null;
    bars.data.datasets[0].data = new Array(10).fill(0);
    bars.update();
    for (const id of ['seen', 'saliency']) {
      const c = document.getElementById(id);
      c.getContext('2d').clearRect(0, 0, c.width, c.height);
    }
  }

  function predictDrawing() {
    pad.toBlob(blob => send(blob, 'image/png', 'drawing.png'), 'image/png');
  }

  function showPhoto(file) {
    photo = file; strokes = []; current = null;
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      paper();
      const s = Math.min(pad.width / img.width, pad.height / img.height);
      ctx.drawImage(img, (pad.width - img.width * s) / 2, (pad.height - img.height * s) / 2, img.width * s, img.height * s);
      URL.revokeObjectURL(url);
    };
    img.onerror = () => URL.revokeObjectURL(url);
    img.src = url;
    send(file, file.type || 'application/octet-stream', file.name);
  }
  document.getElementById('photo').addEventListener('change', e => { if (e.target.files.length) showPhoto(e.target.files[0]); e.target.value = ''; });
  const zone = document.getElementById('dropzone');
  zone.addEventListener('dragover', e => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', e => {
    e.preventDefault(); zone.classList.remove('over');
    if (e.dataTransfer.files.length) showPhoto(e.dataTransfer.files[0]);
  });

  async function send(body, type, name) {
    const mine = ++sequence;
    const params = new URLSearchParams({ model: modelSelect.value, name: name });
    if (uncertainty.checked && !uncertainty.disabled) params.set('uncertainty', '30');
    status.textContent = '';
    try {
      const answer = await nn.json('/api/predict?' + params, { method: 'POST', body: body, headers: { 'Content-Type': type } });
      if (mine !== sequence) return;
      show(answer);
    } catch (err) {
      if (mine !== sequence) return;
      status.textContent = err.message;
      document.body.dataset.error = err.message;
    }
  }

  function show(a) {
    // Several digits side by side are a number; classes are numbers, and Fashion adds names.
    document.getElementById('prediction').textContent = a.number != null ? a.number : a.label != null ? a.label : a.prediction;
    document.getElementById('confidence').textContent = nn.pct(a.number != null ? a.number_confidence : a.confidence, 1);
    const u = a.uncertainty;
    lastSpread = u ? u.stds : null;
    document.getElementById('unsure').textContent = u ? '± ' + nn.pct(u.std, 1) + ' over ' + u.passes + ' passes' + (u.unsure ? ' — UNSURE' : '') : '';
    bars.data.labels = a.classes;
    bars.data.datasets[0].data = a.probabilities;
    bars.data.datasets[0].backgroundColor = a.classes.map((c, k) => k === a.prediction ? '#2563eb' : '#94a3b8');
    bars.update();
    nn.drawPixels(document.getElementById('seen'), a.input, 28, 28, v => { const g = Math.round(255 * v); return [g, g, g]; });
    nn.drawPixels(document.getElementById('saliency'), a.saliency, 28, 28, (s, i) => {
      const base = 90 * a.input[i];
      return [Math.round(base + s * (255 - base)), Math.round(base * (1 - s) + 40 * s), Math.round(base * (1 - s))];
    });
    document.getElementById('meta').textContent = 'model ' + a.model.id + ' (' + a.model.spec + '), ' + a.milliseconds + ' ms';
    answered++;
    document.body.dataset.answered = String(answered);
    delete document.body.dataset.error;
  }

  async function loadModels() {
    try {
      const list = await nn.json('/api/models');
      models = list.models;
      modelSelect.innerHTML = '';
      for (const m of models) {
        const o = nn.el('option', { value: m.id, title: m.spec || '' }, m.label);
        if (m.id === list.default) o.selected = true;
        modelSelect.appendChild(o);
      }
      if (!models.length) status.textContent = 'No model yet: train one (nn train) or start nn serve with --checkpoint FILE.';
      modelChanged();
    } catch (err) {
      status.textContent = err.message;
    }
  }
  function modelChanged() {
    const m = models.find(x => x.id === modelSelect.value);
    uncertainty.disabled = !(m && m.dropout);
    document.getElementById('model-spec').textContent = m ? (m.spec || '') + (m.dataset ? ' · ' + m.dataset : '') : '';
    if (uncertainty.disabled) uncertainty.checked = false;
    again();
  }
  function again() {
    if (photo) send(photo, photo.type || 'application/octet-stream', photo.name);
    else if (strokes.length) predictDrawing();
  }
  modelSelect.addEventListener('change', modelChanged);
  uncertainty.addEventListener('change', again);

  paper();
  loadModels();
})();
