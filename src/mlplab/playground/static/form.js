// The settings panel, generated from /api/options (the registries), and the settings <-> URL mapping.
"use strict";

const Form = (() => {
  let O = null;            // the server's description of every choice
  const S = {};            // every value the user set, by option name (kept when an entry is unselected)
  const kinds = {dataset: "str", activation: "str", init: "str", loss: "str", optimizer: "str",
                 scheduler: "str", hidden: "int_list", batchnorm: "bool"};
  let onChange = () => {};

  const entry = (list, name) => list.find((e) => e.name === name) || list[0];
  const field = (name) => O.fields.find((f) => f.name === name);

  function init(options, changed) {
    O = options;
    onChange = changed;
    Object.assign(S, O.defaults);
    for (const list of [O.datasets, O.optimizers, O.schedulers, O.inits]) {
      for (const e of list) for (const o of e.options) kinds[o.name] = o.kind;
    }
    for (const f of O.fields) kinds[f.name] = f.kind;
    fromURL();
    render();
  }

  // the values the server needs: the chosen entries' options and the run's own, unset ones left out
  function settings() {
    const out = {};
    const put = (name) => { if (S[name] !== undefined && S[name] !== null && S[name] !== "") out[name] = S[name]; };
    ["dataset", "test_size", "hidden", "activation", "init", "batchnorm", "dropout", "loss", "optimizer",
     "scheduler", "batch_size", "epochs", "l1", "l2", "seed"].forEach(put);
    for (const [list, key] of [[O.datasets, "dataset"], [O.inits, "init"], [O.optimizers, "optimizer"], [O.schedulers, "scheduler"]]) {
      entry(list, S[key]).options.forEach((o) => put(o.name));
    }
    return out;
  }

  function toText(v) { return Array.isArray(v) ? v.join(",") : (typeof v === "boolean" ? (v ? "1" : "0") : String(v)); }

  function parse(kind, text) {
    const t = String(text).trim();
    if (t === "") return null;
    if (kind === "bool") return t === "1" || t === "true";
    if (kind === "float" || kind === "int") { const n = Number(t); return t !== "" && Number.isFinite(n) ? n : t; }
    if (kind === "int_or_full") { if (t === "full") return t; const n = Number(t); return Number.isFinite(n) ? n : t; }
    if (kind === "float_list" || kind === "int_list") {
      const parts = t.split(",").filter((s) => s.trim() !== "").map(Number);
      return parts.every(Number.isFinite) ? parts : t;
    }
    return t;
  }

  function toURL() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(settings())) q.set(k, toText(v));
    history.replaceState(null, "", "?" + q.toString().replace(/%2C/g, ","));
  }

  function fromURL() {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of q) if (kinds[k]) S[k] = parse(kinds[k], v);
    if (!Array.isArray(S.hidden) || !S.hidden.length) S.hidden = [8];
  }

  function changed() { toURL(); render(); onChange(settings()); }

  // ---------------------------------------------------------------- widgets
  function row(parent, label, input, help) {
    const d = document.createElement("div");
    d.className = "field";
    const l = document.createElement("label");
    l.textContent = label;
    if (help) { l.title = help; input.title = help; }
    l.htmlFor = input.id;
    d.append(l, input);
    parent.append(d);
  }

  function select(parent, name, label, list, help) {
    const s = document.createElement("select");
    s.id = "f-" + name;
    for (const e of list) {
      const o = document.createElement("option");
      o.value = e.name; o.textContent = e.name; o.title = e.help;
      s.append(o);
    }
    s.value = S[name] ?? list[0].name;
    s.onchange = () => { S[name] = s.value; changed(); };
    row(parent, label, s, help || (entry(list, s.value) || {}).help);
  }

  function input(parent, opt, dflt) {
    const name = opt.name, kind = opt.kind;
    const i = document.createElement("input");
    i.id = "f-" + name;
    i.name = name;
    if (kind === "bool") {
      i.type = "checkbox";
      i.checked = Boolean(S[name] ?? dflt);
      i.onchange = () => { S[name] = i.checked; changed(); };
    } else {
      i.type = "text";
      i.value = S[name] === null || S[name] === undefined ? "" : toText(S[name]);
      i.placeholder = dflt === null || dflt === undefined ? "" : toText(dflt);
      i.onchange = () => {
        const v = parse(kind, i.value);
        S[name] = v;
        i.classList.toggle("invalid", typeof v === "string" && kind !== "str" && kind !== "int_or_full");
        changed();
      };
    }
    const range = opt.low !== undefined || opt.high !== undefined ? ` (${opt.low ?? "-inf"} .. ${opt.high ?? "inf"})` : "";
    const labels = {n_samples: "samples", test_size: "test fraction", batch_size: "batch (or full)"};
    row(parent, labels[name] || name.replace(/_/g, " "), i, opt.help + range);
  }

  function entryOptions(parent, list, key) {
    for (const o of entry(list, S[key]).options) input(parent, o, o.default);
  }

  function layers() {
    const box = document.getElementById("layers");
    box.replaceChildren();
    S.hidden.forEach((width, k) => {
      const d = document.createElement("div");
      d.className = "layer";
      const name = document.createElement("span");
      name.textContent = `layer ${k + 1}`;
      const minus = document.createElement("button"), plus = document.createElement("button");
      minus.textContent = "\u2212"; plus.textContent = "+";
      minus.title = "one unit less"; plus.title = "one unit more";
      const w = document.createElement("b");
      w.textContent = String(width);
      w.className = "width";
      minus.onclick = () => { if (S.hidden[k] > 1) { S.hidden[k] -= 1; changed(); } };
      plus.onclick = () => { if (S.hidden[k] < O.limits.width) { S.hidden[k] += 1; changed(); } };
      d.append(name, minus, w, plus, document.createTextNode(" units"));
      box.append(d);
    });
  }

  function render() {
    const data = document.getElementById("data-fields");
    data.replaceChildren();
    select(data, "dataset", "dataset", O.datasets);
    entryOptions(data, O.datasets, "dataset");
    input(data, field("test_size"), O.defaults.test_size);
    layers();
    const net = document.getElementById("net-fields");
    net.replaceChildren();
    select(net, "activation", "activation", O.activations);
    select(net, "init", "initialiser", O.inits);
    entryOptions(net, O.inits, "init");
    input(net, {name: "batchnorm", kind: "bool", help: "BatchNorm1d before each hidden activation"}, false);
    input(net, field("dropout"), 0);
    select(net, "loss", "loss", O.losses);
    const opt = document.getElementById("opt-fields");
    opt.replaceChildren();
    select(opt, "optimizer", "optimiser", O.optimizers);
    entryOptions(opt, O.optimizers, "optimizer");
    const sch = document.getElementById("sched-fields");
    sch.replaceChildren();
    select(sch, "scheduler", "schedule", O.schedulers);
    entryOptions(sch, O.schedulers, "scheduler");
    const tr = document.getElementById("train-fields");
    tr.replaceChildren();
    for (const n of ["batch_size", "epochs", "l1", "l2", "seed"]) input(tr, field(n), O.defaults[n]);
  }

  function addLayer() { if (S.hidden.length < O.limits.layers) { S.hidden.push(S.hidden.length ? S.hidden[S.hidden.length - 1] : 8); changed(); } }
  // mlplab train's networks have at least one hidden layer
  function removeLayer() { if (S.hidden.length > 1) { S.hidden.pop(); changed(); } }

  return { init, settings, addLayer, removeLayer, toURL, values: S };
})();
