import Crypto
import Foundation
import TrennwandFindings

/// The report's fixed inline CSS and script, the script's CSP hash, and its HTML escaping.
enum HTMLReportAssets {
    /// Filters over `data-*` attributes of each finding (`tbody.finding`): minimum severity
    /// (rank), rule, norm, status (`open` = still needs attention). A rule group with no visible
    /// finding is hidden. Pure DOM, no network, works from `file://`. Event handlers are attached
    /// here, not inline (`onchange=`), because the CSP allows only this script by hash.
    static let script = """
    (function () {
      var selects = document.querySelectorAll('#filters select');
      function apply() {
        var v = {};
        for (var i = 0; i < selects.length; i++) { v[selects[i].name] = selects[i].value; }
        var shown = 0;
        var groups = document.querySelectorAll('section.group');
        for (var g = 0; g < groups.length; g++) {
          var items = groups[g].querySelectorAll('tbody.finding');
          var inGroup = 0;
          for (var j = 0; j < items.length; j++) {
            var d = items[j].dataset, ok = true;
            if (v.severity && Number(d.rank) < Number(v.severity)) { ok = false; }
            if (v.rule && d.rule !== v.rule) { ok = false; }
            if (v.norm && d.norms.indexOf('|' + v.norm + '|') < 0) { ok = false; }
            if (v.status === 'open' && d.open !== '1') { ok = false; }
            if (v.status && v.status !== 'open' && d.status !== v.status) { ok = false; }
            items[j].hidden = !ok;
            if (ok) { inGroup++; }
          }
          groups[g].hidden = inGroup === 0;
          shown += inGroup;
        }
        document.getElementById('shown').textContent = String(shown);
      }
      for (var k = 0; k < selects.length; k++) { selects[k].addEventListener('change', apply); }
      document.getElementById('reset').addEventListener('click', function () {
        for (var k = 0; k < selects.length; k++) { selects[k].value = ''; }
        apply();
      });
      apply();
      // The legal section is folded on screen; printing shows it (the print stylesheet does too).
      var legal = document.getElementById('legal');
      if (legal) { window.addEventListener('beforeprint', function () { legal.open = true; }); }
    })();
    """

    /// `'sha256-…'` source expression for the CSP: base64 of SHA-256 over the script's UTF-8 bytes.
    static let scriptHash: String = {
        let digest = SHA256.hash(data: Array(script.utf8))
        return "'sha256-" + Data(digest).base64EncodedString() + "'"
    }()

    /// No network at all: nothing but this document's inline style and the hashed inline script.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src \(scriptHash); img-src 'none'; base-uri 'none'; form-action 'none'"

    /// Screen and print layout. Severity colours equal `SeverityCharts.color` (badges = charts).
    /// Below 640 px a group's table turns into one block per finding (no sideways scrolling);
    /// in print the filters and waive commands are hidden, the legal section (`details#legal`) is
    /// expanded and headings stay with what follows.
    static let style = """
    :root { --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa; }
    * { box-sizing: border-box; }
    body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
    main { max-width: 84rem; margin: 0 auto; padding: .5rem 1.5rem 3rem; }
    h1 { font-size: 1.5rem; margin: .4rem 0 0; } h2 { font-size: 1.15rem; margin: 1.2rem 0 .4rem; }
    a { color: #0550ae; } code { font-size: .88em; background: var(--soft); padding: 0 .2rem; overflow-wrap: anywhere; }
    table { border-collapse: collapse; margin: .3rem 0 .6rem; } th, td { border: 1px solid var(--line); padding: .2rem .45rem; text-align: left; vertical-align: top; }
    th { background: var(--soft); font-weight: 600; }
    td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .muted { color: var(--muted); } .small { font-size: .85rem; }
    header#run p { margin: .1rem 0 .4rem; }
    .banner { background: #ddf4ff; border: 1px solid #54aeff; padding: .35rem .6rem; margin: .3rem 0; }
    #overview { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .8rem; margin: .4rem 0; }
    .card { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; min-width: 0; }
    .card h2 { margin: .1rem 0 .3rem; font-size: 1.05rem; }
    .card p { margin: .3rem 0; } table.counts { margin: 0; } table.counts td, table.counts th { padding: .1rem .5rem; }
    ul.compact, ol.compact { margin: .2rem 0; padding-left: 1.3rem; } ul.compact li, ol.compact li { margin: .1rem 0; }
    #art33 { background: #fff8f2; border-color: #bc4c00; }
    #filters { background: var(--soft); border: 1px solid var(--line); padding: .3rem .8rem; margin: .4rem 0; display: flex; flex-wrap: wrap; gap: .3rem 1rem; align-items: center; }
    #filters select { max-width: 14rem; }
    section.group { border: 1px solid var(--line); border-left: 6px solid var(--line); padding: .3rem .9rem .4rem; margin: .7rem 0; }
    section.group h2 { margin: .2rem 0; font-size: 1.08rem; border: 0; }
    .gfacts { margin: 0 0 .3rem; color: var(--muted); font-size: .9rem; }
    .todo, .explain p { margin: .3rem 0; }
    .explain { font-size: .9rem; }
    table.occ { width: 100%; font-size: .88rem; }
    table.occ td { overflow-wrap: anywhere; }
    .k { color: var(--muted); } .ev { display: inline; } .ev code { white-space: nowrap; overflow-wrap: normal; } .ev + .ev::before { content: " · "; color: var(--muted); }
    tr.merged > td { background: #fbfcfd; }
    table.occ-list { width: 100%; margin: .2rem 0; font-size: .85rem; }
    .occ-head { margin: .1rem 0; font-weight: 600; }
    details.cmd summary { cursor: pointer; color: #0550ae; }
    code.copy { display: block; user-select: all; white-space: pre-wrap; padding: .2rem .3rem; margin-top: .2rem; }
    [hidden] { display: none !important; }
    .badge { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: .8rem; color: #fff; background: #57606a; white-space: nowrap; }
    .sev-critical { border-left-color: #82071e !important; } .badge.sev-critical { background: #82071e; }
    .sev-high { border-left-color: #cf222e !important; } .badge.sev-high { background: #cf222e; }
    .sev-medium { border-left-color: #bc4c00 !important; } .badge.sev-medium { background: #bc4c00; }
    .sev-low { border-left-color: #0969da !important; } .badge.sev-low { background: #0969da; }
    .sev-info { border-left-color: #57606a !important; } .badge.sev-info { background: #57606a; }
    .badge.gap { background: #8250df; }
    .st { font-weight: 600; } .st-new { color: #cf222e; } .st-reopened { color: #82071e; } .st-resolved { color: #1a7f37; } .st-waived { color: #1a7f37; }
    .art33 { background: #fff1e5; border: 1px solid #bc4c00; padding: .3rem .6rem; margin: .3rem 0; font-size: .9rem; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; } dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
    details#legal > summary { cursor: pointer; font-size: 1.15rem; font-weight: 600; margin: 1.2rem 0 .4rem; }
    details#legal h3 { font-size: 1rem; margin: .6rem 0 .2rem; }
    ul.legal { margin: 0; padding-left: 1.1rem; font-size: .9rem; } ul.legal li { margin: .15rem 0; }
    ul.legal .meta { color: var(--muted); } ul.legal .meta::before { content: "— "; }
    p.note { font-size: .9rem; margin: .3rem 0; }
    figure { margin: .5rem 0 1rem; } figcaption { color: var(--muted); font-size: .9rem; }
    svg.chart { width: 100%; max-width: 640px; height: auto; display: block; }
    .scroll { max-width: 100%; overflow-x: auto; }
    @media (max-width: 900px) { #overview { grid-template-columns: 1fr; } }
    @media (max-width: 640px) {
      main { padding: .4rem .6rem 2rem; }
      table.occ, table.occ thead, table.occ tbody, table.occ tr, table.occ td { display: block; width: 100%; }
      table.occ thead { display: none; }
      table.occ tbody.finding { border-top: 2px solid var(--line); padding: .2rem 0; }
      table.occ td { border: 0; padding: .1rem 0; }
      table.occ td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .8rem; display: block; }
      dl.facts { grid-template-columns: 1fr; }
      #filters label, #filters select { max-width: 100%; }
    }
    @media print {
      @page { size: A4; margin: 10mm 10mm 11mm; }
      html { font-size: 10.2px; }
      body { font-size: 1rem; line-height: 1.3; }
      .cmdonly { display: none; }
      main { max-width: none; padding: 0; }
      #filters, details.cmd, .cmdhint { display: none !important; }
      #overview { grid-template-columns: repeat(3, minmax(0, 1fr)); }
      details#legal::details-content { content-visibility: visible; display: block; }
      details#legal > summary { list-style: none; }
      ul.legal { font-size: .85rem; columns: 2; column-gap: 6mm; } ul.legal li { margin: .05rem 0; break-inside: avoid; } details#legal h3 { margin: .3rem 0 .1rem; break-after: avoid; }
      h1, h2, .ghead, figcaption, caption, summary { break-after: avoid; }
      .ghead { break-inside: avoid; }
      section.group { border-left-width: 4px; padding: .2rem .5rem; margin: .4rem 0; }
      tbody.finding, tr, figure, .card, .art33 { break-inside: avoid; }
      a { color: inherit; text-decoration: none; }
      .badge, .art33, #art33, th, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
    }
    """

    /// HTML text and attribute values, through the one markup escaper (`MarkupEscaper`, `.html`):
    /// `& < > " '` become entities, control characters other than TAB, LF, CR become U+FFFD.
    static func escape(_ s: String) -> String { MarkupEscaper.escape(s, .html) }

    /// Norm citations joined for `data-norms` (`|a|b|`); `|` inside a citation becomes `¦`.
    static func normKey(_ citation: String) -> String {
        String(citation.map { $0 == "|" ? "¦" : $0 })
    }
}

/// The report's HTML escaper for other HTML pages of the tool (the rule catalogue).
package func htmlEscape(_ s: String) -> String { HTMLReportAssets.escape(s) }
