/* The site's live widgets, in plain JavaScript: no kernel, nothing fetched.
 *
 * <div class="gc-live" data-kind="explorer" data-model="dcgan_fmnist">: 07's and 08's explorer over the
 *   shipped generator, run by onnxruntime-web (_static/ort-runtime.js) from window.GC_LIVE[model]
 *   (docs/onnx_export.py). The latent of a picture is computed as gc.explorer.edit does: the seed's z
 *   (shipped, from gc.latent.z_for), times ψ, plus the coordinate offsets, plus α_k times each direction;
 *   the walk is gc.latent.lerp / slerp between two seeds' z.
 * <div class="gc-live" data-kind="playback">: 03's recorded runs (docs/playback.py), one per loss.
 *
 * Each widget sets data-renders (how many pictures it has drawn) and data-error (what went wrong),
 * which tests/test_site_live.py reads.
 */
(function () {
  "use strict";
  if (window.gcLive) return;

  function bytes(b64) {
    var text = atob(b64), out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  function floats(b64) { return new Float32Array(bytes(b64).buffer); }
  function shorts(b64) { return new Int16Array(bytes(b64).buffer); }
  function make(tag, attrs, parent) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
    if (parent) parent.appendChild(e);
    return e;
  }
  function slider(parent, label, min, max, step, value, name) {
    var row = make("label", {"class": "gc-row"}, parent);
    make("span", {"class": "gc-name", text: label}, row);
    var input = make("input", {type: "range", min: min, max: max, step: step, value: value, name: name}, row);
    var shown = make("output", {text: value}, row);
    input.addEventListener("input", function () { shown.textContent = input.value; });
    return input;
  }
  function select(parent, label, options, name) {
    var row = make("label", {"class": "gc-row"}, parent);
    make("span", {"class": "gc-name", text: label}, row);
    var s = make("select", {name: name}, row);
    options.forEach(function (o, i) { make("option", {value: String(i), text: o}, s); });
    return s;
  }

  /* pictures (n, 1, 28, 28) in [-1, 1] -> a row on the canvas, 2 px of white around each, as
     gc.viz.image_grid (torchvision's make_grid, padding 2); grey = round((x + 1) / 2 · 255) */
  function drawRow(canvas, data, n) {
    canvas.width = 2 + 30 * n;
    canvas.height = 32;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    var img = ctx.createImageData(28, 28);
    for (var k = 0; k < n; k++) {
      for (var p = 0; p < 784; p++) {
        var x = Math.min(1, Math.max(-1, data[k * 784 + p]));
        var g = Math.round((x + 1) / 2 * 255);
        img.data[4 * p] = img.data[4 * p + 1] = img.data[4 * p + 2] = g;
        img.data[4 * p + 3] = 255;
      }
      ctx.putImageData(img, 2 + 30 * k, 2);
    }
    canvas.style.width = (canvas.width * 3) + "px";
  }

  function lerp(a, b, t) { return a.map(function (v, i) { return (1 - t) * v + t * b[i]; }); }
  function norm(a) { return Math.sqrt(a.reduce(function (s, v) { return s + v * v; }, 0)); }
  function slerp(a, b, t) {      // gc.latent.slerp: lerp when the angle is ~0
    var cos = a.reduce(function (s, v, i) { return s + v * b[i]; }, 0) / Math.max(norm(a) * norm(b), 1e-8);
    var omega = Math.acos(Math.min(1, Math.max(-1, cos)));
    if (Math.abs(omega) < 1e-6) return lerp(a, b, t);
    var s = Math.sin(omega), wa = Math.sin((1 - t) * omega) / s, wb = Math.sin(t * omega) / s;
    return a.map(function (v, i) { return wa * v + wb * b[i]; });
  }

  /* one forward pass at a time; a change during one is drawn right after it */
  function queue(el, fn) {
    var busy = false, again = false;
    return function go() {
      if (busy) { again = true; return; }
      busy = true; again = false;
      fn().catch(function (e) { el.dataset.error = String(e && e.message || e); })
          .finally(function () { busy = false; if (again) go(); });
    };
  }

  async function explorer(el) {
    var d = window.GC_LIVE && window.GC_LIVE[el.dataset.model];
    if (!d) throw new Error("no data for " + el.dataset.model + " (docs/onnx_export.py writes it)");
    var session = await ort.InferenceSession.create(bytes(d.model), {executionProviders: ["wasm"]});
    var Z = floats(d.z), dim = d.z_dim, n = 8, coords = 5;
    var seedZ = function (s) { return Array.from(Z.subarray(s * dim, (s + 1) * dim)); };
    var families = d.directions ? Object.keys(d.directions) : [];
    var dirs = {};
    families.forEach(function (f) { dirs[f] = floats(d.directions[f].u); });

    async function generate(latents, label) {
      var flat = new Float32Array(latents.length * dim);
      latents.forEach(function (z, i) { flat.set(z, i * dim); });
      var feeds = {z: new ort.Tensor("float32", flat, [latents.length, dim])};
      if (d.classes) feeds.y = new ort.Tensor("int64", new BigInt64Array(latents.length).fill(BigInt(label)), [latents.length]);
      return (await session.run(feeds)).image.data;
    }

    el.textContent = "";
    var main = make("div", {"class": "gc-panel"}, el);
    var canvas = make("canvas", {"class": "gc-images", "data-role": "explorer"}, main);
    var caption = make("div", {"class": "gc-caption"}, main);
    var cols = make("div", {"class": "gc-controls"}, main);
    var left = make("div", {}, cols), right = make("div", {}, cols);
    var ctl = {seed: slider(left, "seed", 0, d.seeds - n, 1, 0, "seed"),
               psi: slider(left, "truncation ψ", 0, 1, 0.05, 1, "psi")};
    if (d.classes) ctl.label = select(left, "class", d.classes, "label");
    var offsets = [];
    for (var i = 0; i < coords; i++) offsets.push(slider(left, "z[" + i + "] +", -4, 4, 0.25, 0, "z" + i));
    var alphas = [], family = null;
    if (families.length) {
      family = select(right, "directions", families.map(function (f) { return f === "sefa" ? "SeFa" : "GANSpace"; }), "family");
      for (var k = 0; k < d.directions[families[0]].labels.length; k++) alphas.push(slider(right, "", -6, 6, 0.5, 0, "dir" + k));
      var relabel = function () {
        var labels = d.directions[families[+family.value]].labels;
        alphas.forEach(function (a, k) { a.parentNode.firstChild.textContent = labels[k]; });
      };
      family.addEventListener("change", relabel);
      relabel();
    }
    var renders = 0;
    var draw = queue(el, async function () {
      var seed = +ctl.seed.value, psi = +ctl.psi.value, label = ctl.label ? +ctl.label.value : 0;
      var u = family ? dirs[families[+family.value]] : null;
      var latents = [];
      for (var s = seed; s < seed + n; s++) {
        var z = seedZ(s).map(function (v) { return psi * v; });                   // latent.truncate
        offsets.forEach(function (o, i) { z[i] += +o.value; });                   // single coordinates
        alphas.forEach(function (a, k) {                                          // α_k · u_k
          for (var j = 0; j < dim; j++) z[j] += +a.value * u[k * dim + j];
        });
        latents.push(z);
      }
      drawRow(canvas, await generate(latents, label), n);
      caption.textContent = "seeds " + seed + "…" + (seed + n - 1) + (d.classes ? " · class " + d.classes[label] : "");
      el.dataset.renders = String(++renders);
    });
    el.querySelectorAll("input, select").forEach(function (c) { c.addEventListener("input", draw); c.addEventListener("change", draw); });

    // the walk between two seeds
    var walk = make("div", {"class": "gc-panel"}, el);
    make("div", {"class": "gc-caption", text: "walk from seed A to seed B: A · the point at t · B"}, walk);
    var wcanvas = make("canvas", {"class": "gc-images", "data-role": "walk"}, walk);
    var wcap = make("div", {"class": "gc-caption"}, walk);
    var wctl = make("div", {"class": "gc-controls"}, walk);
    var wl = make("div", {}, wctl), wr = make("div", {}, wctl);
    var a = slider(wl, "seed A", 0, d.seeds - 1, 1, 0, "seed_a"), b = slider(wl, "seed B", 0, d.seeds - 1, 1, 1, "seed_b");
    var mode = select(wr, "path", ["slerp", "lerp"], "mode"), t = slider(wr, "position t", 0, 1, 0.05, 0.5, "t");
    var walks = 0;
    var wdraw = queue(el, async function () {
      var za = seedZ(+a.value), zb = seedZ(+b.value), tv = +t.value;
      var zt = (mode.value === "0" ? slerp : lerp)(za, zb, tv);
      var label = ctl.label ? +ctl.label.value : 0;
      drawRow(wcanvas, await generate([za, zt, zb], label), 3);
      wcap.textContent = "‖z‖ at t = " + tv.toFixed(2) + ": " + norm(zt).toFixed(2) + " (seed A " + norm(za).toFixed(2) +
        ", seed B " + norm(zb).toFixed(2) + "; √" + dim + " = " + Math.sqrt(dim).toFixed(0) + ")";
      el.dataset.walks = String(++walks);
    });
    wctl.querySelectorAll("input, select").forEach(function (c) { c.addEventListener("input", wdraw); c.addEventListener("change", wdraw); });
    if (ctl.label) ctl.label.addEventListener("change", wdraw);
    draw();
    wdraw();
  }

  /* matplotlib's RdBu, roughly: red at 0, white at 0.5, blue at 1 */
  function rdbu(p) {
    var lo = [178, 24, 43], mid = [247, 247, 247], hi = [33, 102, 172];
    var f = p < 0.5 ? p * 2 : (p - 0.5) * 2, A = p < 0.5 ? lo : mid, B = p < 0.5 ? mid : hi;
    return A.map(function (v, i) { return Math.round(v + f * (B[i] - v)); });
  }

  function playback(el) {
    var d = window.GC_LIVE && window.GC_LIVE.playback;
    if (!d) throw new Error("no playback data (docs/playback.py writes it)");
    var losses = Object.keys(d.runs), real = shorts(d.real), size = 360, G = d.grid;
    el.textContent = "";
    var main = make("div", {"class": "gc-panel gc-playback"}, el);
    var canvas = make("canvas", {width: size, height: size, "data-role": "field"}, main);
    var plot = make("canvas", {width: 280, height: size, "data-role": "losses"}, main);
    var caption = make("div", {"class": "gc-caption"}, el);
    var cols = make("div", {"class": "gc-controls"}, el);
    var loss = select(cols, "loss", losses, "loss");
    loss.value = String(Math.max(0, losses.indexOf("ns")));
    var first = d.runs[losses[0]].step.length;
    var step = slider(cols, "log point", 0, first - 1, 1, first - 1, "step");
    var play = make("button", {type: "button", text: "▶ play"}, cols);
    var heat = document.createElement("canvas");
    heat.width = heat.height = G;
    var toPx = function (v) { return (v / d.scale + d.bound) / (2 * d.bound) * size; };
    var renders = 0;

    function draw() {
      var run = d.runs[losses[+loss.value]], f = Math.min(+step.value, run.step.length - 1);
      if (!run._fake) { run._fake = shorts(run.fake); run._heat = bytes(run.heat); }
      var ctx = canvas.getContext("2d"), h = heat.getContext("2d"), img = h.createImageData(G, G);
      for (var p = 0; p < G * G; p++) {
        var c = rdbu(run._heat[f * G * G + p] / 255);
        img.data[4 * p] = c[0]; img.data[4 * p + 1] = c[1]; img.data[4 * p + 2] = c[2]; img.data[4 * p + 3] = 153;
      }
      h.putImageData(img, 0, 0);
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, size, size);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(heat, 0, 0, size, size);
      ctx.fillStyle = "#000";
      for (var i = 0; i < d.n_real; i++) ctx.fillRect(toPx(real[2 * i]) - 1, size - toPx(real[2 * i + 1]) - 1, 2, 2);
      ctx.fillStyle = "#ff7f0e";                                  // tab:orange, as 03's panels
      var off = f * d.n_fake * 2;
      for (var j = 0; j < d.n_fake; j++) ctx.fillRect(toPx(run._fake[off + 2 * j]) - 1, size - toPx(run._fake[off + 2 * j + 1]) - 1, 2, 2);
      // the two losses up to this log point
      var q = plot.getContext("2d"), all = run.d_loss.concat(run.g_loss);
      var lo = Math.min.apply(null, all), hi = Math.max.apply(null, all), n = run.step.length;
      var X = function (k) { return 36 + k / Math.max(1, n - 1) * (plot.width - 46); };
      var Y = function (v) { return 20 + (hi - v) / Math.max(hi - lo, 1e-6) * (plot.height - 50); };
      q.fillStyle = "#fff"; q.fillRect(0, 0, plot.width, plot.height);
      q.strokeStyle = "#999"; q.strokeRect(36, 20, plot.width - 46, plot.height - 50);
      q.fillStyle = "#333"; q.font = "11px sans-serif";
      q.fillText(hi.toFixed(2), 2, 24); q.fillText(lo.toFixed(2), 2, plot.height - 30);
      q.fillText("step " + run.step[0], 36, plot.height - 14); q.fillText(String(run.step[n - 1]), plot.width - 40, plot.height - 14);
      [["d_loss", "#1f77b4", "D loss"], ["g_loss", "#ff7f0e", "G loss"]].forEach(function (s, si) {
        q.strokeStyle = s[1]; q.beginPath();
        for (var k = 0; k <= f; k++) { if (k === 0) q.moveTo(X(k), Y(run[s[0]][k])); else q.lineTo(X(k), Y(run[s[0]][k])); }
        q.stroke(); q.fillStyle = s[1]; q.fillText(s[2], 40 + 60 * si, 14);
      });
      caption.textContent = losses[+loss.value] + " · step " + run.step[f] + " of " + run.step[n - 1] +
        " · modes covered " + run.modes[f] + "/" + d.modes + " · high-quality samples " + Math.round(100 * run.quality[f]) +
        " % · D loss " + run.d_loss[f].toFixed(3) + ", G loss " + run.g_loss[f].toFixed(3);
      el.dataset.step = String(run.step[f]);
      el.dataset.renders = String(++renders);
    }
    var timer = null;
    play.addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; play.textContent = "▶ play"; return; }
      if (+step.value >= +step.max) step.value = 0;
      play.textContent = "❚❚ pause";
      timer = setInterval(function () {
        if (+step.value >= +step.max) { play.click(); return; }
        step.value = +step.value + 1; step.dispatchEvent(new Event("input"));
      }, 150);
    });
    step.addEventListener("input", draw);
    loss.addEventListener("change", function () {
      step.max = d.runs[losses[+loss.value]].step.length - 1;
      draw();
    });
    draw();
  }

  function mount(el) {
    if (el.dataset.mounted) return;
    el.dataset.mounted = "1";
    var kinds = {explorer: explorer, playback: playback};
    Promise.resolve().then(function () { return kinds[el.dataset.kind](el); }).catch(function (e) {
      el.dataset.error = String(e && e.message || e);
      make("p", {"class": "gc-error", text: "This widget could not start: " + el.dataset.error}, el);
    });
  }

  window.gcLive = {mount: mount};
  var all = function () { document.querySelectorAll(".gc-live").forEach(mount); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
})();
