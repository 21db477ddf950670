package main

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// gateway is the network hop between the replicas and the simulator: it adds latency to every call
// (as a real gateway across the internet has) and counts the calls per minute.
type gateway struct {
	url string
	srv *http.Server

	mu      sync.Mutex
	since   time.Time
	perMin  map[int]int
	latency time.Duration
}

func newGateway(upstream string, latency time.Duration) (*gateway, error) {
	target, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	g := &gateway{url: "http://" + ln.Addr().String(), latency: latency, since: time.Now(), perMin: map[int]int{}}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second}
	g.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.count()
		select {
		case <-time.After(g.latency):
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	})}
	go g.srv.Serve(ln)
	return g, nil
}

func (g *gateway) count() {
	g.mu.Lock()
	g.perMin[int(time.Since(g.since)/time.Minute)]++
	g.mu.Unlock()
}

// resetMinutes starts counting minutes anew (after sign-up and warm-up).
func (g *gateway) resetMinutes() {
	g.mu.Lock()
	g.since = time.Now()
	g.perMin = map[int]int{}
	g.mu.Unlock()
}

// minutes returns the calls of each minute since resetMinutes, in order.
func (g *gateway) minutes() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	last := -1
	for m := range g.perMin {
		last = max(last, m)
	}
	out := make([]int, last+1)
	for m, n := range g.perMin {
		if m >= 0 {
			out[m] = n
		}
	}
	return out
}

func (g *gateway) close() { g.srv.Close() }
