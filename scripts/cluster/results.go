package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// results collects every sample of a phase.
type results struct {
	mu     sync.Mutex
	routes map[string]*routeStats

	start, end   time.Time
	upstream     []int // upstream calls per minute
	budget       int
	calls        string // the simulator's per-method counts, when it has --control
	kill         *killReport
	sessionsLost int64
	jobs         string // background jobs by kind and state at the end
	orders       int    // AliExpress orders the simulator holds at the end
	ordersTwice  int    // store orders (per seller) placed more than once
}

type routeStats struct {
	times  []time.Duration
	codes  map[int]int
	errors map[string]int // transport errors by message
}

func newResults() *results { return &results{routes: map[string]*routeStats{}} }

func (r *results) add(route string, code int, err error, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.routes[route]
	if s == nil {
		s = &routeStats{codes: map[int]int{}, errors: map[string]int{}}
		r.routes[route] = s
	}
	if err != nil {
		msg := err.Error()
		if len(msg) > 80 {
			msg = msg[:80]
		}
		s.errors[msg]++
		return
	}
	s.times = append(s.times, d)
	s.codes[code]++
}

func (r *results) total() int {
	n := 0
	for _, s := range r.routes {
		n += len(s.times)
	}
	return n
}

func (r *results) rps() float64 { return float64(r.total()) / r.end.Sub(r.start).Seconds() }

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

// report prints a phase's table in Markdown, ready for the README.
func report(w io.Writer, title string, r *results) {
	secs := r.end.Sub(r.start).Seconds()
	fmt.Fprintf(w, "\n### %s: %d requests in %.0f s, %.0f req/s\n\n", title, r.total(), secs, r.rps())
	fmt.Fprintln(w, "| route | requests | req/s | p50 | p99 | 5xx | other errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	names := make([]string, 0, len(r.routes))
	for n := range r.routes {
		names = append(names, n)
	}
	sort.Strings(names)
	var all []time.Duration
	total5xx, totalErr := 0, 0
	for _, n := range names {
		s := r.routes[n]
		slices.Sort(s.times)
		all = append(all, s.times...)
		n5, other := 0, 0
		for c, k := range s.codes {
			switch {
			case c >= 500:
				n5 += k
			case c >= 400 && c != 404 && c != 409:
				other += k
			}
		}
		for _, k := range s.errors {
			other += k
		}
		total5xx += n5
		totalErr += other
		fmt.Fprintf(w, "| `%s` | %d | %.1f | %s | %s | %d | %d |\n", n, len(s.times), float64(len(s.times))/secs,
			ms(percentile(s.times, 0.5)), ms(percentile(s.times, 0.99)), n5, other)
	}
	slices.Sort(all)
	fmt.Fprintf(w, "| **all** | %d | %.1f | %s | %s | %d | %d |\n", len(all), float64(len(all))/secs,
		ms(percentile(all, 0.5)), ms(percentile(all, 0.99)), total5xx, totalErr)

	peak, sum := 0, 0
	for _, n := range r.upstream {
		peak = max(peak, n)
		sum += n
	}
	perMinute := float64(r.budget) / (24 * 60)
	fmt.Fprintf(w, "\nupstream: %d calls in all (daily budget %d, shared by the replicas: %s); per minute %v, peak %d",
		sum, r.budget, verdict(sum <= r.budget), r.upstream, peak)
	fmt.Fprintf(w, " (the budget spread evenly over a day is %.1f a minute)\n", perMinute)
	if r.calls != "" {
		fmt.Fprintf(w, "simulator's calls by method: %s\n", r.calls)
	}
	fmt.Fprintf(w, "sessions lost (an answer asking to sign in again): %d\n", r.sessionsLost)
	fmt.Fprintf(w, "background jobs at the end: %s\n", r.jobs)
	if r.orders >= 0 {
		fmt.Fprintf(w, "AliExpress orders placed: %d; store orders placed twice: %d\n", r.orders, r.ordersTwice)
	}
	for _, n := range names {
		for c, k := range r.routes[n].codes {
			if c >= 400 && c != 404 && c != 409 {
				fmt.Fprintf(w, "  %s: %d × HTTP %d\n", n, k, c)
			}
		}
		for msg, k := range r.routes[n].errors {
			fmt.Fprintf(w, "  %s: %d × %s\n", n, k, msg)
		}
	}
	if k := r.kill; k != nil {
		fmt.Fprintf(w, "killed %s at %.0f s: out of the balancer's rotation after %s; restarted 15 s later, back in after %s",
			k.replica, k.killedAt.Sub(r.start).Seconds(), ms(k.unreadyAfter), ms(k.readyAfter))
		if k.err != "" {
			fmt.Fprintf(w, " (restart failed: %s)", k.err)
		}
		fmt.Fprintln(w)
	}
}

func verdict(ok bool) string {
	if ok {
		return "never over"
	}
	return "OVER"
}

func ms(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
