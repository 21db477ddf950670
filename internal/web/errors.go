package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// problem is what a user is shown of a failure: the HTTP status, the catalog error code, the field
// at fault for bad input, and a message fit to show.
type problem struct {
	Status     int
	Code       string
	Field      string
	Message    string
	RetryAfter time.Duration // for ERateLimited
}

// defaultRetryAfter is what Retry-After says when AliExpress did not say how long its ban lasts.
const defaultRetryAfter = 30 * time.Second

// problemOf turns an error into what the user sees. It is the one place where catalog error codes
// become HTTP status codes. Errors that are not a *catalog.Error are internal: their text may hold
// details for the log, never for the user.
func problemOf(err error) problem {
	var e *catalog.Error
	if !errors.As(err, &e) {
		return problem{Status: http.StatusInternalServerError, Code: catalog.EInternal,
			Message: "Something went wrong inside aliscout. The details are in the server log."}
	}
	p := problem{Code: e.Code, Field: e.Field, Message: e.Error()}
	switch e.Code {
	case catalog.EInvalid:
		p.Status = http.StatusBadRequest
	case catalog.ENotFound:
		p.Status = http.StatusNotFound
		if e.Message == "" {
			p.Message = "This product is not (or no longer) listed on AliExpress."
		}
	case catalog.ENotShipped:
		p.Status = http.StatusUnprocessableEntity
	case catalog.ERateLimited:
		p.Status = http.StatusServiceUnavailable
		p.RetryAfter = defaultRetryAfter
		if e.RetryAfter > 0 {
			p.RetryAfter = e.RetryAfter
		}
		p.Message = fmt.Sprintf("AliExpress is limiting how often aliscout may call it; try again in %s. (%s)", p.RetryAfter.Round(time.Second), e.Error())
	case catalog.EUpstream:
		p.Status = http.StatusBadGateway
		p.Message = "AliExpress is not answering right now: " + e.Error()
	case catalog.EConfig:
		p.Status = http.StatusBadGateway
		p.Message = "AliExpress refused aliscout's credentials or permissions: " + e.Error() +
			". Check ALIEXPRESS_APP_KEY and ALIEXPRESS_APP_SECRET (and the app's API permissions)."
	default:
		p.Status = http.StatusInternalServerError
		p.Code = catalog.EInternal
		p.Message = "Something went wrong inside aliscout. The details are in the server log."
	}
	return p
}

// setRetryAfter sets the Retry-After header of a rate-limited answer, in whole seconds.
func (p problem) setRetryAfter(h http.Header) {
	if p.RetryAfter > 0 {
		secs := int((p.RetryAfter + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(secs))
	}
}

// invalid is a bad-input error naming field, the same kind catalog.ParseFilters returns.
func invalid(field, format string, args ...any) *catalog.Error {
	return catalog.Invalid(field, format, args...)
}

// fieldErrors flattens err (possibly joined) into the invalid-input errors it holds.
func fieldErrors(err error) []*catalog.Error { return catalog.InvalidErrors(err) }

// fieldMap maps each field of errs to its message, for showing next to form inputs.
func fieldMap(errs []*catalog.Error) map[string]string {
	m := map[string]string{}
	for _, e := range errs {
		if _, ok := m[e.Field]; !ok {
			m[e.Field] = e.Message
		}
	}
	return m
}

// logEvery bounds how often the same kind of upstream refusal is logged: when AliExpress
// rate-limits or the daily budget is spent, every request would otherwise log the same line.
const logEvery = time.Minute

// logError logs err when it is the server's or AliExpress's fault; bad input is not logged. A
// refusal for rate limits, the daily budget or an unavailable platform is logged once a minute
// per kind, with how many were left out.
func (s *Server) logError(r *http.Request, err error, p problem) {
	if p.Status < 500 {
		return
	}
	if p.Code == catalog.ERateLimited || p.Code == catalog.EUpstream {
		kind := p.Code
		var ce *catalog.Error
		if errors.As(err, &ce) {
			kind += "/" + ce.Reason
		}
		now := s.now()
		s.logMu.Lock()
		last, seen := s.lastLogged[kind]
		if seen && now.Sub(last) < logEvery {
			s.suppressed[kind]++
			s.logMu.Unlock()
			return
		}
		n := s.suppressed[kind]
		s.lastLogged[kind], s.suppressed[kind] = now, 0
		s.logMu.Unlock()
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", p.Code, "err", err, "same_since_last_logged", n)
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "code", p.Code, "err", err)
}
