package sandbox

import (
	"bytes"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"
)

// Faults makes a Sandbox misbehave the ways a real gateway and network do, for testing a client's
// error handling. Draws are deterministic: the same Seed and the same sequence of calls give the same
// faults.
type Faults struct {
	// Latency delays every affected call before it is handled (a cancelled request stops waiting).
	Latency time.Duration
	// ErrorRate is the share of calls (0-1) answered with HTTP 500, 502 or 503 and an HTML body from
	// the front proxy; such calls never reach the gateway, so they have no effect.
	ErrorRate float64
	// DropRate is the share of calls whose connection is closed without an answer. The call is handled
	// first, so a dropped order creation did create the order, the case idempotency keys exist for.
	DropRate float64
	// MalformedRate is the share of calls answered with a truncated or garbled JSON body (after being
	// handled).
	MalformedRate float64
	// RateLimitBurst makes the next N affected calls answer ApiCallLimit whatever their rate.
	RateLimitBurst int
	// Methods limits the faults to these API names ("aliexpress.ds.order.create",
	// "/auth/token/create"); empty means every API.
	Methods []string
	// Seed seeds the draws; 0 uses Options.Seed.
	Seed int64
}

// SetFaults replaces the faults in effect; the zero Faults turns them off.
func (s *Sandbox) SetFaults(f Faults) {
	seed := f.Seed
	if seed == 0 {
		seed = s.opts.Seed
	}
	f.Methods = slices.Clone(f.Methods)
	s.mu.Lock()
	s.faults = f
	s.burstLeft = f.RateLimitBurst
	s.faultRng = rand.New(rand.NewPCG(uint64(seed), 0xfa17))
	s.mu.Unlock()
}

// fault is what happens to one call.
type fault struct {
	latency   time.Duration
	status    int
	drop      bool
	malformed bool
	hold      time.Duration // handle, then hold the answer this long and drop it (FaultTimeout)
	limit     bool          // answer ApiCallLimit after the other checks (FaultRateLimit)
}

// drawFault decides what happens to one call of api: a fault armed for it (ArmFault), else a
// draw of the random Faults.
func (s *Sandbox) drawFault(api string) fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.takeArmedLocked(api); ok {
		return f
	}
	f := s.faults
	if len(f.Methods) > 0 && !slices.Contains(f.Methods, api) {
		return fault{}
	}
	out := fault{latency: f.Latency}
	if f.ErrorRate > 0 && s.faultRng.Float64() < f.ErrorRate {
		out.status = []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}[s.faultRng.IntN(3)]
		return out
	}
	if f.DropRate > 0 && s.faultRng.Float64() < f.DropRate {
		out.drop = true
	}
	if f.MalformedRate > 0 && s.faultRng.Float64() < f.MalformedRate {
		out.malformed = true
	}
	return out
}

// takeBurst consumes one call of a RateLimitBurst, reporting whether this call is throttled by it.
func (s *Sandbox) takeBurst(api string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.burstLeft <= 0 {
		return false
	}
	if len(s.faults.Methods) > 0 && !slices.Contains(s.faults.Methods, api) {
		return false
	}
	s.burstLeft--
	return true
}

// mangle spoils a JSON body: cut in the middle, or garbage where JSON should be.
func (s *Sandbox) mangle(body []byte) []byte {
	s.mu.Lock()
	kind := s.faultRng.IntN(3)
	s.mu.Unlock()
	switch kind {
	case 0:
		return bytes.Clone(body[:len(body)/2])
	case 1:
		return []byte("<html><body>upstream sent an invalid response</body></html>")
	default:
		out := bytes.Clone(body)
		if i := bytes.LastIndexByte(out, ':'); i >= 0 {
			out[i] = ';'
		}
		return append(out, '}')
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Writers that cannot be hijacked (HTTP/2, httptest.ResponseRecorder): net/http servers treat this
	// panic as an aborted response and close the stream without logging.
	panic(http.ErrAbortHandler)
}
