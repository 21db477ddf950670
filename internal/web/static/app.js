// aliscout — the one script of the web app. Every page works without it; it adds live margins,
// carries what is typed into the calculator into every link and form, the compare tray, the
// image gallery and image fallbacks. Money is integer minor units (BigInt) throughout, as on the
// server: never a float. Sorting is the server's, across all results: the table's headers are
// links.
(function () {
  "use strict";

  // ---- Image fallbacks: a broken image shows the frame's "No image" background instead.
  function markBroken(img) { img.classList.add("is-broken"); }
  document.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t.tagName === "IMG") markBroken(t);
  }, true);
  function scanImages(root) {
    root.querySelectorAll("img[data-fallback]").forEach(function (img) {
      img.addEventListener("error", function () { markBroken(img); });
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) markBroken(img);
    });
  }

  // ---- Money and percentages, exact.
  var SYMBOLS = { USD: "$", EUR: "€", GBP: "£", CAD: "CA$", AUD: "A$", BRL: "R$", MXN: "MX$", JPY: "¥", KRW: "₩",
    INR: "₹", ILS: "₪", TRY: "₺", UAH: "₴", RUB: "₽", THB: "฿", VND: "₫" };

  function big(s) { return s === undefined || s === null || s === "" ? null : BigInt(s); }
  function babs(x) { return x < 0n ? -x : x; }

  // mulDiv returns a*b/c rounded half away from zero, like pricing.mulDiv. c > 0.
  function mulDiv(a, b, c) {
    var n = babs(a * b), q = n / c, r = n % c;
    if (2n * r >= c) q += 1n;
    return (a < 0n) !== (b < 0n) ? -q : q;
  }
  function ratioBP(num, den) {
    if (den === 0n) return 0n;
    if (den < 0n) { num = -num; den = -den; }
    return mulDiv(num, 10000n, den);
  }

  // parseAmount reads "12", "12.5", "1,299.00" into minor units with `decimals` decimals; null if
  // it is not an amount (negative amounts are refused too).
  function parseAmount(s, decimals) {
    s = String(s).trim();
    var m = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$/.exec(s);
    if (!m || s === "" || s === ".") return null;
    var whole = (m[1] || "0").replace(/,/g, ""), frac = m[2] || "";
    var units = BigInt(whole);
    var f = 0n;
    for (var i = 0; i < decimals; i++) f = f * 10n + BigInt(i < frac.length ? frac.charCodeAt(i) - 48 : 0);
    var roundUp = frac.length > decimals && frac.charCodeAt(decimals) >= 53; // next digit >= 5
    var scale = 10n ** BigInt(decimals);
    var v = units * scale + f;
    return roundUp ? v + 1n : v;
  }

  // normalizeAmount reads an amount as people type it the way catalog.ParseAmount does: one of
  // signs (the currency's code and symbols, longest first) before or after it goes, and a comma
  // is the decimal separator where it cannot group thousands ("14,99", "1.299,99").
  function normalizeAmount(s, signs) {
    var t = String(s).trim();
    for (var i = 0; i < signs.length; i++) {
      var sign = signs[i].toUpperCase(), up = t.toUpperCase();
      if (t.length > sign.length && up.indexOf(sign) === 0) { t = t.slice(sign.length).trim(); break; }
      if (t.length > sign.length && up.slice(-sign.length) === sign) { t = t.slice(0, -sign.length).trim(); break; }
    }
    var comma = t.lastIndexOf(","), dot = t.lastIndexOf(".");
    if (comma >= 0 && dot >= 0 && comma > dot) {
      var whole = t.slice(0, comma);
      if (!/^\d{1,3}(\.\d{3})*$/.test(whole)) return t;
      return whole.replace(/\./g, "") + "." + t.slice(comma + 1);
    }
    if (comma >= 0 && dot < 0 && t.indexOf(",") === comma && t.length - comma - 1 !== 3) return t.slice(0, comma) + "." + t.slice(comma + 1);
    return t;
  }

  // parsePercentBP reads "2.9" (or "2.9%") as basis points (290n); null when it is not one.
  function parsePercentBP(s) {
    var m = /^(\d{0,5})(?:\.(\d{0,2}))?%?$/.exec(String(s).trim());
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) return null;
    var frac = (m[2] || "").padEnd(2, "0");
    return BigInt(m[1] || "0") * 100n + BigInt(frac);
  }

  function formatMoney(v, currency, decimals) {
    var neg = v < 0n, a = babs(v), scale = 10n ** BigInt(decimals);
    var whole = (a / scale).toString(), frac = (a % scale).toString().padStart(decimals, "0");
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var sym = SYMBOLS[currency] !== undefined ? SYMBOLS[currency] : (currency ? currency + " " : "");
    return (neg ? "−" : "") + sym + whole + (decimals > 0 ? "." + frac : "");
  }
  function formatBP(bp) {
    var neg = bp < 0n, tenths = (babs(bp) + 5n) / 10n;
    var s = (tenths / 10n).toString() + "." + (tenths % 10n).toString() + "%";
    return neg && tenths !== 0n ? "−" + s : s;
  }

  // ---- Pricing rules, read the way pricing.ParseRule reads them.
  function isMultiplier(tok) {
    var t = tok.replace(/^[xX×*]/, "");
    return t !== tok && t !== "" && /^[0-9.]/.test(t);
  }
  function parseBP(s) {
    var m = /^(\d*)(?:\.(\d{0,4}))?$/.exec(s);
    if (!m || (m[1] === "" && !m[2])) return null;
    var whole = m[1].replace(/^0+/, "");
    if (whole.length > 3) return null;
    return BigInt(whole || "0") * 10000n + BigInt((m[2] || "").padEnd(4, "0"));
  }
  function parseRule(s, decimals) {
    var raw = s.trim().split(/\s+/).filter(Boolean), toks = [];
    if (raw.length === 0) return { error: "empty rule" };
    for (var i = 0; i < raw.length; i++) {
      if (/^([xX×*+])$/.test(raw[i]) && i + 1 < raw.length) { toks.push(raw[i] + raw[i + 1]); i++; } else toks.push(raw[i]);
    }
    var r = { kind: "", bp: 0n, markup: 0n, landed: false, charm: -1, min: 0n }, seen = {};
    for (i = 0; i < toks.length; i++) {
      var tok = toks[i], low = tok.toLowerCase();
      if (isMultiplier(tok)) {
        if (r.kind) return { error: "give one multiplier or one markup" };
        var bp = parseBP(tok.replace(/^[xX×*]/, ""));
        if (bp === null || bp < 10000n || bp > 1000000n) return { error: "multiplier " + tok + ": want ×1 to ×100" };
        r.kind = "x"; r.bp = bp;
      } else if (tok[0] === "+") {
        if (r.kind) return { error: "give one multiplier or one markup" };
        var mk = parseAmount(tok.slice(1), decimals);
        if (mk === null || (tok.split(".")[1] || "").length > decimals) return { error: "markup " + tok + " is not an amount" };
        r.kind = "+"; r.markup = mk;
      } else if (tok[0] === ".") {
        if (seen.charm || !/^\.\d\d$/.test(tok)) return { error: "charm " + tok + ": want a dot and two digits, such as .99" };
        seen.charm = true; r.charm = parseInt(tok.slice(1), 10);
      } else if (low === "compare") {
        if (seen.compare || i + 1 >= toks.length || !isMultiplier(toks[i + 1])) return { error: "compare: want a multiplier after it, such as compare x1.4" };
        seen.compare = true; i++;
      } else if (low === "min") {
        var mn = i + 1 < toks.length ? parseAmount(toks[i + 1], decimals) : null;
        if (seen.min || mn === null) return { error: "min: want an amount after it, such as min 10.00" };
        seen.min = true; r.min = mn; i++;
      } else if (low === "landed") {
        if (seen.landed) return { error: "landed given twice" };
        seen.landed = true; r.landed = true;
      } else {
        return { error: "unknown part " + tok + ": want x2.5, +5.00, .99, compare x1.4, min 10.00 or landed" };
      }
    }
    if (!r.kind) return { error: "no base price: want a multiplier such as x2.5 or a markup such as +5.00" };
    return { rule: r };
  }
  // applyRule prices cost like pricing.Rule.Apply; unit is the minor units of one whole unit in
  // a currency without cents (100 for IDR), 1 otherwise.
  function applyRule(r, cost, decimals, unit) {
    var price = r.kind === "x" ? mulDiv(cost, r.bp, 10000n) : cost + r.markup;
    if (r.min > 0n && price < r.min) price = r.min;
    if (unit > 1n && price % unit !== 0n) price += unit - price % unit;
    if (r.charm >= 0) {
      var step = unit * 10n ** BigInt(Math.max(decimals - 2, 0)), mod = 100n * step, target = BigInt(r.charm) * step;
      var up = target - price % mod;
      if (up < 0n) up += mod;
      price += up;
    }
    return price;
  }

  // ---- The margin calculator.
  function readCalc(calc) {
    var get = function (k) { var el = calc.querySelector('[data-calc="' + k + '"]'); return el ? el.value.trim() : ""; };
    var signs = (calc.getAttribute("data-signs") || "").split(" ").filter(Boolean);
    var amount = function (k) { var v = get(k); return v === "" ? "" : normalizeAmount(v, signs); };
    return { sell: amount("sell"), rule: get("rule"), feePct: get("fee_pct"), feeFixed: amount("fee_fixed"), ad: amount("ad_cost"), minMargin: get("min_margin") };
  }

  function setOut(el, name, text, value) {
    el.querySelectorAll('[data-out="' + name + '"]').forEach(function (o) {
      o.textContent = text;
      if (o.hasAttribute("data-v")) o.setAttribute("data-v", value === undefined ? "" : value.toString());
    });
  }

  function recalc() {
    var calc = document.getElementById("calc");
    if (!calc) return;
    var input = readCalc(calc), status = calc.querySelector("[data-calc-status]");
    var problems = [];
    var hidden = 0;
    document.querySelectorAll(".product[data-item]").forEach(function (el) {
      var cur = el.getAttribute("data-currency"), dec = parseInt(el.getAttribute("data-decimals") || "2", 10);
      var unit = big(el.getAttribute("data-unit")) || 1n;
      var item = big(el.getAttribute("data-item")), ship = big(el.getAttribute("data-ship")), imp = big(el.getAttribute("data-import")) || 0n;
      var result = compute(input, item, ship, imp, dec, unit, problems);
      var margin = el.querySelector("[data-margin]");
      el.querySelectorAll(".is-loss").forEach(function (x) { x.classList.remove("is-loss"); });
      if (ship === null) setOut(el, "why", "");
      if (!result) {
        ["price", "profit", "margin", "roi"].forEach(function (k) { setOut(el, k, "–"); });
        if (ship !== null) setOut(el, "landed", formatMoney(item + ship + imp, cur, dec));
        if (ship !== null) setOut(el, "why", "Enter a selling price or a rule");
        el.hidden = false;
        markBelow(el, false);
        return;
      }
      setOut(el, "why", "");
      setOut(el, "landed", formatMoney(result.landed, cur, dec));
      setOut(el, "price", formatMoney(result.price, cur, dec));
      setOut(el, "profit", formatMoney(result.profit, cur, dec), result.profit);
      setOut(el, "margin", formatBP(result.margin), result.margin);
      setOut(el, "roi", formatBP(result.roi), result.roi);
      if (result.profit < 0n) {
        if (margin) margin.classList.add("is-loss");
        el.querySelectorAll('td[data-out="profit"], td[data-out="margin"]').forEach(function (x) { x.classList.add("is-loss"); });
      }
      // Below the minimum margin: a search card (on this page) and a product's variant are
      // hidden, a compared product is marked.
      var min = input.minMargin === "" ? null : parsePercentBPSigned(input.minMargin);
      var below = min !== null && result.margin < min;
      var action = el.getAttribute("data-min") || (el.closest("[data-results]") ? "hide" : "");
      el.hidden = below && action === "hide";
      markBelow(el, below);
      if (below && action === "hide") hidden++;
    });
    document.querySelectorAll("[data-hidden-count]").forEach(function (n) { n.textContent = String(hidden); });
    document.querySelectorAll("[data-hidden-note]").forEach(function (n) { n.hidden = hidden === 0; });
    if (status) {
      var uniq = problems.filter(function (p, i) { return problems.indexOf(p) === i; });
      status.textContent = uniq.join("; ");
      status.classList.toggle("is-error", uniq.length > 0);
    }
  }

  function markBelow(el, below) {
    el.querySelectorAll("[data-below-min]").forEach(function (n) { n.hidden = !below; });
  }

  function parsePercentBPSigned(s) {
    var neg = s.trim()[0] === "-", v = parsePercentBP(s.trim().replace(/^-/, ""));
    if (v === null) return null;
    return neg ? -v : v;
  }

  // compute returns the economics of one unit, or null when there is nothing to compute.
  function compute(input, item, ship, imp, dec, unit, problems) {
    if (item === null || ship === null) return null;
    var landed = item + ship + imp, price = null;
    if (input.sell !== "") {
      price = parseAmount(input.sell, dec);
      if (price === null || price <= 0n) { problems.push("selling price: not an amount above zero"); return null; }
    } else if (input.rule !== "") {
      var pr = parseRule(input.rule, dec);
      if (pr.error) { problems.push("rule: " + pr.error); return null; }
      price = applyRule(pr.rule, pr.rule.landed ? landed : item, dec, unit);
    } else {
      return null;
    }
    var feeBP = input.feePct === "" ? 0n : parsePercentBP(input.feePct);
    if (feeBP === null || feeBP > 10000n) { problems.push("payment fee: not a percentage from 0 to 100"); return null; }
    var fixed = input.feeFixed === "" ? 0n : parseAmount(input.feeFixed, dec);
    if (fixed === null) { problems.push("fixed fee: not an amount"); return null; }
    var ad = input.ad === "" ? 0n : parseAmount(input.ad, dec);
    if (ad === null) { problems.push("ad cost: not an amount"); return null; }
    var fees = mulDiv(price, feeBP, 10000n) + fixed + ad;
    var profit = price - fees - landed;
    return { price: price, landed: landed, profit: profit, margin: ratioBP(profit, price), roi: ratioBP(profit, landed) };
  }

  // carry writes what is typed in the calculator into every link and form that leads on (to a
  // product, to compare, to export), so that the next page prices with it; without the script
  // the server does the same when the form is submitted.
  var CARRIED = ["sell", "rule", "fee_pct", "fee_fixed", "ad_cost", "min_margin"];
  function carry() {
    var calc = document.getElementById("calc");
    if (!calc) return;
    var values = {};
    CARRIED.forEach(function (k) {
      var el = calc.querySelector('[data-calc="' + k + '"]');
      if (el) values[k] = el.value.trim();
    });
    document.querySelectorAll("a[data-carry]").forEach(function (a) {
      var u = new URL(a.getAttribute("href"), location.href);
      Object.keys(values).forEach(function (k) { u.searchParams.set(k, values[k]); });
      a.setAttribute("href", u.pathname + u.search + u.hash);
    });
    document.querySelectorAll("input[data-carry]").forEach(function (inp) {
      if (Object.prototype.hasOwnProperty.call(values, inp.name)) inp.value = values[inp.name];
    });
  }

  function initCalc() {
    var calc = document.getElementById("calc");
    if (!calc) return;
    calc.querySelectorAll("[data-calc]").forEach(function (el) {
      el.addEventListener("input", function () { recalc(); carry(); });
    });
    // The server computed the same figures; recompute so that the page and the inputs agree
    // after a back navigation restored typed values.
    recalc();
    carry();
  }

  // ---- The selection: the products picked to compare or export, kept in localStorage so that it
  // follows the user from page to page. The "+ Compare" buttons, the checkboxes and the tray are
  // three views of this one list; compare shows up to MAX of it at a time.
  var KEY = "aliscout.compare", MAX = 4, MAXPICK = 20;
  function picked() {
    try {
      var v = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(v) ? v.filter(function (x) { return /^\d{1,19}$/.test(x); }).slice(0, MAXPICK) : [];
    } catch (e) { return []; }
  }
  function savePicked(ids) {
    try { localStorage.setItem(KEY, JSON.stringify(ids)); } catch (e) { /* storage full or off */ }
  }
  function compareURL(ids) { return "/compare?ids=" + ids.join(","); }

  // togglePick adds id to the selection or takes it out; it says why not (and returns false) when
  // the selection is full.
  function togglePick(id, on, el) {
    var ids = picked(), i = ids.indexOf(id);
    if (on === undefined) on = i < 0;
    if (on && i < 0) {
      if (ids.length >= MAXPICK) { flash(el, "Up to " + MAXPICK + " products can be picked; unpick one first"); return false; }
      ids.push(id);
    } else if (!on && i >= 0) {
      ids.splice(i, 1);
    }
    savePicked(ids);
    renderTray();
    return true;
  }

  function renderTray() {
    var ids = picked(), tray = document.getElementById("compare-tray"), tooMany = ids.length > MAX;
    document.querySelectorAll("[data-compare-count]").forEach(function (n) {
      n.textContent = String(ids.length);
      if (n.classList.contains("tray-count")) n.hidden = ids.length === 0;
    });
    if (tray) {
      tray.hidden = ids.length === 0 || location.pathname === "/compare";
      var go = document.getElementById("tray-go"), note = tray.querySelector("[data-tray-note]");
      if (go) {
        go.setAttribute("href", compareURL(ids.slice(0, MAX)));
        go.classList.toggle("is-disabled", tooMany);
        if (tooMany) go.setAttribute("aria-disabled", "true"); else go.removeAttribute("aria-disabled");
      }
      if (note) note.textContent = tooMany ? " · compare shows " + MAX + " at a time: unpick " + (ids.length - MAX) : "";
    }
    var nav = document.getElementById("nav-compare");
    if (nav && ids.length && !tooMany) nav.setAttribute("href", compareURL(ids));
    document.querySelectorAll("[data-compare]").forEach(function (b) {
      var on = ids.indexOf(b.getAttribute("data-compare")) >= 0, label = b.querySelector("[data-compare-label]") || b;
      b.hidden = false;
      b.classList.toggle("is-on", on);
      label.textContent = on ? "✓ Picked" : "+ Compare";
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
    document.querySelectorAll("input[data-pick]").forEach(function (c) {
      c.checked = ids.indexOf(c.value) >= 0;
    });
  }

  function initCompare() {
    document.addEventListener("click", function (e) {
      var t = e.target.closest ? e.target : null;
      if (!t) return;
      var b = t.closest("[data-compare]");
      if (b) {
        e.preventDefault();
        togglePick(b.getAttribute("data-compare"), undefined, b);
        return;
      }
      var go = t.closest("#tray-go");
      if (go && go.getAttribute("aria-disabled") === "true") {
        e.preventDefault();
        return;
      }
      var sel = t.closest("[data-selection]");
      if (sel && sel.getAttribute("data-selection") === "compare") {
        // "Compare selected": the whole selection, this page's and the others'.
        e.preventDefault();
        var ids = picked();
        if (ids.length === 0) flash(sel, "Tick products first");
        else if (ids.length > MAX) flash(sel, "Compare shows " + MAX + " at a time; unpick " + (ids.length - MAX));
        else location.href = compareURL(ids) + keptQuery();
        return;
      }
      var one = t.closest("[data-export-one]");
      if (one) {
        // A card's Export is for that product only, whatever else is picked.
        e.preventDefault();
        postExport([one.getAttribute("data-export-one")]);
        return;
      }
      var rm = t.closest("[data-compare-remove]");
      if (rm) {
        var rid = rm.getAttribute("data-compare-remove");
        var left = currentCompareIDs().filter(function (x) { return x !== rid; });
        savePicked(picked().filter(function (x) { return x !== rid; }));
        location.href = compareURL(left) + location.search.replace(/^\?/, "&").replace(/&ids=[^&]*/g, "");
      }
    });
    document.addEventListener("change", function (e) {
      var c = e.target;
      if (c && c.matches && c.matches("input[data-pick]")) {
        if (!togglePick(c.value, c.checked, c.closest("label") || c)) c.checked = !c.checked;
      }
    });
    var pickedForm = document.getElementById("picked");
    if (pickedForm) pickedForm.addEventListener("submit", function (e) {
      // "Export selected": the whole selection, also the products picked on other pages.
      var sub = e.submitter;
      if (!sub || sub.getAttribute("data-selection") !== "export") return;
      e.preventDefault();
      if (picked().length === 0) { flash(sub, "Tick products first"); return; }
      postExport(picked());
    });
    var trayExport = document.getElementById("tray-export");
    if (trayExport) trayExport.addEventListener("submit", function (e) {
      e.preventDefault();
      postExport(picked());
    });
    var clear = document.getElementById("tray-clear");
    if (clear) clear.addEventListener("click", function () { savePicked([]); renderTray(); });
    document.querySelectorAll("[data-compare-remove]").forEach(function (b) { b.hidden = false; });
    // The compare page shows the selection: what it shows becomes the selection.
    var table = document.querySelector("[data-compare-ids]");
    if (table) {
      var shown = table.getAttribute("data-compare-ids").split(",").filter(Boolean);
      if (shown.length) savePicked(shown);
    }
    // On an empty compare page, show what was picked on the search page.
    if (location.pathname === "/compare" && document.getElementById("compare-empty") && picked().length && picked().length <= MAX) {
      location.replace(compareURL(picked()));
      return;
    }
    renderTray();
    window.addEventListener("storage", function (e) { if (e.key === KEY) renderTray(); });
    window.addEventListener("pageshow", function (e) { if (e.persisted) renderTray(); });
  }
  // keptQuery is the search's destination, currency, language and calculator, for links that leave it.
  function keptQuery() {
    var f = document.getElementById("picked"), q = [];
    if (!f) return "";
    f.querySelectorAll('input[type="hidden"]').forEach(function (h) {
      q.push(encodeURIComponent(h.name) + "=" + encodeURIComponent(h.value));
    });
    return q.length ? "&" + q.join("&") : "";
  }
  // postExport opens the export preview of ids, with the search's settings.
  function postExport(ids) {
    var f = document.createElement("form"), src = document.getElementById("picked");
    f.method = "post";
    f.action = "/import";
    f.hidden = true;
    var add = function (name, value) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = name; i.value = value;
      f.appendChild(i);
    };
    if (src) src.querySelectorAll('input[type="hidden"]').forEach(function (h) { add(h.name, h.value); });
    ids.forEach(function (id) { add("ids", id); });
    document.body.appendChild(f);
    f.submit();
  }
  function currentCompareIDs() {
    var t = document.querySelector("[data-compare-ids]");
    if (t) return t.getAttribute("data-compare-ids").split(",").filter(Boolean);
    var p = new URLSearchParams(location.search), out = [];
    p.getAll("ids").forEach(function (v) { v.split(/[\s,]+/).forEach(function (x) { if (x) out.push(x); }); });
    return out;
  }
  function flash(el, msg) {
    if (!el) return;
    var label = el.querySelector("[data-compare-label]") || el, old = label.textContent;
    var status = document.getElementById("pick-status");
    if (status) status.textContent = msg;
    if (el.tagName === "LABEL" || el.tagName === "INPUT") return;
    label.textContent = msg;
    el.classList.add("is-on");
    setTimeout(function () { label.textContent = old; el.classList.remove("is-on"); renderTray(); }, 1800);
  }

  // ---- Wide tables: say they scroll sideways while they do, and let the keyboard scroll them.
  function initScrollHints() {
    var wraps = document.querySelectorAll(".table-wrap[data-hint]");
    if (!wraps.length) return;
    var update = function () {
      wraps.forEach(function (w) {
        var hint = document.getElementById(w.getAttribute("data-hint")), over = w.scrollWidth > w.clientWidth + 1;
        if (hint) { hint.hidden = !over; hint.classList.toggle("is-needed", over); }
        if (over) { w.setAttribute("tabindex", "0"); w.setAttribute("aria-describedby", w.getAttribute("data-hint")); }
        else { w.removeAttribute("tabindex"); w.removeAttribute("aria-describedby"); }
      });
    };
    update();
    window.addEventListener("resize", update);
  }

  // ---- Shipping still to come: a search that needs no shipping to filter or sort leaves it to the
  // page. Ask for every waiting card's in one request, fill the cards in, and recompute.
  function initPendingShipping() {
    var note = document.getElementById("shipping-note");
    if (!note || !window.fetch) return;
    var ids = [];
    document.querySelectorAll("[data-results] .product").forEach(function (el) {
      var id = el.getAttribute("data-product");
      if (el.querySelector('[data-shipping="pending"]') && ids.indexOf(id) < 0) ids.push(id);
    });
    if (!ids.length) { note.hidden = true; return; }
    fetch(note.getAttribute("data-shipping-api") + "&ids=" + ids.join(","), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        (data.quotes || []).forEach(fillShipping);
        var left = document.querySelectorAll('[data-results] [data-shipping="pending"]').length;
        note.querySelectorAll("[data-pending-count]").forEach(function (n) { n.textContent = String(left); });
        note.hidden = left === 0;
        recalc();
      })
      .catch(function () {
        var link = note.querySelector("[data-load-shipping]");
        note.textContent = "The shipping of these products could not be loaded. ";
        if (link) note.appendChild(link);
      });
  }
  // fillShipping writes one product's cheapest shipping into its card or row, as the page would have.
  function fillShipping(q) {
    document.querySelectorAll('[data-results] .product[data-product="' + q.product_id + '"]').forEach(function (el) {
      var span = el.querySelector('[data-shipping="pending"]');
      if (!span) return;
      var cell = span.parentNode, c = q.cheapest, frag = document.createDocumentFragment();
      var cur = el.getAttribute("data-currency"), dec = parseInt(el.getAttribute("data-decimals") || "2", 10);
      var add = function (text, cls) {
        var node = document.createTextNode(text);
        if (cls) { var sp = document.createElement("span"); sp.className = cls; sp.appendChild(node); node = sp; }
        frag.appendChild(node);
      };
      if (q.error) {
        add("Shipping unknown: AliExpress did not answer in time; reload to try again", "muted");
      } else if (!c) {
        add("Does not ship to " + q.ship_to, "warn");
      } else {
        var fee = c.free || !c.fee ? 0n : parseAmount(c.fee.amount, dec);
        if (fee === null) fee = 0n;
        if (c.free) add("Free shipping", "free"); else add(formatMoney(fee, cur, dec) + " shipping");
        if (c.max_days) add(" · " + c.min_days + "–" + c.max_days + " days");
        el.setAttribute("data-ship", fee.toString());
      }
      cell.replaceChild(frag, span);
    });
  }

  // ---- Small screens: the filters and the calculator start folded, so that the results come first.
  function initCollapse() {
    if (!window.matchMedia || !window.matchMedia("(max-width: 900px)").matches) return;
    document.querySelectorAll("details[data-narrow-closed]").forEach(function (d) {
      if (!d.querySelector('[aria-invalid="true"]')) d.open = false;
    });
  }

  // ---- Product gallery: a thumbnail becomes the main image.
  function initGallery() {
    var g = document.querySelector("[data-gallery]");
    if (!g) return;
    var main = g.querySelector(".gallery-main");
    g.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest("[data-thumb]") : null;
      if (!a || !main) return;
      e.preventDefault();
      var img = main.querySelector("img");
      if (img) { img.classList.remove("is-broken"); img.src = a.getAttribute("href"); }
      main.setAttribute("href", a.getAttribute("href"));
      g.querySelectorAll("[data-thumb]").forEach(function (t) { t.removeAttribute("aria-current"); });
      a.setAttribute("aria-current", "true");
    });
  }

  // ---- Small conveniences.
  function initMisc() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () {
        var f = s.form;
        if (f && f.requestSubmit) f.requestSubmit(); else if (f) f.submit();
      });
    });
    var back = document.querySelector("[data-back]");
    if (back && document.referrer.indexOf(location.origin + "/search") === 0) back.setAttribute("href", document.referrer);
  }

  // ---- A bulk placement's progress on the orders page, read again until it is finished; the
  // page shows the same figures without the script (reload to see them move).
  function initBatch() {
    var box = document.getElementById("batch");
    if (!box || box.getAttribute("data-finished") === "true" || !window.fetch) return;
    var bar = document.getElementById("batch-progress"), text = document.getElementById("batch-text");
    var poll = function () {
      fetch("/api/orders/batches/" + box.getAttribute("data-batch"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) {
          if (!b) return;
          bar.max = b.total; bar.value = b.done; bar.textContent = b.done + " of " + b.total;
          text.textContent = b.done + " of " + b.total + " done: " + b.placed + " placed, " + b.waiting + " waiting for you" +
            (b.pending ? ", " + b.pending + " still being placed." : ".");
          if (b.finished) box.setAttribute("data-finished", "true"); else setTimeout(poll, 2000);
        })
        .catch(function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1000);
  }

  function init() {
    scanImages(document);
    initBatch();
    initCalc();
    initPendingShipping();
    initCollapse();
    initCompare();
    initScrollHints();
    initGallery();
    initMisc();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
