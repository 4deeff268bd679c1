// The runs page: every run of the runs folder, refreshed every 2 s; the curves of the selected
// runs overlaid in one chart.
'use strict';
(function () {
  const tbody = document.querySelector('#runs tbody');
  const selected = new Set();
  const metric = document.getElementById('metric');
  const overlay = new Chart(document.getElementById('overlay'), {
    type: 'line', data: { datasets: [] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, parsing: false,
      scales: { x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } } } },
  });

  function cell(row, text, cls) { const td = nn.el('td', cls ? { class: cls } : {}, text); row.appendChild(td); return td; }

  function render(list) {
    document.getElementById('where').textContent = 'runs folder: ' + list.runs_dir;
    document.getElementById('empty').hidden = list.runs.length > 0;
    tbody.innerHTML = '';
    for (const r of list.runs) {
      const tr = nn.el('tr', { 'data-run': r.id });
      const box = nn.el('input', { type: 'checkbox', 'aria-label': 'compare ' + r.id });
      box.checked = selected.has(r.id);
      box.addEventListener('change', () => { if (box.checked) selected.add(r.id); else selected.delete(r.id); compare(); });
      cell(tr, '').appendChild(box);
      const link = nn.el('a', { href: '/run/' + encodeURIComponent(r.id) }, r.id);
      cell(tr, '').appendChild(link);
      cell(tr, r.model || '–', 'spec');
      cell(tr, r.dataset || '–');
      cell(tr, r.started ? r.started.replace('T', ' ') : '–');
      cell(tr, r.epochs_done + (r.epochs ? ' / ' + r.epochs : ''), 'num');
      cell(tr, nn.pct(r.best_validation_accuracy), 'num');
      cell(tr, nn.pct(r.test_accuracy), 'num');
      cell(tr, '').appendChild(nn.el('span', { class: 'state ' + r.state }, r.state));
      tbody.appendChild(tr);
    }
    document.body.dataset.runs = String(list.runs.length);
  }

  async function compare() {
    const ids = [...selected];
    if (ids.length < 2) { overlay.data.datasets = []; overlay.update(); return; }
    const runs = await Promise.all(ids.map(id => nn.json('/api/runs/' + encodeURIComponent(id)).catch(() => null)));
    const key = metric.value;
    overlay.data.datasets = runs.filter(r => r).map((r, i) => ({
      label: r.id + ' (' + (r.model || '?') + ')',
      data: (r.metrics.epoch || []).map((e, k) => ({ x: e, y: r.metrics[key] ? r.metrics[key][k] : null })),
      borderColor: nn.colours[i % nn.colours.length], backgroundColor: nn.colours[i % nn.colours.length], tension: 0.1,
    }));
    overlay.options.scales.y = { title: { display: true, text: metric.options[metric.selectedIndex].text } };
    overlay.update();
    document.body.dataset.compared = String(overlay.data.datasets.length);
  }
  metric.addEventListener('change', compare);

  let shown = null;
  async function refresh() {
    try {
      const list = await nn.json('/api/runs');
      const text = JSON.stringify(list);
      if (text !== shown) { shown = text; render(list); }   // rows are rebuilt only when something changed
      document.getElementById('status').textContent = '';
      if (selected.size >= 2) compare();
    } catch (err) {
      document.getElementById('status').textContent = err.message;
    }
  }
  refresh();
  setInterval(refresh, 2000);
})();
