package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/tracking"
)

// The history charts are drawn on the server as SVG: readable without JavaScript, each point
// with a <title> that a browser shows on hover, and the same values in a table below.

// sparkline is a small line of prices, oldest to newest.
func sparkline(prices []int64) template.HTML {
	const w, h = 100.0, 24.0
	if len(prices) < 2 {
		return ""
	}
	lo, hi := prices[0], prices[0]
	for _, p := range prices {
		lo, hi = min(lo, p), max(hi, p)
	}
	var pts []string
	for i, p := range prices {
		x := w * float64(i) / float64(len(prices)-1)
		y := h / 2
		if hi > lo {
			y = h - 2 - (h-4)*float64(p-lo)/float64(hi-lo)
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
	}
	return template.HTML(fmt.Sprintf(`<svg class="sparkline" viewBox="0 0 %g %g" width="100" height="24" role="img" aria-label="price trend"><polyline fill="none" stroke="currentColor" stroke-width="1.5" points="%s"/></svg>`,
		w, h, strings.Join(pts, " ")))
}

// seriesColors tell the variants apart (a palette readable by most color-blind eyes); the table
// below the chart names them.
var seriesColors = []string{"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"}

// chartSeries is one variant's line.
type chartSeries struct {
	SKU    string
	Label  string
	Points []chartPoint
}

type chartPoint struct {
	T     time.Time
	Price int64
	Stock int
	Gone  bool
}

// variantSeries turns a history into one series per variant ever seen.
func variantSeries(snaps []tracking.Snapshot) []chartSeries {
	idx := map[string]int{}
	var out []chartSeries
	for _, s := range snaps {
		for _, v := range s.Variants {
			i, ok := idx[v.SKU]
			if !ok {
				i = len(out)
				idx[v.SKU] = i
				label := strings.Join(v.Values, " / ")
				if label == "" {
					label = v.SKU
				}
				if label == "" {
					label = "Product"
				}
				out = append(out, chartSeries{SKU: v.SKU, Label: label})
			}
			out[i].Points = append(out[i].Points, chartPoint{T: s.Time, Price: v.Price, Stock: v.Stock})
		}
	}
	return out
}

// historyChart draws price (or stock, when stock is true) over time for every series, with a
// mark at each snapshot (each one a change) and the value in its <title>.
func historyChart(series []chartSeries, snaps []tracking.Snapshot, currency string, stock bool, now time.Time) template.HTML {
	if len(snaps) == 0 || len(series) == 0 {
		return ""
	}
	const w, h, padL, padR, padT, padB = 640.0, 220.0, 56.0, 12.0, 12.0, 28.0
	t0, t1 := snaps[0].Time, now
	if !t1.After(t0) {
		t1 = t0.Add(time.Hour)
	}
	val := func(p chartPoint) int64 {
		if stock {
			return int64(max(p.Stock, 0))
		}
		return p.Price
	}
	if stock {
		// Unknown stock (-1, without DS data) is not drawn as zero.
		known := make([]chartSeries, 0, len(series))
		for _, s := range series {
			k := chartSeries{SKU: s.SKU, Label: s.Label}
			for _, p := range s.Points {
				if p.Stock >= 0 {
					k.Points = append(k.Points, p)
				}
			}
			if len(k.Points) > 0 {
				known = append(known, k)
			}
		}
		if len(known) == 0 {
			return ""
		}
		series = known
	}
	var lo, hi int64
	first := true
	for _, s := range series {
		for _, p := range s.Points {
			v := val(p)
			if first {
				lo, hi, first = v, v, false
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	x := func(t time.Time) float64 {
		return padL + (w-padL-padR)*float64(t.Sub(t0))/float64(t1.Sub(t0))
	}
	y := func(v int64) float64 { return padT + (h-padT-padB)*(1-float64(v-lo)/float64(hi-lo)) }
	format := func(v int64) string {
		if stock {
			return fmt.Sprintf("%d units", v)
		}
		return catalog.Money{Amount: v, Currency: currency}.Decimal() + " " + currency
	}
	what := "Price"
	if stock {
		what = "Stock"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="history-chart" viewBox="0 0 %g %g" width="640" height="220" role="img" aria-labelledby="chart-%s-title" xmlns="http://www.w3.org/2000/svg">`, w, h, strings.ToLower(what))
	fmt.Fprintf(&b, `<title id="chart-%s-title">%s of each variant over time</title>`, strings.ToLower(what), what)
	// Presentation attributes rather than CSS: the Content-Security-Policy allows no inline style.
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" class="axis" stroke="#6b7280"/>`, padL, h-padB, w-padR, h-padB)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" class="axis" stroke="#6b7280"/>`, padL, padT, padL, h-padB)
	tick := `<text x="%g" y="%g" class="tick" font-size="11" fill="#374151"%s>%s</text>`
	fmt.Fprintf(&b, tick, padL-4, padT+8, ` text-anchor="end"`, template.HTMLEscapeString(format(hi)))
	fmt.Fprintf(&b, tick, padL-4, h-padB, ` text-anchor="end"`, template.HTMLEscapeString(format(lo)))
	fmt.Fprintf(&b, tick, padL, h-8, "", t0.UTC().Format("Jan 2"))
	fmt.Fprintf(&b, tick, w-padR, h-8, ` text-anchor="end"`, t1.UTC().Format("Jan 2"))
	// A dashed mark at every change.
	for _, s := range snaps[1:] {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" class="change-mark" stroke="#9ca3af" stroke-dasharray="4 3"><title>Change seen %s</title></line>`,
			x(s.Time), padT, x(s.Time), h-padB, s.Time.UTC().Format("2006-01-02 15:04"))
	}
	for i, s := range series {
		var pts []string
		for j, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.T), y(val(p))))
			if j == len(s.Points)-1 {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(t1), y(val(p)))) // holds until now
			}
		}
		color := seriesColors[i%len(seriesColors)]
		fmt.Fprintf(&b, `<polyline class="series" fill="none" stroke="%s" stroke-width="2" points="%s"/>`, color, strings.Join(pts, " "))
		for _, p := range s.Points {
			fmt.Fprintf(&b, `<circle class="point" fill="%s" cx="%.1f" cy="%.1f" r="4"><title>%s, %s: %s</title></circle>`, color,
				x(p.T), y(val(p)), template.HTMLEscapeString(s.Label), p.T.UTC().Format("2006-01-02 15:04"), template.HTMLEscapeString(format(val(p))))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// deref is the value a pointer points to, for templates; the zero value for nil.
func deref(p any) any {
	switch v := p.(type) {
	case *bool:
		return v != nil && *v
	case *string:
		if v == nil {
			return ""
		}
		return *v
	case *time.Time:
		if v == nil {
			return time.Time{}
		}
		return *v
	}
	return p
}
