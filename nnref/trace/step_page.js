// nnref step-through page: draws the steps embedded by nnref.trace.html as JSON.
// Every number shown comes from that JSON (the traced reference); nothing is recounted here.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("nnref-data").textContent);
  const nd = D.nd, op = D.op, xs = D.x.shape, sizes = xs.slice(-nd);
  const both = Object.keys(D.modes).length > 1;
  let mode = D.mode, pos = 0, timer = null, scale = 1;

  // -- numbers and indices ------------------------------------------------------------------
  function fmt(v, d) {  // as nnref.trace.render.fmt: 3 not 3.0, d significant digits, − minus
    d = d || 4;
    if (v === null || v === undefined) return "?";
    if (typeof v === "string") return v.replace("-", "−");
    let s;
    if (Number.isInteger(v) && Math.abs(v) < 1e15) s = String(v);
    else {
      const e = v.toExponential(d - 1).split("e"), exp = parseInt(e[1], 10);
      const strip = t => (t.indexOf(".") >= 0 ? t.replace(/0+$/, "").replace(/\.$/, "") : t);
      if (exp < -4 || exp >= d) {
        s = strip(e[0]) + "e" + (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(2, "0");
      } else s = strip(v.toFixed(Math.max(0, d - 1 - exp)));
    }
    return s.replace(/-/g, "−");
  }
  const operand = v => { const s = fmt(v); return s[0] === "−" ? "(" + s + ")" : s; };
  const name = (letter, idx) => idx.length ? letter + "[" + idx.join(", ") + "]" : letter;
  const key = a => a.join(",");
  function flat(shape, idx) { let k = 0; for (let i = 0; i < shape.length; i++) k = k * shape[i] + idx[i]; return k; }
  const inside = idx => idx.slice(-nd).every((v, a) => v >= 0 && v < sizes[a]);
  const xval = idx => D.x.data[flat(xs, idx)];

  // -- the display range of each axis: the padded input, widened to hold every window ------
  const range = [];
  for (let a = 0; a < nd; a++) { range.push([0, sizes[a]]); }
  for (const w of D.modes[D.mode].windows) for (const s of w.s) for (let a = 0; a < nd; a++) {
    const v = s[s.length - nd + a];
    range[a][0] = Math.min(range[a][0], v); range[a][1] = Math.max(range[a][1], v + 1);
  }
  const rowsOf = r => { const out = []; for (let i = r[0]; i < r[1]; i++) out.push(i); return out; };
  const R = nd === 1 ? [null] : rowsOf(range[0]), C = rowsOf(range[nd - 1]);

  // -- the state of one step ----------------------------------------------------------------
  const M = () => D.modes[mode];
  function state() {
    const st = M().steps[pos], win = M().windows[st[0]];
    return { st: st, k: st[0], win: win, taps: win.t.slice(0, st[1]), done: st[3] === 1,
             counts: st[2] };
  }
  function ends(m) {  // cumulative counts at the end of every window
    const out = [];
    for (const st of D.modes[m].steps) if (st[3] === 1) out.push(st[2]);
    return out;
  }
  const END = {}; for (const m in D.modes) END[m] = ends(m);
  const ZERO = D.kinds.map(() => 0);

  // -- drawing --------------------------------------------------------------------------------
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  function grid(rows, cols, cell) {
    const g = el("div", "grid");
    g.style.gridTemplateColumns = "repeat(" + cols.length + ", max-content)";
    for (const r of rows) for (const c of cols) g.appendChild(cell(r, c));
    return g;
  }
  function panel(title, g, role) {
    const p = el("div", "panel"); p.dataset.role = role; p.dataset.title = title;
    p.appendChild(el("div", "ptitle", title)); p.appendChild(g); return p;
  }
  const sp = (r, c) => (r === null ? [c] : [r, c]);

  function tapText(site, t) {
    const s = S.win.s[site], xn = name("x", s);
    if (!t) return inside(s) ? xn + " = " + fmt(xval(s)) + " (not read yet)" : xn + " is padding: " + (mode === "skip" ? "skipped, not computed" : "read as 0");
    if (op !== "sum") return xn + " = " + fmt(t[1]) + (op === "max" ? "   max so far " : "   sum so far ") + fmt(t[4]);
    return xn + " · " + name("w", S.win.wi[site]) + " = " + operand(t[1]) + " × " + operand(t[2]) + " = " + fmt(t[3]);
  }

  let S = null;
  function render() {
    S = state();
    const win = S.win, sites = {}, read = {};
    win.s.forEach((s, i) => { sites[key(s)] = i; });
    S.taps.forEach(t => { read[t[0]] = t; });
    const cur = D.per_tap && S.taps.length ? S.taps[S.taps.length - 1][0] : null;
    $("step-label").textContent = "step " + (pos + 1) + " of " + M().steps.length + ": " + name("y", win.o) + (both ? "   (" + mode + ")" : "");
    $("slider").value = pos + 1; $("slider").max = M().steps.length;
    const panels = $("panels"); panels.textContent = "";
    const prefixes = []; win.s.forEach(s => { const p = key(s.slice(0, -nd)); if (prefixes.indexOf(p) < 0) prefixes.push(p); });
    for (const pk of prefixes) {
      const prefix = pk === "" ? [] : pk.split(",").map(Number), col = el("div", "column");
      col.appendChild(panel(name("x", prefix), grid(R, C, (r, c) => {
        const idx = prefix.concat(sp(r, c)), i = sites[key(idx)], isIn = inside(idx);
        const e = el("div", "cell " + (isIn ? "in" : "pad"), isIn ? fmt(xval(idx), 3) : (i !== undefined && read[i] ? "0" : ""));
        if (i !== undefined) {
          const skipped = !isIn && mode === "skip" && op === "sum";
          e.classList.add(i === cur ? "tap" : skipped ? "skipped" : "win");
          e.dataset.site = i;
        }
        e.dataset.index = key(idx);
        return e;
      }), "input"));
      if (op === "sum") {
        const first = win.s.findIndex(s => key(s.slice(0, -nd)) === pk);
        const wpre = win.wi[first].slice(0, -nd), wshape = D.w.shape.slice(-nd);
        const kr = nd === 1 ? [null] : rowsOf([0, wshape[0]]), kc = rowsOf([0, wshape[nd - 1]]);
        col.appendChild(panel(name("w", wpre), grid(kr, kc, (r, c) => {
          const widx = wpre.concat(sp(r, c)), e = el("div", "cell k", fmt(D.w.data[flat(D.w.shape, widx)], 3));
          const i = win.wi.findIndex((w, j) => key(w) === key(widx) && key(win.s[j].slice(0, -nd)) === pk);
          if (i >= 0) { e.dataset.site = i; if (i === cur) e.classList.add("tap"); }
          return e;
        }), "kernel"));
      }
      panels.appendChild(col);
    }
    const oshape = D.out_shape, oprefix = win.o.slice(0, -nd);
    const orow = nd === 1 ? [null] : rowsOf([0, oshape[oshape.length - 2]]), ocol = rowsOf([0, oshape[oshape.length - 1]]);
    panels.appendChild(panel(name("y", oprefix), grid(orow, ocol, (r, c) => {
      const idx = oprefix.concat(sp(r, c)), k = flat(oshape, idx), w = M().windows[k];
      const known = k < S.k || (k === S.k && S.done), e = el("div", "cell " + (known ? "y" : "unknown"), known ? fmt(w.v, 3) : "?");
      if (k === S.k) e.classList.add("current");
      e.dataset.index = key(idx); if (known) e.dataset.value = String(w.v);
      return e;
    }), "output"));
    $("equation").textContent = equation();
    counters(); saves(); formula();
  }

  function equation() {
    const win = S.win, lhs = name("y", win.o), taps = S.taps, last = taps.length ? taps[taps.length - 1][4] : null;
    if (!taps.length) return lhs + " = " + (op === "max" ? "max() = −inf: the window holds no input" : op === "avg" ? "nan" : (win.b === null ? "0" : "b = " + fmt(win.b)) + "   (every tap is padding, and skipped)");
    if (op === "max") return lhs + " = max(" + taps.map(t => fmt(t[1])).join(", ") + (S.done ? ") = " + fmt(win.v) : ", …)   " + fmt(last) + " so far");
    if (op === "avg") return lhs + " = (" + taps.map(t => operand(t[1])).join(" + ") + (S.done ? ") / " + win.d + " = " + fmt(last) + " / " + win.d + " = " + fmt(win.v) + "\n    divisor " + win.d + ": " + (win.d === win.t.length ? "the taps inside the input" : "count_include_pad=True: the window clipped to the padded input (" + win.t.length + " taps inside, " + (win.d - win.t.length) + " on padding)") : " + …   " + fmt(last) + " so far");
    const groups = [];
    taps.forEach(t => { const p = key(win.s[t[0]].slice(0, -nd)); if (!groups.length || groups[groups.length - 1].p !== p) groups.push({ p: p, t: [] }); groups[groups.length - 1].t.push(t); });
    const term = t => operand(t[1]) + "×" + operand(t[2]);
    let lines;
    const nchan = new Set(win.s.map(s => key(s.slice(0, -nd)))).size;
    if (nchan > 1) {
      lines = [lhs + " = the sum over " + nchan + " input channels" + (win.b !== null ? " + b" : "")];
      groups.forEach((g, j) => lines.push("  " + name("x", g.p === "" ? [] : g.p.split(",")) + ": " + (j ? "+ " : "") + g.t.map(term).join(" + ") + " → " + fmt(g.t[g.t.length - 1][4])));
      lines.push(!S.done ? "  … " + fmt(last) + " so far" : win.b !== null ? "  + b = " + fmt(last) + " + " + operand(win.b) + " = " + fmt(win.v) : "  = " + fmt(win.v));
    } else {
      lines = [lhs + " = " + taps.map(term).join(" + ") + (!S.done ? " + …" : win.b !== null ? " + b" : "")];
      lines.push(" ".repeat(lhs.length + 1) + "= " + (!S.done ? fmt(last) + " so far" : win.b !== null ? fmt(last) + " + " + operand(win.b) + " = " + fmt(win.v) : fmt(win.v)));
    }
    return lines.join("\n");
  }

  function counters() {
    const box = $("counters"); box.textContent = "";
    const final = END[mode][END[mode].length - 1];
    const main = ["mul", "add", "cmp", "div"], order = main.concat(D.kinds.filter(k => main.indexOf(k) < 0));
    order.forEach(k => {
      const i = D.kinds.indexOf(k);
      if (main.indexOf(k) < 0 && !final[i]) return;
      const c = el("div", "counter"); c.appendChild(el("div", "kind", k));
      const n = el("div", "n", String(S.counts[i])); n.id = "count-" + k; c.appendChild(n);
      c.appendChild(el("div", "of", "of " + final[i])); box.appendChild(c);
    });
    const tot = S.counts.reduce((a, b) => a + b, 0), c = el("div", "counter");
    c.appendChild(el("div", "kind", "all kinds")); const n = el("div", "n", String(tot)); n.id = "count-total"; c.appendChild(n);
    c.appendChild(el("div", "of", "of " + final.reduce((a, b) => a + b, 0))); box.appendChild(c);
  }

  const mulAdd = c => "mul " + c[D.kinds.indexOf("mul")] + ", add " + c[D.kinds.indexOf("add")];
  function saves() {
    const box = $("saves"); if (!both) { box.style.display = "none"; return; }
    const k = S.done ? S.k : S.k - 1, d = k >= 0 ? END.dense[k] : ZERO, s = k >= 0 ? END.skip[k] : ZERO;
    const fd = END.dense[END.dense.length - 1], fs = END.skip[END.skip.length - 1];
    const diff = (a, b) => a.map((v, i) => v - b[i]);
    const pad = S.win.s.filter(s2 => !inside(s2)).length;
    box.innerHTML = "";
    box.appendChild(el("div", "", "This window has " + pad + " of " + S.win.s.length + " taps on padding" + (pad ? (mode === "skip" ? " (dashed: skipped, not computed)." : " (read as 0: multiplied and added).") : ".")));
    const upto = k >= 0 ? "Up to " + name("y", M().windows[k].o) + " (" + (k + 1) + " outputs): " : "Before the first output: ";
    const live = el("div", "", upto + "dense runs " + mulAdd(d) + "; skip runs " + mulAdd(s) + "; skip saves " + mulAdd(diff(d, s)) + ".");
    live.id = "saves-live"; box.appendChild(live);
    box.appendChild(el("div", "", "Over the whole layer skip saves " + mulAdd(diff(fd, fs)) + "."));
  }

  function formula() {
    const box = $("formula"), F = D.formula; if (!F) { box.style.display = "none"; return; }
    const final = END[mode][END[mode].length - 1], pick = c => (F.count === "total" ? c.reduce((a, b) => a + b, 0) : c[D.kinds.indexOf(F.count)]);
    const total = pick(final), now = pick(S.counts), diff = F.value - total;
    box.innerHTML = "";
    box.appendChild(el("div", "", "The formula being checked (" + (F.count === "total" ? "all kinds" : F.count) + "): "));
    box.appendChild(el("code", "", F.text + "  =  " + F.substituted + "  =  " + F.value));
    const line = el("div", "", "Executed so far: " + now + " of " + total + (pos === M().steps.length - 1 ? (diff === 0 ? ".  The formula is exact ✓" : ".  The formula is off by " + (diff > 0 ? "+" : "−") + Math.abs(diff) + (mode === "skip" ? " (it counts the taps on padding; skip does not run them)" : "")) : "."));
    line.id = "formula-status"; box.appendChild(line);
  }

  // -- controls -------------------------------------------------------------------------------
  const $ = id => document.getElementById(id);
  function go(p) { pos = Math.max(0, Math.min(M().steps.length - 1, p)); render(); }
  function play() {
    if (timer) { clearInterval(timer); timer = null; $("play").textContent = "▶ play"; return; }
    if (pos === M().steps.length - 1) go(0);
    $("play").textContent = "⏸ pause";
    timer = setInterval(() => { if (pos >= M().steps.length - 1) play(); else go(pos + 1); }, 1000 / parseFloat($("speed").value));
  }
  function setMode(m) {  // keep the same output: its last step in the other mode
    const k = S.k; mode = m;
    let p = M().steps.findIndex(st => st[0] === k && st[3] === 1);
    if (!S.done) p = M().steps.findIndex(st => st[0] === k);
    go(p);
  }
  function build() {
    const app = $("app");
    app.innerHTML = "<h1></h1><div id='step-label'></div><div class='controls'>" +
      "<button id='first' title='first step (Home)'>« first</button><button id='prev' title='previous step (←)'>◀ prev</button>" +
      "<button id='play' title='play / pause (space)'>▶ play</button><button id='next' title='next step (→)'>next ▶</button>" +
      "<button id='last' title='last step (End)'>last »</button><input type='range' id='slider' min='1' value='1' aria-label='step'>" +
      "<label>speed <select id='speed'><option value='0.5'>½</option><option value='1'>1</option><option value='2' selected>2</option><option value='4'>4</option><option value='10'>10</option></select> steps/s</label>" +
      (both ? "<span class='modes'>padding taps: <label><input type='radio' name='mode' id='mode-dense' value='dense'> dense</label> <label><input type='radio' name='mode' id='mode-skip' value='skip'> skip</label></span>" : "") +
      "<button id='zoom-out' title='smaller'>A−</button><button id='zoom-in' title='larger (projector)'>A+</button></div>" +
      "<div class='counters' id='counters'></div><div class='panels' id='panels'></div><div id='equation'></div>" +
      "<div class='box saves' id='saves'></div><div class='box formula' id='formula'></div><div class='legend' id='legend'></div><div id='tip'></div>";
    app.querySelector("h1").textContent = D.title;
    for (const [k, text] of D.legend) {
      const s = el("span"), sw = el("span", "sw");
      if (k === "window" || k === "tap") sw.style.outline = "3px solid var(--" + k + ")"; else sw.className = "sw cell " + (k === "padding" ? "pad" : "unknown");
      s.appendChild(sw); s.appendChild(document.createTextNode(text)); $("legend").appendChild(s);
    }
    $("first").onclick = () => go(0); $("last").onclick = () => go(M().steps.length - 1);
    $("prev").onclick = () => go(pos - 1); $("next").onclick = () => go(pos + 1); $("play").onclick = play;
    $("slider").oninput = e => go(parseInt(e.target.value, 10) - 1);
    $("speed").onchange = () => { if (timer) { play(); play(); } };
    if (both) { $("mode-" + mode).checked = true; for (const m of ["dense", "skip"]) $("mode-" + m).onchange = () => setMode(m); }
    const zoom = f => { scale = Math.max(0.6, Math.min(3, scale * f)); document.documentElement.style.setProperty("--scale", scale); };
    $("zoom-in").onclick = () => zoom(1.25); $("zoom-out").onclick = () => zoom(0.8);
    document.addEventListener("keydown", e => {
      if (e.target.tagName === "INPUT" && e.target.type === "range") return;  // the slider steps itself
      const act = { ArrowRight: () => go(pos + 1), ArrowLeft: () => go(pos - 1), Home: () => go(0), End: () => go(M().steps.length - 1), " ": play }[e.key];
      if (act) { e.preventDefault(); act(); }
    });
    const tip = $("tip");
    $("panels").addEventListener("mouseover", e => {
      const c = e.target.closest(".cell"); if (!c || c.dataset.site === undefined) { tip.style.display = "none"; return; }
      const i = parseInt(c.dataset.site, 10), t = S.taps.find(tt => tt[0] === i);
      tip.textContent = tapText(i, t); tip.style.display = "block";
      const r = c.getBoundingClientRect(); tip.style.left = r.left + "px"; tip.style.top = (r.bottom + 4) + "px";
    });
    $("panels").addEventListener("mouseleave", () => { tip.style.display = "none"; });
  }
  build(); render();
})();
