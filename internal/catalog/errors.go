package catalog

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The web layer maps each to one HTTP status in one place.
const (
	EInvalid     = "invalid"      // the caller's input is wrong; Field names what
	ENotFound    = "not_found"    // no such product (or no longer listed)
	ENotShipped  = "not_shipped"  // the product does not ship to the asked country
	ERateLimited = "rate_limited" // AliExpress throttled us and nothing cached could be served
	EUpstream    = "upstream"     // AliExpress failed or could not be reached
	EConfig      = "config"       // AliExpress refused our credentials or permissions
	EInternal    = "internal"
)

// Error is a failure with a code the user interface understands and a message it may show. It
// never carries a secret: messages come from aliscout, and from the SDK's redacted errors.
type Error struct {
	Code    string
	Field   string // for EInvalid: the input field, e.g. "min_price"
	Message string
	// Reason is a finer, stable name of the cause for metrics and logs ("signature",
	// "rate_limited", "timeout", ...); "" when Code says it all.
	Reason string
	// RetryAfter is how long to wait before trying again, for ERateLimited; 0 when unknown.
	RetryAfter time.Duration
	Err        error // the cause, for logs and errors.Is
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorCode returns the code of err, EInternal for errors that are not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Invalid returns an EInvalid error naming field, the way every parser of user input reports.
func Invalid(field, format string, args ...any) *Error {
	return invalid(field, format, args...)
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// InvalidErrors flattens err, which may join several, into the EInvalid errors it holds, in order.
func InvalidErrors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var e *Error
		if errors.As(err, &e) && e.Code == EInvalid {
			out = append(out, e)
		}
	}
	walk(err)
	return out
}
