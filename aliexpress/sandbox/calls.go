package sandbox

import (
	"log/slog"
	"strings"
	"time"
)

// Call is one API call as the Sandbox saw it, like the app console's API access log.
type Call struct {
	Method     string    // API name, e.g. "aliexpress.ds.product.get" or "/auth/token/create"
	Time       time.Time // by the Sandbox's clock
	AppKey     string    // as sent
	User       string    // nick of the access token's owner, when a valid one was sent
	Code       string    // "0" on success, else the error code answered (e.g. "IncompleteSignature")
	HTTPStatus int       // 200 for every answer of the gateway, 5xx for injected errors, 0 when dropped
	Fault      string    // the injected fault: "", "http-502", "drop", "malformed", "latency", "timeout", "rate-limit"
	RequestID  string
}

func (s *Sandbox) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The method and app key are cut from the request's parameters: kept as they are, each logged
	// call would hold its whole request body. Most calls repeat the previous call's.
	c.Method, c.AppKey = s.own(c.Method), s.own(c.AppKey)
	s.countLocked(c)
	if len(s.calls) < maxCalls {
		s.calls = append(s.calls, c)
		return
	}
	s.calls[s.callsHead] = c
	s.callsHead = (s.callsHead + 1) % maxCalls
}

// own returns v in memory of its own, the last logged call's copy when it is the same text.
func (s *Sandbox) own(v string) string {
	if n := len(s.calls); n > 0 {
		last := s.calls[(s.callsHead+n-1)%n]
		switch v {
		case last.Method:
			return last.Method
		case last.AppKey:
			return last.AppKey
		}
	}
	return strings.Clone(v)
}

// Calls returns the logged calls, oldest first (the most recent 10,000).
func (s *Sandbox) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, 0, len(s.calls))
	out = append(out, s.calls[s.callsHead:]...)
	return append(out, s.calls[:s.callsHead]...)
}

// CallCount returns how many logged calls named the API method, whatever their outcome.
func (s *Sandbox) CallCount(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

// ResetCalls empties the call log (CallStats keeps counting).
func (s *Sandbox) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.callsHead = 0
	s.mu.Unlock()
}

func levelFor(code string) slog.Level {
	if code == "0" {
		return slog.LevelInfo
	}
	return slog.LevelWarn
}
