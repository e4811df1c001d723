// The playground page: one WebSocket to this tab's session; messages in, canvases out.
"use strict";

(() => {
  const SPEEDS = [1, 3, 10, 30, 100, 300, 0];
  const PIN_COLORS = ["#7c3aed", "#059669", "#db2777"];
  const $ = (id) => document.getElementById(id);
  // what the page holds; window.playground lets tests and the curious read it
  const P = window.playground = {frames: 0, history: [], pinned: [], frame: null, run: null, points: null, status: "connecting", ws: null};
  let dirty = false, configureTimer = null;

  function send(msg) { if (P.ws && P.ws.readyState === WebSocket.OPEN) P.ws.send(JSON.stringify(msg)); }

  function showMessage(text) {
    $("message-text").textContent = text;
    $("message").hidden = false;
  }

  function connect() {
    const ws = P.ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
    ws.onopen = () => { send({type: "speed", value: SPEEDS[+$("speed").value]}); send({type: "configure", settings: Form.settings()}); };
    ws.onmessage = (ev) => receive(JSON.parse(ev.data));
    ws.onclose = () => { setStatus("disconnected"); showMessage("Lost the connection to the server; is mlplab playground still running? Reload the page to reconnect."); };
  }

  function receive(m) {
    if (m.type === "ready") {
      P.run = m.run; P.points = m.points; P.history = []; P.frame = null;
      $("message").hidden = true;
      layoutViews();
    } else if (m.type === "epoch") {
      P.history.push(m.row);
    } else if (m.type === "frame") {
      P.frame = m; P.frames += 1;
      setStatus(m.status);
    } else if (m.type === "error") {
      showMessage(m.message);
      if (!P.run) setStatus("no run");
    } else if (m.type === "export") {
      showExport(m);
    }
    if (!dirty) { dirty = true; requestAnimationFrame(draw); }
  }

  function setStatus(s) {
    P.status = s;
    $("status").textContent = s;
    $("play").innerHTML = s === "running" ? "&#10074;&#10074; Pause" : "&#x25B6; Play";
  }

  function layoutViews() {
    const two = P.run.two_d;
    $("plane-view").hidden = !two;
    $("digits-view").hidden = two;
    $("units-title").innerHTML = two
      ? "Hidden units <small>(each unit's output over the input plane; blue +, orange &minus;)</small>"
      : "First-layer units <small>(each unit's 8x8 input weights; blue +, orange &minus;)</small>";
    const legend = $("legend");
    legend.replaceChildren();
    (P.run.class_names || []).forEach((c, i) => {
      const s = document.createElement("span");
      s.innerHTML = `<i class="swatch" style="background:${Draw.CLASS_COLORS[i]}"></i>class ${c}`;
      legend.append(s);
    });
    const sizes = document.createElement("span");
    sizes.textContent = `${P.run.sizes.train} train, ${P.run.sizes.test} test points; ${P.run.params} weights`;
    legend.append(sizes);
    $("units").replaceChildren();
    $("layer-stats").replaceChildren();
  }

  const num = (v, d = 4) => (v === undefined || v === null || !Number.isFinite(v) ? "-" : v.toFixed(d));

  function draw() {
    dirty = false;
    const f = P.frame;
    if (P.run && P.run.two_d) Draw.boundary($("boundary"), f && f.boundary, P.points);
    if (f) {
      $("epoch-count").textContent = f.epoch;
      $("epoch-count").title = `${f.epoch} epochs finished` + (f.batch ? `, ${f.batch} of ${P.run.batches_per_epoch} batches into the next` : "");
      $("step-count").textContent = f.steps;
      $("lr").textContent = Draw.fmt(f.lr);
      $("train-loss").textContent = num(f.train.loss);
      $("train-acc").textContent = num(f.train.acc);
      $("test-loss").textContent = num(f.test.loss);
      $("test-loss").dataset.value = String(f.test.loss);
      $("test-acc").textContent = num(f.test.acc);
      $("test-acc").dataset.value = String(f.test.acc);
      const dead = f.layers.filter((l) => "dead" in l);
      const units = P.run ? dead.length : 0;
      $("dead").textContent = units ? `${(100 * dead.reduce((a, l) => a + l.dead, 0) / units).toFixed(0)}%` : "-";
      $("dead").title = dead.map((l, i) => `layer ${i + 1}: ${(100 * l.dead).toFixed(0)}% of its units output 0 for every training input`).join("\n");
      drawUnits(f.units);
      drawLayers(f.layers);
      if (f.confusion) drawDigits(f);
    }
    drawCharts();
  }

  function drawUnits(layers) {
    const box = $("units");
    if (box.children.length !== layers.length) {
      box.replaceChildren();
      layers.forEach((l, k) => {
        const d = document.createElement("div");
        d.className = "unit-layer";
        d.innerHTML = `<small>${l.weights ? "layer 1" : "layer " + (k + 1)}: ${l.units} units</small><div class="unit-grid"></div>`;
        const grid = d.querySelector(".unit-grid");
        if (l.units > 8) grid.classList.add("many");
        for (let j = 0; j < l.units; j++) { const c = document.createElement("canvas"); c.title = `layer ${k + 1}, unit ${j + 1}`; grid.append(c); }
        box.append(d);
      });
    }
    layers.forEach((l, k) => {
      const px = Draw.bytes(l.pixels), n = l.size * l.size;
      box.children[k].querySelectorAll("canvas").forEach((c, j) => Draw.unitImage(c, px, j * n, l.size, false));
    });
  }

  function drawLayers(layers) {
    const box = $("layer-stats");
    if (box.children.length !== layers.length + 1) {
      box.replaceChildren();
      const head = document.createElement("div");
      head.className = "layer-head";
      head.innerHTML = "<span>layer, |grad|</span><span>weights</span><span>activations</span>";
      box.append(head);
      layers.forEach(() => {
        const d = document.createElement("div");
        d.className = "layer-row";
        d.innerHTML = '<div class="name"></div><canvas class="w"></canvas><canvas class="a"></canvas>';
        box.append(d);
      });
    }
    layers.forEach((l, k) => {
      const d = box.children[k + 1];
      d.querySelector(".name").innerHTML = `${l.name}<b>${Draw.fmt(l.grad_norm)}</b>`;
      d.querySelector(".name").title = "L2 norm of this layer's gradient (weights and bias) at the last step";
      Draw.histogram(d.querySelector(".w"), l.weights, "#2563eb");
      Draw.histogram(d.querySelector(".a"), l.activations, "#059669");
    });
  }

  function drawDigits(f) {
    Draw.confusion($("confusion"), f.confusion);
    const box = $("mistakes"), m = f.mistakes, px = Draw.bytes(m.pixels);
    box.replaceChildren();
    m.true.forEach((t, i) => {
      const fig = document.createElement("figure"), c = document.createElement("canvas");
      Draw.unitImage(c, px, i * 64, 8, true);
      const cap = document.createElement("figcaption");
      cap.textContent = `${t} \u2192 ${m.pred[i]}`;
      fig.append(c, cap);
      box.append(fig);
    });
    if (!m.true.length) box.textContent = "none: every test digit is right";
  }

  function drawCharts() {
    const loss = [], acc = [];
    const add = (hist, color, dash, width) => {
      loss.push({values: hist.map((r) => [r.epoch, r.train_loss]), color: color[0], dash: dash[0], width});
      loss.push({values: hist.map((r) => [r.epoch, r.test_loss]), color: color[1], dash: dash[1], width});
      acc.push({values: hist.map((r) => [r.epoch, r.train_acc]), color: color[0], dash: dash[0], width});
      acc.push({values: hist.map((r) => [r.epoch, r.test_acc]), color: color[1], dash: dash[1], width});
    };
    P.pinned.forEach((p) => add(p.history, [p.color, p.color], [[2, 3], [7, 3]], 1.5));
    add(P.history, ["#2563eb", "#f97316"], [[], []], 2);
    Draw.chart($("loss-chart"), loss, {zero: true});
    Draw.chart($("acc-chart"), acc, {fixed: [0, 1]});
  }

  function chartLegend() {
    const box = $("chart-legend");
    box.innerHTML = '<span><i class="swatch" style="background:#2563eb"></i>train</span><span><i class="swatch" style="background:#f97316"></i>test</span>';
    P.pinned.forEach((p, k) => {
      const s = document.createElement("span");
      s.innerHTML = `<i class="swatch" style="background:${p.color}"></i>pinned: ${p.label} (dotted train, dashed test) `;
      const x = document.createElement("button");
      x.textContent = "\u00d7"; x.title = "unpin"; x.style.padding = "0 5px";
      x.onclick = () => { P.pinned.splice(k, 1); chartLegend(); drawCharts(); };
      s.append(x);
      box.append(s);
    });
  }

  function pin() {
    if (!P.history.length) { showMessage("Nothing to pin yet: train at least one epoch first."); return; }
    const s = Form.settings();
    const label = `${s.optimizer} lr ${s.lr ?? "default"}, ${s.init}, [${s.hidden}] ${s.activation}${s.batchnorm ? " +BN" : ""}`;
    if (P.pinned.length >= PIN_COLORS.length) P.pinned.shift();
    const used = P.pinned.map((p) => p.color);
    P.pinned.push({label, history: P.history.slice(), color: PIN_COLORS.find((c) => !used.includes(c))});
    chartLegend();
    drawCharts();
  }

  function showExport(m) {
    $("export-command").textContent = m.command;
    $("export-script").textContent = m.script;
    const f = P.frame;
    $("export-note").textContent = `Both reproduce the ${m.epochs} finished epoch${m.epochs === 1 ? "" : "s"} of this run` +
      (f && f.batch ? ` (the ${f.batch} batches of the unfinished epoch are left out)` : "") +
      ": same data split, weights, batches and final loss. The command writes its run into runs/." +
      (m.note ? ` Note: ${m.note}.` : "");
    if (!$("export-dialog").open) $("export-dialog").showModal();
  }

  function wire() {
    $("play").onclick = () => send({type: "control", action: P.status === "running" ? "pause" : "play"});
    $("step").onclick = () => send({type: "control", action: "step"});
    $("epoch").onclick = () => send({type: "control", action: "epoch"});
    $("reset").onclick = () => send({type: "control", action: "reset"});
    $("pin").onclick = pin;
    $("export").onclick = () => send({type: "export"});
    $("add-layer").onclick = Form.addLayer;
    $("remove-layer").onclick = Form.removeLayer;
    $("message-close").onclick = () => { $("message").hidden = true; };
    $("speed").oninput = () => {
      const v = SPEEDS[+$("speed").value];
      $("speed-label").textContent = v ? `${v}/s` : "max";
      send({type: "speed", value: v});
    };
    document.querySelectorAll("[data-copy]").forEach((b) => {
      b.onclick = () => navigator.clipboard && navigator.clipboard.writeText($(b.dataset.copy).textContent);
    });
    document.addEventListener("keydown", (e) => {
      if (e.code === "Space" && !["INPUT", "SELECT", "TEXTAREA", "BUTTON"].includes(e.target.tagName)) { e.preventDefault(); $("play").click(); }
    });
    chartLegend();
  }

  async function start() {
    wire();
    const options = await (await fetch("/api/options")).json();
    Form.init(options, (settings) => {
      clearTimeout(configureTimer);
      configureTimer = setTimeout(() => send({type: "configure", settings}), 120);
    });
    Form.toURL();
    connect();
  }

  start();
})();
