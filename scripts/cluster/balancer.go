package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// balancer is a small round-robin load balancer in the manner of HAProxy's `option httpchk GET
// /readyz` with `option redispatch`: it checks every backend's /readyz twice a second, sends
// requests only to ready ones, and resends a request whose connection was refused (it never
// reached the replica) to the next one. A request a replica dropped mid-way is not resent: the
// client sees 502, as it would behind HAProxy.
type balancer struct {
	url      string
	srv      *http.Server
	backends []*lbBackend
	next     atomic.Uint64
	stop     chan struct{}
}

type lbBackend struct {
	b     *backend
	proxy *httputil.ReverseProxy
	ready atomic.Bool
	mu    sync.Mutex
	since time.Time // when ready last changed
}

func newBalancer(addr string, backends []*backend) (*balancer, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	lb := &balancer{url: "http://" + addr, stop: make(chan struct{})}
	transport := &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second,
		DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext}
	for _, b := range backends {
		target, _ := url.Parse("http://" + b.addr)
		p := &httputil.ReverseProxy{Transport: transport, Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // the replicas answer the public name only
			pr.SetXForwarded()
		}}
		p.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			panic(proxyError{err})
		}
		lb.backends = append(lb.backends, &lbBackend{b: b, proxy: p})
	}
	lb.srv = &http.Server{Handler: lb}
	go lb.srv.Serve(ln)
	go lb.check()
	return lb, nil
}

type proxyError struct{ err error }

// ServeHTTP picks the next ready backend; when its connection is refused it tries the others.
func (lb *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := len(lb.backends)
	start := int(lb.next.Add(1))
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 8<<20))
		r.Body.Close()
	}
	for i := range n {
		be := lb.backends[(start+i)%n]
		if !be.ready.Load() {
			continue
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if lb.try(be, w, r) {
			return
		}
		be.setReady(false) // refused: out of the rotation until its next good check
	}
	http.Error(w, "no replica is ready", http.StatusServiceUnavailable)
}

// try proxies r to be; false when the connection was refused before anything was written.
func (lb *balancer) try(be *lbBackend, w http.ResponseWriter, r *http.Request) (ok bool) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		pe, isProxy := v.(proxyError)
		if !isProxy {
			panic(v)
		}
		if errors.Is(pe.err, syscall.ECONNREFUSED) {
			ok = false
			return
		}
		ok = true
		if !errors.Is(pe.err, context.Canceled) {
			w.WriteHeader(http.StatusBadGateway)
		}
	}()
	be.proxy.ServeHTTP(w, r)
	return true
}

func (lb *balancer) check() {
	client := &http.Client{Timeout: time.Second}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		for _, be := range lb.backends {
			resp, err := client.Get("http://" + be.b.addr + "/readyz")
			ok := err == nil && resp.StatusCode == http.StatusOK
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			be.setReady(ok)
		}
		select {
		case <-lb.stop:
			return
		case <-t.C:
		}
	}
}

func (be *lbBackend) setReady(ok bool) {
	be.mu.Lock()
	defer be.mu.Unlock()
	if be.ready.Load() != ok {
		be.ready.Store(ok)
		be.since = time.Now()
	}
}

// waitState waits until the balancer sees b as ready (or unready) and returns how long that took.
func (lb *balancer) waitState(ctx context.Context, b *backend, ready bool) time.Duration {
	start := time.Now()
	for {
		for _, be := range lb.backends {
			if be.b == b && be.ready.Load() == ready {
				return time.Since(start)
			}
		}
		select {
		case <-ctx.Done():
			return -1
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (lb *balancer) close() {
	close(lb.stop)
	lb.srv.Close()
}
