// Canvas drawing for the playground: boundary, unit images, line charts, histograms, digits views.
// Plain canvas 2-D calls, no library. Images arrive as base64 bytes, one per pixel.
"use strict";

const Draw = (() => {
  const CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

  function bytes(b64) {
    const s = atob(b64);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  function rgb(hex) {
    const n = parseInt(hex.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  // a canvas sized for the screen's pixel ratio; returns its context in CSS pixels
  function context(canvas) {
    const r = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || canvas.width, h = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(w * r) || canvas.height !== Math.round(h * r)) {
      canvas.width = Math.round(w * r);
      canvas.height = Math.round(h * r);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(r, 0, 0, r, 0, 0);
    return [ctx, w, h];
  }

  // diverging colour of a byte (128 = 0): orange below, white at 0, blue above
  function diverging(v) {
    const t = (v - 128) / 127;
    const [r, g, b] = t >= 0 ? [31, 119, 180] : [255, 127, 14];
    const a = Math.min(1, Math.abs(t));
    return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
  }

  function boundary(canvas, view, pts) {
    const [ctx, w, h] = context(canvas);
    ctx.clearRect(0, 0, w, h);
    if (view) {
      const n = view.size, cls = bytes(view.classes), conf = bytes(view.confidence);
      const img = new ImageData(n, n);
      for (let i = 0; i < n * n; i++) {
        const [r, g, b] = rgb(CLASS_COLORS[cls[i] % CLASS_COLORS.length]);
        const a = 0.12 + 0.5 * conf[i] / 255;
        img.data[4 * i] = 255 + (r - 255) * a;
        img.data[4 * i + 1] = 255 + (g - 255) * a;
        img.data[4 * i + 2] = 255 + (b - 255) * a;
        img.data[4 * i + 3] = 255;
      }
      const off = document.createElement("canvas");
      off.width = off.height = n;
      off.getContext("2d").putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(off, 0, 0, w, h);
    }
    if (!pts || !pts.extent) return;
    const [x0, x1, y0, y1] = pts.extent;
    const px = (x) => ((x - x0) / (x1 - x0)) * w, py = (y) => h - ((y - y0) / (y1 - y0)) * h;
    for (const [split, ring] of [["train", "#fff"], ["test", "#000"]]) {
      const d = pts[split];
      ctx.lineWidth = split === "test" ? 1.4 : 1;
      for (let i = 0; i < d.y.length; i++) {
        ctx.beginPath();
        ctx.arc(px(d.x[i][0]), py(d.x[i][1]), 3.2, 0, 2 * Math.PI);
        ctx.fillStyle = CLASS_COLORS[d.y[i] % CLASS_COLORS.length];
        ctx.fill();
        ctx.strokeStyle = ring;
        ctx.stroke();
      }
    }
  }

  function unitImage(canvas, px, offset, size, gray) {
    canvas.width = canvas.height = size;
    const img = new ImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const v = px[offset + i];
      const [r, g, b] = gray ? [255 - v, 255 - v, 255 - v] : diverging(v);
      img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
    }
    canvas.getContext("2d").putImageData(img, 0, 0);
  }

  // series: [{values: [[x, y]...], color, dash, width}]
  function chart(canvas, series, opts) {
    const [ctx, w, h] = context(canvas);
    ctx.clearRect(0, 0, w, h);
    const L = 44, R = 8, T = 8, B = 20;
    let xmax = 1, ymin = Infinity, ymax = -Infinity;
    for (const s of series) for (const [x, y] of s.values) {
      if (!Number.isFinite(y)) continue;
      xmax = Math.max(xmax, x);
      ymin = Math.min(ymin, y); ymax = Math.max(ymax, y);
    }
    if (opts.fixed) [ymin, ymax] = opts.fixed;
    if (!Number.isFinite(ymin)) { ymin = 0; ymax = 1; }
    if (ymax - ymin < 1e-9) { ymax = ymin + 1; }
    if (opts.zero) ymin = Math.min(0, ymin);
    const X = (x) => L + (x / xmax) * (w - L - R), Y = (y) => T + (1 - (y - ymin) / (ymax - ymin)) * (h - T - B);
    ctx.strokeStyle = "#dde1e7"; ctx.fillStyle = "#667085"; ctx.font = "10px system-ui"; ctx.lineWidth = 1;
    for (let k = 0; k <= 4; k++) {
      const y = ymin + (k / 4) * (ymax - ymin);
      ctx.beginPath(); ctx.moveTo(L, Y(y)); ctx.lineTo(w - R, Y(y)); ctx.stroke();
      ctx.textAlign = "right"; ctx.fillText(fmt(y), L - 4, Y(y) + 3);
    }
    ctx.textAlign = "center";
    ctx.fillText("0", X(0), h - 6);
    ctx.fillText(String(xmax), X(xmax) - 8, h - 6);
    ctx.fillText("epoch", (L + w) / 2, h - 6);
    for (const s of series) {
      const values = s.values.filter(([, y]) => Number.isFinite(y));
      if (!values.length) continue;
      ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 1.8; ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      values.forEach(([x, y], i) => { const yy = Y(Math.min(Math.max(y, ymin), ymax)); i ? ctx.lineTo(X(x), yy) : ctx.moveTo(X(x), yy); });
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  function fmt(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 100 || a < 0.01) return v.toExponential(1);
    return v.toFixed(a >= 10 ? 1 : 2);
  }

  function histogram(canvas, hist, color) {
    const [ctx, w, h] = context(canvas);
    ctx.clearRect(0, 0, w, h);
    if (!hist) {
      ctx.fillStyle = "#98a2b3"; ctx.font = "10px system-ui"; ctx.textAlign = "center";
      ctx.fillText("output layer: logits", w / 2, h / 2 + 3);
      return;
    }
    const c = hist.counts, m = Math.max(1, ...c), bw = w / c.length;
    ctx.fillStyle = color;
    c.forEach((v, i) => { const bh = (v / m) * (h - 12); ctx.fillRect(i * bw + 0.5, h - 11 - bh, bw - 1, bh); });
    ctx.fillStyle = "#667085"; ctx.font = "9px system-ui";
    ctx.textAlign = "left"; ctx.fillText(fmt(hist.lo), 1, h - 1);
    ctx.textAlign = "right"; ctx.fillText(fmt(hist.hi), w - 1, h - 1);
  }

  function confusion(canvas, cm) {
    const [ctx, w, h] = context(canvas);
    ctx.clearRect(0, 0, w, h);
    const k = cm.length, L = 20, cell = (Math.min(w, h) - L) / k;
    const m = Math.max(1, ...cm.flat());
    ctx.font = "11px system-ui"; ctx.textAlign = "center";
    for (let i = 0; i < k; i++) {
      ctx.fillStyle = "#667085";
      ctx.fillText(String(i), L / 2, L + i * cell + cell / 2 + 4);
      ctx.fillText(String(i), L + i * cell + cell / 2, 13);
      for (let j = 0; j < k; j++) {
        const v = cm[i][j], a = v / m;
        ctx.fillStyle = i === j ? `rgba(37,99,235,${0.1 + 0.8 * a})` : (v ? `rgba(180,35,24,${0.15 + 0.8 * a})` : "#f6f7f9");
        ctx.fillRect(L + j * cell + 1, L + i * cell + 1, cell - 2, cell - 2);
        if (v) { ctx.fillStyle = a > 0.5 ? "#fff" : "#1d2330"; ctx.fillText(String(v), L + j * cell + cell / 2, L + i * cell + cell / 2 + 4); }
      }
    }
  }

  return { CLASS_COLORS, bytes, boundary, unitImage, chart, histogram, confusion, fmt };
})();
