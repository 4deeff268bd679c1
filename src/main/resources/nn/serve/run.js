// The run page: curves and report of one run, kept up to date by the server's event stream
// (GET /api/runs/ID/events sends the run again within a fraction of a second of each change).
'use strict';
(function () {
  const id = decodeURIComponent(location.pathname.split('/').pop());
  document.getElementById('title').textContent = id;
  document.title = 'nn serve: ' + id;

  function lineChart(canvas, yTitle, percent) {
    return new Chart(document.getElementById(canvas), {
      type: 'line', data: { datasets: [] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
        scales: { x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } },
          y: { title: { display: true, text: yTitle }, ticks: percent ? { callback: v => (100 * v).toFixed(1) + '%' } : {} } } },
    });
  }
  const loss = lineChart('loss', 'cross-entropy', false);
  const accuracy = lineChart('accuracy', 'accuracy', true);
  let reliability = null;
  let reportShown = false;

  function series(m, key, label, colour) {
    return { label: label, data: (m.epoch || []).map((e, k) => ({ x: e, y: m[key][k] })).filter(p => p.y != null),
      borderColor: colour, backgroundColor: colour, tension: 0.1 };
  }

  function render(run) {
    const st = document.getElementById('state');
    st.textContent = run.state; st.className = 'state ' + run.state;
    document.getElementById('summary').textContent = [run.model, run.dataset,
      run.epochs_done + (run.epochs ? ' / ' + run.epochs : '') + ' epochs',
      'best validation ' + nn.pct(run.best_validation_accuracy), run.started ? 'started ' + run.started.replace('T', ' ') : '']
      .filter(x => x).join(' · ');
    const m = run.metrics;
    loss.data.datasets = m.epoch ? [series(m, 'train_loss', 'training', '#2563eb'), series(m, 'validation_loss', 'validation', '#dc2626')] : [];
    accuracy.data.datasets = m.epoch ? [series(m, 'train_accuracy', 'training', '#2563eb'), series(m, 'validation_accuracy', 'validation', '#dc2626')] : [];
    loss.update(); accuracy.update();
    document.body.dataset.points = String(m.epoch ? m.epoch.length : 0);
    document.body.dataset.state = run.state;

    const p = run.progress;
    const live = document.getElementById('live');
    live.hidden = !(run.state === 'running' && p && p.batches);
    if (!live.hidden) {
      document.getElementById('bar').style.width = (100 * p.batch / p.batches).toFixed(1) + '%';
      document.getElementById('batch').textContent = (p.state === 'evaluating' ? 'scoring the test set… ' : '')
        + 'epoch ' + p.epoch + (p.epochs ? ' / ' + p.epochs : '') + ', batch ' + p.batch + ' / ' + p.batches
        + (p.loss != null ? ', loss ' + p.loss.toFixed(4) : '') + (p.accuracy != null ? ', accuracy ' + nn.pct(p.accuracy) : '')
        + (p.images_per_second ? ', ' + Math.round(p.images_per_second) + ' images/s' : '');
    }
    if (run.report && !reportShown) showReport(run, run.report);
  }

  function showReport(run, r) {
    reportShown = true;
    document.getElementById('report').hidden = false;
    document.getElementById('headline').textContent = 'Test accuracy ' + nn.pct(r.accuracy) + ' on ' + r.n + ' images (loss '
      + (r.loss != null ? r.loss.toFixed(4) : '–') + '), checkpoint ' + r.checkpoint;
    const cm = r.confusion_matrix || [];
    const table = document.getElementById('confusion');
    table.innerHTML = '';
    const head = nn.el('tr'); head.appendChild(nn.el('th'));
    cm.forEach((_, j) => head.appendChild(nn.el('th', {}, String(j))));
    table.appendChild(head);
    cm.forEach((row, i) => {
      const tr = nn.el('tr'); tr.appendChild(nn.el('th', {}, String(i)));
      const total = row.reduce((a, b) => a + b, 0) || 1;
      row.forEach((v, j) => {
        const td = nn.el('td', {}, String(v));
        const share = v / total;
        td.style.background = i === j ? 'rgba(22,163,74,' + (0.15 + 0.6 * share) + ')' : (v ? 'rgba(220,38,38,' + Math.min(0.8, 0.1 + 3 * share) + ')' : '');
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    const pc = document.getElementById('perclass');
    pc.innerHTML = '';
    const h = nn.el('tr');
    for (const t of ['class', 'precision', 'recall', 'F1', 'support']) h.appendChild(nn.el('th', t === 'class' ? {} : { class: 'num' }, t));
    pc.appendChild(h);
    for (const c of r.per_class || []) {
      const tr = nn.el('tr');
      tr.appendChild(nn.el('td', {}, c.name != null ? String(c.name) : String(c.class)));
      for (const k of ['precision', 'recall', 'f1']) tr.appendChild(nn.el('td', { class: 'num' }, nn.pct(c[k])));
      tr.appendChild(nn.el('td', { class: 'num' }, String(c.support)));
      pc.appendChild(tr);
    }
    const bins = (r.calibration_bins || []).filter(b => b.count > 0);
    document.getElementById('ece').textContent = 'expected calibration error ' + (r.ece != null ? r.ece.toFixed(4) : '–');
    if (reliability) reliability.destroy();
    reliability = new Chart(document.getElementById('reliability'), {
      type: 'bar',
      data: { labels: bins.map(b => b.lower.toFixed(2) + '–' + b.upper.toFixed(2)),
        datasets: [{ type: 'bar', label: 'accuracy', data: bins.map(b => b.accuracy), backgroundColor: '#2563eb' },
          { type: 'line', label: 'confidence', data: bins.map(b => b.confidence), borderColor: '#dc2626', backgroundColor: '#dc2626' }] },
      options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { min: 0, max: 1 } } },
    });
    if ((run.images || []).includes('confident-mistakes.png')) {
      document.getElementById('mistakes-panel').hidden = false;
      document.getElementById('mistakes').src = '/runs/' + encodeURIComponent(run.id) + '/files/confident-mistakes.png';
    }
    document.body.dataset.report = 'shown';
  }

  // Live: the event stream; if the browser has no EventSource, polling every second.
  const status = document.getElementById('status');
  if (window.EventSource) {
    const events = new EventSource('/api/runs/' + encodeURIComponent(id) + '/events');
    events.addEventListener('run', e => { status.textContent = ''; render(JSON.parse(e.data)); });
    events.addEventListener('gone', () => { status.textContent = 'this run folder is gone'; events.close(); });
    events.onerror = () => { status.textContent = 'reconnecting…'; };
  } else {
    const poll = () => nn.json('/api/runs/' + encodeURIComponent(id)).then(render).catch(err => { status.textContent = err.message; });
    poll();
    setInterval(poll, 1000);
  }
})();
