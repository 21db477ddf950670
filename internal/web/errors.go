package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// problem is what a user is shown of a failure: the HTTP status, the catalog error code, the field
// at fault for bad input, and a message fit to show.
type problem struct {
	Status     int
	Code       string
	Field      string
	Message    string
	RetryAfter time.Duration // for ERateLimited
	Until      time.Time     // when a sign-in lockout ends; Retry-After counts to it
}

// defaultRetryAfter is what Retry-After says when AliExpress did not say how long its ban lasts.
const defaultRetryAfter = 30 * time.Second

// problemOf turns an error into what the user sees. It is the one place where error kinds become
// HTTP status codes: catalog error codes below, accounts and store errors in sentinelProblems.
// Other errors are internal: their text may hold details for the log, never for the user.
func problemOf(err error) problem {
	var e *catalog.Error
	if !errors.As(err, &e) {
		if p, ok := sentinelProblem(err); ok {
			return p
		}
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

// Codes of failures that are not the catalog's: accounts, sessions, the store and the request.
const (
	codeUnauthenticated = "unauthenticated"
	codeForbidden       = "forbidden"
	codeConflict        = "conflict"
	codeThrottled       = "throttled"
	codeUnavailable     = "unavailable"
	codeTooLarge        = "too_large"
)

var (
	// errStoreDown wraps a store failure that is not the user's doing (the database is down, a
	// disk is full): every such error becomes a 503 while research goes on working.
	errStoreDown = errors.New("web: the database is not answering")
	// errTooLarge: a request body over its limit.
	errTooLarge = errors.New("web: request body too large")
)

// sentinelProblems are the accounts, store and request errors a user may meet, with what they
// are told. Messages never say whether an email has an account, except sign-up's "taken".
var sentinelProblems = []struct {
	err     error
	status  int
	code    string
	field   string
	message string
}{
	{accounts.ErrThrottled, http.StatusTooManyRequests, codeThrottled, "",
		"Too many failed sign-ins for this account or from this address."},
	{accounts.ErrInvalidCredentials, http.StatusUnauthorized, "invalid_credentials", "",
		"The email or the password is wrong."},
	{accounts.ErrAccountDisabled, http.StatusForbidden, codeForbidden, "",
		"This account is disabled. Ask the operator of this aliscout."},
	{accounts.ErrUnauthenticated, http.StatusUnauthorized, codeUnauthenticated, "",
		"Sign in first, or send an API token (Authorization: Bearer as_…)."},
	{accounts.ErrSignUpClosed, http.StatusForbidden, "signup_closed", "",
		"This aliscout takes no new sign-ups. Ask its operator for an account."},
	{accounts.ErrInvitationRequired, http.StatusForbidden, "invitation_required", "",
		"Sign-up here is by invitation: open the invitation link the operator sent you."},
	{accounts.ErrInvitationInvalid, http.StatusForbidden, "invitation_invalid", "",
		"This invitation is not valid: it is unknown, used, expired, or for another email address."},
	{accounts.ErrEmailTaken, http.StatusConflict, codeConflict, "email",
		"An account with this email exists already: sign in instead."},
	{accounts.ErrInvalidEmail, http.StatusBadRequest, catalog.EInvalid, "email",
		"Enter an email address, like you@example.com."},
	{accounts.ErrWeakPassword, http.StatusBadRequest, catalog.EInvalid, "password",
		"The password is not accepted."},
	{accounts.ErrForbidden, http.StatusForbidden, codeForbidden, "",
		"Your role does not allow this: ask an operator."},
	{accounts.ErrTokenNameTaken, http.StatusConflict, codeConflict, "name",
		"You have an API token of this name already: choose another name, or revoke that token first."},
	{ErrConnectState, http.StatusBadRequest, "connect_state_invalid", "",
		"This AliExpress authorization is not valid here: it was used already, has expired, was started by another " +
			"account or browser, or came back without its state. Connect the account again from this page."},
	{ErrConnectCode, http.StatusBadRequest, "connect_code_refused", "",
		"AliExpress refused the authorization: its code lasts 3 minutes and works once. Connect the account again."},
	{ErrNotConnected, http.StatusNotFound, catalog.ENotFound, "",
		"There is no such AliExpress account of yours."},
	{ErrReconnect, http.StatusConflict, "reconnect", "",
		"The AliExpress account's authorization has ended: connect it again from your account page."},
	{store.ErrNotFound, http.StatusNotFound, catalog.ENotFound, "",
		"There is no such list, item, token or session of yours."},
	{store.ErrConflict, http.StatusConflict, codeConflict, "name",
		"You have one of that name already: choose another name."},
	{store.ErrInvalid, http.StatusBadRequest, catalog.EInvalid, "",
		"aliscout's database refused this input."},
	{errStoreDown, http.StatusServiceUnavailable, codeUnavailable, "",
		"aliscout's database is not answering; research still works. Try your lists and account again in a moment."},
	{errTooLarge, http.StatusRequestEntityTooLarge, codeTooLarge, "body",
		"The request is too large."},
}

// sentinelProblem finds err in sentinelProblems.
func sentinelProblem(err error) (problem, bool) {
	for _, sp := range sentinelProblems {
		if !errors.Is(err, sp.err) {
			continue
		}
		p := problem{Status: sp.status, Code: sp.code, Field: sp.field, Message: sp.message}
		var th *accounts.ThrottledError
		var pe *accounts.PasswordError
		switch {
		case errors.As(err, &th):
			p.Until = th.Until
			p.Message += " Try again after " + formatTime(th.Until) + "."
		case errors.As(err, &pe):
			p.Message = "The password must be " + pe.Reason + "."
		case sp.err == errStoreDown:
			p.RetryAfter = 10 * time.Second
		}
		return p, true
	}
	return problem{}, false
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
		s.log.Error("request failed", "method", r.Method, "path", logPath(r), "code", p.Code, "err", err, "same_since_last_logged", n)
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", logPath(r), "code", p.Code, "err", err)
}
